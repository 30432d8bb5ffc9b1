package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/placement"
)

// A plan with moves is described in two steps. First the fleet as the
// moves leave it is described as if it started there (describe, on the
// model with every existing guest at its final host): hosts' After, the
// metrics, the rules checked and the failover reserve are then the
// after-state's with no new code. Then finish puts the before side back
// (each host's Before and the metrics before, from where the guests are
// now), replaces the keep actions of the guests that move by their move
// actions, and adds the moves' summary.

// describe turns a move plan of Rebalance (consolidate, repair, balance,
// drain) into the plan document.
func (j *moveJob) describe(mp *placement.MovePlan) (*Plan, error) {
	plan, names, err := j.describeAfter(mp.Final, emptySolution())
	if err != nil {
		return nil, err
	}
	s := j.summary()
	s.Stuck = j.stuck(mp.Stuck, names)
	s.Proven = mp.Proven
	s.Bounds = MoveBounds{Moves: mp.Bounds.Moves, HostsInUse: mp.Bounds.HostsInUse, Waves: mp.Bounds.Waves}
	for _, h := range mp.Leaving {
		s.Leaving = append(s.Leaving, names[h])
	}
	if j.goal == GoalDrain {
		s.Drain = slices.Clone(s.Leaving)
	}
	for _, v := range mp.Remaining {
		s.Remaining = append(s.Remaining, violationSentence(j.m, names, v))
	}
	j.finish(plan, names, mp.Final, j.moveActions(mp.Moves, 0, names), s)
	return plan, nil
}

// describeWaves turns rolling maintenance into the plan document: the
// steps' migrations numbered on from one step to the next.
func (j *moveJob) describeWaves(mw *placement.MaintenancePlan) (*Plan, error) {
	plan, names, err := j.describeAfter(mw.Final, emptySolution())
	if err != nil {
		return nil, err
	}
	s := j.summary()
	var moves []Action
	offset := 0
	for i, w := range mw.Waves {
		step := MaintenanceStep{Step: i + 1, Hosts: []string{}, Waves: len(w.Drain.Waves)}
		for _, h := range w.Hosts {
			step.Hosts = append(step.Hosts, names[h])
		}
		if step.Waves > 0 {
			step.FirstWave = offset + 1
		}
		acts := j.moveActions(w.Drain.Moves, offset, names)
		step.Moves = len(acts)
		for _, wv := range waveViews(acts) {
			step.Bytes += wv.Bytes
			step.Seconds += wv.Seconds
		}
		step.Bytes, step.Seconds = inventory.Tidy(step.Bytes), inventory.Tidy(step.Seconds)
		moves = append(moves, acts...)
		offset += step.Waves
		s.Maintenance = append(s.Maintenance, step)
		s.Bounds.Moves += w.Drain.Bounds.Moves
	}
	s.Bounds.Waves = mw.LowerBound
	for _, h := range mw.Undrainable {
		s.Undrainable = append(s.Undrainable, names[h])
	}
	s.Stuck = j.stuck(mw.Stuck, names)
	j.finish(plan, names, mw.Final, moves, s)
	// Every host comes back after its step: none is freed.
	s.Freed = []string{}
	return plan, nil
}

