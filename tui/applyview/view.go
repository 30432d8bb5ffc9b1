package applyview

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/apply"
	"github.com/charmbracelet/x/ansi"
)

// Bar colours: green while nothing went wrong on the host, red once an
// action failed, amber when apply stopped before the host's work was done.
// The glyph before the host name says the same without colour.
const (
	colourOK      = "#5fd75f"
	colourFailed  = "#ff5f5f"
	colourStopped = "#ffaf00"
)

// state is what a host's row shows at a glance.
type state int

const (
	stateWorking state = iota // connecting or creating guests
	stateFailed               // an action failed, or the host cannot be reached
	stateStopped              // apply stopped (Ctrl-C) before the host's work was done
	stateWaiting              // queued for a worker
	stateDone                 // finished, every action done or already done
)

func (r *hostRow) state() state {
	e := r.last
	switch {
	case e.Finished && e.Failed > 0:
		return stateFailed
	case e.Finished && e.Done == e.Total:
		return stateDone
	case e.Finished:
		return stateStopped
	case e.Text == "waiting":
		return stateWaiting
	}
	return stateWorking
}

// finished counts the host's actions that need no more work in this run.
func finished(e apply.ProgressEvent) int { return e.Done + e.Failed + e.Interrupted }

// View implements tea.Model: the frame, drawn in place under the command
// line (no alternate screen), so the last one stays above the report. The
// display reads no input, so it asks for no bracketed paste either.
func (m Model) View() tea.View {
	v := tea.NewView(m.Frame())
	v.DisableBracketedPasteMode = true
	return v
}

// Frame draws a header and one row per host, as many as the terminal has
// lines for: hosts at work and hosts with failures first, then waiting
// ones, then finished ones, and a line counting those left out.
func (m Model) Frame() string {
	var b strings.Builder
	b.WriteString(m.header())
	b.WriteByte('\n')
	if m.note != "" {
		b.WriteString(ansi.Truncate(m.styles.Warn.Render(m.note), m.width, "…"))
		b.WriteByte('\n')
	}
	b.WriteString(m.movesFrame(max(1, m.height-3)))
	rows := m.visibleRows()
	nameWidth, most := 4, 0
	for _, r := range rows {
		nameWidth = max(nameWidth, min(len(r.name), 24))
		most = max(most, r.last.Total)
	}
	countWidth := 2*len(fmt.Sprint(most)) + 1 // "n/n"
	for _, r := range rows {
		b.WriteString(ansi.Truncate(m.row(r, nameWidth, countWidth), m.width, "…"))
		b.WriteByte('\n')
	}
	if hidden := len(m.hosts) - len(rows); hidden > 0 {
		b.WriteString(m.styles.Dim.Render("  … and " + planner.CountOf(hidden, "more host", "more hosts")))
		b.WriteByte('\n')
	}
	// While live, no newline after the last line (it would cost the
	// terminal a line); the last frame ends with one, so that what is
	// printed after the display starts on a line of its own.
	if m.done {
		return b.String()
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (m Model) header() string {
	var done, failed, interrupted, total, working int
	for _, r := range m.hosts {
		done += r.last.Done
		failed += r.last.Failed
		interrupted += r.last.Interrupted
		total += r.last.Total
		if r.state() == stateWorking {
			working++
		}
	}
	parts := m.movesHeader()
	if len(m.hosts) > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d of %s done", done, planner.CountOf(total, "action", "actions")))
	}
	if failed > 0 {
		parts = append(parts, m.styles.Bad.Render(fmt.Sprintf("%d failed", failed)))
	}
	if interrupted > 0 {
		parts = append(parts, m.styles.Warn.Render(fmt.Sprintf("%d interrupted", interrupted)))
	}
	if !m.done && len(m.hosts) > 0 {
		parts = append(parts, planner.CountOf(working, "host", "hosts")+" at work")
	}
	parts = append(parts, elapsed(m.now().Sub(m.start)))
	return ansi.Truncate(m.styles.Heading.Render("berth apply")+" · "+strings.Join(parts, " · "), m.width, "…")
}

// visibleRows picks the rows that fit in the terminal, keeping the order
// apply announced the hosts in within each state.
func (m Model) visibleRows() []*hostRow {
	// Lines left for rows: the header, the note, the "more" line and the
	// line the cursor stays on take theirs first; at least one row shows.
	room := m.height - 3 - min(m.moveLines(), max(1, m.height-3))
	if m.note != "" {
		room--
	}
	room = max(room, 1)
	if len(m.hosts) <= room+1 {
		return m.hosts
	}
	var out []*hostRow
	for _, s := range []state{stateWorking, stateFailed, stateStopped, stateWaiting, stateDone} {
		for _, r := range m.hosts {
			if len(out) < room && r.state() == s {
				out = append(out, r)
			}
		}
	}
	return out
}

func (m Model) row(r *hostRow, nameWidth, countWidth int) string {
	st := m.styles
	e := r.last
	var mark, doing string
	colour := colourOK
	switch r.state() {
	case stateWorking:
		mark = m.spinner.View()
		switch {
		case e.Guest != "":
			doing = e.Guest + ": " + e.Text
		case e.Text != "connecting" && r.guest != "":
			doing = r.guest + ": " + r.doing
		default:
			doing = e.Text
		}
	case stateWaiting:
		mark, doing = st.Dim.Render("·"), st.Dim.Render("waiting for a free worker (--parallel)")
	case stateDone:
		mark, doing = st.Good.Render("✓"), "done"
	case stateFailed:
		mark = st.Bad.Render("✗")
		doing = st.Bad.Render(e.Text)
		if e.Text == "finished" {
			doing = st.Bad.Render(fmt.Sprintf("%d failed", e.Failed)) + " (see the report below)"
		}
	case stateStopped:
		mark, colour = st.Warn.Render("■"), colourStopped
		doing = st.Warn.Render(e.Text) + fmt.Sprintf(" (%d not done)", e.Total-e.Done)
	}
	if e.Failed > 0 {
		colour = colourFailed
	}
	barWidth := 20
	if m.width < 80 {
		barWidth = 10
	}
	bar := progress.New(progress.WithWidth(barWidth), progress.WithoutPercentage(),
		progress.WithFillCharacters(progress.DefaultFullCharFullBlock, progress.DefaultEmptyCharBlock),
		progress.WithColors(lipgloss.Color(colour)))
	share := 0.0
	if e.Total > 0 {
		share = float64(finished(e)) / float64(e.Total)
	}
	name := ansi.Truncate(r.name, nameWidth, "…")
	return fmt.Sprintf(" %s %-*s  %s  %*s  %s", mark, nameWidth, name, bar.ViewAs(share), countWidth, fmt.Sprintf("%d/%d", finished(e), e.Total), doing)
}

// elapsed is d to the millisecond under a second, to a tenth above.
func elapsed(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
