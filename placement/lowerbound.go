package placement

import "math"

// LowerBound returns a number of hosts that every feasible completion of p
// must have in use after placing: existing hosts that already run a guest,
// plus the hosts needed for the rest of the demand.
func LowerBound(p *Problem) int {
	d := p.D()
	h := p.H()
	inUse := make([]bool, h)
	for _, x := range p.ExistingHost {
		inUse[x] = true
	}
	n := 0
	for _, u := range inUse {
		if u {
			n++
		}
	}
	// Volume bound: demand left over after the residual room of every
	// existing host, divided by the largest model offer, per dimension.
	extra := 0
	for k := 0; k < d; k++ {
		need := 0.0
		for g := 0; g < p.G(); g++ {
			need += p.Demand[g*d+k]
		}
		room := 0.0
		for i := 0; i < h; i++ {
			if p.Excluded != nil && p.Excluded[i] {
				continue
			}
			room += p.Offered[i*d+k]
		}
		for e, x := range p.ExistingHost {
			if p.Excluded == nil || !p.Excluded[x] {
				room -= p.ExistingDemand[e*d+k]
			}
		}
		rest := need - math.Max(room, 0)
		if rest <= 0 {
			continue
		}
		best := 0.0
		for _, m := range p.Models {
			best = math.Max(best, m.Offered[k])
		}
		if best <= 0 {
			continue
		}
		if c := int(math.Ceil(rest/best - 1e-9)); c > extra {
			extra = c
		}
	}
	return n + extra
}
