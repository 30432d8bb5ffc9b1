package placement

import (
	"cmp"
	"slices"
)

// stateOf rebuilds the placement of s, leaving new guest skip out (−1 =
// none): the hosts s bought are bought again in order, every other placed
// guest is put back on its host. Hosts out of range in s are ignored.
func stateOf(p *Problem, s *Solution, skip int) *state {
	st := newState(p, len(s.NewHosts))
	for _, m := range s.NewHosts {
		if m < 0 || int(m) >= len(p.Models) {
			break
		}
		st.buy(int(m))
	}
	for g, h := range s.Host {
		if g == skip || g >= p.G() || h == NoHost || int(h) >= st.n || h < 0 {
			continue
		}
		st.place(g, int(h))
	}
	return st
}

// Explain ranks every host — existing and bought — for new guest g as if g
// were moved there, the rest of s staying put: a feasible host carries the
// terms the solution's strategy gives it, an infeasible one every reason it
// refuses g (each short dimension with Requested and Free, each rule); a
// host g may not use at all (excluded, pinned elsewhere, outside its
// selector) carries only that, not whether it would also be full.
//
// Order: feasible hosts first — under ObjectivePack hosts in use before
// hosts g would open, then by Total, best first; then infeasible hosts,
// those refused only by capacity first, by smallest normalised shortfall
// (Σ_k short_k/offered_k); ties by host index. Explain returns nil for an
// invalid problem or guest index.
func Explain(p *Problem, s *Solution, g int) []Candidate {
	if s == nil || g < 0 || g >= p.G() || p.validated() != nil {
		return nil
	}
	strat, _, err := lookupStrategy(s.Strategy)
	if err != nil {
		strat, _, _ = lookupStrategy("")
	}
	st := stateOf(p, s, g)
	pack := p.Policy.Objective != ObjectiveSpread
	out := make([]Candidate, 0, st.n)
	keys := make([]float64, st.n)
	var v hostView
	for h := range st.n {
		c := Candidate{Host: int32(h)}
		c.Refusals = eligibilityFirst(st.refusals(g, h, nil))
		if len(c.Refusals) == 0 {
			c.Feasible = true
			st.view(&v, g, h)
			c.Terms = strat.score(&v)
		} else {
			keys[h] = shortfall(st, c.Refusals)
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		if a.Feasible != b.Feasible {
			if a.Feasible {
				return -1
			}
			return 1
		}
		if a.Feasible {
			if pack && a.Terms.Opens != b.Terms.Opens {
				if !a.Terms.Opens {
					return -1
				}
				return 1
			}
			if c := cmp.Compare(b.Terms.Total, a.Terms.Total); c != 0 {
				return c
			}
			return cmp.Compare(a.Host, b.Host)
		}
		if c := cmp.Compare(otherRules(a.Refusals), otherRules(b.Refusals)); c != 0 {
			return c
		}
		if c := cmp.Compare(keys[a.Host], keys[b.Host]); c != 0 {
			return c
		}
		return cmp.Compare(a.Host, b.Host)
	})
	return out
}

// eligibilityFirst keeps only the first eligibility refusal of rs when it
// has any (pinned elsewhere, then excluded, then outside the selector, as
// refusals lists them): the host is not one the guest may use, so its room
// does not matter, and one reason counts it once. Otherwise rs as it is.
func eligibilityFirst(rs []Refusal) []Refusal {
	for _, r := range rs {
		if r.Rule.Eligibility() {
			rs[0] = r
			return rs[:1]
		}
	}
	return rs
}

// otherRules counts the refusals that are not capacity.
func otherRules(rs []Refusal) int {
	n := 0
	for _, r := range rs {
		if r.Rule != RuleCapacity {
			n++
		}
	}
	return n
}

// shortfall is Σ over capacity refusals of (Requested − Free)/offered: how
// much of the host is missing, in host shares.
func shortfall(st *state, rs []Refusal) float64 {
	s := 0.0
	for _, r := range rs {
		if r.Rule != RuleCapacity {
			continue
		}
		o := st.offered[int(r.Host)*st.d+r.Dim]
		if o <= 0 {
			s += 1
			continue
		}
		s += r.Short() / o
	}
	return s
}

// Nearest is the smallest change that would make guest g fit: of the hosts
// that refuse g by capacity alone, the one with the smallest normalised
// shortfall (Σ_k short_k/offered_k), ties by host index. ok is false when
// every host refuses g by some other rule too, or when g fits somewhere.
func Nearest(p *Problem, s *Solution, g int) (Candidate, bool) {
	cs := Explain(p, s, g)
	if len(cs) == 0 || cs[0].Feasible || otherRules(cs[0].Refusals) > 0 {
		return Candidate{}, false
	}
	return cs[0], true
}
