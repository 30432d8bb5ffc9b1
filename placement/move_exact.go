package placement

import (
	"math"
	"slices"
	"time"
)

// exactImprove runs the exact search on a small fleet: a depth-first
// search over where each movable guest ends (staying first, then each host
// it may go to), with the goal's key — e.g. (−hosts freed, migrations,
// bytes) for consolidation — compared lexicographically, seeded with the
// heuristic target t as the best so far and pruned by a bound on the key.
// If it finds a better final state it replaces t's moves with those that
// reach it. It returns true when the search finished: t is then fewest for
// the goal (its key is optimal) among final states that keep the
// destination rule; schedulability is the scheduler's part.
//
// The final-state rule matches the destination rule: a host that receives
// a guest is within its offer and under the appetite limit, a moved
// member of an anti-affinity group is alone in its domain, a moved member
// of an affinity group stays in its domain or joins its group's home; kept
// guests stay; closed hosts receive nothing.
func exactImprove(mp *MoveProblem, opt MoveOptions, goal Goal, t *target, deadline time.Time) bool {
	budget := opt.ExactNodes
	if budget == 0 {
		budget = DefaultExactNodes
	}
	if budget < 0 {
		return false
	}
	if mp.E() > exactMaxGuests || mp.P.H() > exactMaxHosts {
		return false
	}
	x := newExact(mp, opt, goal, t)
	x.budget, x.deadline = budget, deadline
	x.best = x.keyOf(x.startFinal(t))
	x.dfs(0, 0, 0)
	if x.bestAt != nil {
		t.wants = wantsFrom(mp, x.bestAt, x.reason)
		if goal == GoalConsolidate {
			t.leaving = t.leaving[:0]
			copy(t.closed, x.start.closed)
			before := make([]bool, x.f.h)
			for _, h := range mp.P.ExistingHost {
				before[h] = true
			}
			after := make([]bool, x.f.h)
			for _, h := range x.bestAt {
				after[h] = true
			}
			for h := range x.f.h {
				if before[h] && !after[h] {
					t.leaving = append(t.leaving, int32(h))
					t.closed[h] = true
				}
			}
		}
	}
	return !x.aborted
}

// The exact search runs only on fleets this small: beyond, it could not
// finish within any sensible budget.
const (
	exactMaxGuests = 24
	exactMaxHosts  = 16
)

type exactKey [3]float64

// less compares keys lexicographically; the first term with a tolerance
// (a utilisation for balance), the others exactly.
func (a exactKey) less(b exactKey) bool {
	if math.Abs(a[0]-b[0]) > 1e-9 {
		return a[0] < b[0]
	}
	if a[1] != b[1] {
		return a[1] < b[1]
	}
	return a[2] < b[2]*(1-1e-12)
}

var worstKey = exactKey{math.Inf(1), math.Inf(1), math.Inf(1)}

type exact struct {
	mp    *MoveProblem
	opt   MoveOptions
	goal  Goal
	f     *moveFleet // the working state: guests not yet decided at their start
	start *moveFleet // the fleet at the start, read only
	order []int32
	dests [][]int32 // per position in order: the hosts the guest may end on
	drain []bool
	gone  []bool
	// fixed is the load of the guests that are decided or unmovable, h*d,
	// and arrivals the decided moves into each host.
	fixed    []float64
	fixedN   []int32 // guests decided (or unmovable) on each host
	arrivals []int32
	homeless int // at the start (failover)

	best     exactKey
	bestAt   []int32
	nodes    int
	budget   int
	deadline time.Time
	aborted  bool
	reason   func(e int) Reason
}

func newExact(mp *MoveProblem, opt MoveOptions, goal Goal, t *target) *exact {
	f := newFleet(mp)
	x := &exact{mp: mp, opt: opt, goal: goal, f: f, start: newFleet(mp),
		fixed: make([]float64, f.h*f.d), fixedN: make([]int32, f.h), arrivals: make([]int32, f.h), drain: make([]bool, f.h), gone: make([]bool, f.h)}
	// The hosts the goal closes (exclusions; drained hosts), not those
	// the heuristic happened to free: the search may free others.
	if goal == GoalDrain {
		for _, h := range opt.Drain {
			x.drain[h] = true
			f.closed[h] = true
		}
	}
	// Failover: consolidation compares with the fleet as it is (the
	// heuristic's freed hosts are not a given); a drain with its drained
	// hosts gone from the start, as the scheduler does.
	copy(x.gone, x.drain)
	x.homeless = homeless(mp, f.at, nil, x.gone)
	for e := range mp.E() {
		if !f.movable(e) {
			x.addFixed(e, int(f.at[e]), +1)
			continue
		}
		x.order = append(x.order, int32(e))
	}
	for _, e := range x.order {
		var ds []int32
		for h := range f.h {
			if int(f.at[e]) == h || f.closed[h] || !f.eligible(int(e), h) {
				continue
			}
			if k := mp.P.ExistingGroup[e]; k >= 0 && mp.P.Groups[k].Together &&
				f.dom(k, h) != f.dom(k, int(f.at[e])) && f.dom(k, h) != f.home[k] {
				continue
			}
			ds = append(ds, int32(h))
		}
		x.dests = append(x.dests, ds)
	}
	x.reason = goalReason(x.start, goal)
	return x
}

func (x *exact) addFixed(e, h int, sign float64) {
	d := x.f.d
	for k, v := range x.f.demand(e) {
		x.fixed[h*d+k] += sign * v
	}
	x.fixedN[h] += int32(sign)
}

// startFinal is where t leaves every guest.
func (x *exact) startFinal(t *target) []int32 {
	at := slices.Clone(x.mp.P.ExistingHost)
	for _, w := range t.wants {
		at[w.e] = w.to
	}
	return at
}

