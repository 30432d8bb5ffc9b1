package planner

import (
	"slices"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/placement"
)

// The verifier's half for moves. Verify's final-state checks (loads,
// groups, the appetite limit) see each moving guest once, from its first
// migration's source to its last one's destination (finalActions). Here
// the migrations are replayed wave by wave over the plan's own numbers —
// each host's offer, each guest's demand and group from its action — and
// every in-flight state is checked: a wave's migrations hold their guests
// on both hosts until they end, in any order, so a state where every
// migration of the wave is in flight bounds every state the wave passes
// through. Only the failover reserve, whose "homeless guests" count is
// the engine's own measure, is left to placement's referee (CheckMoves),
// run on a problem rebuilt from the plan alone.

// finalActions is the plan's actions with each moving guest's migrations
// folded into one move action: its first migration (From, wave, reason)
// with its last destination as Host. Move actions without a migration are
// left out (replay reports them).
func (v *verifier) finalActions() []Action {
	if v.final != nil {
		return v.final
	}
	out := make([]Action, 0, len(v.plan.Actions))
	at := map[string]int{}
	for _, a := range v.plan.Actions {
		switch {
		case a.Op != OpMove:
			out = append(out, a)
		case a.Move == nil:
		default:
			if i, ok := at[a.Guest]; ok {
				out[i].Host = a.Host
				continue
			}
			at[a.Guest] = len(out)
			out = append(out, a)
		}
	}
	v.final = out
	return out
}

// domainOf is host's domain at scope, "" for a host not in the plan.
func (v *verifier) domainOf(host, scope string) string {
	if h := v.hosts[host]; h != nil {
		return domain(h, scope)
	}
	return ""
}

// demandOf is the scenario's demand the plan answers: none for a plan that
// only moves running guests (a rebalance, drain or waves plan).
func (v *verifier) demandOf(sc *inventory.Scenario) []inventory.Demand {
	if m := v.plan.Moves; m != nil && m.Goal != string(GoalRoom) {
		return nil
	}
	return append([]inventory.Demand(nil), sc.Demand...)
}

// moves checks the plan's migrations step by step and their summary.
func (v *verifier) moves(sc *inventory.Scenario) {
	var steps []Action
	for i, a := range v.plan.Actions {
		if a.Op != OpMove {
			continue
		}
		if a.Move == nil {
			v.fail("action %d moves %s but says nothing of the migration (from, wave, bytes)", i+1, a.Guest)
			continue
		}
		steps = append(steps, a)
	}
	if v.plan.Moves == nil {
		if len(steps) > 0 {
			v.fail("the plan has %s but no moves section", plural(len(steps), "move action"))
		}
		return
	}
	r := newReplay(v, sc)
	r.run(steps)
	r.summary(steps)
	r.failover(steps)
}

// replay is the fleet as the migrations leave it, one wave at a time.
type replay struct {
	v   *verifier
	sc  *inventory.Scenario
	s   *MoveSummary
	lim MoveLimits

	at     map[string]string // guest → host it is on
	start  map[string]string
	order  []string // existing guests, in the plan's host order
	act    map[string]Action
	kept   map[string]bool
	closed map[string]bool    // hosts no guest may go to, at every wave
	steps  map[int][]string   // maintenance: wave → the hosts its step drains
	ends   map[int][]string   // maintenance: a step's last wave → its hosts
	home   map[string]string  // affinity group → its home domain at the start
	disk   map[string]float64 // guest → the disk size its migrations copied
}

