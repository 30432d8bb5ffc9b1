package placement

import (
	"cmp"
	"slices"
	"time"
)

// consolidate frees as many hosts as it can, with the fewest migrations,
// then the fewest bytes, for that number.
//
// The method is greedy emptying, all or nothing per host: the hosts that
// may be emptied (in use, no kept guest; excluded ones too) are tried in
// order, and a host is freed when every guest on it, hardest first, finds
// a destination among the hosts staying in use, chosen by the strategy
// (the leftover rule by default) as for a new guest; otherwise nothing
// changes. Moves are counted on the final state: a guest that came to a
// host from one freed earlier and goes on when that host is freed too
// migrates once, from its start to where it ends. A second pass, on the
// hosts left, also lets a guest that fits nowhere take the place of one
// guest of another host, which moves elsewhere (one more migration); it
// gives up after evictGiveUp failures in a row.
//
// Four variants run and the best (most freed, fewest moves, fewest bytes)
// wins: two orders — fewest guests first (fewest migrations per freed
// host), least loaded first — each with destinations flat, or tiered so
// that the hosts the volume bound expects to free are used only when
// nothing else has room.
func consolidate(mp *MoveProblem, opt MoveOptions, deadline time.Time) (*MovePlan, error) {
	banned := make([]bool, mp.P.H())
	for round := 0; ; round++ {
		best, err := bestConsolidation(mp, opt, banned, deadline)
		if err != nil {
			return nil, err
		}
		t := best.target()
		exact := exactImprove(mp, opt, GoalConsolidate, t, deadline)
		pl, err := scheduleTarget(mp, opt, GoalConsolidate, t)
		if err != nil {
			return nil, err
		}
		// A host whose moves could not all be scheduled is not freed: its
		// other moves would be wasted. Plan again without emptying it.
		again := false
		for _, s := range pl.Stuck {
			for _, w := range t.wants {
				if w.e == s.Guest && s.Why != StuckBudget && !banned[w.why.Host] {
					banned[w.why.Host] = true
					again = true
				}
			}
		}
		if again && round < 4 {
			continue
		}
		pl.Proven = exact && len(pl.Stuck) == 0
		pl.Bounds.HostsInUse = hostsBound(mp)
		pl.Bounds.Moves = freeMovesBound(mp, len(pl.Freed))
		return pl, nil
	}
}

// bestConsolidation runs the variants and keeps the best.
func bestConsolidation(mp *MoveProblem, opt MoveOptions, banned []bool, deadline time.Time) (*consolidation, error) {
	var best *consolidation
	for _, byLoad := range []bool{false, true} {
		for _, tiered := range []bool{true, false} {
			if best != nil && timeUp(deadline) {
				return best, nil
			}
			c, err := consolidateOnce(mp, opt, banned, byLoad, tiered)
			if err != nil {
				return nil, err
			}
			if best == nil || c.better(best) {
				best = c
			}
		}
	}
	return best, nil
}

// consolidation is one run of greedy emptying.
type consolidation struct {
	mp    *MoveProblem
	opt   MoveOptions
	f     *moveFleet
	ch    *chooser
	order []int32 // hosts in the order tried
	// likely marks the hosts the volume bound expects to free (tiered
	// runs): the second tier of destinations until they fail to empty.
	likely []bool
	recv   []int32  // guests received per host
	why    []Reason // per guest: why it left its start (the host it left for)
	left   []bool   // per guest: why is set
	gone   []bool   // per host: freed
	freed  []int32  // in the order freed
	moves  int      // guests away from their start
	bytes  float64
	base   int // homeless guests at the start (failover)
}

func (c *consolidation) better(o *consolidation) bool {
	if len(c.freed) != len(o.freed) {
		return len(c.freed) > len(o.freed)
	}
	if c.moves != o.moves {
		return c.moves < o.moves
	}
	return c.bytes < o.bytes
}

