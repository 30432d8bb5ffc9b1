package components

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/styles"
)

// MoveRowKind is what one row of the moves table shows.
type MoveRowKind int

const (
	RowHeading MoveRowKind = iota // a wave, a maintenance step or a section
	RowMove                       // a migration
	RowHost                       // a host freed, or one that cannot be drained
	RowStuck                      // a guest that cannot move
	RowKept                       // a guest kept where it is that the goal did not want moved
	RowText                       // a line of text (what is still wrong)
)

// MoveRow is one row of the moves table.
type MoveRow struct {
	Kind MoveRowKind
	// Text is a heading's or a text row's words.
	Text string
	// Action is the migration (RowMove), Stuck the stuck guest (RowStuck).
	Action *planner.Action
	Stuck  *planner.StuckGuest
	// Guest and Host: the guest of a move, stuck or kept row and where it
	// is (a move's destination); the host of a host row.
	Guest, Host string
	// Kept: the guest is kept in place (an edit).
	Kept bool
}

// Selectable reports whether the cursor can rest on the row.
func (r MoveRow) Selectable() bool { return r.Kind != RowHeading && r.Kind != RowText }

// MoveRows lists a plan's moves for the moves tab: the migrations wave by
// wave (under their maintenance step for rolling maintenance), each wave's
// heading with its totals, then the hosts freed, the hosts that cannot be
// drained, the guests that cannot move, the guests kept in place, and what
// is still wrong. A plan without moves has no rows.
func MoveRows(p *planner.Plan) []MoveRow {
	s := p.Moves
	if s == nil {
		return nil
	}
	kept := map[string]bool{}
	for _, g := range p.Edits.Keep {
		kept[g] = true
	}
	byWave := map[int][]*planner.Action{}
	for i := range p.Actions {
		if a := &p.Actions[i]; a.Op == planner.OpMove && a.Move != nil {
			byWave[a.Move.Wave] = append(byWave[a.Move.Wave], a)
		}
	}
	var rows []MoveRow
	if w := s.Without; w != nil {
		// Making room: what the moves buy, against the plan without them.
		rows = append(rows, MoveRow{Kind: RowHeading, Text: "Without moves: " + roomText(w.Placed, len(w.Unplaced), w.NewHosts) +
			"; with them: " + roomText(p.Metrics.Placed, p.Metrics.Unplaced, p.Metrics.NewHosts)})
	}
	wave := func(w planner.WaveView) {
		rows = append(rows, MoveRow{Kind: RowHeading, Text: fmt.Sprintf("Wave %d · %s · %s · %s",
			w.Wave, planner.CountOf(w.Moves, "migration", "migrations"), planner.BytesText(w.Bytes), planner.DurationText(w.Seconds))})
		for _, a := range byWave[w.Wave] {
			rows = append(rows, MoveRow{Kind: RowMove, Action: a, Guest: a.Guest, Host: a.Host})
		}
	}
	if len(s.Maintenance) > 0 {
		for _, st := range s.Maintenance {
			rows = append(rows, MoveRow{Kind: RowHeading, Text: fmt.Sprintf("Step %d: drain %s — %s", st.Step, strings.Join(st.Hosts, ", "), st.Text())})
			for _, w := range s.Waves {
				if st.Waves > 0 && w.Wave >= st.FirstWave && w.Wave < st.FirstWave+st.Waves {
					wave(w)
				}
			}
		}
	} else {
		for _, w := range s.Waves {
			wave(w)
		}
	}
	if s.Migrations == 0 {
		rows = append(rows, MoveRow{Kind: RowText, Text: "nothing to move"})
	}
	section := func(title string, n int, note string) {
		rows = append(rows, MoveRow{Kind: RowHeading, Text: fmt.Sprintf("%s (%d) — %s", title, n, note)})
	}
	guests := map[string]int{}
	for _, h := range p.Hosts {
		guests[h.Name] = len(h.Existing)
	}
	if len(s.Freed) > 0 {
		section("Freed", len(s.Freed), s.FreedAdvice())
		for _, h := range s.Freed {
			rows = append(rows, MoveRow{Kind: RowHost, Host: h, Text: "ran " + planner.CountOf(guests[h], "guest", "guests")})
		}
	}
	if len(s.Undrainable) > 0 {
		section("Cannot be drained, even alone", len(s.Undrainable), "its guests are among those that cannot move")
		for _, h := range s.Undrainable {
			rows = append(rows, MoveRow{Kind: RowHost, Host: h, Text: "cannot be drained"})
		}
	}
	stuck := map[string]bool{}
	if len(s.Stuck) > 0 {
		section("Cannot move", len(s.Stuck), "enter shows why, host by host")
		for i := range s.Stuck {
			st := &s.Stuck[i]
			stuck[st.Guest] = true
			rows = append(rows, MoveRow{Kind: RowStuck, Stuck: st, Guest: st.Guest, Host: st.Host, Kept: kept[st.Guest]})
		}
	}
	var others []MoveRow
	for i := range p.Hosts {
		for _, g := range p.Hosts[i].Existing {
			if kept[g] && !stuck[g] {
				others = append(others, MoveRow{Kind: RowKept, Guest: g, Host: p.Hosts[i].Name, Kept: true})
			}
		}
	}
	if len(others) > 0 {
		slices.SortFunc(others, func(a, b MoveRow) int { return CompareNames(a.Guest, b.Guest) })
		section("Kept in place", len(others), "never moved")
		rows = append(rows, others...)
	}
	if len(s.Remaining) > 0 {
		section("Still wrong after the plan", len(s.Remaining), "what the policy still finds wrong")
		for _, r := range s.Remaining {
			rows = append(rows, MoveRow{Kind: RowText, Text: "! " + r})
		}
	}
	return rows
}