// describeRoom turns MakeRoom's answer into the plan document: the moves,
// then the new guests where they go once the moves have run, and the
// placement without moves (without, Plan's) beside it. When moving does
// not help, the plan is without itself, with no moves, and says so.
func (j *moveJob) describeRoom(rp *placement.RoomPlan, without *Plan) (*Plan, error) {
	wm := &WithoutMoves{Placed: without.Metrics.Placed, Unplaced: []string{}, NewHosts: without.Metrics.NewHosts, Buy: without.Buy}
	for _, u := range without.Unplaced {
		wm.Unplaced = append(wm.Unplaced, u.Guest)
	}
	if !rp.Better {
		plan := without
		s := j.summary()
		s.Without = wm
		s.Freed, s.Waves = []string{}, []WaveView{}
		s.PeakBefore = peakOf(plan.Hosts[:len(j.m.hosts)], func(h *HostPlan) inventory.Vector { return h.Before })
		s.PeakAfter = peakOf(plan.Hosts[:len(j.m.hosts)], func(h *HostPlan) inventory.Vector { return h.After })
		plan.Moves = s
		plan.Warnings = append(plan.Warnings, fmt.Sprintf(
			"moving up to %s places no more new guests and buys no fewer hosts: the plan moves nothing", plural(j.opt.MaxMoves, "running guest")))
		plan.ID = moveID(plan.ID, s, nil)
		return plan, nil
	}
	sol := rp.With.Clone()
	keepFailoverRoom(rp.AfterMoves(j.m.prob), sol, j.pol.FailoverHosts)
	plan, names, err := j.describeAfter(rp.Moves.Final, sol)
	if err != nil {
		return nil, err
	}
	s := j.summary()
	s.Without = wm
	s.Stuck = j.stuck(rp.Moves.Stuck, names)
	s.Bounds = MoveBounds{Moves: rp.Moves.Bounds.Moves, Waves: rp.Moves.Bounds.Waves}
	j.finish(plan, names, rp.Moves.Final, j.moveActions(rp.Moves.Moves, 0, names), s)
	return plan, nil
}

func emptySolution() *placement.Solution {
	return &placement.Solution{Host: []int32{}, NewHosts: []int32{}, Terms: []placement.Terms{}}
}

// describeAfter describes the fleet with every existing guest on its host
// in final and the new guests where sol puts them.
func (j *moveJob) describeAfter(final []int32, sol *placement.Solution) (*Plan, []string, error) {
	m := *j.m
	q := *m.prob
	q.ExistingHost = slices.Clone(final)
	m.prob = &q
	m.existing = slices.Clone(m.existing)
	for e := range m.existing {
		m.existing[e].Host = int(final[e])
	}
	pl := j.pl
	if pl.prints == nil {
		pl.prints = newInputPrints(pl.sc)
	}
	plan, err := describe(pl.sc, pl.prints, &j.pol, &j.ed, &m, sol)
	if err != nil {
		return nil, nil, err
	}
	return plan, m.hostNames(sol), nil
}

// summary starts the moves' summary with what the request was.
func (j *moveJob) summary() *MoveSummary {
	return &MoveSummary{Goal: string(j.goal), Limits: j.lim, Stuck: []StuckGuest{}}
}

// moveActions turns the engine's migrations into move actions, their
// waves numbered from offset+1, each with the bytes it copies between its
// two hosts.
func (j *moveJob) moveActions(moves []placement.Move, offset int, names []string) []Action {
	out := make([]Action, 0, len(moves))
	for _, mv := range moves {
		e := int(mv.Guest)
		x := j.m.existing[e]
		mem, disk := j.copies(e, mv.From, mv.To)
		bytes := mem + disk
		out = append(out, Action{
			Op: OpMove, Guest: x.Guest.Name, Host: names[mv.To], Profile: x.Guest.Profile, Group: x.Guest.Group,
			Allocation: x.Guest.Allocation, Demand: x.Demand,
			Move: &MoveStep{
				From: names[mv.From], Wave: int(mv.Wave) + 1 + offset, UUID: x.Guest.UUID, Live: j.live[e],
				Memory: mem, Disk: disk, Bytes: bytes, Seconds: inventory.Tidy(bytes / j.lim.Bandwidth),
				Reason: j.reason(mv.Reason, mv.From, names),
			},
		})
	}
	return out
}

