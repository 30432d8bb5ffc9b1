package placement

import (
	"cmp"
	"slices"
	"time"
)

// repair fixes, with the fewest migrations its method finds, what the
// policy says is wrong with the fleet today, one rule at a time, each move
// recording the rule it repairs:
//
//  1. groups: in a domain holding several members of an anti-affinity
//     group, all but one leave (those whose leaving also relieves an
//     overloaded host first, then the cheapest); affinity members outside
//     their group's home go home;
//  2. same appetite: a host over the hard limit sends away the excess of
//     that appetite, cheapest first;
//  3. capacity: a host over its offer sends away the smallest set of its
//     guests that brings it back (every set of up to three is tried,
//     fewest then cheapest first; beyond three, largest share first);
//  4. failover: while the reserve is missing, the single move that leaves
//     fewest guests homeless is made, as long as that number falls.
//
// Each destination is chosen by the strategy among the hosts that keep
// every rule, hosts in use first under the pack objective. A guest moves
// at most once.
func repair(mp *MoveProblem, opt MoveOptions, deadline time.Time) (*MovePlan, error) {
	r, err := newRepairer(mp, opt)
	if err != nil {
		return nil, err
	}
	r.groups()
	r.appetite()
	r.capacity()
	r.failover(deadline)
	r.ch.detach()
	t := &target{wants: r.wants, closed: newFleet(mp).closed}
	exact := exactImprove(mp, opt, GoalRepair, t, deadline)
	pl, err := scheduleTarget(mp, opt, GoalRepair, t)
	if err != nil {
		return nil, err
	}
	pl.Stuck = append(r.stuck, pl.Stuck...)
	pl.Remaining = Check(derive(mp, pl.Final, nil, nil, -1), &Solution{Host: []int32{}, NewHosts: []int32{}})
	if pl.Remaining == nil {
		pl.Remaining = []Violation{}
	}
	pl.Proven = exact && len(pl.Remaining) == 0 && len(pl.Stuck) == 0 &&
		(mp.Failover <= 0 || homeless(mp, pl.Final, nil, nil) == 0)
	pl.Bounds.Moves = repairBound(newFleet(mp))
	return pl, nil
}

type repairer struct {
	mp    *MoveProblem
	opt   MoveOptions
	f     *moveFleet
	ch    *chooser
	moved []bool
	wants []want
	stuck []Stuck
	bytes float64
}

func newRepairer(mp *MoveProblem, opt MoveOptions) (*repairer, error) {
	f := newFleet(mp)
	n, tier := packTiers(f)
	ch, err := newChooser(f, opt, n, tier)
	if err != nil {
		return nil, err
	}
	return &repairer{mp: mp, opt: opt, f: f, ch: ch, moved: make([]bool, mp.E())}, nil
}

// send moves guest e for why to the best host that keeps every rule, or
// reports it stuck. It reports whether e moved.
func (r *repairer) send(e int, why Reason) bool {
	if r.place(e, why) {
		return true
	}
	if r.moved[e] {
		return false
	}
	f := r.f
	st := Stuck{Guest: int32(e), From: f.at[e], Kind: why.Kind, Why: StuckNoHost}
	switch {
	case !f.movable(e):
		st.Why = StuckKept
	case !r.opt.withinBudget(len(r.wants), 1, r.bytes, r.mp.Cost[e]):
		st.Why = StuckBudget
	default:
		st.Candidates = explainExisting(f, e, r.opt.Strategy)
	}
	r.stuck = append(r.stuck, st)
	return false
}

// place moves guest e for why to the best host that keeps every rule, if
// it may move, has not moved yet, fits the budget and finds a host.
func (r *repairer) place(e int, why Reason) bool {
	f := r.f
	if r.moved[e] || !f.movable(e) || !r.opt.withinBudget(len(r.wants), 1, r.bytes, r.mp.Cost[e]) {
		return false
	}
	t := r.ch.best(e, -1)
	if t < 0 {
		return false
	}
	f.move(e, t)
	r.moved[e] = true
	r.bytes += r.mp.Cost[e]
	r.wants = append(r.wants, want{e: int32(e), to: int32(t), why: why})
	return true
}