// keyOf is the goal's key of final state at, worstKey when at breaks the
// final-state rule or misses the goal.
func (x *exact) keyOf(at []int32) exactKey {
	f := newFleet(x.mp)
	copy(f.closed, x.f.closed)
	moved := []int32{}
	for e, h := range at {
		if f.at[e] != h {
			moved = append(moved, int32(e))
		}
	}
	for _, e := range moved {
		f.move(int(e), int(at[e]))
	}
	if !x.finalOK(f, moved) {
		return worstKey
	}
	return x.key(f, moved)
}

// finalOK is the final-state rule, and for repair and drain the goal.
func (x *exact) finalOK(f *moveFleet, moved []int32) bool {
	p, d := x.mp.P, f.d
	rule := p.Policy.SameAppetite
	for _, e := range moved {
		t := int(f.at[e])
		if x.start.at[e] == int32(t) {
			continue
		}
		for k := range d {
			if !within(f.used[t*d+k], p.Offered[t*d+k]) {
				return false
			}
		}
		if a := p.ExistingAppetite[e]; a >= 0 && rule.Hard && rule.MaxPerHost > 0 && f.app[t*d+int(a)] > int32(rule.MaxPerHost) {
			return false
		}
		if k := p.ExistingGroup[e]; k >= 0 && !p.Groups[k].Together && f.grp[f.key(k, t)] > 1 {
			return false
		}
	}
	switch x.goal {
	case GoalRepair:
		if fleetViolations(f) > 0 {
			return false
		}
	case GoalDrain:
		for h, on := range x.drain {
			if on && f.guests[h] > 0 {
				return false
			}
		}
	}
	if x.mp.Failover > 0 {
		gone := x.gone
		if x.goal == GoalConsolidate {
			gone = make([]bool, f.h)
			for h := range f.h {
				gone[h] = x.start.guests[h] > 0 && f.guests[h] == 0
			}
		}
		limit := x.homeless
		if x.goal == GoalRepair {
			limit = 0 // the reserve is one of the things repaired
		}
		if homeless(x.mp, f.at, nil, gone) > limit {
			return false
		}
	}
	return true
}

// key is the goal's key of a final state that passed finalOK.
func (x *exact) key(f *moveFleet, moved []int32) exactKey {
	bytes := 0.0
	for _, e := range moved {
		bytes += x.mp.Cost[e]
	}
	n := float64(len(moved))
	switch x.goal {
	case GoalConsolidate:
		freed := 0
		for h := range f.h {
			if x.start.guests[h] > 0 && f.guests[h] == 0 {
				freed++
			}
		}
		return exactKey{-float64(freed), n, bytes}
	case GoalBalance:
		return exactKey{f.peak(), n, bytes}
	}
	return exactKey{n, bytes, 0}
}

// dfs decides the guest at position i; moves and bytes so far.
func (x *exact) dfs(i, moves int, bytes float64) {
	if x.aborted {
		return
	}
	x.nodes++
	if x.nodes > x.budget || (x.nodes&1023 == 0 && timeUp(x.deadline)) {
		x.aborted = true
		return
	}
	if !x.opt.withinBudget(0, moves, 0, bytes) || x.bound(i, moves, bytes).less(x.best) == false {
		return
	}
	if i == len(x.order) {
		x.leaf()
		return
	}
	e := int(x.order[i])
	s := int(x.f.at[e])
	x.addFixed(e, s, +1)
	x.dfs(i+1, moves, bytes)
	x.addFixed(e, s, -1)
	for _, t32 := range x.dests[i] {
		t := int(t32)
		if !x.fixedRoom(e, t) {
			continue
		}
		x.f.move(e, t)
		x.addFixed(e, t, +1)
		x.arrivals[t]++
		x.dfs(i+1, moves+1, bytes+x.mp.Cost[e])
		x.arrivals[t]--
		x.addFixed(e, t, -1)
		x.f.move(e, s)
	}
}

// fixedRoom: the decided load on t plus e fits t's offer — a host that
// receives must end within its offer, and decided guests never leave.
func (x *exact) fixedRoom(e, t int) bool {
	d := x.f.d
	for k, v := range x.f.demand(e) {
		if !within(x.fixed[t*d+k]+v, x.mp.P.Offered[t*d+k]) {
			return false
		}
	}
	return true
}

// bound is a key no completion of the partial state at position i beats.
func (x *exact) bound(i, moves int, bytes float64) exactKey {
	f, d := x.f, x.f.d
	switch x.goal {
	case GoalConsolidate:
		// Hosts that may still end empty: in use at the start, with no
		// decided or unmovable guest on them.
		can := 0
		for h := range f.h {
			if x.start.guests[h] == 0 {
				continue
			}
			if x.fixedN[h] == 0 {
				can++
			}
		}
		return exactKey{-float64(can), float64(moves), bytes}
	case GoalBalance:
		lo := 0.0
		for h := range f.h {
			for k := range d {
				lo = max(lo, frac(x.fixed[h*d+k], x.mp.P.Offered[h*d+k]))
			}
		}
		return exactKey{lo, float64(moves), bytes}
	case GoalDrain:
		// Every undecided guest on a drained host has to move too.
		for _, e := range x.order[i:] {
			if x.drain[x.f.at[e]] {
				moves++
			}
		}
	}
	return exactKey{float64(moves), bytes, 0}
}

func (x *exact) leaf() {
	var moved []int32
	for _, e := range x.order {
		if x.f.at[e] != x.start.at[e] {
			moved = append(moved, e)
		}
	}
	if !x.finalOK(x.f, moved) {
		return
	}
	if k := x.key(x.f, moved); k.less(x.best) {
		x.best = k
		x.bestAt = x.f.snapshot()
	}
}