// roomText is "2 placed, 0 unplaced, 1 host to buy".
func roomText(placed, unplaced, buy int) string {
	t := fmt.Sprintf("%d placed, %d unplaced", placed, unplaced)
	if buy > 0 {
		t += ", " + planner.CountOf(buy, "host", "hosts") + " to buy"
	}
	return t
}

// MoveTable is the fleet view's moves tab.
type MoveTable struct {
	List
	Filter string

	rows []MoveRow
}

// Refresh rebuilds the rows for p, keeping the cursor on the same guest
// or host where it can; a filter keeps the rows that match it, under
// their headings.
func (t *MoveTable) Refresh(p *planner.Plan, height int) {
	keep, had := t.Selected()
	all := MoveRows(p)
	t.rows = t.rows[:0]
	if t.Filter == "" {
		t.rows = append(t.rows, all...)
	}
	// Filtered: the headings above a matching row (a step's and its
	// wave's, or a section's) come with it. A heading replaces the
	// pending ones of its level and below: a wave is under a step.
	level := func(r MoveRow) int {
		if strings.HasPrefix(r.Text, "Wave ") {
			return 1
		}
		return 0
	}
	var headings []MoveRow
	for i := 0; t.Filter != "" && i < len(all); i++ {
		r := all[i]
		switch {
		case r.Kind == RowHeading:
			headings = slices.DeleteFunc(headings, func(h MoveRow) bool { return level(h) >= level(r) })
			headings = append(headings, r)
			continue
		case !Match(t.Filter, r.matchWords()...):
			continue
		}
		t.rows = append(t.rows, headings...)
		headings = headings[:0]
		t.rows = append(t.rows, r)
	}
	for i, r := range t.rows {
		if had && r.Kind == keep.Kind && r.Guest == keep.Guest && r.Host == keep.Host {
			t.Cursor = i
		}
	}
	t.Clamp(len(t.rows), height, t.IsHeading)
}

func (r MoveRow) matchWords() []string {
	words := []string{r.Guest, r.Host, r.Text}
	if r.Action != nil && r.Action.Move != nil {
		words = append(words, r.Action.Move.From)
	}
	return words
}

// Len is the number of rows.
func (t *MoveTable) Len() int { return len(t.rows) }

// IsHeading reports whether row r cannot take the cursor (a heading, a
// line of text).
func (t *MoveTable) IsHeading(r int) bool {
	return r >= 0 && r < len(t.rows) && !t.rows[r].Selectable()
}

