package placement

import (
	"cmp"
	"slices"
)

// FailoverCheck tells whether the guests — existing and new — of any k
// failed hosts can be restarted on the remaining hosts within their offered
// capacity and every hard rule: group rules at every scope (a restarted
// replica never joins another member's host, rack or zone; an affinity
// group's members restart in the domain that holds the group) and, for new
// guests, their host set; the same-appetite rule is not applied to
// restarts. Excluded hosts take none.
//
// For k = 1 every host in use is failed in turn, so the answer covers every
// single failure. Sets of k > 1 hosts are too many to try, so the check
// fails the k most loaded hosts together (load = Σ_k used_k/offered_k, ties
// by index) — the set most likely to break it; a true answer is then a
// heuristic, not a proof.
//
// Restarts are packed first-fit decreasing (largest dominant share first)
// through the host index, so Holds = true is proven by an actual restart
// plan; Holds = false may be pessimistic, as vector bin packing is NP-hard.
// When it does not hold, FailedHosts is the failing set that left the most
// guests homeless (ties: the first found) and Homeless that number; Losses
// lists every failing set with the guests it leaves without a host.
func FailoverCheck(p *Problem, s *Solution, k int) Failover {
	out := Failover{K: k, Holds: true}
	if k <= 0 || s == nil || p.validated() != nil {
		return out
	}
	f := newFailover(p, s)
	var sets [][]int32
	if k == 1 {
		for h := range f.st.n {
			if f.st.guests[h] > 0 {
				sets = append(sets, []int32{int32(h)})
			}
		}
	} else {
		sets = append(sets, f.mostLoaded(k))
	}
	for _, set := range sets {
		lost := f.restart(set)
		if len(lost) == 0 {
			continue
		}
		out.Holds = false
		out.Losses = append(out.Losses, FailoverLoss{FailedHosts: set, Guests: lost})
		if len(lost) > out.Homeless {
			out.Homeless = len(lost)
			out.FailedHosts = set
		}
	}
	return out
}

// FailoverLoss is one set of failed hosts whose guests do not all restart:
// Guests are those left without a host, each a new guest index (≥ 0) or
// an existing guest as −e−1.
type FailoverLoss struct {
	FailedHosts []int32
	Guests      []int32
}

type failover struct {
	p   *Problem
	st  *state
	idx *index
	// on[start[h]:start[h+1]] are the guests of host h, hardest first:
	// i ≥ 0 new guest i, i < 0 existing guest −i−1.
	start []int32
	on    []int32
	ref   []float64
	free  []float64
	// grp counts the members of each group per domain of its scope on the
	// hosts that are up, and total the members up per group: the restarts'
	// group rules. Built only when the problem has groups.
	grp   map[int64]int32
	total []int32
}

func newFailover(p *Problem, s *Solution) *failover {
	st := stateOf(p, s, -1)
	d := st.d
	f := &failover{p: p, st: st, ref: reference(p), free: make([]float64, d)}
	f.idx = newIndex(st.n, d, f.ref)
	for h := range st.n {
		if !st.excluded(h) {
			f.refresh(h)
		}
	}
	f.start = make([]int32, st.n+1)
	for h := range st.n {
		f.start[h+1] = f.start[h] + st.guests[h]
	}
	f.on = make([]int32, f.start[st.n])
	fill := slices.Clone(f.start[:st.n])
	for e, h := range p.ExistingHost {
		f.on[fill[h]] = int32(-e - 1)
		fill[h]++
	}
	for g, h := range st.host {
		if h != NoHost {
			f.on[fill[h]] = int32(g)
			fill[h]++
		}
	}
	if len(p.Groups) > 0 {
		f.grp = map[int64]int32{}
		f.total = make([]int32, len(p.Groups))
		for h := range st.n {
			for _, i := range f.on[f.start[h]:f.start[h+1]] {
				f.join(i, h, +1)
			}
		}
	}
	key := func(i int32) float64 { return hardness(f.demand(i), f.ref) }
	for h := range st.n {
		slices.SortStableFunc(f.on[f.start[h]:f.start[h+1]], func(a, b int32) int { return cmp.Compare(key(b), key(a)) })
	}
	return f
}

