package placement

// warm reuses a previous solution: it buys again the hosts w bought (in the
// same order, so their indices stay the same) and keeps, hardest guest
// first, every assignment of w that still passes every rule — a new pin or
// exclusion displaces only the guests it touches, and those (with any
// guests w did not have) are left to the construction. Terms of kept
// guests are copied from w.
//
// Guests are matched by index: w must come from the same problem with at
// most pins, exclusions and guests appended at the end changed.
func (sv *solver) warm(w *Solution, queue []int32) {
	p, st := sv.p, sv.st
	for _, m := range w.NewHosts {
		if m < 0 || int(m) >= len(p.Models) || !st.canBuy(int(m)) {
			break
		}
		st.buy(int(m))
	}
	for _, g32 := range queue {
		g := int(g32)
		if g >= len(w.Host) || st.host[g] != NoHost {
			continue
		}
		h := int(w.Host[g])
		if h < 0 || h >= st.n || !st.feasible(g, h) {
			continue
		}
		if g < len(w.Terms) {
			sv.terms[g] = w.Terms[g]
		} else {
			st.view(&sv.view, g, h)
			sv.terms[g] = sv.strat.score(&sv.view)
		}
		st.place(g, h)
	}
}