// Selected is the row under the cursor.
func (t *MoveTable) Selected() (MoveRow, bool) {
	if t.Cursor < 0 || t.Cursor >= len(t.rows) || !t.rows[t.Cursor].Selectable() {
		return MoveRow{}, false
	}
	return t.rows[t.Cursor], true
}

// moveLayout is the moves table's column widths.
type moveLayout struct{ guest, hosts int }

func layoutMoves(rows []MoveRow) moveLayout {
	l := moveLayout{guest: len("GUEST"), hosts: len("FROM → TO")}
	for _, r := range rows {
		switch r.Kind {
		case RowMove:
			l.guest = max(l.guest, ansi.StringWidth(r.Guest))
			l.hosts = max(l.hosts, ansi.StringWidth(r.Action.Move.From+" → "+r.Host))
		case RowStuck, RowKept:
			l.guest = max(l.guest, ansi.StringWidth(r.Guest))
		}
	}
	l.guest, l.hosts = min(l.guest, 24), min(l.hosts, 32)
	return l
}

// MoveHeading is the moves table's column heading for its layout.
func (t MoveTable) heading(l moveLayout) string {
	return fmt.Sprintf("    %s %s %9s %6s  %-7s %s", common.Pad("GUEST", l.guest), common.Pad("FROM → TO", l.hosts), "COPIES", "TIME", "MODE", "WHY")
}

// View renders the table in width × height cells: a heading line and the
// visible rows.
func (t MoveTable) View(st *styles.Styles, p *planner.Plan, width, height int) string {
	l := layoutMoves(t.rows)
	var b strings.Builder
	b.WriteString(st.Heading.Render(common.Trunc(t.heading(l), width)))
	if len(t.rows) == 0 {
		b.WriteString("\n" + st.Dim.Render("  no move matches the filter"))
		return b.String()
	}
	from, to := t.Window(len(t.rows), height-1)
	for r := from; r < to; r++ {
		b.WriteString("\n" + common.Trunc(t.line(st, p, l, t.rows[r], r == t.Cursor), width))
	}
	return b.String()
}

// line renders one row.
func (t MoveTable) line(st *styles.Styles, p *planner.Plan, l moveLayout, r MoveRow, cursor bool) string {
	mark := "  "
	if cursor {
		mark = "› "
	}
	name := func(s string, w int) string {
		if cursor {
			return st.Cursor.Render(common.Pad(s, w))
		}
		return common.Pad(s, w)
	}
	flag := " "
	if r.Kept {
		flag = st.Warn.Render("k")
	}
	switch r.Kind {
	case RowHeading:
		return st.Label.Render("── " + r.Text + " ──")
	case RowText:
		return "    " + st.Bad.Render(r.Text)
	case RowMove:
		mv := r.Action.Move
		mode := "live"
		if !mv.Live {
			mode = "offline"
		}
		return fmt.Sprintf("%s%s %s %s %9s %6s  %-7s %s", mark, flag, name(r.Guest, l.guest), common.Pad(mv.From+" → "+r.Host, l.hosts),
			planner.BytesText(mv.Bytes), planner.DurationText(mv.Seconds), mode, st.Dim.Render(mv.Reason.Text))
	case RowStuck:
		s := r.Stuck
		return fmt.Sprintf("%s%s %s %s %s", mark, st.Bad.Render("✗"), name(r.Guest, l.guest),
			common.Pad("on "+r.Host, l.hosts), st.Bad.Render(s.Kind+": "+s.WhyText()))
	case RowKept:
		return fmt.Sprintf("%s%s %s %s %s", mark, flag, name(r.Guest, l.guest), common.Pad("on "+r.Host, l.hosts), st.Dim.Render("kept where it is (p lets it move)"))
	}
	// RowHost: freed, or cannot be drained.
	what, hostFlag := r.Text, st.Good.Render(FlagFreed)
	if r.Text == "cannot be drained" {
		hostFlag = st.Bad.Render("!")
	}
	for _, h := range p.Hosts {
		if h.Name == r.Host && h.Excluded {
			what += " · excluded as a destination"
		}
	}
	return fmt.Sprintf("%s%s %s %s", mark, hostFlag, name(r.Host, l.guest), st.Dim.Render(what))
}
