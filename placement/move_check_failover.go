package placement

import (
	"cmp"
	"slices"
)

// The referee's failover check: its own restart loop, written to
// FailoverCheck's definition without its code.

// reference is the mean offer per dimension of the hosts that take
// restarted guests (1 where none offers any), the yardstick of hardness.
func (r *referee) reference() []float64 {
	p, d := r.mp.P, r.d
	ref := make([]float64, d)
	n := 0
	for h := range r.h {
		if r.gone[h] {
			continue
		}
		for k := range d {
			ref[k] += p.Offered[h*d+k]
		}
		n++
	}
	for k := range ref {
		if n > 0 {
			ref[k] /= float64(n)
		}
		if ref[k] <= 0 {
			ref[k] = 1
		}
	}
	return ref
}

// homeless restarts the guests of failed hosts on the others, first fit
// decreasing (largest dominant share plus mean share first) through the
// hosts in index order within offered·(1+1e-9), and returns the most
// guests left without a host over the failure sets: with Failover = 1 each
// host in use alone; with k > 1 the k most loaded (Σ used/offered) together.
// flights add a copy of each migrating guest on its destination.
func (r *referee) homeless(at []int32, flights []Move) int {
	on, used := r.residents(at, flights)
	worst := 0
	for _, set := range r.failureSets(on, used) {
		worst = max(worst, r.restart(set, on, used))
	}
	return worst
}

// resident is a guest on a host, with its restart order key.
type resident struct {
	e     int32
	score float64
}

// residents lists each host's guests, hardest first (stable: residents in
// guest order, then flight copies in guest order), and the hosts' load.
func (r *referee) residents(at []int32, flights []Move) ([][]resident, []float64) {
	p, d := r.mp.P, r.d
	on := make([][]resident, r.h)
	used := make([]float64, r.h*d)
	add := func(e, h int32) {
		s, mx := 0.0, 0.0
		for j := range d {
			used[int(h)*d+j] += p.ExistingDemand[int(e)*d+j]
			x := p.ExistingDemand[int(e)*d+j] / r.ref[j]
			mx = max(mx, x)
			s += x
		}
		on[h] = append(on[h], resident{e, mx + s/float64(d)})
	}
	for e, h := range at {
		add(int32(e), h)
	}
	fl := slices.Clone(flights)
	slices.SortFunc(fl, func(a, b Move) int { return cmp.Compare(a.Guest, b.Guest) })
	for _, m := range fl {
		add(m.Guest, m.To)
	}
	for h := range on {
		slices.SortStableFunc(on[h], func(a, b resident) int { return cmp.Compare(b.score, a.score) })
	}
	return on, used
}

// failureSets are the sets of hosts failed together.
func (r *referee) failureSets(on [][]resident, used []float64) [][]int {
	p, d, k := r.mp.P, r.d, r.mp.Failover
	var sets [][]int
	if k == 1 {
		for h := range r.h {
			if len(on[h]) > 0 {
				sets = append(sets, []int{h})
			}
		}
		return sets
	}
	var hs []int
	load := make([]float64, r.h)
	for h := range r.h {
		if len(on[h]) == 0 {
			continue
		}
		hs = append(hs, h)
		for j := range d {
			if o := p.Offered[h*d+j]; o > 0 {
				load[h] += used[h*d+j] / o
			}
		}
	}
	slices.SortStableFunc(hs, func(a, b int) int { return cmp.Compare(load[b], load[a]) })
	return append(sets, hs[:min(k, len(hs))])
}

// restart fails the hosts of set and counts the guests that find no host
// within capacity and the rules: no two members of an anti-affinity group
// in one domain of its scope, an affinity group's members in the domain of
// those still up (any domain when none is). The same-appetite rule is not
// applied to restarts.
func (r *referee) restart(set []int, on [][]resident, used []float64) int {
	p, d := r.mp.P, r.d
	u := slices.Clone(used)
	failed := make([]bool, r.h)
	for _, h := range set {
		failed[h] = true
	}
	dom := func(k int32, h int) int32 {
		switch p.Groups[k].Scope {
		case ScopeRack:
			return p.Rack[h]
		case ScopeZone:
			return p.Zone[h]
		}
		return int32(h)
	}
	// where[k] lists the domains of group k's members on hosts up
	where := make([][]int32, len(p.Groups))
	for h := range r.h {
		if failed[h] {
			continue
		}
		for _, g := range on[h] {
			if k := p.ExistingGroup[g.e]; k >= 0 {
				where[k] = append(where[k], dom(k, h))
			}
		}
	}
	ruleOK := func(e int32, c int) bool {
		k := p.ExistingGroup[e]
		if k < 0 {
			return true
		}
		if p.Groups[k].Together {
			return len(where[k]) == 0 || slices.Contains(where[k], dom(k, c))
		}
		return !slices.Contains(where[k], dom(k, c))
	}
	n := 0
	for _, h := range set {
		for _, g := range on[h] {
			dem := p.ExistingDemand[int(g.e)*d : int(g.e)*d+d]
			t := -1
			for c := range r.h {
				if failed[c] || r.gone[c] {
					continue
				}
				fits := true
				for j, x := range dem {
					if x > p.Offered[c*d+j]*(1+capEps)-u[c*d+j] {
						fits = false
						break
					}
				}
				if fits && ruleOK(g.e, c) {
					t = c
					break
				}
			}
			if t < 0 {
				n++
				continue
			}
			for j, x := range dem {
				u[t*d+j] += x
			}
			if k := p.ExistingGroup[g.e]; k >= 0 {
				where[k] = append(where[k], dom(k, t))
			}
		}
	}
	return n
}