// finish completes a plan described after the moves (see the top of this
// file): the before side, the actions, the hosts' moves, the summary's
// totals, and the plan's ID, which now names the moves too.
func (j *moveJob) finish(plan *Plan, names []string, final []int32, moves []Action, s *MoveSummary) {
	m := j.m
	start := m.prob.ExistingHost
	before := make([]inventory.Vector, len(m.hosts))
	for _, x := range m.existing {
		before[x.Host] = before[x.Host].Add(x.Demand)
	}
	for hi := range m.hosts {
		h := &plan.Hosts[hi]
		h.Before = before[hi].Tidy()
		h.Storage = StorageLocal
		if j.shared[hi] {
			h.Storage = StorageShared
		}
	}
	moved := map[string]bool{}
	for e, x := range m.existing {
		if final[e] == start[e] {
			continue
		}
		moved[x.Guest.Name] = true
		from, to := &plan.Hosts[start[e]], &plan.Hosts[final[e]]
		from.MovedOut = append(from.MovedOut, x.Guest.Name)
		to.MovedIn = append(to.MovedIn, x.Guest.Name)
		s.Guests++
	}
	for _, a := range moves {
		moved[a.Guest] = true // a guest that hops back home still moved
	}
	// Keeps of the guests that stay, then the moves in the order they
	// run, then the creates, which run once the moves have made room.
	acts := make([]Action, 0, len(plan.Actions)+len(moves))
	for _, a := range plan.Actions {
		if a.Op == OpKeep && !moved[a.Guest] {
			acts = append(acts, a)
		}
	}
	acts = append(acts, moves...)
	for _, a := range plan.Actions {
		if a.Op != OpKeep {
			acts = append(acts, a)
		}
	}
	plan.Actions = acts

	busy := map[int32]bool{}
	for _, h := range start {
		busy[h] = true
	}
	plan.Metrics.HostsBefore = len(busy)
	plan.Metrics.UtilisationBefore = utilisation(plan.Hosts, func(h *HostPlan) inventory.Vector { return h.Before }).Tidy()
	end := map[int32]bool{}
	for _, h := range final {
		end[h] = true
	}
	s.Freed = []string{}
	for hi := range m.hosts {
		if busy[int32(hi)] && !end[int32(hi)] {
			s.Freed = append(s.Freed, names[hi])
		}
	}
	s.Migrations = len(moves)
	s.Waves = waveViews(moves)
	for _, w := range s.Waves {
		s.Bytes += w.Bytes
		s.Seconds += w.Seconds
	}
	s.Bytes, s.Seconds = inventory.Tidy(s.Bytes), inventory.Tidy(s.Seconds)
	s.PeakBefore = peakOf(plan.Hosts[:len(m.hosts)], func(h *HostPlan) inventory.Vector { return h.Before })
	s.PeakAfter = peakOf(plan.Hosts[:len(m.hosts)], func(h *HostPlan) inventory.Vector { return h.After })
	if j.goal != GoalRoom {
		// The bound on hosts in use is about where the running guests
		// could be, not about new guests on a fleet that stays put.
		plan.Metrics.LowerBound = max(s.Bounds.HostsInUse, j.hostsBound())
	}
	plan.Warnings = append(plan.Warnings, j.warnings...)
	plan.Moves = s
	plan.ID = moveID(plan.ID, s, moves)
}

// waveViews totals move actions per wave: a wave's bytes add up, its
// duration is its longest migration's.
func waveViews(moves []Action) []WaveView {
	out := []WaveView{}
	for _, a := range moves {
		w := a.Move.Wave
		if len(out) == 0 || out[len(out)-1].Wave != w {
			out = append(out, WaveView{Wave: w})
		}
		v := &out[len(out)-1]
		v.Moves++
		v.Bytes = inventory.Tidy(v.Bytes + a.Move.Bytes)
		v.Seconds = max(v.Seconds, a.Move.Seconds)
	}
	return out
}

// peakOf is the largest dominant utilisation of the hosts under load:
// max over hosts and dimensions of load / offered (dimensions a host does
// not offer left out).
func peakOf(hosts []HostPlan, load func(*HostPlan) inventory.Vector) float64 {
	peak := 0.0
	for i := range hosts {
		l := load(&hosts[i])
		for _, d := range inventory.Dimensions {
			if o := hosts[i].Offered[d]; o > 0 {
				peak = max(peak, l[d]/o)
			}
		}
	}
	return round6(peak)
}

