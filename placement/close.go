package placement

import (
	"cmp"
	"slices"
)

// closeTries bounds how many hosts the closing pass tries to empty.
const closeTries = 32

// closeHosts is the construction's last stage: it tries to empty the
// hosts in use that are least full (scarcity-weighted, see scarcity) by
// moving each of their guests, largest first, to the host in use that it
// fills most (best fit); a host is emptied only when every guest found a
// place, else nothing moves. A construction that places guests one at a
// time in a fixed order often ends with a last host a quarter full whose
// guests fit in the gaps the others left; this pass closes it in
// milliseconds, before any improvement step runs. Hosts holding an
// existing, pinned or affinity-bound guest are never emptied.
//
// It runs only when every guest is placed, and returns sol itself when no
// host could be emptied; moved guests get
// zero Terms (fillTerms scores them).
func closeHosts(p *Problem, sol *Solution) *Solution {
	if slices.Contains(sol.Host, NoHost) {
		// An emptied host could take an unplaced guest, which must stay
		// refused by every host of the solution (Explain).
		return sol
	}
	st := newImState(p, sol)
	w := scarcity(p)
	d := p.D()
	wfill := func(h int) float64 {
		s, n := 0.0, 0.0
		for k := range d {
			if o := st.off[h*d+k]; o > 0 {
				s += w[k] * st.used[h*d+k] / o
				n += w[k]
			}
		}
		return s / max(n, 1e-12)
	}
	wfillWith := func(h int, g int32) float64 {
		s, n := 0.0, 0.0
		for k := range d {
			if o := st.off[h*d+k]; o > 0 {
				s += w[k] * (st.used[h*d+k] + p.Demand[int(g)*d+k]) / o
				n += w[k]
			}
		}
		return s / max(n, 1e-12)
	}
	var cands []int
	for h := range st.nh {
		if st.inUse(h) && st.nFixed[h] == 0 && !st.closed[h] {
			cands = append(cands, h)
		}
	}
	if len(cands) < 2 {
		return sol
	}
	fill := make([]float64, st.nh)
	for _, h := range cands {
		fill[h] = wfill(h)
	}
	slices.SortFunc(cands, func(a, b int) int {
		if c := cmp.Compare(fill[a], fill[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	moved := map[int32]bool{}
	size := func(g int32) float64 {
		s := 0.0
		for k := range d {
			if o := st.off[k]; o > 0 {
				s += w[k] * p.Demand[int(g)*d+k] / o
			}
		}
		return s
	}
	type move struct {
		g    int32
		from int
	}
	for _, h := range cands[:min(len(cands), closeTries)] {
		guests := slices.Clone(st.members[h])
		slices.SortFunc(guests, func(a, b int32) int {
			if c := cmp.Compare(size(b), size(a)); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		st.closed[h] = true
		var done []move
		ok := true
		for _, g := range guests {
			st.remove(int(g))
			best, bestFill := -1, -1.0
			for x := range st.nh {
				if x == h || !st.inUse(x) || !st.fits(int(g), x) {
					continue
				}
				if f := wfillWith(x, g); f > bestFill {
					best, bestFill = x, f
				}
			}
			if best < 0 {
				st.add(int(g), h)
				ok = false
				break
			}
			st.add(int(g), best)
			done = append(done, move{g, h})
		}
		if !ok {
			for _, m := range done {
				st.remove(int(m.g))
				st.add(int(m.g), m.from)
			}
			st.closed[h] = false
			continue
		}
		for _, m := range done {
			moved[m.g] = true
		}
	}
	if len(moved) == 0 {
		return sol
	}
	out := st.solution(sol)
	out.Terms = slices.Clone(sol.Terms)
	for g := range moved {
		out.Terms[g] = Terms{}
	}
	return out
}