func consolidateOnce(mp *MoveProblem, opt MoveOptions, banned []bool, byLoad, tiered bool) (*consolidation, error) {
	f := newFleet(mp)
	c := &consolidation{mp: mp, opt: opt, f: f, likely: make([]bool, f.h), recv: make([]int32, f.h),
		why: make([]Reason, mp.E()), left: make([]bool, mp.E()), gone: make([]bool, f.h)}
	c.order = freeable(f, banned, byLoad)
	if tiered {
		inUse := 0
		for h := range f.h {
			if f.guests[h] > 0 {
				inUse++
			}
		}
		for _, h := range c.order[:min(len(c.order), max(0, inUse-hostsBound(mp)))] {
			c.likely[h] = true
		}
	}
	tier := func(h int) int {
		switch {
		case f.guests[h] == 0:
			return -1 // emptying hosts by filling empty ones gains nothing
		case c.likely[h] && c.recv[h] == 0:
			return 1
		}
		return 0
	}
	ch, err := newChooser(f, opt, 2, tier)
	if err != nil {
		return nil, err
	}
	c.ch = ch
	c.base = homeless(mp, f.at, nil, nil)
	// First the hosts that empty without disturbing anyone, then, with
	// what budget is left, those that need one guest elsewhere moved out
	// of the way.
	// The second pass gives up after evictGiveUp hosts in a row fail:
	// the hosts come fullest last, and on a tight fleet each failure
	// costs searches.
	for _, second := range []bool{false, true} {
		failed := 0
		for _, s := range c.order {
			if c.gone[s] {
				continue
			}
			if c.tryFree(int(s), second) {
				failed = 0
			} else if failed++; second && failed >= evictGiveUp {
				break
			}
		}
	}
	ch.detach()
	return c, nil
}

// freeable lists the hosts consolidation may empty — in use, not banned,
// every guest movable; excluded hosts too, whose guests may leave though
// none may arrive — in the order to try them: fewest guests
// first (then fewest bytes, least loaded), or least loaded first.
func freeable(f *moveFleet, banned []bool, byLoad bool) []int32 {
	var hs []int32
	bytes := make([]float64, f.h)
	fill := make([]float64, f.h)
	for h := range f.h {
		if f.guests[h] == 0 || banned[h] {
			continue
		}
		ok := true
		for _, e := range f.on[h] {
			ok = ok && f.movable(int(e))
			bytes[h] += f.mp.Cost[e]
		}
		if !ok {
			continue
		}
		for k := range f.d {
			fill[h] += frac(f.used[h*f.d+k], f.p.Offered[h*f.d+k])
		}
		hs = append(hs, int32(h))
	}
	slices.SortStableFunc(hs, func(a, b int32) int {
		if byLoad {
			return cmp.Compare(fill[a], fill[b])
		}
		return cmp.Or(cmp.Compare(f.guests[a], f.guests[b]), cmp.Compare(bytes[a], bytes[b]), cmp.Compare(fill[a], fill[b]))
	})
	return hs
}

// tryFree empties host s if every guest of it finds a destination, within
// the budget and the failover reserve; otherwise it changes nothing. With
// evict, a guest that fits nowhere may take the place of a guest of
// another host that moves elsewhere (makeRoomFor: one more migration).
//
// Moves are counted on the final state: a guest that came to s from a host
// freed earlier and now goes on costs no second migration, only a new
// destination, so hosts that received guests may be emptied too.
func (c *consolidation) tryFree(s int, evict bool) bool {
	f, ch := c.f, c.ch
	if c.gone[s] {
		return false
	}
	guests := slices.Clone(f.on[s])
	hardestFirst(f, guests)
	wasClosed := f.closed[s]
	f.closed[s] = true
	ch.refresh(s)
	from := map[int32]int32{} // where each guest moved in this attempt was
	var touched []int32
	move := func(e, t int) {
		if _, ok := from[int32(e)]; !ok {
			from[int32(e)] = f.at[e]
			touched = append(touched, int32(e))
		}
		f.move(e, t)
	}
	ok := true
	for _, e32 := range guests {
		e := int(e32)
		if t := ch.best(e, -1); t >= 0 {
			move(e, t)
			continue
		}
		may := func(x int) bool { _, now := from[int32(x)]; return !now && f.at[x] != int32(s) }
		if evict {
			if x, u, t, found := makeRoomFor(f, ch, e, may); found {
				f.move(x, t) // back, so that move notes where it was
				move(x, u)
				move(e, t)
				continue
			}
		}
		ok = false
		break
	}
	moves, bytes := c.moves, c.bytes
	for _, e := range touched {
		home := c.mp.P.ExistingHost[e]
		was, is := from[e] != home, f.at[e] != home
		switch {
		case is && !was:
			moves++
			bytes += c.mp.Cost[e]
		case was && !is:
			moves--
			bytes -= c.mp.Cost[e]
		}
	}
	ok = ok && c.opt.withinBudget(moves, 0, bytes, 0)
	if ok && c.mp.Failover > 0 {
		gone := slices.Clone(c.gone)
		gone[s] = true
		ok = homeless(c.mp, f.at, nil, gone) <= c.base
	}
	if !ok {
		for i := len(touched) - 1; i >= 0; i-- {
			f.move(int(touched[i]), int(from[touched[i]]))
		}
		f.closed[s] = wasClosed
		c.likely[s] = false
		ch.refresh(s)
		return false
	}
	for _, e := range touched {
		c.recv[f.at[e]]++
		ch.refresh(int(f.at[e]))
		if !c.left[e] {
			c.why[e] = Reason{Kind: MoveConsolidate, Host: int32(s), Group: NoHost, Guest: NoHost}
			c.left[e] = true
		}
	}
	c.freed = append(c.freed, int32(s))
	c.gone[s] = true
	c.moves, c.bytes = moves, bytes
	return true
}

