package components

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/styles"
)

// HostColumns are the fleet table's columns, in order; any can be sorted.
// From firstDimColumn on, one per dimension (the dimension table's headings).
var HostColumns = append([]string{"HOST", "RACK/ZONE", "GUESTS"}, inventory.DimensionHeadings()...)

const firstDimColumn = 3

// HostTable is the fleet view's table: one row per host, filtered by text,
// sorted by a column, optionally grouped by rack under heading rows.
type HostTable struct {
	List
	Sort      int // index into HostColumns
	Desc      bool
	GroupRack bool
	Filter    string

	rows []hostRow
}

// hostRow is a host (index into Plan.Hosts) or, with host < 0, the heading
// of rack group, summing hosts.
type hostRow struct {
	host  int
	rack  string
	hosts []int
}

// Refresh rebuilds the rows for p (after a new plan, a sort, a filter or
// grouping change), keeping the cursor on the same host where it can.
func (t *HostTable) Refresh(p *planner.Plan, height int) {
	keep, hadHost := t.Selected()
	keepName := ""
	if hadHost && keep < len(p.Hosts) {
		keepName = p.Hosts[keep].Name
	}
	var idx []int
	for i := range p.Hosts {
		h := &p.Hosts[i]
		if t.Filter == "" || Match(t.Filter, append([]string{h.Name, h.Rack, h.Zone}, h.Placed...)...) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return t.compare(&p.Hosts[a], &p.Hosts[b]) })
	t.rows = t.rows[:0]
	if t.GroupRack {
		slices.SortStableFunc(idx, func(a, b int) int { return CompareNames(p.Hosts[a].Rack, p.Hosts[b].Rack) })
		for i := 0; i < len(idx); {
			j := i
			for j < len(idx) && p.Hosts[idx[j]].Rack == p.Hosts[idx[i]].Rack {
				j++
			}
			t.rows = append(t.rows, hostRow{host: -1, rack: p.Hosts[idx[i]].Rack, hosts: idx[i:j]})
			for _, h := range idx[i:j] {
				t.rows = append(t.rows, hostRow{host: h})
			}
			i = j
		}
	} else {
		for _, h := range idx {
			t.rows = append(t.rows, hostRow{host: h})
		}
	}
	for r, row := range t.rows {
		if row.host >= 0 && p.Hosts[row.host].Name == keepName {
			t.Cursor = r
		}
	}
	t.List.Clamp(len(t.rows), height, t.IsHeading)
}

// compare orders two hosts by the sort column, then by name (names in
// their natural order: kvm9 before kvm10).
func (t *HostTable) compare(a, b *planner.HostPlan) int {
	c := 0
	switch t.Sort {
	case 1:
		c = cmp.Or(CompareNames(a.Rack, b.Rack), CompareNames(a.Zone, b.Zone))
	case 2:
		c = cmp.Or(cmp.Compare(len(a.Existing)+len(a.Placed), len(b.Existing)+len(b.Placed)), cmp.Compare(len(a.Placed), len(b.Placed)))
	default:
		if d := inventory.Dimension(t.Sort - firstDimColumn); d.Spec() != nil {
			c = cmp.Compare(share(a.After[d], a.Offered[d]), share(b.After[d], b.Offered[d]))
		}
	}
	if t.Desc {
		c = -c
	}
	return cmp.Or(c, CompareNames(a.Name, b.Name))
}

func share(x, offered float64) float64 {
	if offered <= 0 {
		return 0
	}
	return x / offered
}

// Len is the number of rows (hosts and headings).
func (t *HostTable) Len() int { return len(t.rows) }

// IsHeading reports whether row r is a rack heading.
func (t *HostTable) IsHeading(r int) bool { return r >= 0 && r < len(t.rows) && t.rows[r].host < 0 }

// Selected is the host under the cursor (index into Plan.Hosts).
func (t *HostTable) Selected() (int, bool) {
	if t.Cursor < 0 || t.Cursor >= len(t.rows) || t.rows[t.Cursor].host < 0 {
		return 0, false
	}
	return t.rows[t.Cursor].host, true
}

// hostLayout is the column widths for one terminal width.
type hostLayout struct {
	name, rz, guests, bar int
}

// The name column is as wide as the longest host name, at least as wide
// as its heading with the sort arrow ("HOST▲") and at most maxHostName; on
// a narrow terminal it gives way so that the bars keep minBar cells.
const (
	maxHostName = 32
	minBar      = 3
)

