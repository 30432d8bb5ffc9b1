package components

import (
	"cmp"
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/styles"
)

// ReasonColumns are the columns of a reasons matrix: every dimension, then
// each other rule that refused the guest somewhere (anti-affinity, …).
func ReasonColumns(refusals []planner.Refusal) []string {
	cols := inventory.DimensionNames()
	var rules []string
	for _, r := range refusals {
		if r.Rule != "capacity" && !slices.Contains(rules, r.Rule) {
			rules = append(rules, r.Rule)
		}
	}
	slices.Sort(rules)
	return append(cols, rules...)
}

// reasonCellWidth is the width of one matrix cell.
const reasonCellWidth = 10

// ReasonsHeading is the heading of a matrix with cols.
func ReasonsHeading(cols []string) string {
	var b strings.Builder
	for _, c := range cols {
		b.WriteString(common.Pad(c, reasonCellWidth) + " ")
	}
	return strings.TrimRight(b.String(), " ")
}

// ReasonsCells renders one host's refusals as matrix cells: for each
// dimension what it is short by ("−5.96", "−6.4 GiB") or "ok"; for each
// rule "✗ GROUP" or "ok".
func ReasonsCells(st *styles.Styles, cols []string, refusals []planner.Refusal) string {
	var b strings.Builder
	for i, c := range cols {
		cell := st.Dim.Render(common.Pad("ok", reasonCellWidth))
		for _, r := range refusals {
			switch {
			case r.Rule == "capacity" && r.Dimension == c:
				d, _ := inventory.ParseDimension(c)
				cell = st.Bad.Render(common.Pad("−"+inventory.FormatQuantity(d, r.Requested-r.Free), reasonCellWidth))
			case r.Rule != "capacity" && r.Rule == c:
				cell = st.Bad.Render(common.Pad(strings.TrimSpace("✗ "+r.Group), reasonCellWidth))
			}
		}
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(cell)
	}
	return b.String()
}

// ShortText says in words what a host lacks: "cpu −5.96, memory −6.4 GiB,
// anti-affinity db-main".
func ShortText(refusals []planner.Refusal) string {
	var parts []string
	for _, r := range refusals {
		if r.Rule == "capacity" {
			d, _ := inventory.ParseDimension(r.Dimension)
			parts = append(parts, r.Dimension+" −"+inventory.FormatQuantity(d, r.Requested-r.Free))
			continue
		}
		parts = append(parts, strings.TrimSpace(r.Rule+" "+r.Group))
	}
	return strings.Join(parts, ", ")
}

// RefusalsByHost groups a saved plan's refusals per host, hosts with the
// fewest rules and the smallest shortfall first (the order
// planner.Candidates uses), for screens that have no planner.
func RefusalsByHost(p *planner.Plan, refusals []planner.Refusal) []planner.CandidateView {
	by := map[string][]planner.Refusal{}
	var hosts []string
	for _, r := range refusals {
		if by[r.Host] == nil {
			hosts = append(hosts, r.Host)
		}
		by[r.Host] = append(by[r.Host], r)
	}
	offered := map[string]inventory.Vector{}
	for _, h := range p.Hosts {
		offered[h.Name] = h.Offered
	}
	key := func(h string) (int, float64) {
		rules, short := 0, 0.0
		for _, r := range by[h] {
			if r.Rule != "capacity" {
				rules++
				continue
			}
			d, _ := inventory.ParseDimension(r.Dimension)
			if o := offered[h][d]; o > 0 {
				short += (r.Requested - r.Free) / o
			} else {
				short++
			}
		}
		return rules, short
	}
	slices.SortStableFunc(hosts, func(a, b string) int {
		ra, sa := key(a)
		rb, sb := key(b)
		return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(sa, sb))
	})
	out := make([]planner.CandidateView, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, planner.CandidateView{Host: h, Refusals: by[h]})
	}
	return out
}