// overloaded reports whether host h is over its offer in some dimension
// or over the hard appetite limit.
func (r *repairer) overloaded(h int) bool {
	f, d := r.f, r.f.d
	for k := range d {
		if !within(f.used[h*d+k], f.p.Offered[h*d+k]) {
			return true
		}
	}
	rule := f.p.Policy.SameAppetite
	if rule.Hard && rule.MaxPerHost > 0 {
		for k := range d {
			if f.app[h*d+k] > int32(rule.MaxPerHost) {
				return true
			}
		}
	}
	return false
}

// groups repairs anti-affinity and affinity.
func (r *repairer) groups() {
	f, p := r.f, r.f.p
	for k := range p.Groups {
		k32 := int32(k)
		members := groupMembers(p, k32)
		if p.Groups[k].Together {
			for _, e := range members {
				if f.dom(k32, int(f.at[e])) != f.home[k] {
					r.sendHome(int(e), k32)
				}
			}
			continue
		}
		byDom := map[int32][]int32{}
		var doms []int32
		for _, e := range members {
			dm := f.dom(k32, int(f.at[e]))
			if len(byDom[dm]) == 0 {
				doms = append(doms, dm)
			}
			byDom[dm] = append(byDom[dm], e)
		}
		slices.Sort(doms)
		for _, dm := range doms {
			crowd := byDom[dm]
			if len(crowd) < 2 {
				continue
			}
			// Stay: a kept member if any, else the one whose move helps
			// least and costs most; the others leave.
			slices.SortStableFunc(crowd, func(a, b int32) int {
				return cmp.Or(cmpBool(!r.f.movable(int(a)), !r.f.movable(int(b))),
					cmpBool(!r.overloaded(int(f.at[a])), !r.overloaded(int(f.at[b]))),
					cmp.Compare(r.mp.Cost[b], r.mp.Cost[a]), cmp.Compare(a, b))
			})
			for _, e := range crowd[1:] {
				r.send(int(e), Reason{Kind: MoveRepair, Rule: RuleAntiAffinity, Host: f.at[e], Group: k32, Guest: NoHost})
			}
		}
	}
}

// cmpBool orders true before false.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// sendHome moves an affinity member to a host of its group's home.
func (r *repairer) sendHome(e int, k int32) {
	// The chooser only offers hosts that pass fits, which for an affinity
	// member means its own domain or the home; its own domain is not home
	// here, so the home is what is left once the guest's domain is closed.
	f := r.f
	var shut []int
	for h := range f.h {
		if !f.closed[h] && f.dom(k, h) != f.home[k] {
			f.closed[h] = true
			r.ch.refresh(h)
			shut = append(shut, h)
		}
	}
	r.send(e, Reason{Kind: MoveRepair, Rule: RuleAffinity, Host: f.at[e], Group: k, Guest: NoHost})
	for _, h := range shut {
		f.closed[h] = false
		r.ch.refresh(h)
	}
}

// groupMembers lists the existing guests of group k.
func groupMembers(p *Problem, k int32) []int32 {
	var out []int32
	for e, g := range p.ExistingGroup {
		if g == k {
			out = append(out, int32(e))
		}
	}
	return out
}

// appetite sends away the guests over the hard same-appetite limit.
func (r *repairer) appetite() {
	f, p, d := r.f, r.f.p, r.f.d
	rule := p.Policy.SameAppetite
	if !rule.Hard || rule.MaxPerHost <= 0 {
		return
	}
	for h := range f.h {
		for a := range d {
			over := int(f.app[h*d+a]) - rule.MaxPerHost
			if over <= 0 {
				continue
			}
			var cands []int32
			for _, e := range f.on[h] {
				if int(p.ExistingAppetite[e]) == a && !r.moved[e] && f.movable(int(e)) {
					cands = append(cands, e)
				}
			}
			slices.SortFunc(cands, func(x, y int32) int { return cmp.Or(cmp.Compare(r.mp.Cost[x], r.mp.Cost[y]), cmp.Compare(x, y)) })
			for _, e := range cands {
				if over == 0 {
					break
				}
				if r.send(int(e), Reason{Kind: MoveRepair, Rule: RuleAppetite, Host: int32(h), Dim: a, Group: NoHost, Guest: NoHost}) {
					over--
				}
			}
		}
	}
}