// evictGiveUp is how many hosts in a row may fail to empty in the second
// pass before it stops.
const evictGiveUp = 32

func (c *consolidation) cost(gs []int32) float64 {
	b := 0.0
	for _, e := range gs {
		b += c.mp.Cost[e]
	}
	return b
}

// target is the consolidation's target: the moves from the start to where
// the guests ended, grouped by the freed host they serve in the order
// freed (moves that only made room first), the freed hosts closed to
// every move.
func (c *consolidation) target() *target {
	closed := slices.Clone(newFleet(c.mp).closed)
	rank := make([]int, c.f.h)
	for i, h := range c.freed {
		closed[h] = true
		rank[h] = i + 1
	}
	ws := wantsFrom(c.mp, c.f.at, func(e int) Reason { return c.why[e] })
	key := func(w want) int {
		if s := c.mp.P.ExistingHost[w.e]; rank[s] > 0 {
			return rank[s]
		}
		return 0 // made room for another guest: first
	}
	slices.SortStableFunc(ws, func(a, b want) int { return cmp.Compare(key(a), key(b)) })
	return &target{wants: ws, leaving: slices.Clone(c.freed), closed: closed}
}

// hostsBound is the volume bound on the hosts in use after any plan:
// LowerBound of the fleet with the guests that cannot move where they are
// and every other guest to place anew. A fleet that starts with a rule
// broken may keep it where nothing arrives (two replicas on one host may
// both stay), and a guest on an excluded host may stay there, neither of
// which LowerBound allows for; there the bound falls back to the hosts
// holding a guest that cannot move.
func hostsBound(mp *MoveProblem) int {
	f := newFleet(mp)
	p := mp.P
	d := p.D()
	q := &Problem{DimNames: p.DimNames, HostNames: p.HostNames, Offered: p.Offered, Rack: p.Rack, Zone: p.Zone,
		Excluded: p.Excluded, Groups: p.Groups, Policy: p.Policy}
	broken := fleetViolations(f) > 0
	fixed := map[int32]bool{}
	for e, h := range p.ExistingHost {
		dem := p.ExistingDemand[e*d : e*d+d]
		broken = broken || f.closed[h]
		if !f.movable(e) {
			fixed[h] = true
			q.ExistingHost = append(q.ExistingHost, h)
			q.ExistingDemand = append(q.ExistingDemand, dem...)
			q.ExistingAppetite = append(q.ExistingAppetite, p.ExistingAppetite[e])
			q.ExistingGroup = append(q.ExistingGroup, p.ExistingGroup[e])
			continue
		}
		q.GuestNames = append(q.GuestNames, "")
		q.Demand = append(q.Demand, dem...)
		q.Appetite = append(q.Appetite, p.ExistingAppetite[e])
		q.Group = append(q.Group, p.ExistingGroup[e])
	}
	if broken {
		return len(fixed)
	}
	return LowerBound(q)
}

// freeMovesBound: to free n hosts, a plan moves every guest of n hosts that
// may be emptied, so at least the guests of the n such hosts with fewest.
func freeMovesBound(mp *MoveProblem, n int) int {
	f := newFleet(mp)
	hs := freeable(f, make([]bool, f.h), false)
	lb := 0
	for _, h := range hs[:min(n, len(hs))] {
		lb += int(f.guests[h])
	}
	return lb
}