func layoutHosts(p *planner.Plan, width int) hostLayout {
	// Headings count the sort arrow: "GUESTS▲".
	l := hostLayout{guests: len("GUESTS") + 1}
	longest, rz := 0, 0
	for i := range p.Hosts {
		h := &p.Hosts[i]
		longest = max(longest, ansi.StringWidth(h.Name))
		rz = max(rz, len(common.Dash(h.Rack))+1+len(common.Dash(h.Zone)))
	}
	l.rz = min(max(rz, len("RK/ZN")+1), 12)
	head := len("HOST") + 1
	l.name = min(max(longest, head), maxHostName)
	fixedBut := func(name int) int { return 4 + name + 1 + l.rz + 1 + l.guests }
	if room := (width - fixedBut(0)) - int(inventory.NumDims)*(minBar+BarWidth(0)+1); l.name > room {
		l.name = max(room, head)
	}
	slot := (width - fixedBut(l.name)) / int(inventory.NumDims)
	l.bar = min(max(slot-BarWidth(0)-1, 3), 24)
	return l
}

// View renders the table in width × height cells: a heading line and the
// visible rows.
func (t HostTable) View(st *styles.Styles, p *planner.Plan, width, height int) string {
	l := layoutHosts(p, width)
	var b strings.Builder
	head := "    "
	for i, c := range HostColumns {
		if i == t.Sort {
			arrow := "▲"
			if t.Desc {
				arrow = "▼"
			}
			c += arrow
		}
		if i == 1 && ansi.StringWidth(c) > l.rz {
			c = strings.Replace(c, "RACK/ZONE", "RK/ZN", 1)
		}
		w := []int{l.name, l.rz, l.guests}
		cell := ""
		if i < 3 {
			cell = common.Pad(c, w[i]) + " "
		} else {
			cell = common.Pad(c, l.bar+BarWidth(0)) + " "
		}
		if i == t.Sort {
			cell = st.Selected.Render(strings.TrimRight(cell, " ")) + strings.Repeat(" ", len(cell)-len(strings.TrimRight(cell, " ")))
		}
		head += cell
	}
	b.WriteString(st.Heading.Render(common.Trunc(strings.TrimRight(head, " "), width)))
	if len(t.rows) == 0 {
		b.WriteString("\n" + st.Dim.Render("  no host matches the filter"))
		return b.String()
	}
	badHosts, _ := Violations(p)
	from, to := t.Window(len(t.rows), height-1)
	for r := from; r < to; r++ {
		b.WriteString("\n")
		row := t.rows[r]
		if row.host < 0 {
			b.WriteString(common.Trunc(st.Label.Render(groupHeading(p, row)), width))
			continue
		}
		b.WriteString(common.Trunc(t.hostLine(st, p, l, row.host, r == t.Cursor, badHosts), width))
	}
	return b.String()
}

func (t HostTable) hostLine(st *styles.Styles, p *planner.Plan, l hostLayout, hi int, cursor bool, bad map[string]bool) string {
	h := &p.Hosts[hi]
	mark := "  "
	if cursor {
		mark = "› "
	}
	flag := " "
	switch {
	case Over(h) || bad[h.Name]:
		flag = st.Bad.Render("!")
	case h.Excluded:
		flag = st.Warn.Render("x")
	case h.New:
		flag = st.Good.Render("+")
	}
	name := common.Pad(h.Name, l.name)
	if cursor {
		name = st.Cursor.Render(name)
	}
	guests := fmt.Sprintf("%d+%d", len(h.Existing), len(h.Placed))
	line := mark + flag + " " + name + " " + common.Pad(common.Dash(h.Rack)+"/"+common.Dash(h.Zone), l.rz) + " " + common.Pad(guests, l.guests)
	for _, d := range inventory.Dimensions {
		line += " " + Bar(st, h.Before[d], h.After[d], h.Offered[d], p.Policy.Overhead[d], l.bar)
	}
	return line
}

// groupHeading sums a rack's hosts: "rack r1 · 5 hosts · cpu 85% …".
func groupHeading(p *planner.Plan, row hostRow) string {
	var after, off inventory.Vector
	for _, hi := range row.hosts {
		after = after.Add(p.Hosts[hi].After)
		off = off.Add(p.Hosts[hi].Offered)
	}
	s := fmt.Sprintf("  ── rack %s · %d hosts ·", common.Dash(row.rack), len(row.hosts))
	for _, d := range inventory.Dimensions {
		s += fmt.Sprintf(" %s %s", d, planner.Percent(after[d], off[d]))
	}
	return s + " ──"
}