func newReplay(v *verifier, sc *inventory.Scenario) *replay {
	s := v.plan.Moves
	r := &replay{v: v, sc: sc, s: s, lim: s.Limits, at: map[string]string{}, start: map[string]string{},
		act: map[string]Action{}, kept: map[string]bool{}, closed: map[string]bool{}, steps: map[int][]string{}, ends: map[int][]string{},
		home: map[string]string{}, disk: map[string]float64{}}
	for _, a := range v.finalActions() {
		r.act[a.Guest] = a
	}
	for i := range v.plan.Hosts {
		h := &v.plan.Hosts[i]
		if h.Excluded {
			r.closed[h.Name] = true
		}
		for _, g := range h.Existing {
			if _, dup := r.at[g]; dup {
				v.fail("guest %s is listed on two hosts (%s and %s)", g, r.at[g], h.Name)
				continue
			}
			r.at[g], r.start[g] = h.Name, h.Name
			r.order = append(r.order, g)
			if _, ok := r.act[g]; !ok {
				v.fail("guest %s on %s has no action: neither kept nor moved", g, h.Name)
			}
		}
	}
	for _, g := range v.plan.Edits.Keep {
		r.kept[g] = true
	}
	for _, h := range s.Leaving {
		r.closed[h] = true
	}
	for _, st := range s.Maintenance {
		for w := st.FirstWave; st.Waves > 0 && w < st.FirstWave+st.Waves; w++ {
			r.steps[w] = st.Hosts
		}
		if st.Waves > 0 {
			r.ends[st.FirstWave+st.Waves-1] = st.Hosts
		}
	}
	r.homes()
	return r
}

// homes finds each affinity group's home: the domain holding most of its
// members at the start, ties to the domain of the member listed first.
func (r *replay) homes() {
	for _, g := range r.v.plan.Groups {
		if !g.Together {
			continue
		}
		count := map[string]int{}
		var first []string
		for _, name := range r.order {
			if r.act[name].Group != g.Name {
				continue
			}
			dom := r.v.domainOf(r.at[name], g.Scope)
			if count[dom] == 0 {
				first = append(first, dom)
			}
			count[dom]++
		}
		best := ""
		for _, dom := range first {
			if best == "" || count[dom] > count[best] {
				best = dom
			}
		}
		r.home[g.Name] = best
	}
}

// run replays the migrations wave by wave.
func (r *replay) run(steps []Action) {
	for i := 0; i < len(steps); {
		w := steps[i].Move.Wave
		want := 1
		if i > 0 {
			want = steps[i-1].Move.Wave + 1
		}
		if w != want {
			r.v.fail("%s %s: wave %d follows wave %d; waves are numbered 1, 2, … and the move actions listed in wave order",
				steps[i].Op, steps[i].Guest, w, want-1)
		}
		j := i
		for j < len(steps) && steps[j].Move.Wave == w {
			j++
		}
		r.wave(w, steps[i:j])
		i = j
	}
}

// wave checks one wave's migrations and its in-flight state, then ends it.
func (r *replay) wave(w int, moves []Action) {
	v := r.v
	started := map[string]string{} // guest → destination
	outN, inN := map[string]int{}, map[string]int{}
	for _, a := range moves {
		m := a.Move
		switch {
		case r.at[a.Guest] == "":
			v.fail("wave %d: %s is not a guest the plan's hosts run", w, a.Guest)
			continue
		case started[a.Guest] != "":
			v.fail("wave %d: %s migrates twice in one wave", w, a.Guest)
			continue
		case m.From != r.at[a.Guest]:
			v.fail("wave %d: %s moves from %s but is on %s then", w, a.Guest, m.From, r.at[a.Guest])
			continue
		case v.hosts[a.Host] == nil || v.hosts[a.Host].New:
			v.fail("wave %d: %s moves to %s, which is not one of the fleet's hosts", w, a.Guest, a.Host)
			continue
		case a.Host == m.From:
			v.fail("wave %d: %s moves from %s to itself", w, a.Guest, a.Host)
			continue
		}
		if r.kept[a.Guest] {
			v.fail("wave %d: %s moves, but the plan keeps it where it is", w, a.Guest)
		}
		if r.closed[a.Host] || slices.Contains(r.steps[w], a.Host) {
			v.fail("wave %d: %s moves to %s, which takes no guests (excluded, or emptied by this plan)", w, a.Guest, a.Host)
		}
		if outN[m.From]++; outN[m.From] == r.lim.MaxOut+1 {
			v.fail("wave %d: %s runs more than %d outgoing migrations at a time", w, m.From, r.lim.MaxOut)
		}
		if inN[a.Host]++; inN[a.Host] == r.lim.MaxIn+1 {
			v.fail("wave %d: %s runs more than %d incoming migrations at a time", w, a.Host, r.lim.MaxIn)
		}
		r.cost(w, a)
		started[a.Guest] = a.Host
	}
	r.inFlight(w, started)
	for g, h := range started {
		r.at[g] = h
	}
	for _, h := range r.ends[w] {
		for _, g := range r.order {
			if r.at[g] == h {
				v.fail("maintenance: %s still runs %s after the waves that drain it", h, g)
			}
		}
	}
}

