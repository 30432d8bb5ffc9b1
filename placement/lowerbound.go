package placement

import (
	"math"
	"slices"
)

// LowerBound returns a number of hosts that every solution of p placing
// every guest must have in use after placing (existing hosts that keep a
// guest, hosts taking pinned guests, and every host that takes a new
// guest). It is the largest of these bounds, each valid on its own:
//
//   - Fixed: the hosts that already hold an existing or pinned guest.
//   - Groups: an anti-affinity group (at any scope) needs a distinct host
//     per new member plus the distinct hosts its existing members occupy.
//   - Volume (per dimension k): the demand of the unpinned new guests that
//     does not fit in the free room of the fixed hosts must go on other
//     hosts; at least as many as the largest offers in k need to add up to
//     it (Martello & Toth's L1, with heterogeneous hosts).
//   - When all hosts a new guest could use are empty and identical (the
//     .vbp case: bought bins of one model), the bin-packing bounds on the
//     new guests: Martello & Toth's L2 on each dimension alone (Martello
//     & Toth 1990; used per dimension for vector packing by Caprara &
//     Toth 2001), and the size of a clique of guests no two of which fit
//     together in any bin (Caprara & Toth 2001: items "large" in some
//     dimension).
//
// See docs/algorithms.md, "Lower bounds", for a worked example.
func LowerBound(p *Problem) int {
	if p.D() == 0 {
		return 0
	}
	f := fixedHosts(p)
	lb := max(f.count, groupBound(p))
	if len(f.loose) == 0 {
		return lb
	}
	others, unlimited := f.otherOffers(p)
	lb = max(lb, f.count+f.volumeBound(p, others, unlimited))
	// Identical empty bins: the bin-packing bounds.
	if f.count == 0 {
		if capacity := identicalOffer(p, others); capacity != nil {
			lb = max(lb, binBounds(p, f.loose, capacity))
		}
	}
	return lb
}

// fixed are the hosts in use whatever the plan: those holding an existing
// or a pinned new guest, with the room they have left (free, flat like
// Offered), and the new guests still to place (loose, the unpinned ones).
type fixed struct {
	fixed []bool
	count int
	free  []float64
	loose []int
}

func fixedHosts(p *Problem) *fixed {
	d := p.D()
	f := &fixed{fixed: make([]bool, p.H()), free: slices.Clone(p.Offered)}
	take := func(host int32, demand []float64) {
		f.fixed[host] = true
		for k := range d {
			f.free[int(host)*d+k] -= demand[k]
		}
	}
	for e, x := range p.ExistingHost {
		take(x, p.ExistingDemand[e*d:e*d+d])
	}
	for i := range p.G() {
		if p.Pin != nil && p.Pin[i] != NoHost {
			take(p.Pin[i], p.Demand[i*d:i*d+d])
			continue
		}
		f.loose = append(f.loose, i)
	}
	for _, x := range f.fixed {
		if x {
			f.count++
		}
	}
	return f
}

// groupBound: each new member of an anti-affinity group needs a host of
// its own, apart from every other member; existing members may already
// share hosts (the fleet's state), so they count once per host they
// occupy.
func groupBound(p *Problem) int {
	if len(p.Groups) == 0 {
		return 0
	}
	size := make([]int, len(p.Groups))
	seen := make(map[[2]int32]bool)
	for e, x := range p.ExistingGroup {
		if x != NoHost && !seen[[2]int32{x, p.ExistingHost[e]}] {
			seen[[2]int32{x, p.ExistingHost[e]}] = true
			size[x]++
		}
	}
	for _, x := range p.Group {
		if x != NoHost {
			size[x]++
		}
	}
	lb := 0
	for i, n := range size {
		if !p.Groups[i].Together {
			lb = max(lb, n)
		}
	}
	return lb
}

// otherOffers are the offers of the hosts the loose guests could open:
// existing hosts that are not fixed and may take guests, and each model
// as often as it may be bought (at most once per loose guest). unlimited
// reports a model with no limit, which volumeBound counts per dimension.
func (f *fixed) otherOffers(p *Problem) (others [][]float64, unlimited bool) {
	d := p.D()
	for i := range p.H() {
		if !f.fixed[i] && (p.Excluded == nil || !p.Excluded[i]) {
			others = append(others, p.Offered[i*d:i*d+d])
		}
	}
	for _, m := range p.Models {
		if m.Max == 0 {
			unlimited = true
			continue
		}
		for range min(m.Max, len(f.loose)) {
			others = append(others, m.Offered)
		}
	}
	return others, unlimited
}

