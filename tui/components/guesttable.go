package components

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/styles"
)

// GuestColumns are the new-guest table's columns; any can be sorted.
var GuestColumns = []string{"GUEST", "PROFILE", "GROUP", "HOST", "SCORE"}

// GuestRow is one demanded guest: placed (Host set) or not.
type GuestRow struct {
	Guest, Profile, Group, Host string
	Score                       *planner.Score
	Pinned                      bool
}

// Unplaced reports whether the guest found no host.
func (g GuestRow) Unplaced() bool { return g.Host == "" }

// GuestRows lists a plan's demanded guests: unplaced first (they need
// attention), then the placed ones in the plan's order.
func GuestRows(p *planner.Plan) []GuestRow {
	var rows []GuestRow
	for _, u := range p.Unplaced {
		rows = append(rows, GuestRow{Guest: u.Guest, Profile: u.Profile, Group: u.Group})
	}
	for _, a := range p.Actions {
		if a.Op == planner.OpCreate {
			rows = append(rows, GuestRow{Guest: a.Guest, Profile: a.Profile, Group: a.Group, Host: a.Host, Score: a.Score, Pinned: a.Pinned})
		}
	}
	return rows
}

// GuestTable is the fleet view's second tab: every demanded guest.
type GuestTable struct {
	List
	Sort   int
	Desc   bool
	Filter string

	rows []GuestRow
}

// Refresh rebuilds the rows for p, keeping the cursor on the same guest.
func (t *GuestTable) Refresh(p *planner.Plan, height int) {
	keep := ""
	if g, ok := t.Selected(); ok {
		keep = g.Guest
	}
	t.rows = t.rows[:0]
	for _, g := range GuestRows(p) {
		if t.Filter == "" || Match(t.Filter, g.Guest, g.Profile, g.Group, g.Host) {
			t.rows = append(t.rows, g)
		}
	}
	slices.SortFunc(t.rows, t.compare)
	for i, g := range t.rows {
		if g.Guest == keep {
			t.Cursor = i
		}
	}
	t.Clamp(len(t.rows), height, nil)
}

// compare orders by the sort column, names in their natural order
// (cache-2 before cache-10); unplaced guests always come first, since they
// are what needs attention.
func (t *GuestTable) compare(a, b GuestRow) int {
	if a.Unplaced() != b.Unplaced() {
		if a.Unplaced() {
			return -1
		}
		return 1
	}
	c := 0
	switch t.Sort {
	case 0:
		c = CompareNames(a.Guest, b.Guest)
	case 1:
		c = CompareNames(a.Profile, b.Profile)
	case 2:
		c = CompareNames(a.Group, b.Group)
	case 3:
		c = CompareNames(a.Host, b.Host)
	case 4:
		c = cmp.Compare(total(a.Score), total(b.Score))
	}
	if t.Desc {
		c = -c
	}
	return cmp.Or(c, CompareNames(a.Guest, b.Guest)) // names are unique: a total order
}

func total(s *planner.Score) float64 {
	if s == nil {
		return -1e9
	}
	return s.Total
}

// Len is the number of rows.
func (t *GuestTable) Len() int { return len(t.rows) }

// Selected is the guest under the cursor.
func (t *GuestTable) Selected() (GuestRow, bool) {
	if t.Cursor < 0 || t.Cursor >= len(t.rows) {
		return GuestRow{}, false
	}
	return t.rows[t.Cursor], true
}

// View renders the table in width × height cells.
func (t GuestTable) View(st *styles.Styles, p *planner.Plan, width, height int) string {
	nw, hw := 5, 4
	for _, g := range t.rows {
		nw = max(nw, len(g.Guest))
		hw = max(hw, len(g.Host))
	}
	nw, hw = min(nw, 24), max(min(hw, 16), len("UNPLACED"))
	widths := []int{nw, 7, 14, hw, 6}
	head := "    "
	for i, c := range GuestColumns {
		if i == t.Sort {
			c += map[bool]string{false: "▲", true: "▼"}[t.Desc]
			head += st.Selected.Render(c) + strings.Repeat(" ", max(widths[i]-len([]rune(c)), 0)+1)
			continue
		}
		head += common.Pad(c, widths[i]) + " "
	}
	head += TermsHeading + " (when placed)"
	var b strings.Builder
	b.WriteString(st.Heading.Render(common.Trunc(head, width)))
	if len(t.rows) == 0 {
		b.WriteString("\n" + st.Dim.Render("  no guest matches the filter"))
		return b.String()
	}
	_, badGuests := Violations(p)
	from, to := t.Window(len(t.rows), height-1)
	for r := from; r < to; r++ {
		g := t.rows[r]
		mark := "  "
		if r == t.Cursor {
			mark = "› "
		}
		flag := " "
		switch {
		case g.Unplaced() || badGuests[g.Guest]:
			flag = st.Bad.Render("!")
		case g.Pinned:
			flag = st.Warn.Render("p")
		}
		name := common.Pad(g.Guest, nw)
		if r == t.Cursor {
			name = st.Cursor.Render(name)
		}
		host := common.Pad(g.Host, hw)
		score, terms := "", ""
		if g.Unplaced() {
			host = st.Bad.Render(common.Pad("UNPLACED", hw))
		} else if g.Score != nil {
			score = Num(g.Score.Total)
			terms = TermsCells(g.Score)
			if g.Score.Opens {
				terms += " opens"
			}
		}
		line := mark + flag + " " + name + " " + common.Pad(g.Profile, 7) + " " + common.Pad(common.Dash(g.Group), 14) + " " +
			host + " " + common.PadLeft(score, 6) + " " + st.Dim.Render(terms)
		b.WriteString("\n" + common.Trunc(line, width))
	}
	return b.String()
}

// Num writes a score or term with two decimals and a true minus sign
// ("−0.25"), the sign every screen uses.
func Num(x float64) string {
	s := fmt.Sprintf("%.2f", x)
	if s == "-0.00" {
		return "0.00"
	}
	return strings.Replace(s, "-", "−", 1)
}

// TermsHeading labels the columns of TermsCells; ScoreHeading those of
// ScoreCells (the total first). Stranded and appetite count against a
// host: the strategy subtracts them. Appetite is written as the penalty it
// is (−0.75), as berth plan writes it; stranded as the share it measures.
var (
	TermsHeading = fmt.Sprintf("%5s %5s %6s %5s", "align", "fill", "strand", "appet")
	ScoreHeading = fmt.Sprintf("%5s ", "SCORE") + TermsHeading
)

// TermsCells writes a score's terms in the columns of TermsHeading:
// " 0.56  0.60   0.66 −0.75".
func TermsCells(s *planner.Score) string {
	return fmt.Sprintf("%5s %5s %6s %5s", Num(s.Align), Num(s.Fill), Num(s.Stranded), Num(-s.Appetite))
}

// ScoreCells writes the total and the terms in the columns of
// ScoreHeading: "−0.25  0.56  0.60   0.66 −0.75".
func ScoreCells(s *planner.Score) string {
	return fmt.Sprintf("%5s ", Num(s.Total)) + TermsCells(s)
}

// TermsText writes a score with labelled terms, for a line of prose:
// "−0.25 (align 0.56 · fill 0.60 · stranded 0.66 · appetite −0.75)".
func TermsText(s *planner.Score) string {
	t := fmt.Sprintf("%s (align %s · fill %s · stranded %s · appetite %s)", Num(s.Total), Num(s.Align), Num(s.Fill), Num(s.Stranded), Num(-s.Appetite))
	if s.Opens {
		t += " · opens the host"
	}
	return t
}