// cost checks what one migration copies and how long it is said to take.
func (r *replay) cost(w int, a Action) {
	v, m := r.v, a.Move
	mem := 0.0
	if m.Live {
		mem = a.Allocation[inventory.Memory]
	}
	if !near(m.Memory, mem) {
		v.fail("wave %d: %s copies %s of memory, but its allocation is %s (live: %t)", w, a.Guest,
			bytesText(m.Memory), bytesText(mem), m.Live)
	}
	shared := v.hosts[m.From] != nil && v.hosts[m.From].Storage == StorageShared && v.hosts[a.Host].Storage == StorageShared
	switch {
	case shared && m.Disk != 0:
		v.fail("wave %d: %s copies %s of disk between %s and %s, which share storage", w, a.Guest, bytesText(m.Disk), m.From, a.Host)
	case !shared:
		if d, ok := r.disk[a.Guest]; ok && !near(d, m.Disk) {
			v.fail("wave %d: %s copies %s of disk, another of its migrations %s", w, a.Guest, bytesText(m.Disk), bytesText(d))
		}
		r.disk[a.Guest] = m.Disk
	}
	if r.sc != nil {
		if g := scenarioGuest(r.sc, a.Guest); g != nil {
			if m.Live != runs(g.State) {
				v.fail("wave %d: %s moves live=%t, but its state is %q", w, a.Guest, m.Live, g.State)
			}
			if !shared && !near(m.Disk, g.Disk) {
				v.fail("wave %d: %s copies %s of disk, but the scenario gives it %s", w, a.Guest, bytesText(m.Disk), bytesText(g.Disk))
			}
		}
	}
	if !near(m.Bytes, m.Memory+m.Disk) {
		v.fail("wave %d: %s copies %g bytes, but memory and disk add up to %g", w, a.Guest, m.Bytes, m.Memory+m.Disk)
	}
	if r.lim.Bandwidth > 0 && !near(m.Seconds, m.Bytes/r.lim.Bandwidth) {
		v.fail("wave %d: %s is said to take %gs, but %g bytes at %g bytes/s take %gs", w, a.Guest, m.Seconds, m.Bytes, r.lim.Bandwidth, m.Bytes/r.lim.Bandwidth)
	}
}

// inFlight checks the hosts that receive a guest in the wave, with every
// migration of the wave counted on both of its hosts: room in every
// dimension, the hard same-appetite limit, and the groups.
func (r *replay) inFlight(w int, started map[string]string) {
	v := r.v
	load := map[string]inventory.Vector{}
	members := map[string][]string{} // group → hosts its members occupy (both ends in flight)
	holders := map[string][]string{}
	put := func(g, h string) {
		a := r.act[g]
		load[h] = load[h].Add(a.Demand)
		if a.Group != "" {
			members[a.Group] = append(members[a.Group], h)
			holders[a.Group] = append(holders[a.Group], g)
		}
	}
	for _, g := range r.order {
		put(g, r.at[g])
	}
	receiving := map[string]bool{}
	for _, g := range sortedKeys(started) {
		put(g, started[g])
		receiving[started[g]] = true
	}
	for _, h := range sortedKeys(receiving) {
		off := v.hosts[h].Offered
		for _, d := range inventory.Dimensions {
			if load[h][d] > off[d] && !near(load[h][d], off[d]) {
				v.fail("wave %d: %s is over its offer in %s while migrations are in flight: %s of %s", w, h, d,
					inventory.FormatQuantity(d, load[h][d]), inventory.FormatQuantity(d, off[d]))
			}
		}
	}
	r.appetite(w, started)
	for _, g := range sortedKeys(started) {
		r.groupRule(w, g, started[g], members, holders)
	}
}

