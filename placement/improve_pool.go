package placement

import (
	"cmp"
	"math"
	"slices"
)

// pair is one or two pool guests that go onto a host together.
type pair struct {
	a, b int32 // a < b; b = NoHost for a single guest
	w    float64
}

// poolEntries is the pool side of bestSwap's neighbourhood: the pool's
// singles and, while the pool is small, its pairs, heaviest first (ties by
// guest index) so that the scan for one host can stop at the first that
// fits; each entry's summed demand; and the smallest single demand per
// dimension. Pairs no host could ever take together are left out: two
// members of one anti-affinity group, or two guests of one appetite under
// a hard limit of one per host.
//
// A step changes the pool by a guest or two, so update edits the list
// rather than sorting it anew (up to 820 entries): entries of guests that
// left are dropped, those of guests that came are sorted and merged in.
// The order is a function of the pool as a set, whichever way it was made.
type poolEntries struct {
	list   []pair
	dem    []float64 // len(list)*D
	minDem []float64 // len D

	of        []int32 // the pool the list is for
	in        []bool  // per guest: in of
	mark      []bool  // per guest, scratch: in the new pool
	gen       int     // st.weightGen the weights are from; −1: none yet
	withPairs bool
	added     []int32
	fresh     []pair
	merged    []pair
}

func newPoolEntries(st *imState) poolEntries {
	return poolEntries{
		minDem: make([]float64, st.D),
		in:     make([]bool, len(st.host)),
		mark:   make([]bool, len(st.host)),
		gen:    -1,
	}
}

func pairOf(st *imState, a, b int32) pair {
	if b < a {
		a, b = b, a
	}
	return pair{a, b, st.weight[a] + st.weight[b]}
}

func comparePairs(x, y pair) int {
	if c := cmpDesc(x.w, y.w); c != 0 {
		return c
	}
	if c := cmp.Compare(x.a, y.a); c != 0 {
		return c
	}
	return cmp.Compare(x.b, y.b)
}

// update makes the entries those of pool.
func (pe *poolEntries) update(st *imState, pool []int32) {
	withPairs := len(pool) <= maxPoolForPairs
	changed := pe.gen != st.weightGen || withPairs != pe.withPairs
	if changed { // start over
		for _, g := range pe.of {
			pe.in[g] = false
		}
		pe.of, pe.list = pe.of[:0], pe.list[:0]
		pe.gen, pe.withPairs = st.weightGen, withPairs
	}
	for _, g := range pool {
		pe.mark[g] = true
	}
	for _, g := range pe.of {
		if !pe.mark[g] {
			pe.in[g] = false
			changed = true
		}
	}
	pe.added = pe.added[:0]
	for _, g := range pool {
		if !pe.in[g] {
			pe.added = append(pe.added, g)
		}
	}
	if changed || len(pe.added) > 0 {
		pe.edit(st, pool)
		pe.sums(st, pool)
	}
	for _, g := range pool {
		pe.mark[g] = false
	}
}

// edit drops the entries of guests no longer marked and merges in those
// of pe.added.
func (pe *poolEntries) edit(st *imState, pool []int32) {
	keep := pe.list[:0]
	for _, e := range pe.list {
		if pe.mark[e.a] && (e.b == NoHost || pe.mark[e.b]) {
			keep = append(keep, e)
		}
	}
	fresh := pe.fresh[:0]
	for i, a := range pe.added {
		fresh = append(fresh, pair{a, NoHost, st.weight[a]})
		if !pe.withPairs {
			continue
		}
		for _, b := range pool {
			// each pair once: with a guest already in, or with a
			// later newcomer
			if b == a || !pe.in[b] {
				continue
			}
			if st.simple || !st.neverTogether(a, b) {
				fresh = append(fresh, pairOf(st, a, b))
			}
		}
		for _, b := range pe.added[i+1:] {
			if st.simple || !st.neverTogether(a, b) {
				fresh = append(fresh, pairOf(st, a, b))
			}
		}
	}
	slices.SortFunc(fresh, comparePairs)
	merged := pe.merged[:0]
	i, j := 0, 0
	for i < len(keep) && j < len(fresh) {
		if comparePairs(fresh[j], keep[i]) < 0 {
			merged = append(merged, fresh[j])
			j++
		} else {
			merged = append(merged, keep[i])
			i++
		}
	}
	merged = append(merged, keep[i:]...)
	merged = append(merged, fresh[j:]...)
	pe.list, pe.merged, pe.fresh = merged, keep[:0], fresh
	for _, g := range pe.added {
		pe.in[g] = true
	}
	pe.of = append(pe.of[:0], pool...)
}

// sums fills dem and minDem from the list.
func (pe *poolEntries) sums(st *imState, pool []int32) {
	p, d := st.p, st.D
	pe.dem = slices.Grow(pe.dem[:0], len(pe.list)*d)[:len(pe.list)*d]
	for i, e := range pe.list {
		row := pe.dem[i*d : i*d+d]
		copy(row, p.Demand[int(e.a)*d:int(e.a)*d+d])
		if e.b != NoHost {
			for k, v := range p.Demand[int(e.b)*d : int(e.b)*d+d] {
				row[k] += v
			}
		}
	}
	for k := range d {
		pe.minDem[k] = math.Inf(1)
	}
	for _, a := range pool {
		for k, v := range p.Demand[int(a)*d : int(a)*d+d] {
			pe.minDem[k] = min(pe.minDem[k], v)
		}
	}
}