// volumeBound is, over the dimensions, the most hosts beyond the fixed
// ones that the loose guests' demand needs: what does not fit in the
// fixed hosts' free room must go on others, at least as many of them as
// the largest offers that add up to it (Martello & Toth's L1).
func (f *fixed) volumeBound(p *Problem, others [][]float64, unlimited bool) int {
	d, h := p.D(), p.H()
	extra := 0
	offers := make([]float64, 0, len(others))
	for k := range d {
		need := 0.0
		for _, i := range f.loose {
			need += p.Demand[i*d+k]
		}
		for i := range h {
			if f.fixed[i] && (p.Excluded == nil || !p.Excluded[i]) {
				need -= math.Max(f.free[i*d+k], 0)
			}
		}
		if need <= 1e-9 {
			continue
		}
		offers = offers[:0]
		for _, o := range others {
			offers = append(offers, o[k])
		}
		if unlimited {
			for _, m := range p.Models {
				if m.Max == 0 {
					offers = append(offers, slices.Repeat([]float64{m.Offered[k]}, len(f.loose))...)
				}
			}
		}
		slices.SortFunc(offers, func(a, b float64) int { return cmpDesc(a, b) })
		n := 0
		for need > 1e-9 && n < len(offers) && offers[n] > 0 {
			need -= offers[n]
			n++
		}
		extra = max(extra, n)
	}
	return extra
}

// identicalOffer returns the offer every host a new guest could use has,
// or nil if they differ (or there are none).
func identicalOffer(p *Problem, others [][]float64) []float64 {
	var c []float64
	for _, o := range others {
		if c == nil {
			c = o
		} else if !slices.Equal(c, o) {
			return nil
		}
	}
	for _, m := range p.Models {
		if c == nil {
			c = m.Offered
		} else if !slices.Equal(c, m.Offered) {
			return nil
		}
	}
	return c
}

// binBounds is max(L2 per dimension, clique) for guests items in bins of
// the given capacity.
func binBounds(p *Problem, items []int, capacity []float64) int {
	d := p.D()
	lb := 0
	sizes := make([]float64, len(items))
	for k := range d {
		if capacity[k] <= 0 {
			continue
		}
		for j, i := range items {
			sizes[j] = p.Demand[i*d+k]
		}
		lb = max(lb, martelloTothL2(sizes, capacity[k]))
	}
	return max(lb, largeClique(p, items, capacity))
}

// martelloTothL2 is the L2 bound of Martello & Toth (1990) for
// one-dimensional bin packing: for each α in [0, C/2],
//
//	J1 = {w > C−α}, J2 = {C/2 < w ≤ C−α}, J3 = {α ≤ w ≤ C/2},
//	L(α) = |J1| + |J2| + max(0, ⌈(Σ_J3 w − (|J2|·C − Σ_J2 w)) / C⌉),
//
// and L2 = max over α (α = 0 gives the volume bound). Items of J1 and J2
// each need a bin of their own; J3 items can only use the room J2 leaves.
func martelloTothL2(sizes []float64, c float64) int {
	w := slices.Clone(sizes)
	slices.Sort(w)
	alphas := []float64{0}
	for _, x := range w {
		if x > 0 && x <= c/2 {
			alphas = append(alphas, x)
		}
	}
	alphas = slices.Compact(alphas)
	best := 0
	for _, a := range alphas {
		n1, n2 := 0, 0
		s2, s3 := 0.0, 0.0
		for _, x := range w {
			switch {
			case x > c-a:
				n1++
			case x > c/2:
				n2++
				s2 += x
			case x >= a:
				s3 += x
			}
		}
		l := n1 + n2
		if rest := s3 - (float64(n2)*c - s2); rest > 1e-9 {
			l += int(math.Ceil(rest/c - 1e-9))
		}
		best = max(best, l)
	}
	return best
}

// largeClique greedily builds a set of guests no two of which fit in one
// bin together (for some dimension their sizes add up to more than the
// capacity) and returns its size: each needs a bin of its own. Guests are
// tried largest first, by their largest normalised size.
func largeClique(p *Problem, items []int, capacity []float64) int {
	d := p.D()
	type it struct {
		i   int
		key float64
	}
	var big []it
	for _, i := range items {
		m := 0.0
		for k := range d {
			if capacity[k] > 0 {
				m = math.Max(m, p.Demand[i*d+k]/capacity[k])
			}
		}
		big = append(big, it{i, m})
	}
	slices.SortFunc(big, func(a, b it) int { return cmpDesc(a.key, b.key) })
	if len(big) > 2000 {
		big = big[:2000] // keep it O(n·clique); the bound stays valid
	}
	var clique []int
	for _, c := range big {
		ok := true
		for _, o := range clique {
			if fitTogether(p, c.i, o, capacity) {
				ok = false
				break
			}
		}
		if ok {
			clique = append(clique, c.i)
		}
	}
	return len(clique)
}

func fitTogether(p *Problem, a, b int, capacity []float64) bool {
	d := p.D()
	for k := range d {
		if p.Demand[a*d+k]+p.Demand[b*d+k] > capacity[k] {
			return false
		}
	}
	return true
}
