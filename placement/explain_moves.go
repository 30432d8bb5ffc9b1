package placement

// Relocation is one guest moved to make room: Guest is a new guest index
// (≥ 0) or an existing guest as −e−1, From and To host indices.
type Relocation struct {
	Guest    int32
	From, To int32
}

// Rearrangement makes room for an unplaced guest by moving others: the
// guest fits on Host once every guest in Moves has moved, each move
// keeping every hard rule.
type Rearrangement struct {
	Host  int32
	Moves []Relocation
}

// rearrangeWork bounds Rearrange's rule checks.
const rearrangeWork = 200_000

// Rearrange looks for a way to place unplaced new guest g of s by moving
// other guests — new ones and existing (running) ones alike, except pinned
// guests — with ejection chains of depth at most 2 (complete.go): g goes on
// a host once up to two guests there (and the group members that block it)
// move elsewhere. ok is false when g is placed, or when no such chain is
// found within the work bound. A why-not then says "fits after moving X"
// rather than that capacity is short: the fleet has the room, the
// arrangement does not. Moving a running guest is a migration, which the
// planner only plans when asked (--allow-moves).
func Rearrange(p *Problem, s *Solution, g int) (Rearrangement, bool) {
	if s == nil || g < 0 || g >= p.G() || len(s.Host) != p.G() || s.Host[g] != NoHost || p.validated() != nil {
		return Rearrangement{}, false
	}
	if p.Pin != nil && p.Pin[g] != NoHost {
		return Rearrangement{}, false
	}
	q, qs := asNewGuests(p, s)
	st := newImState(q, qs)
	c := newCompleter(st, rearrangeWork)
	for depth := 1; depth <= 2; depth++ {
		mark := len(c.log)
		if c.place(int32(g), depth) {
			out := Rearrangement{Host: st.host[g]}
			for x := range q.G() {
				if x == g || st.host[x] == qs.Host[x] {
					continue
				}
				ref := int32(x)
				if x >= p.G() {
					ref = int32(-(x - p.G()) - 1)
				}
				out.Moves = append(out.Moves, Relocation{Guest: ref, From: qs.Host[x], To: st.host[x]})
			}
			return out, true
		}
		c.undo(mark)
	}
	return Rearrangement{}, false
}

// asNewGuests is p with its existing guests appended as new guests placed
// where they run (so that the search may move them), and s extended alike.
// Bought hosts of s stay bought.
func asNewGuests(p *Problem, s *Solution) (*Problem, *Solution) {
	d := p.D()
	q := *p
	q.sealedAs = nil
	e := len(p.ExistingHost)
	q.ExistingHost, q.ExistingDemand, q.ExistingAppetite, q.ExistingGroup = nil, nil, nil, nil
	q.GuestNames = append(p.GuestNames[:p.G():p.G()], make([]string, e)...)
	q.Demand = append(p.Demand[:p.G()*d:p.G()*d], p.ExistingDemand...)
	q.Appetite = append(p.Appetite[:p.G():p.G()], p.ExistingAppetite...)
	q.Group = append(p.Group[:p.G():p.G()], p.ExistingGroup...)
	if p.Pin != nil {
		q.Pin = append(p.Pin[:p.G():p.G()], make([]int32, e)...)
		for i := p.G(); i < len(q.Pin); i++ {
			q.Pin[i] = NoHost
		}
	}
	if p.Eligible != nil {
		q.Eligible = append(p.Eligible[:p.G():p.G()], make([]int32, e)...)
		for i := p.G(); i < len(q.Eligible); i++ {
			q.Eligible[i] = NoHost
		}
	}
	qs := &Solution{Host: append(s.Host[:p.G():p.G()], p.ExistingHost...), NewHosts: s.NewHosts, Strategy: s.Strategy}
	return &q, qs
}
