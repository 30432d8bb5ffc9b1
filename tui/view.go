package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
)

// delta is what one edit (or undo/redo) changed, for the status line.
type delta struct {
	label         string
	before, after *planner.Plan
}

// bodySize is the space the top screen gets: everything but the title
// bar, the status line and the help.
func (m *Model) bodySize() (int, int) {
	return m.ctx.Width, max(m.ctx.Height-2-m.helpHeight(), 1)
}

func (m *Model) helpView() string {
	h := m.help
	h.SetWidth(m.ctx.Width)
	h.ShowAll = m.fullHelp
	// bubbles/help can overrun its width when the ellipsis does not fit
	// either; cut every line.
	keys := m.top().Help()
	if m.ctx.ReadOnly {
		// Without the scenario, edits only say so: leave them out.
		keys = keys.Without(m.ctx.Keys.Edits())
	}
	lines := strings.Split(h.View(keys), "\n")
	// On a tiny terminal the full help gives way to at least one body line.
	lines = lines[:min(len(lines), max(m.ctx.Height-3, 1))]
	for i, l := range lines {
		lines[i] = common.Trunc(l, m.ctx.Width)
	}
	return strings.Join(lines, "\n")
}

func (m *Model) helpHeight() int {
	if m.ctx.Plan == nil {
		return 1
	}
	return strings.Count(m.helpView(), "\n") + 1
}

// View implements tea.Model: the frame on the alternate screen, with the
// mouse reported when the explorer takes it. It is a pure function of the
// model's state.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Frame())
	v.AltScreen = true
	if m.takeMouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

// Frame is the screen as text: exactly Height lines, none wider than Width.
func (m *Model) Frame() string {
	w, h := m.ctx.Width, m.ctx.Height
	st := m.ctx.Styles
	if m.ctx.Plan == nil {
		name := ""
		if m.ctx.Scenario != nil {
			name = m.ctx.Scenario.Name
		}
		body := m.spin.View() + " planning " + name + "…"
		if m.status != "" {
			body = st.Bad.Render(m.status)
		}
		return common.Fit(m.titleBar()+"\n"+body, w, h)
	}
	bw, bh := m.bodySize()
	body := common.Fit(m.top().View(bw, bh), bw, bh)
	return m.titleBar() + "\n" + body + "\n" + common.Trunc(m.statusLine(), w) + "\n" + m.helpView()
}

// titleBar: "berth explore · default · plan 491b30cb3f83 · 2 edits · fleet".
func (m *Model) titleBar() string {
	st, w := m.ctx.Styles, m.ctx.Width
	left := " berth explore"
	if p := m.ctx.Plan; p != nil {
		left += " · " + p.Scenario + " · plan " + p.ID
		if mode := m.modeName(); mode != "" {
			left += " · " + mode
		}
		switch n := editCount(m.ctx.Edits); n {
		case 0:
		case 1:
			left += " · 1 edit"
		default:
			left += fmt.Sprintf(" · %d edits", n)
		}
	}
	if m.ctx.ReadOnly {
		left += " · read-only"
	}
	if len(m.screens) > 0 && m.ctx.Plan != nil {
		left += " · " + m.top().Title()
	}
	right := ""
	if m.busy {
		right = m.spin.View() + " " + m.busyLabel + " "
	}
	pad := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	if pad < 1 {
		left = common.Trunc(left, max(w-ansi.StringWidth(right)-1, 0))
		pad = max(w-ansi.StringWidth(left)-ansi.StringWidth(right), 0)
	}
	return common.Trunc(st.Title.Render(left+strings.Repeat(" ", pad))+right, w)
}

func editCount(e planner.Edits) int {
	return len(e.Pins) + len(e.Excluded) + len(e.Demand) + len(e.Keep)
}