// groupRule checks the group of guest g arriving on host to.
func (r *replay) groupRule(w int, g, to string, members, holders map[string][]string) {
	v := r.v
	a := r.act[g]
	if a.Group == "" {
		return
	}
	var gv *GroupView
	for i := range v.plan.Groups {
		if v.plan.Groups[i].Name == a.Group {
			gv = &v.plan.Groups[i]
		}
	}
	if gv == nil {
		v.fail("wave %d: %s is in group %s, which the plan does not define", w, g, a.Group)
		return
	}
	dest, src := v.domainOf(to, gv.Scope), v.domainOf(r.at[g], gv.Scope)
	if gv.Together {
		if dest != src && dest != r.home[gv.Name] {
			v.fail("wave %d: %s leaves %s for %s, but group %s keeps its members together in %s", w, g, src, dest, gv.Name, r.home[gv.Name])
		}
		return
	}
	for i, h := range members[gv.Name] {
		o := holders[gv.Name][i]
		if o != g && v.domainOf(h, gv.Scope) == dest {
			v.fail("wave %d: %s arrives in %s, which holds %s of its group %s (anti-affinity per %s)", w, g, dest, o, gv.Name, gv.Scope)
			return
		}
	}
}

// appetite checks the hard same-appetite limit where guests arrive (the
// appetites are the scenario's profiles, so only with the scenario).
func (r *replay) appetite(w int, started map[string]string) {
	pol := r.v.plan.Policy
	if r.sc == nil || pol.SameAppetite != string(inventory.AppetiteHard) {
		return
	}
	count := map[string]map[inventory.Dimension]int{}
	add := func(g, h string) {
		if p, ok := r.sc.Profile(r.act[g].Profile); ok && p.HasAppetite {
			if count[h] == nil {
				count[h] = map[inventory.Dimension]int{}
			}
			count[h][p.Appetite]++
		}
	}
	for _, g := range r.order {
		add(g, r.at[g])
	}
	for _, g := range sortedKeys(started) {
		add(g, started[g])
	}
	for _, g := range sortedKeys(started) {
		h := started[g]
		if p, ok := r.sc.Profile(r.act[g].Profile); ok && p.HasAppetite && count[h][p.Appetite] > pol.MaxPerHost {
			r.v.fail("wave %d: %s arrives on %s, which then holds %d %s-heavy guests, over the hard limit of %d",
				w, g, h, count[h][p.Appetite], p.Appetite, pol.MaxPerHost)
		}
	}
}

// summary checks the moves' summary against the replayed migrations.
func (r *replay) summary(steps []Action) {
	v, s := r.v, r.s
	if s.Migrations != len(steps) {
		v.fail("moves: %d migrations said, %d move actions", s.Migrations, len(steps))
	}
	waves := waveViews(steps)
	if len(waves) != len(s.Waves) {
		v.fail("moves: %s said, the move actions have %d", plural(len(s.Waves), "wave"), len(waves))
	}
	bytes, secs := 0.0, 0.0
	for i, w := range waves {
		bytes += w.Bytes
		secs += w.Seconds
		if i < len(s.Waves) {
			got := s.Waves[i]
			if got.Wave != w.Wave || got.Moves != w.Moves || !near(got.Bytes, w.Bytes) || !near(got.Seconds, w.Seconds) {
				v.fail("moves: wave %d is said to be %d migrations, %g bytes, %gs; its move actions are %d, %g bytes, %gs",
					w.Wave, got.Moves, got.Bytes, got.Seconds, w.Moves, w.Bytes, w.Seconds)
			}
		}
	}
	if !near(s.Bytes, bytes) || !near(s.Seconds, secs) {
		v.fail("moves: %g bytes in %gs said; the waves add up to %g bytes in %gs", s.Bytes, s.Seconds, bytes, secs)
	}
	if s.Limits.MaxMoves > 0 && len(steps) > s.Limits.MaxMoves {
		v.fail("moves: %s, over the budget of %d", plural(len(steps), "migration"), s.Limits.MaxMoves)
	}
	if s.Limits.MaxBytes > 0 && bytes > s.Limits.MaxBytes && !near(bytes, s.Limits.MaxBytes) {
		v.fail("moves: %s copied, over the budget of %s", bytesText(bytes), bytesText(s.Limits.MaxBytes))
	}
	r.endState()
}