func (f *failover) demand(i int32) []float64 {
	d := f.st.d
	if i >= 0 {
		return f.p.Demand[int(i)*d : int(i)*d+d]
	}
	e := int(-i - 1)
	return f.p.ExistingDemand[e*d : e*d+d]
}

// group is guest i's group (NoHost for none).
func (f *failover) group(i int32) int32 {
	if i >= 0 {
		return f.p.Group[i]
	}
	return f.p.ExistingGroup[-i-1]
}

// join counts guest i on host h into (delta +1) or out of (−1) its group.
func (f *failover) join(i int32, h int, delta int32) {
	k := f.group(i)
	if k < 0 || f.grp == nil {
		return
	}
	f.grp[int64(k)<<32|int64(uint32(f.st.domain(h, f.p.Groups[k].Scope)))] += delta
	f.total[k] += delta
}

// allows reports whether restarting guest i on host t keeps the rules
// other than capacity: host set, hard same-appetite limit, group rules.
func (f *failover) allows(i int32, t int) bool {
	if i >= 0 && !f.st.eligible(int(i), t) {
		return false
	}
	k := f.group(i)
	if k < 0 || f.grp == nil {
		return true
	}
	grp := &f.p.Groups[k]
	n := f.grp[int64(k)<<32|int64(uint32(f.st.domain(t, grp.Scope)))]
	if grp.Together {
		return f.total[k] == 0 || n > 0
	}
	return n == 0
}

// settle puts (delta +1) or takes (−1) restarted guest i on host t.
func (f *failover) settle(i int32, t int, delta int32) {
	st, d := f.st, f.st.d
	for k, x := range f.demand(i) {
		st.used[t*d+k] += float64(delta) * x
	}
	f.join(i, t, delta)
}

func (f *failover) refresh(h int) {
	st, d := f.st, f.st.d
	for k := range d {
		f.free[k] = st.offered[h*d+k]*(1+capEps) - st.used[h*d+k]
	}
	f.idx.set(h, f.free)
}

// restart fails the hosts in set, restarts their guests first-fit on the
// others (every rule kept), lists the homeless and undoes everything.
func (f *failover) restart(set []int32) []int32 {
	st := f.st
	for _, h := range set {
		f.idx.clear(int(h))
		for _, i := range f.on[f.start[h]:f.start[h+1]] {
			f.join(i, int(h), -1)
		}
	}
	var c cursor
	var moved []int32 // pairs: guest ref, host
	var lost []int32
	for _, h := range set {
		for _, i := range f.on[f.start[h]:f.start[h+1]] {
			dem := f.demand(i)
			f.idx.start(&c, false)
			t := f.idx.next(&c, dem)
			for t >= 0 && !f.allows(i, t) {
				t = f.idx.next(&c, dem)
			}
			if t < 0 {
				lost = append(lost, i)
				continue
			}
			f.settle(i, t, +1)
			f.refresh(t)
			moved = append(moved, i, int32(t))
		}
	}
	for j := 0; j < len(moved); j += 2 {
		f.settle(moved[j], int(moved[j+1]), -1)
	}
	for j := 1; j < len(moved); j += 2 {
		f.refresh(int(moved[j]))
	}
	for _, h := range set {
		for _, i := range f.on[f.start[h]:f.start[h+1]] {
			f.join(i, int(h), +1)
		}
		if !st.excluded(int(h)) {
			f.refresh(int(h))
		}
	}
	return lost
}

// mostLoaded returns the k hosts in use with the largest Σ_k used/offered.
func (f *failover) mostLoaded(k int) []int32 {
	st, d := f.st, f.st.d
	var hs []int32
	load := make([]float64, st.n)
	for h := range st.n {
		if st.guests[h] == 0 {
			continue
		}
		hs = append(hs, int32(h))
		for j := range d {
			load[h] += frac(st.used[h*d+j], st.offered[h*d+j])
		}
	}
	slices.SortStableFunc(hs, func(a, b int32) int { return cmp.Compare(load[b], load[a]) })
	if len(hs) > k {
		hs = hs[:k]
	}
	return hs
}