// capacity brings every host back within its offer.
func (r *repairer) capacity() {
	f := r.f
	for h := range f.h {
		if dim := r.worstDim(h); dim >= 0 {
			r.relieve(h, dim)
		}
	}
}

// worstDim is the dimension where host h is most over its offer, −1 if
// none.
func (r *repairer) worstDim(h int) int {
	f, d := r.f, r.f.d
	worst, dim := 0.0, -1
	for k := range d {
		u, o := f.used[h*d+k], f.p.Offered[h*d+k]
		if !within(u, o) {
			x := (u - o) / max(o, 1e-300)
			if dim < 0 || x > worst {
				worst, dim = x, k
			}
		}
	}
	return dim
}

// relieve sends away the smallest set of host h's guests that brings it
// within its offer.
func (r *repairer) relieve(h, dim int) {
	f, d := r.f, r.f.d
	why := Reason{Kind: MoveRepair, Rule: RuleCapacity, Host: int32(h), Dim: dim, Group: NoHost, Guest: NoHost}
	var cands []int32
	for _, e := range f.on[h] {
		if !r.moved[e] && f.movable(int(e)) {
			cands = append(cands, e)
		}
	}
	// share is how much of the excess a guest's leaving removes.
	excess := make([]float64, d)
	for k := range d {
		excess[k] = max(0, f.used[h*d+k]-f.p.Offered[h*d+k]*(1+capEps))
	}
	share := func(e int32) float64 {
		s := 0.0
		for k, x := range f.demand(int(e)) {
			if excess[k] > 0 {
				s += min(x, excess[k]) / excess[k]
			}
		}
		return s
	}
	slices.SortStableFunc(cands, func(a, b int32) int { return cmp.Or(cmpDesc(share(a), share(b)), cmp.Compare(a, b)) })
	if len(cands) > 12 {
		cands = cands[:12]
	}
	if r.smallestSet(h, cands, why) {
		return
	}
	for _, e := range cands {
		if r.worstDim(h) < 0 {
			return
		}
		r.send(int(e), why)
	}
}

// smallestSet tries every set of up to three candidates, fewest guests
// then fewest bytes first, whose leaving brings h within its offer, and
// moves the first whose guests all find a destination.
func (r *repairer) smallestSet(h int, cands []int32, why Reason) bool {
	f, d := r.f, r.f.d
	var sets [][]int32
	var rec func(start int, cur []int32)
	rec = func(start int, cur []int32) {
		if len(cur) > 0 {
			sets = append(sets, slices.Clone(cur))
		}
		if len(cur) == 3 {
			return
		}
		for i := start; i < len(cands); i++ {
			rec(i+1, append(cur, cands[i]))
		}
	}
	rec(0, nil)
	bytes := func(s []int32) float64 {
		b := 0.0
		for _, e := range s {
			b += r.mp.Cost[e]
		}
		return b
	}
	slices.SortStableFunc(sets, func(a, b []int32) int { return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(bytes(a), bytes(b))) })
	for _, set := range sets {
		fixes := true
		for k := range d {
			u := f.used[h*d+k]
			for _, e := range set {
				u -= f.demand(int(e))[k]
			}
			if !within(u, f.p.Offered[h*d+k]) {
				fixes = false
				break
			}
		}
		if !fixes || !r.opt.withinBudget(len(r.wants), len(set), r.bytes, bytes(set)) {
			continue
		}
		// Try the set; take it back unless every guest found a host.
		snap, nw, nb := f.snapshot(), len(r.wants), r.bytes
		ok := true
		for _, e := range set {
			if !r.place(int(e), why) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
		for _, w := range r.wants[nw:] {
			r.moved[w.e] = false
		}
		f.restore(snap)
		r.wants, r.bytes = r.wants[:nw], nb
	}
	return false
}

