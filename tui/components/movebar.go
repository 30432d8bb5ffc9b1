package components

import (
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/styles"
)

// GlyphLeaving marks, in a plan with moves, the share of a host that the
// guests leaving it use before the plan: free after it, but not yet.
const GlyphLeaving = "╌"

// HostLoads is one host's load in a plan with moves, per dimension and
// with overhead, as planner.HostPlan counts it: Staying is what its
// guests that stay use, Leaving what the guests that move away use
// (Staying + Leaving is its load before), After its load after the plan
// (what stays, what moves in, the new guests).
type HostLoads struct {
	Staying, Leaving, After inventory.Vector
}

// MoveLoads splits every host's load (index into p.Hosts) into what stays,
// leaves and ends there. A plan without moves has nothing leaving: what
// stays is its load before.
func MoveLoads(p *planner.Plan) []HostLoads {
	demand := map[string]inventory.Vector{}
	for _, a := range p.Actions {
		demand[a.Guest] = a.Demand
	}
	out := make([]HostLoads, len(p.Hosts))
	for i := range p.Hosts {
		h := &p.Hosts[i]
		l := HostLoads{After: h.After}
		for _, g := range h.MovedOut {
			l.Leaving = l.Leaving.Add(demand[g])
		}
		l.Staying = h.Before.Sub(l.Leaving)
		for d := range l.Staying {
			l.Staying[d] = max(l.Staying[d], 0)
		}
		out[i] = l
	}
	return out
}

// MoveSegments splits width cells of a host's use of one dimension in a
// plan with moves: what stays (existing), what arrives (added: moved in or
// new), the overhead within both, what leaves, and free. The first three
// are BarSegments(staying, after, …); the leaving guests take the cells
// from the end of the load after the plan up to after+leaving, out of the
// free ones.
//
// Example: offered 100, staying 20, after 45, leaving 30, no overhead,
// width 10: 2 existing, 45 → 5 cells so 3 arriving, 75 → 8 cells so 3
// leaving, 2 free.
func MoveSegments(staying, after, leaving, offered, overhead float64, width int) (existing, added, oh, leave, free int, over bool) {
	existing, added, oh, free, over = BarSegments(staying, after, offered, overhead, width)
	if offered <= 0 || leaving <= 0 {
		return existing, added, oh, 0, free, over
	}
	upto := min(max(int((after+leaving)/offered*float64(width)+0.5), 0), width)
	leave = min(max(upto-(existing+added+oh), 0), free)
	return existing, added, oh, leave, free - leave, over
}

// MoveBar draws one dimension of a host in a plan with moves, as Bar does
// with the cells of the guests that leave drawn ╌ ("███▓▒╌╌░░░  45% ");
// the percentage is the use after the plan.
func MoveBar(st *styles.Styles, staying, after, leaving, offered, overhead float64, width int) string {
	e, n, o, l, fr, over := MoveSegments(staying, after, leaving, offered, overhead, width)
	glyphs := strings.Repeat(GlyphExisting, e) + strings.Repeat(GlyphNew, n) + strings.Repeat(GlyphOverhead, o)
	if over {
		return st.BarOver.Render(glyphs+strings.Repeat(GlyphLeaving, l)+strings.Repeat(GlyphFree, fr)) +
			st.Bad.Render(" "+pct(after, offered)+"!")
	}
	var b strings.Builder
	for _, seg := range []struct {
		style func(...string) string
		glyph string
		n     int
	}{
		{st.BarExisting.Render, GlyphExisting, e}, {st.BarNew.Render, GlyphNew, n}, {st.BarOverhead.Render, GlyphOverhead, o},
		{st.BarLeaving.Render, GlyphLeaving, l}, {st.BarFree.Render, GlyphFree, fr},
	} {
		if seg.n > 0 {
			b.WriteString(seg.style(strings.Repeat(seg.glyph, seg.n)))
		}
	}
	b.WriteString(" " + pct(after, offered) + " ")
	return b.String()
}

// MoveBarLegend explains the bars of a plan with moves in one line.
func MoveBarLegend(st *styles.Styles) string {
	return st.BarExisting.Render(GlyphExisting) + " staying " +
		st.BarNew.Render(GlyphNew) + " arriving " +
		st.BarOverhead.Render(GlyphOverhead) + " overhead " +
		st.BarLeaving.Render(GlyphLeaving) + " leaving " +
		st.BarFree.Render(GlyphFree) + " free"
}
