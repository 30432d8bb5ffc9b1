package inventory

import (
	"cmp"
	"math"
	"slices"
)

// offer is what one host or host model offers, named for messages.
type offer struct {
	name string
	v    Vector
}

// offerSet answers "could any one of these hosts or host models hold this
// request, even empty?" for many requests against one set of offers.
//
// Only the offers on the Pareto front can be the answer: an offer that
// another offers at least as much as in every dimension holds nothing the
// other does not. Fleets are built from a few shapes of host, so the front
// is a handful of vectors (≈100 for 10,000 random 4-dimensional ones), and
// it is sorted largest first, so that the usual request is held by its
// first entry. Requests repeat (guests of one profile), so each verdict is
// kept. A scenario check thus costs O(hosts + requests · front) instead of
// O(hosts · requests).
type offerSet struct {
	kind offerKind
	all  []offer // hosts, then models, in the scenario's order
	// front: the distinct offers no other offer dominates, largest first.
	front []Vector
	// largest[d] indexes the first offer with the most in dimension d.
	largest [NumDims]int
	verdict map[Vector]bool
}

func newOfferSet(kind offerKind, all []offer) *offerSet {
	s := &offerSet{kind: kind, all: all, verdict: map[Vector]bool{}}
	for i, o := range all {
		for d := range o.v {
			if o.v[d] > all[s.largest[d]].v[d] {
				s.largest[d] = i
			}
		}
	}
	s.front = paretoFront(all)
	return s
}

// paretoFront returns the distinct offers that no other offer dominates
// (≥ in every dimension), largest first by the sum of their shares of the
// largest offer per dimension. A dominating offer has a sum at least as
// large, so it is met before the offers it dominates.
func paretoFront(all []offer) []Vector {
	var scale Vector
	seen := make(map[Vector]bool, len(all))
	distinct := make([]Vector, 0, len(all))
	for _, o := range all {
		scale = scale.Max(o.v)
		if !seen[o.v] {
			seen[o.v] = true
			distinct = append(distinct, o.v)
		}
	}
	size := func(v Vector) float64 {
		s := 0.0
		for d := range v {
			if scale[d] > 0 {
				s += v[d] / scale[d]
			}
		}
		return s
	}
	slices.SortStableFunc(distinct, func(a, b Vector) int { return cmp.Compare(size(b), size(a)) })
	var front []Vector
	for _, v := range distinct {
		if !slices.ContainsFunc(front, func(f Vector) bool { return v.Fits(f) }) {
			front = append(front, v)
		}
	}
	return front
}

// holds reports whether some offer of the set holds need (Fits).
func (s *offerSet) holds(need Vector) bool {
	if v, ok := s.verdict[need]; ok {
		return v
	}
	ok := slices.ContainsFunc(s.front, func(f Vector) bool { return Fits(need, f) })
	s.verdict[need] = ok
	return ok
}

// closest is the first offer (in the scenario's order) that falls short of
// need by the least, as a share of the request, and the dimension where it
// falls shortest. The least shortfall is found on the front (a dominated
// offer falls shorter than the one dominating it); the scan of every offer
// then only names the first that has it, and runs only when a problem is
// reported.
func (s *offerSet) closest(need Vector) (offer, Dimension) {
	least := math.Inf(1)
	for _, f := range s.front {
		short, _ := shortfall(need, f)
		least = min(least, short)
	}
	for _, o := range s.all {
		if short, d := shortfall(need, o.v); short == least {
			return o, d
		}
	}
	return s.all[0], 0 // unreachable: the front's offers are in all
}

// shortfall is the largest share of need an offer lacks in any dimension,
// and that dimension.
func shortfall(need, v Vector) (float64, Dimension) {
	short, dim := 0.0, Dimension(0)
	for _, d := range Dimensions {
		if need[d] > v[d] && need[d] > 0 {
			if s := (need[d] - v[d]) / need[d]; s > short {
				short, dim = s, d
			}
		}
	}
	return short, dim
}