// failover makes single moves while each lowers the number of guests the
// failover check leaves homeless, until the reserve holds.
func (r *repairer) failover(deadline time.Time) {
	mp, f := r.mp, r.f
	if mp.Failover <= 0 {
		return
	}
	cur := homeless(mp, f.at, nil, nil)
	for cur > 0 && !timeUp(deadline) && r.opt.withinBudget(len(r.wants), 1, r.bytes, 0) {
		fo := FailoverCheck(derive(mp, f.at, nil, nil, -1), &Solution{Host: []int32{}, NewHosts: []int32{}}, mp.Failover)
		failed := make([]bool, f.h)
		for _, h := range fo.FailedHosts {
			failed[h] = true
		}
		bestE, bestT, bestN := -1, -1, cur
		for _, e := range r.failoverCandidates(failed) {
			for _, t := range r.failoverDests(int(e), failed) {
				s := int(f.at[e])
				f.move(int(e), t)
				n := homeless(mp, f.at, nil, nil)
				f.move(int(e), s)
				if n < bestN {
					bestE, bestT, bestN = int(e), t, n
				}
			}
		}
		if bestE < 0 {
			return
		}
		host := NoHost
		if len(fo.FailedHosts) > 0 {
			host = int(fo.FailedHosts[0])
		}
		f.move(bestE, bestT)
		r.moved[bestE] = true
		r.bytes += mp.Cost[bestE]
		r.wants = append(r.wants, want{e: int32(bestE), to: int32(bestT), why: Reason{Kind: MoveFailover, Host: int32(host), Group: NoHost, Guest: NoHost}})
		cur = bestN
	}
}

// failoverCandidates are the guests worth trying to move for the reserve:
// those on the failing hosts, and the guests of the three hosts with the
// most free room (moving one away opens a larger hole for restarts), at
// most 24, unmoved and movable.
func (r *repairer) failoverCandidates(failed []bool) []int32 {
	f := r.f
	var out []int32
	add := func(e int32) {
		if len(out) < 24 && !r.moved[e] && f.movable(int(e)) && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	for h := range f.h {
		if failed[h] {
			for _, e := range f.on[h] {
				add(e)
			}
		}
	}
	hosts := make([]int32, 0, f.h)
	for h := range f.h {
		if !failed[h] && !f.closed[h] && f.guests[h] > 0 {
			hosts = append(hosts, int32(h))
		}
	}
	slices.SortStableFunc(hosts, func(a, b int32) int { return cmp.Compare(f.load(int(a)), f.load(int(b))) })
	for _, h := range hosts[:min(3, len(hosts))] {
		for _, e := range f.on[h] {
			add(e)
		}
	}
	return out
}

// failoverDests are the destinations tried for guest e: the strategy's
// choice and the four least loaded hosts that take it, none of them in the
// failing set.
func (r *repairer) failoverDests(e int, failed []bool) []int {
	f := r.f
	if !r.opt.withinBudget(len(r.wants), 1, r.bytes, r.mp.Cost[e]) {
		return nil
	}
	var out []int
	if t := r.ch.best(e, -1); t >= 0 && !failed[t] {
		out = append(out, t)
	}
	hosts := make([]int, 0, f.h)
	for t := range f.h {
		if !failed[t] && f.fits(e, t) && !slices.Contains(out, t) {
			hosts = append(hosts, t)
		}
	}
	slices.SortStableFunc(hosts, func(a, b int) int { return cmp.Compare(f.load(a), f.load(b)) })
	return append(out, hosts[:min(4, len(hosts))]...)
}
