package placement

// choose picks guest g's host: the best of the primary hosts, else of the
// empty ones, else a bought one; −1 when nothing fits.
//
// A first member of a Together group that found only a host where it fits
// alone (a fallback) among the primary hosts looks at the empty ones too:
// one that holds the whole group wins over the fallback.
func (sv *solver) choose(g int) (int, Terms) {
	h, t := sv.search(sv.primary, g)
	if h >= 0 && !sv.fellBack {
		return h, t
	}
	if sv.secondary != nil {
		if h2, t2 := sv.search(sv.secondary, g); h2 >= 0 && (h < 0 || !sv.fellBack) {
			return h2, t2
		}
	}
	if h >= 0 {
		return h, t
	}
	return sv.buyFor(g)
}

// candidate is the running best of one search.
type candidate struct {
	best, fallback int
	terms          Terms
	found          int
}

// consider scores feasible host h for g into c; it reports whether the
// search has seen enough.
func (sv *solver) consider(c *candidate, g, h int) bool {
	st := sv.st
	if !sv.roomForGroup(g, h) {
		if c.fallback < 0 {
			c.fallback = h
		}
		return false
	}
	st.view(&sv.view, g, h)
	t := sv.strat.score(&sv.view)
	if c.best < 0 || t.Total > c.terms.Total || (t.Total == c.terms.Total && mix(sv.seed, h) < mix(sv.seed, c.best)) {
		c.best, c.terms = h, t
	}
	c.found++
	return sv.strat.first || (sv.k > 0 && c.found >= sv.k)
}

// result returns the chosen host, falling back to a host where the first
// member of a Together group fits alone.
func (sv *solver) result(c *candidate, g int) (int, Terms) {
	sv.fellBack = c.best < 0 && c.fallback >= 0
	if sv.fellBack {
		c.best = c.fallback
		sv.st.view(&sv.view, g, c.best)
		c.terms = sv.strat.score(&sv.view)
	}
	return c.best, c.terms
}

// search walks idx for hosts with room for g (host index order; roomiest
// subtree first when spreading), scores those that pass every rule and
// returns the best of the first sv.k (the first one for first fit). Once a
// host fits it also stops after visiting sv.budget tree nodes. A primary
// host met on the way that can hold no guest still to come leaves the
// index for good.
func (sv *solver) search(idx *index, g int) (int, Terms) {
	st, d := sv.st, sv.st.d
	dem := sv.p.Demand[g*d : g*d+d]
	idx.start(&sv.cur, !sv.pack)
	if !sv.strat.first {
		sv.cur.flip = mix(sv.seed, g) | 1
	}
	c := candidate{best: -1, fallback: -1}
	for h := idx.next(&sv.cur, dem); h >= 0; h = idx.next(&sv.cur, dem) {
		switch {
		case !st.fitsCapacity(g, h):
		case !st.rulesAllow(g, h):
		default:
			if sv.consider(&c, g, h) {
				return sv.result(&c, g)
			}
		}
		if sv.k > 0 && c.best >= 0 && sv.cur.visits >= sv.budget {
			break
		}
	}
	return sv.result(&c, g)
}

// roomForGroup: the first member of a Together group of host scope only
// goes where every member still to place fits, so the group is not split
// by its own first pick.
func (sv *solver) roomForGroup(g, h int) bool {
	if sv.grpRem == nil {
		return true
	}
	p, st, d := sv.p, sv.st, sv.st.d
	k := p.Group[g]
	if k < 0 || !p.Groups[k].Together || p.Groups[k].Scope != ScopeHost || len(st.members[k]) > 0 {
		return true
	}
	for j := range d {
		if !within(st.used[h*d+j]+sv.grpRem[int(k)*d+j], st.offered[h*d+j]) {
			return false
		}
	}
	return true
}

func (sv *solver) doneWithGroupMember(g int) {
	if sv.grpRem == nil {
		return
	}
	d := sv.st.d
	if k := sv.p.Group[g]; k >= 0 {
		for j, x := range sv.p.Demand[g*d : g*d+d] {
			sv.grpRem[int(k)*d+j] -= x
		}
	}
}
