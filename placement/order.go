package placement

import (
	"cmp"
	"slices"
)

// reference is the mean offer per dimension over the existing hosts that
// take guests (or over the models when there are none), the yardstick that
// makes demands in different units comparable. A dimension nobody offers
// gets 1.
func reference(p *Problem) []float64 {
	d := p.D()
	ref := make([]float64, d)
	n := 0
	for h := range p.H() {
		if p.Excluded != nil && p.Excluded[h] {
			continue
		}
		for k := range d {
			ref[k] += p.Offered[h*d+k]
		}
		n++
	}
	if n == 0 {
		for _, m := range p.Models {
			for k := range d {
				ref[k] += m.Offered[k]
			}
			n++
		}
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

// hardness is how hard guest g is to place: its dominant share of a
// reference host plus its mean share, max_k s_k + (1/D)·Σ_k s_k with
// s_k = demand_k/ref_k. The dominant share decides (first-fit decreasing
// generalised as in Panigrahy et al. 2011, who found ordering by the
// largest normalised dimension among the best); the mean breaks near-ties
// in favour of guests that are big everywhere.
//
// Example: ref (32 cpu, 128 GiB), demand (8, 16): shares 0.25 and 0.125,
// hardness 0.25 + 0.1875 = 0.4375.
func hardness(dem, ref []float64) float64 {
	mx, sum := 0.0, 0.0
	for k, x := range dem {
		s := x / ref[k]
		mx = max(mx, s)
		sum += s
	}
	return mx + sum/float64(len(dem))
}

// order returns the guests in gs in placement order, hardest first.
//
// A guest in a group takes its group's key: the hardest member's hardness
// plus the share of the scope's domains the group needs (members / domains:
// three replicas that must sit in three of four zones get +0.75, three
// replicas over 1,000 hosts +0.003). Members thus come one after another,
// and groups that need most of the fleet's domains go before plain guests of
// the same size. A guest restricted to a host set gains the share of hosts
// outside it. Ties break by group index, then in a seed-derived order.
func order(p *Problem, gs []int32, ref []float64, seed uint64) []int32 {
	d := p.D()
	key := make([]float64, p.G())
	for _, g := range gs {
		key[g] = hardness(p.Demand[int(g)*d:int(g)*d+d], ref)
	}
	if len(p.Groups) > 0 {
		gkey := make([]float64, len(p.Groups))
		size := make([]int, len(p.Groups))
		for _, g := range gs {
			if k := p.Group[g]; k >= 0 {
				gkey[k] = max(gkey[k], key[g])
				size[k]++
			}
		}
		for _, k := range p.ExistingGroup {
			if k >= 0 {
				size[k]++
			}
		}
		doms := domainCounts(p)
		for k := range gkey {
			gkey[k] += float64(size[k]) / float64(max(1, doms[p.Groups[k].Scope]))
		}
		for _, g := range gs {
			if k := p.Group[g]; k >= 0 {
				key[g] = gkey[k]
			}
		}
	}
	// A guest restricted to a host set (a label selector) is harder by the
	// share of hosts it may not use: restricted to 10 of 1,000 hosts it gets
	// +0.99, so it is placed before unrestricted guests take its few hosts.
	if p.Eligible != nil && p.H() > 0 {
		excludedShare := make([]float64, len(p.HostSets))
		for i, hs := range p.HostSets {
			n := 0
			for _, ok := range hs.Hosts {
				if ok {
					n++
				}
			}
			excludedShare[i] = 1 - float64(n)/float64(p.H())
		}
		for _, g := range gs {
			if e := p.Eligible[g]; e >= 0 {
				key[g] += excludedShare[e]
			}
		}
	}
	out := slices.Clone(gs)
	slices.SortFunc(out, func(a, b int32) int {
		if c := cmp.Compare(key[b], key[a]); c != 0 {
			return c
		}
		if c := cmp.Compare(p.Group[a], p.Group[b]); c != 0 {
			return c
		}
		if c := cmp.Compare(mix(seed, int(a)), mix(seed, int(b))); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return out
}

// domainCounts is how many distinct hosts, racks and zones the existing
// fleet has, indexed by Scope.
func domainCounts(p *Problem) [3]int {
	var out [3]int
	out[ScopeHost] = p.H()
	out[ScopeRack] = distinct(p.Rack)
	out[ScopeZone] = distinct(p.Zone)
	return out
}

func distinct(xs []int32) int {
	s := slices.Clone(xs)
	slices.Sort(s)
	return len(slices.Compact(s))
}