// modeName names the move mode for the title bar ("consolidate", "drain
// kvm07"): the explorer's, or for a read-only plan the one that made it;
// "" for a plan without moves.
func (m *Model) modeName() string {
	if m.ctx.Moves != nil {
		return m.ctx.Moves.Name()
	}
	if mode := common.MoveModeOf(m.ctx.Plan); mode != nil {
		return mode.Name()
	}
	return ""
}

// statusLine is the quit prompt while q asks, else the latest message,
// else the latest edit's delta, else a hint.
func (m *Model) statusLine() string {
	st := m.ctx.Styles
	switch {
	case m.quitAsk != "":
		return st.Bad.Render(m.quitAsk)
	case m.status != "" && m.statusBad:
		return st.Bad.Render(m.status)
	case m.status != "":
		return st.Status.Render(m.status)
	case m.delta != nil:
		return m.deltaText(m.delta)
	}
	if m.ctx.ReadOnly {
		return st.Dim.Render("? all keys · enter opens · read-only: add -f or --scenario to edit")
	}
	if m.ctx.Moves != nil {
		return st.Dim.Render("? all keys · tab shows the moves · p keeps a guest in place · edits re-plan · u undoes")
	}
	return st.Dim.Render("? all keys · enter opens · edits re-plan through the planner · u undoes")
}

// deltaText: "move web-1 → kvm02: hosts 20→20 · cpu 85→86% · violations 0→1".
func (m *Model) deltaText(d *delta) string {
	st := m.ctx.Styles
	a, b := &d.before.Metrics, &d.after.Metrics
	parts := []string{fmt.Sprintf("hosts %d→%d", a.HostsUsed+0, b.HostsUsed)}
	changed := false
	for _, dim := range inventory.Dimensions {
		x, y := planner.Percent(a.Utilisation[dim], 1), planner.Percent(b.Utilisation[dim], 1)
		if x != y {
			parts = append(parts, fmt.Sprintf("%s %s→%s", dim, strings.TrimSuffix(x, "%"), y))
			changed = true
		}
	}
	if !changed {
		parts = append(parts, "use unchanged")
	}
	viol := fmt.Sprintf("violations %d→%d", a.Violations, b.Violations)
	if b.Violations > a.Violations {
		viol = st.Bad.Render(viol)
	}
	parts = append(parts, viol)
	if a.Unplaced != b.Unplaced {
		u := fmt.Sprintf("unplaced %d→%d", a.Unplaced, b.Unplaced)
		if b.Unplaced > a.Unplaced {
			u = st.Bad.Render(u)
		}
		parts = append(parts, u)
	}
	// In a plan with moves what the moves do comes first.
	parts = append(m.movesDelta(d.before.Moves, d.after.Moves), parts...)
	return st.Label.Render(d.label+":") + " " + strings.Join(parts, " · ")
}

// movesDelta is what an edit changed in the moves: "migrations 13→12 ·
// copies 570→530 GiB · freed 4→4" (nothing when either plan has none).
func (m *Model) movesDelta(x, y *planner.MoveSummary) []string {
	if x == nil || y == nil {
		return nil
	}
	st := m.ctx.Styles
	parts := []string{fmt.Sprintf("migrations %d→%d", x.Migrations, y.Migrations)}
	if x.Bytes != y.Bytes {
		parts = append(parts, fmt.Sprintf("copies %s→%s", planner.BytesText(x.Bytes), planner.BytesText(y.Bytes)))
	}
	if len(x.Freed)+len(y.Freed) > 0 {
		f := fmt.Sprintf("freed %d→%d", len(x.Freed), len(y.Freed))
		if len(y.Freed) < len(x.Freed) {
			f = st.Bad.Render(f)
		}
		parts = append(parts, f)
	}
	if len(x.Stuck) != len(y.Stuck) {
		s := fmt.Sprintf("cannot move %d→%d", len(x.Stuck), len(y.Stuck))
		if len(y.Stuck) > len(x.Stuck) {
			s = st.Bad.Render(s)
		}
		parts = append(parts, s)
	}
	return parts
}
