package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/placement"
)

// Storage label values: a host's guests' disks are on storage the other
// hosts reach (shared), or on the host itself (local, the default), in
// which case a migration copies them.
const (
	StorageLabel  = "storage"
	StorageShared = "shared"
	StorageLocal  = "local"
)

// moveJob is one request to move running guests: the model of the fleet,
// the move problem built from it, and what the plan must record.
type moveJob struct {
	pl   *Planner
	goal Goal
	opt  MoveOptions
	lim  MoveLimits
	pol  inventory.Policy
	// ed are the edits that apply to the job (recorded in the plan): a
	// rebalance places no demand, so it keeps only exclusions and keeps.
	ed Edits
	m  *model
	mp *placement.MoveProblem
	// Per existing guest (the model's order): whether it runs (a live
	// migration) and the memory and disk bytes a migration copies.
	live      []bool
	mem, disk []float64
	shared    []bool // per host: storage shared
	warnings  []string
}

// newMoveJob checks the policy and options, builds the model (with the
// demand only when withDemand) and the move problem.
func (pl *Planner) newMoveJob(goal Goal, opt MoveOptions, withDemand bool) (*moveJob, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	if err := checkPolicy(&pl.pol, len(pl.sc.Hosts)); err != nil {
		return nil, err
	}
	if goal != GoalWaves {
		opt.MaxHostsPerWave = 0
	}
	if goal == GoalRoom {
		opt.MaxBytes = 0 // making room is bounded by migrations only
	}
	j := &moveJob{pl: pl, goal: goal, opt: opt, pol: pl.pol}
	j.lim = opt.limits(&j.pol)
	sc := pl.sc
	if withDemand {
		j.ed = cloneEdits(pl.edits)
	} else {
		j.ed = Edits{Excluded: slices.Clone(pl.edits.Excluded), Keep: slices.Clone(pl.edits.Keep)}
		if n := pl.demanded(); n > 0 {
			j.warnings = append(j.warnings, fmt.Sprintf(
				"the scenario demands %s; a %s plan moves running guests only: place them with berth plan (--allow-moves N lets it move running guests to make room)",
				plural(n, "new guest"), goal))
		}
		bare := *sc
		bare.Demand = nil
		sc = &bare
	}
	m, err := buildModel(sc, &j.pol, &j.ed, false)
	if err != nil {
		return nil, err
	}
	j.m = m
	if n := len(m.surplusKept); n > 0 {
		j.warnings = append(j.warnings, fmt.Sprintf(
			"%s beyond their demand entry's count (%s): a plan with moves keeps them; berth plan without --allow-moves removes them",
			pluralVerb(n, "running guest", "is", "are"), strings.Join(m.surplusKept, ", ")))
	}
	if err := j.buildMoveProblem(); err != nil {
		return nil, err
	}
	return j, nil
}

// demanded counts the new guests the scenario and the edits ask for.
func (pl *Planner) demanded() int {
	n := 0
	for _, d := range pl.sc.Demand {
		n += d.Count
	}
	for _, d := range pl.edits.Demand {
		n += d.Count
	}
	return n
}

// runs reports whether a guest in libvirt state s holds its resources and
// so moves live; a guest of a scenario without a state is taken to run.
func runs(state string) bool {
	switch state {
	case "", "running", "blocked", "paused", "shutdown", "pmsuspended":
		return true
	}
	return false
}

