package applyview

import (
	"fmt"
	"strings"
	"time"

	"github.com/berth-dev/berth/planner"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/x/ansi"
)

// Bar colours: green while nothing failed on the host, red once something
// did. The glyph before the host name says the same without colour.
const (
	colourOK     = "#5fd75f"
	colourFailed = "#ff5f5f"
)

// state is what a host's row shows at a glance.
type state int

const (
	stateWorking state = iota // connecting or creating guests
	stateFailed               // finished with failures, or cannot connect
	stateWaiting              // queued for a worker
	stateDone                 // finished, nothing failed
)

func (r *hostRow) state() state {
	e := r.last
	switch {
	case e.Finished && (e.Failed > 0 || e.Done < e.Total):
		return stateFailed
	case e.Finished:
		return stateDone
	case e.Text == "waiting":
		return stateWaiting
	}
	return stateWorking
}

// View draws a header and one row per host, as many as the terminal has
// lines for: hosts at work and hosts with failures first, then waiting
// ones, then finished ones, and a line counting those left out.
func (m Model) View() string {
	var b strings.Builder
	b.WriteString(m.header())
	b.WriteByte('\n')
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
	return b.String()
}

func (m Model) header() string {
	var done, failed, total, working int
	for _, r := range m.hosts {
		done += r.last.Done - r.last.Failed
		failed += r.last.Failed
		total += r.last.Total
		if r.state() == stateWorking {
			working++
		}
	}
	parts := []string{fmt.Sprintf("%d of %s done", done, planner.CountOf(total, "action", "actions"))}
	if failed > 0 {
		parts = append(parts, m.styles.Bad.Render(fmt.Sprintf("%d failed", failed)))
	}
	if !m.done {
		parts = append(parts, planner.CountOf(working, "host", "hosts")+" at work")
	}
	parts = append(parts, elapsed(m.now().Sub(m.start)))
	return ansi.Truncate(m.styles.Heading.Render("berth apply")+" · "+strings.Join(parts, " · "), m.width, "…")
}

// visibleRows picks the rows that fit in the terminal, keeping the order
// apply announced the hosts in within each state.
func (m Model) visibleRows() []*hostRow {
	room := max(m.height-3, 1) // the header, the "more" line, the cursor line
	if len(m.hosts) <= room+1 {
		return m.hosts
	}
	var out []*hostRow
	for _, s := range []state{stateWorking, stateFailed, stateWaiting, stateDone} {
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
		mark, colour = st.Bad.Render("✗"), colourFailed
		doing = st.Bad.Render(e.Text)
		if e.Text == "finished" {
			doing = st.Bad.Render(fmt.Sprintf("%d failed", e.Failed)) + " (see the report below)"
		}
	}
	if e.Failed > 0 {
		colour = colourFailed
	}
	barWidth := 20
	if m.width < 80 {
		barWidth = 10
	}
	bar := progress.New(progress.WithWidth(barWidth), progress.WithoutPercentage(),
		progress.WithSolidFill(colour), progress.WithColorProfile(st.Renderer.ColorProfile()))
	share := 0.0
	if e.Total > 0 {
		share = float64(e.Done) / float64(e.Total)
	}
	name := ansi.Truncate(r.name, nameWidth, "…")
	return fmt.Sprintf(" %s %-*s  %s  %*s  %s", mark, nameWidth, name, bar.ViewAs(share), countWidth, fmt.Sprintf("%d/%d", e.Done, e.Total), doing)
}

// elapsed is d to the millisecond under a second, to a tenth above.
func elapsed(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