// endState checks who moved, which hosts the plan frees, and that the
// drained hosts end empty unless a guest is reported stuck.
func (r *replay) endState() {
	v, s := r.v, r.s
	moved := 0
	in, out := map[string][]string{}, map[string][]string{}
	busy, end := map[string]bool{}, map[string]bool{}
	for _, g := range r.order {
		busy[r.start[g]], end[r.at[g]] = true, true
		if r.at[g] != r.start[g] {
			moved++
			in[r.at[g]] = append(in[r.at[g]], g)
			out[r.start[g]] = append(out[r.start[g]], g)
		}
	}
	if s.Guests != moved {
		v.fail("moves: %s said to move, the migrations move %d", plural(s.Guests, "guest"), moved)
	}
	for i := range v.plan.Hosts {
		h := &v.plan.Hosts[i]
		if !sameSet(h.MovedIn, in[h.Name]) || !sameSet(h.MovedOut, out[h.Name]) {
			v.fail("host %s: moved in %v and out %v said; the migrations move in %v and out %v", h.Name, h.MovedIn, h.MovedOut, in[h.Name], out[h.Name])
		}
	}
	if s.Goal != string(GoalWaves) {
		var freed []string
		for i := range v.plan.Hosts {
			if name := v.plan.Hosts[i].Name; busy[name] && !end[name] {
				freed = append(freed, name)
			}
		}
		if !sameSet(s.Freed, freed) {
			v.fail("moves: hosts freed %v said; the migrations free %v", s.Freed, freed)
		}
	}
	stuck := map[string]bool{}
	for _, st := range s.Stuck {
		stuck[st.Guest] = true
	}
	for _, h := range s.Drain {
		for _, g := range r.order {
			if r.at[g] == h && !stuck[g] {
				v.fail("drain: %s still runs %s after the plan, and the plan does not say why", h, g)
			}
		}
	}
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// scenarioGuest finds a running guest of the scenario by name.
func scenarioGuest(sc *inventory.Scenario, name string) *inventory.Guest {
	for i := range sc.Hosts {
		for j := range sc.Hosts[i].Guests {
			if sc.Hosts[i].Guests[j].Name == name {
				return &sc.Hosts[i].Guests[j]
			}
		}
	}
	return nil
}

// failover runs placement's referee on the plan, rebuilt from the plan
// alone, when the plan keeps a failover reserve, and reports what breaks
// it: the referee's count of guests left without room is the measure the
// reserve is kept by.
func (r *replay) failover(steps []Action) {
	if r.lim.Failover <= 0 || len(r.v.problems) > 0 {
		return // a plan that fails the replay cannot be rebuilt reliably
	}
	for _, run := range r.refereeRuns(steps) {
		if err := run.mp.Validate(); err != nil {
			r.v.fail("the failover reserve cannot be checked: the plan does not rebuild as a problem: %v", err)
			return
		}
		for _, x := range placement.CheckMoves(run.mp, placement.MoveOptions{}, run.pl) {
			if x.Rule == placement.StepFailover {
				r.v.fail("wave %d: a state of the migrations leaves more guests without room after %s than before the wave (the failover reserve is weakened)",
					int(x.Wave)+run.offset+1, plural(r.lim.Failover, "failed host"))
			}
		}
	}
}

// refereeRun is one replay for the referee: a problem, the plan's moves on
// it, and the wave offset of its first wave (a maintenance step each).
type refereeRun struct {
	mp     *placement.MoveProblem
	pl     *placement.MovePlan
	offset int
}

// refereeRuns rebuilds the plan as placement's problem and move plans:
// one run for the whole plan, or one per maintenance step (the hosts a
// step drains leave only during its waves).
func (r *replay) refereeRuns(steps []Action) []refereeRun {
	v := r.v
	p := &placement.Problem{DimNames: inventory.DimensionNames(), Policy: placement.Policy{Objective: placement.ObjectivePack}}
	hostIdx := map[string]int32{}
	racks, zones := domainIDs{}, domainIDs{}
	for i := range v.plan.Hosts {
		h := &v.plan.Hosts[i]
		if h.New {
			continue
		}
		hostIdx[h.Name] = int32(len(p.HostNames))
		p.HostNames = append(p.HostNames, h.Name)
		p.Offered = append(p.Offered, h.Offered[:]...)
		p.Rack = append(p.Rack, racks.id(h.Rack))
		p.Zone = append(p.Zone, zones.id(h.Zone))
		p.Excluded = append(p.Excluded, h.Excluded)
	}
	groupIdx := map[string]int32{}
	for _, g := range v.plan.Groups {
		groupIdx[g.Name] = int32(len(p.Groups))
		p.Groups = append(p.Groups, placement.Group{Name: g.Name, Scope: scopeOf(inventory.Scope(g.Scope)), Together: g.Together})
	}
	guestIdx := map[string]int32{}
	cost := make([]float64, len(r.order))
	for e, g := range r.order {
		guestIdx[g] = int32(e)
		a := r.act[g]
		p.ExistingHost = append(p.ExistingHost, hostIdx[r.start[g]])
		p.ExistingDemand = append(p.ExistingDemand, a.Demand[:]...)
		p.ExistingAppetite = append(p.ExistingAppetite, -1)
		k, ok := groupIdx[a.Group]
		if !ok {
			k = placement.NoHost
		}
		p.ExistingGroup = append(p.ExistingGroup, k)
	}
	var moves []placement.Move
	for _, a := range steps {
		e := guestIdx[a.Guest]
		cost[e] = a.Move.Bytes
		moves = append(moves, placement.Move{Guest: e, From: hostIdx[a.Move.From], To: hostIdx[a.Host], Wave: int32(a.Move.Wave - 1), Bytes: a.Move.Bytes})
	}
	mp := &placement.MoveProblem{P: p, Cost: cost, MaxOut: r.lim.MaxOut, MaxIn: r.lim.MaxIn, Failover: r.lim.Failover}
	leaving := func(hosts []string) []int32 {
		var out []int32
		for _, h := range hosts {
			out = append(out, hostIdx[h])
		}
		return out
	}
	if len(r.s.Maintenance) == 0 {
		return []refereeRun{{mp: mp, pl: &placement.MovePlan{Moves: moves, Leaving: leaving(r.s.Leaving)}}}
	}
	var runs []refereeRun
	start := slices.Clone(p.ExistingHost)
	for _, st := range r.s.Maintenance {
		q := *p
		q.ExistingHost = slices.Clone(start)
		smp := *mp
		smp.P = &q
		var sm []placement.Move
		for _, m := range moves {
			if int(m.Wave) >= st.FirstWave-1 && int(m.Wave) < st.FirstWave-1+st.Waves {
				m.Wave -= int32(st.FirstWave - 1)
				sm = append(sm, m)
				start[m.Guest] = m.To
			}
		}
		runs = append(runs, refereeRun{mp: &smp, pl: &placement.MovePlan{Moves: sm, Leaving: leaving(st.Hosts)}, offset: max(0, st.FirstWave-1)})
	}
	return runs
}