// buildMoveProblem lays out costs, keeps and limits over the model.
//
// A migration copies the guest's memory allocation when it runs (nothing
// when it is shut off), plus its local disks unless both hosts have
// storage: shared. The engine takes one cost per guest, so a guest on a
// shared-storage host is charged its disk too when any open host has
// local storage (it might go there): the cost is an upper bound, and the
// plan's moves then carry each migration's exact bytes.
func (j *moveJob) buildMoveProblem() error {
	m := j.m
	j.shared = make([]bool, len(m.hosts))
	anyLocal := false
	for i, h := range m.hosts {
		switch v := h.Labels[StorageLabel]; v {
		case StorageShared:
			j.shared[i] = true
		case "", StorageLocal:
			if !m.prob.Excluded[i] {
				anyLocal = true
			}
		default:
			return fmt.Errorf("host %s: label %s=%q: want %s or %s", h.Name, StorageLabel, v, StorageShared, StorageLocal)
		}
	}
	E := len(m.existing)
	j.live, j.mem, j.disk = make([]bool, E), make([]float64, E), make([]float64, E)
	cost := make([]float64, E)
	byName := map[string]int{}
	for e, x := range m.existing {
		g := x.Guest
		byName[g.Name] = e
		j.live[e] = runs(g.State)
		if j.live[e] {
			j.mem[e] = g.Allocation[inventory.Memory]
		}
		j.disk[e] = g.Disk
		cost[e] = j.mem[e]
		if !j.shared[x.Host] || anyLocal {
			cost[e] += j.disk[e]
		}
	}
	var keep []bool
	for _, name := range j.ed.Keep {
		e, ok := byName[name]
		if !ok {
			return fmt.Errorf("keep: no running guest named %q%s", name, inventory.Suggestion(name, sortedKeys(byName)))
		}
		if keep == nil {
			keep = make([]bool, E)
		}
		keep[e] = true
	}
	j.mp = &placement.MoveProblem{P: m.prob, Keep: keep, Cost: cost,
		MaxOut: j.lim.MaxOut, MaxIn: j.lim.MaxIn, Failover: j.lim.Failover, Bandwidth: j.lim.Bandwidth}
	return j.mp.Validate()
}

// engineOptions are the engine's options for the job: its budgets, the
// policy's strategy and seed (so the leftover rule chooses destinations,
// as for new guests), and the policy's time budget if any.
func (j *moveJob) engineOptions() placement.MoveOptions {
	return placement.MoveOptions{MaxMoves: j.opt.MaxMoves, MaxBytes: j.opt.MaxBytes,
		Strategy: j.pol.Strategy, Seed: j.pol.Seed, Deadline: j.pol.Budget}
}

// copies is what one migration of existing guest e from host a to host b
// copies: its memory when it runs, its disks unless both hosts share
// storage.
func (j *moveJob) copies(e int, a, b int32) (mem, disk float64) {
	if !j.shared[a] || !j.shared[b] {
		disk = j.disk[e]
	}
	return j.mem[e], disk
}

// drainHosts maps drained host names to indices, refusing unknown or
// repeated names and drains that cannot keep a zone-scoped group spread.
func (j *moveJob) drainHosts(names []string) ([]int32, error) {
	m := j.m
	var idx []int32
	seen := map[string]bool{}
	for _, name := range names {
		i, ok := m.hostIdx[name]
		if !ok {
			return nil, fmt.Errorf("drain: no host named %q%s", name, inventory.Suggestion(name, m.prob.HostNames))
		}
		if seen[name] {
			return nil, fmt.Errorf("drain: host %s is named twice", name)
		}
		seen[name] = true
		idx = append(idx, int32(i))
	}
	if err := j.zoneSpread(idx); err != nil {
		return nil, err
	}
	return idx, nil
}

