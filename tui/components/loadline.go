package components

import (
	"math"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/styles"
)

// LoadLine is one line of load history: label, then per dimension with
// history its name, a sparkline of the window and the figure (value[d]
// when given, else the series' largest point), fitted in width cells:
//
//	observed p95 over 7d: cpu ▁▂▅▇▃ 2.4 · memory ▇▇▇▇▇ 8 GiB · iops ▁▁▂▁▁ 120
func LoadLine(st *styles.Styles, label string, s common.LoadSeries, value *inventory.Vector, width int) string {
	var dims []inventory.Dimension
	for _, d := range inventory.Dimensions {
		if len(s[d]) > 0 {
			dims = append(dims, d)
		}
	}
	if len(dims) == 0 {
		return common.Trunc(st.Dim.Render(label+"no history"), width)
	}
	// What is left after the label, the names, the figures and the
	// separators goes to the sparklines, at most 24 cells each.
	figures := make([]string, len(dims))
	fixed := len([]rune(label))
	for i, d := range dims {
		v := peak(s[d])
		if value != nil {
			v = value[d]
		}
		figures[i] = Quantity(d, v)
		fixed += len(d.String()) + 1 + 1 + len([]rune(figures[i])) + 3
	}
	spark := min(max((width-fixed)/len(dims), 4), 24)
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = d.String() + " " + st.Label.Render(Sparkline(s[d], spark)) + " " + figures[i]
	}
	return common.Trunc(st.Dim.Render(label)+strings.Join(parts, st.Dim.Render(" · ")), width)
}

func peak(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		if !math.IsNaN(x) && x > m {
			m = x
		}
	}
	return m
}
