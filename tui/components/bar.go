// Package components holds the explorer's widgets: usage bars, the line
// input, the host and guest tables and the reasons matrix. Each renders as
// a pure function of its arguments.
package components

import (
	"math"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/styles"
)

// Bar glyphs. Each segment has its own glyph so that a screen without
// colour still tells them apart.
const (
	GlyphExisting = "█"
	GlyphNew      = "▓"
	GlyphOverhead = "▒"
	GlyphFree     = "░"
)

// BarSegments splits width cells of a host's use of one dimension into
// existing load, load the plan adds, virtualisation overhead and free,
// each as a share of what the host offers.
//
// before and after are the planned loads with overhead included, as in
// planner.HostPlan; overhead is the policy's fraction for the dimension
// (0.1 = 10%), so the overhead within a load L is L × oh/(1+oh).
//
// Example: offered 100, before 30, after 55, overhead 10%, width 10:
// overhead 55×0.1/1.1 = 5 ⇒ existing 30−2.73 = 27.3 → 3 cells, existing+new
// 55−5 = 50 → 5 cells, total 55 → 6 cells: 3 █, 2 ▓, 1 ▒, 4 ░.
func BarSegments(before, after, offered, overhead float64, width int) (existing, added, oh, free int, over bool) {
	if width <= 0 {
		return 0, 0, 0, 0, false
	}
	if offered <= 0 {
		return 0, 0, 0, width, after > 0
	}
	f := overhead / (1 + overhead)
	cells := func(x float64) int {
		n := int(x/offered*float64(width) + 0.5)
		return min(max(n, 0), width)
	}
	c1 := cells(before * (1 - f))
	c2 := max(cells(after*(1-f)), c1)
	c3 := max(cells(after), c2)
	return c1, c2 - c1, c3 - c2, width - c3, after > offered*(1+1e-9)
}

// Bar draws one dimension of a host as width cells followed by its use in
// percent of what the host offers ("█████▓▓▒░░  78% "); an over-full host's
// bar is drawn in the Bad colour with a "!" after the percentage.
func Bar(st *styles.Styles, before, after, offered, overhead float64, width int) string {
	e, n, o, fr, over := BarSegments(before, after, offered, overhead, width)
	var b strings.Builder
	if over {
		b.WriteString(st.BarOver.Render(strings.Repeat(GlyphExisting, e) + strings.Repeat(GlyphNew, n) + strings.Repeat(GlyphOverhead, o) + strings.Repeat(GlyphFree, fr)))
		b.WriteString(st.Bad.Render(" " + pct(after, offered) + "!"))
		return b.String()
	}
	if e > 0 {
		b.WriteString(st.BarExisting.Render(strings.Repeat(GlyphExisting, e)))
	}
	if n > 0 {
		b.WriteString(st.BarNew.Render(strings.Repeat(GlyphNew, n)))
	}
	if o > 0 {
		b.WriteString(st.BarOverhead.Render(strings.Repeat(GlyphOverhead, o)))
	}
	if fr > 0 {
		b.WriteString(st.BarFree.Render(strings.Repeat(GlyphFree, fr)))
	}
	b.WriteString(" " + pct(after, offered) + " ")
	return b.String()
}

// BarWidth is the cells Bar uses for a bar of width cells.
func BarWidth(width int) int { return width + 6 }

func pct(x, offered float64) string {
	p := planner.Percent(x, offered)
	return strings.Repeat(" ", max(0, 4-len([]rune(p)))) + p
}

// BarLegend explains the bar glyphs in one line.
func BarLegend(st *styles.Styles) string {
	return st.BarExisting.Render(GlyphExisting) + " existing " +
		st.BarNew.Render(GlyphNew) + " new " +
		st.BarOverhead.Render(GlyphOverhead) + " overhead " +
		st.BarFree.Render(GlyphFree) + " free (% of offered)"
}

// Residual is what a host has left after the plan, per dimension
// (negative when it is over).
func Residual(h *planner.HostPlan) inventory.Vector {
	r := h.Offered.Sub(h.After)
	for d := range r {
		// A host filled exactly shows 0, not "−0 B" from rounding.
		if math.Abs(r[d]) <= 1e-9*math.Max(1, h.Offered[d]) {
			r[d] = 0
		}
	}
	return r
}

// Over reports whether a host is over what it offers in any dimension.
func Over(h *planner.HostPlan) bool {
	for d := range h.After {
		if h.After[d] > h.Offered[d]*(1+1e-9) {
			return true
		}
	}
	return false
}

// Quantity formats one amount of dim for a table cell.
func Quantity(d inventory.Dimension, v float64) string { return inventory.FormatQuantity(d, v) }