// zoneSpread refuses a drain that empties a whole zone while a guest there
// belongs to a zone-scoped group that cannot then keep its rule: an
// anti-affinity group with a member in every other zone that has an open
// host (the guest would have to join one), or an affinity group whose
// members all live in the zone (they cannot all leave it together). The
// engine would report these guests stuck; said up front, the operator
// learns why before reading a plan.
func (j *moveJob) zoneSpread(drained []int32) error {
	p := j.m.prob
	gone := make([]bool, p.H())
	for _, h := range drained {
		gone[h] = true
	}
	whole := map[int32]bool{} // zones every host of which is drained
	for _, h := range drained {
		whole[p.Zone[h]] = true
	}
	open := map[int32]bool{} // zones with a host guests may go to
	for h := range p.H() {
		if !gone[h] {
			delete(whole, p.Zone[h])
			if !p.Excluded[h] {
				open[p.Zone[h]] = true
			}
		}
	}
	for e, k := range p.ExistingGroup {
		h := p.ExistingHost[e]
		if k < 0 || !gone[h] || !whole[p.Zone[h]] || p.Groups[k].Scope != placement.ScopeZone {
			continue
		}
		memberZones := map[int32]bool{}
		others, allHere := 0, true
		for o, ko := range p.ExistingGroup {
			if ko == k && o != e {
				others++
				memberZones[p.Zone[p.ExistingHost[o]]] = true
				if p.Zone[p.ExistingHost[o]] != p.Zone[h] {
					allHere = false
				}
			}
		}
		where := j.wholeZone(drained, h)
		guest := j.m.existing[e].Guest.Name
		group := j.m.groups[k]
		if p.Groups[k].Together {
			if others > 0 && allHere {
				return fmt.Errorf("drain: %s, and group %s keeps its members together in one zone (scope zone): %s and the other members cannot leave the zone one by one; drain fewer of the zone's hosts, or move the group first",
					where, group, guest)
			}
			continue
		}
		full := len(open) > 0
		for z := range open {
			if !memberZones[z] {
				full = false
				break
			}
		}
		if full {
			return fmt.Errorf("drain: %s: its guests must leave the zone, but %s is in group %s, which keeps one member per zone (scope zone) and has a member in every other zone; add a host to the zone, or drain fewer of its hosts",
				where, guest, group)
		}
	}
	return nil
}

// wholeZone says that the drained hosts make up host h's whole zone:
// "kvm07 is the only host of zone z3", or "kvm07 and kvm08 are all the
// hosts of zone z3".
func (j *moveJob) wholeZone(drained []int32, h int32) string {
	p := j.m.prob
	zone := "its zone (it has no zone label, so it is a zone of its own)"
	if z := j.m.hosts[h].Zone(); z != "" {
		zone = "zone " + z
	}
	var same []string
	for _, x := range drained {
		if p.Zone[x] == p.Zone[h] {
			same = append(same, p.HostNames[x])
		}
	}
	if len(same) == 1 {
		return fmt.Sprintf("%s is the only host of %s", same[0], zone)
	}
	return fmt.Sprintf("%s are all the hosts of %s", JoinAnd(same), zone)
}

// hostsBound is a lower bound on the hosts in use after any rearrangement
// of the running guests that keeps every host within its offer: the
// placement lower bound (placement.LowerBound) of the fleet with every
// movable guest to place anew and the kept ones where they are. It
// relaxes the move problem (no schedule, no budget), so it bounds every
// plan's end state; a fleet that is already broken may end above it.
func (j *moveJob) hostsBound() int {
	p := j.m.prob
	d := p.D()
	q := &placement.Problem{DimNames: p.DimNames, HostNames: p.HostNames, Offered: p.Offered, Rack: p.Rack, Zone: p.Zone,
		Excluded: p.Excluded, Groups: p.Groups, Policy: p.Policy}
	for e, h := range p.ExistingHost {
		dem := p.ExistingDemand[e*d : e*d+d]
		if j.mp.Keep != nil && j.mp.Keep[e] {
			q.ExistingHost = append(q.ExistingHost, h)
			q.ExistingDemand = append(q.ExistingDemand, dem...)
			q.ExistingAppetite = append(q.ExistingAppetite, p.ExistingAppetite[e])
			q.ExistingGroup = append(q.ExistingGroup, p.ExistingGroup[e])
			continue
		}
		q.GuestNames = append(q.GuestNames, j.m.existing[e].Guest.Name)
		q.Demand = append(q.Demand, dem...)
		q.Appetite = append(q.Appetite, p.ExistingAppetite[e])
		q.Group = append(q.Group, p.ExistingGroup[e])
	}
	return placement.LowerBound(q)
}