// stuck names the guests the goal could not move, with their reasons in
// the form of an unplaced guest's.
func (j *moveJob) stuck(sts []placement.Stuck, names []string) []StuckGuest {
	out := []StuckGuest{}
	for _, st := range sts {
		g := StuckGuest{Guest: j.m.existing[st.Guest].Guest.Name, Host: names[st.From], Kind: st.Kind.String(), Why: st.Why.String()}
		var all []Refusal
		for i, c := range st.Candidates {
			if c.Feasible {
				continue
			}
			rs := refusalsOf(j.m, names, c.Refusals)
			all = append(all, rs...)
			if len(st.Candidates) <= maxRefusalHosts || i < keptRefusalHosts {
				g.Refusals = append(g.Refusals, rs...)
			}
		}
		g.Summary = summarise(all)
		for _, e := range st.Waiting {
			g.Waiting = append(g.Waiting, j.m.existing[e].Guest.Name)
		}
		out = append(out, g)
	}
	return out
}

// reason words why a guest moves.
func (j *moveJob) reason(r placement.Reason, from int32, names []string) MoveReason {
	mr := MoveReason{Kind: r.Kind.String()}
	host := ""
	if r.Host >= 0 && int(r.Host) < len(names) {
		host = names[r.Host]
		mr.Host = host
	}
	if r.Group >= 0 && int(r.Group) < len(j.m.groups) {
		mr.Group = j.m.groups[r.Group]
	}
	switch r.Kind {
	case placement.MoveConsolidate:
		mr.Text = "empties " + host + " so it can be freed"
		if from != r.Host {
			mr.Text = "makes room for a guest of " + host + ", so that it can be freed"
		}
	case placement.MoveDrain:
		mr.Text = "drains " + host
		if from != r.Host {
			mr.Text = "makes room for a guest of " + host + ", which is drained"
		}
	case placement.MoveBalance:
		mr.Text = "lowers the load of " + host
	case placement.MoveFailover:
		mr.Text = "restores the failover reserve"
	case placement.MoveHop:
		mr.Text = "a stop on the way to " + host + ", breaking a cycle"
	case placement.MoveRoom:
		if r.Guest >= 0 && int(r.Guest) < len(j.m.guests) {
			mr.Guest = j.m.guests[r.Guest].Name
		}
		mr.Text = "makes room for " + mr.Guest + " on " + host
	case placement.MoveRepair:
		mr.Rule = r.Rule.String()
		mr.Text = j.repairText(r, &mr, host)
	}
	return mr
}

func (j *moveJob) repairText(r placement.Reason, mr *MoveReason, host string) string {
	switch r.Rule {
	case placement.RuleCapacity:
		d := inventory.Dimension(r.Dim)
		mr.Dimension = d.String()
		return fmt.Sprintf("repairs %s, over its offer in %s", host, d)
	case placement.RuleAppetite:
		d := inventory.Dimension(r.Dim)
		mr.Dimension = d.String()
		return fmt.Sprintf("repairs %s, over the hard limit of %s-heavy guests", host, d)
	case placement.RuleAntiAffinity:
		return fmt.Sprintf("repairs group %s, whose members share a %s", mr.Group, j.scopeOf(r.Group))
	case placement.RuleAffinity:
		return fmt.Sprintf("repairs group %s, whose members must share one %s", mr.Group, j.scopeOf(r.Group))
	}
	return "repairs the " + r.Rule.String() + " rule"
}

func (j *moveJob) scopeOf(k int32) string {
	if k < 0 || int(k) >= len(j.m.prob.Groups) {
		return "host"
	}
	switch j.m.prob.Groups[k].Scope {
	case placement.ScopeRack:
		return "rack"
	case placement.ScopeZone:
		return "zone"
	}
	return "host"
}

// violationSentence is a violation the fleet still has, in words.
func violationSentence(m *model, names []string, v placement.Violation) string {
	text := violationText(m, names, v)
	const prefix = "violation: "
	if len(text) > len(prefix) && text[:len(prefix)] == prefix {
		return text[len(prefix):]
	}
	return text
}

// moveID names a plan with moves: the ID of its placement, the request
// (goal and limits) and every migration (12 hex digits of a sha256).
func moveID(base string, s *MoveSummary, moves []Action) string {
	h := sha256.New()
	h.Write([]byte(base))
	h.Write([]byte(hashJSON(struct {
		Goal   string
		Limits MoveLimits
		Drain  []string
	}{s.Goal, s.Limits, s.Drain})))
	for _, a := range moves {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00", a.Guest, a.Move.From, a.Host, a.Move.Wave)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
