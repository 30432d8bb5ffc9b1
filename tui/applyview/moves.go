package applyview

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/progress"
	"charm.land/lipgloss/v2"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/apply"
	"github.com/charmbracelet/x/ansi"
	"github.com/dustin/go-humanize"
)

// The moves of a plan are shown above the hosts' rows, wave by wave: a
// wave whose moves are all done folds into one line; the others show a
// row per move with its hosts, a bar of the data its live migration has
// sent (libvirt's job statistics: processed out of total) and what it is
// doing.

// moveRow is one move, with its latest event.
type moveRow struct {
	last apply.ProgressEvent
}

// waveRow is one wave: its latest event of its own, and its moves in the
// order apply announced them.
type waveRow struct {
	n     int
	last  apply.ProgressEvent
	moves []*moveRow
}

// moves is the display's state of the plan's moves.
type moves struct {
	waves  []*waveRow
	byWave map[int]*waveRow
	byIdx  map[int]*moveRow
	// last is the latest move event, for the counts of the header.
	last *apply.MoveEvent
}

// withMove records e, an event of the plan's moves.
func (m Model) withMove(e apply.ProgressEvent) Model {
	mv := &m.moves
	if mv.byWave == nil {
		mv.byWave, mv.byIdx = map[int]*waveRow{}, map[int]*moveRow{}
	}
	me := *e.Move
	mv.last = &me
	w := mv.byWave[me.Wave]
	if w == nil {
		w = &waveRow{n: me.Wave}
		mv.byWave[me.Wave] = w
		mv.waves = append(mv.waves, w)
	}
	if me.Index < 0 {
		w.last = e
		return m
	}
	r := mv.byIdx[me.Index]
	if r == nil {
		r = &moveRow{}
		mv.byIdx[me.Index] = r
		w.moves = append(w.moves, r)
	}
	r.last = e
	return m
}

// folded reports whether wave w shows as one line: it ended with every
// move done.
func (w *waveRow) folded() bool {
	if !w.last.Finished {
		return false
	}
	for _, r := range w.moves {
		if o := r.last.Outcome; o != apply.OutcomeDone && o != apply.OutcomeSkipped {
			return false
		}
	}
	return true
}

// moveLines is how many lines the moves take, unbounded.
func (m Model) moveLines() int {
	n := 0
	for _, w := range m.moves.waves {
		n++
		if !w.folded() {
			n += len(w.moves)
		}
	}
	return n
}

// movesFrame draws the moves in at most room lines: a line per wave, and
// the rows of the waves not folded, moves at work first when they do not
// all fit, then a line counting those left out. Each line ends with a
// newline.
func (m Model) movesFrame(room int) string {
	var rows []*moveRow
	for _, w := range m.moves.waves {
		if !w.folded() {
			rows = append(rows, w.moves...)
		}
	}
	// When they do not all fit, the moves at work come first, then the
	// others, each in the order apply announced them.
	var shown []*moveRow
	if left := room - len(m.moves.waves); len(rows) > left {
		left = max(0, left-1) // the "more" line
		for _, atWork := range []bool{true, false} {
			for _, r := range rows {
				if len(shown) < left && (r.last.Outcome == "" && r.last.Text != "waiting") == atWork {
					shown = append(shown, r)
				}
			}
		}
	} else {
		shown = rows
	}
	nameWidth := 4
	for _, r := range rows {
		nameWidth = max(nameWidth, min(len(r.last.Guest), 24))
	}
	var b strings.Builder
	for _, w := range m.moves.waves {
		b.WriteString(ansi.Truncate(m.waveLine(w), m.width, "…"))
		b.WriteByte('\n')
		if w.folded() {
			continue
		}
		for _, r := range shown {
			if slices.Contains(w.moves, r) {
				b.WriteString(ansi.Truncate(m.moveLine(r, nameWidth), m.width, "…"))
				b.WriteByte('\n')
			}
		}
	}
	if hidden := len(rows) - len(shown); hidden > 0 {
		b.WriteString(m.styles.Dim.Render("   … and " + planner.CountOf(hidden, "more move", "more moves")))
		b.WriteByte('\n')
	}
	return b.String()
}

func (m Model) waveLine(w *waveRow) string {
	st := m.styles
	label := st.Heading.Render(fmt.Sprintf(" wave %d", w.n))
	switch {
	case w.folded():
		return label + "  " + st.Good.Render("✓") + " " + planner.CountOf(len(w.moves), "move", "moves") + " done"
	case w.last.Finished:
		return label + "  " + st.Warn.Render(w.last.Text)
	}
	for _, r := range w.moves {
		if r.last.Outcome != "" || r.last.Text != "waiting" {
			return label + "  moving"
		}
	}
	return label + "  " + w.last.Text
}

func (m Model) moveLine(r *moveRow, nameWidth int) string {
	st := m.styles
	e, me := r.last, r.last.Move
	var mark string
	colour, share := colourOK, 0.0
	switch e.Outcome {
	case apply.OutcomeDone, apply.OutcomeSkipped:
		mark, share = st.Good.Render("✓"), 1
	case apply.OutcomeFailed:
		mark, colour = st.Bad.Render("✗"), colourFailed
	case apply.OutcomeInterrupted:
		mark, colour = st.Warn.Render("■"), colourStopped
	case apply.OutcomeNotAttempted:
		mark = st.Dim.Render("·")
	default:
		mark = m.spinner.View()
		if e.Text == "waiting" {
			mark = st.Dim.Render("·")
		}
	}
	if e.Outcome == "" && me.Total > 0 {
		share = min(1, float64(me.Processed)/float64(me.Total))
	}
	barWidth := 20
	if m.width < 80 {
		barWidth = 10
	}
	bar := progress.New(progress.WithWidth(barWidth), progress.WithoutPercentage(),
		progress.WithFillCharacters(progress.DefaultFullCharFullBlock, progress.DefaultEmptyCharBlock),
		progress.WithColors(lipgloss.Color(colour)))
	text := e.Text
	if me.Total > 0 && e.Outcome == "" {
		text = fmt.Sprintf("%s of %s sent, %s left", humanize.IBytes(me.Processed), humanize.IBytes(me.Total), humanize.IBytes(me.Remaining))
	}
	name := ansi.Truncate(e.Guest, nameWidth, "…")
	return fmt.Sprintf("   %s %-*s  %s → %s  %s  %s", mark, nameWidth, name, me.From, me.To, bar.ViewAs(share), text)
}

// movesHeader is the moves' part of the header: how many are done, failed
// and interrupted, and the wave at work.
func (m Model) movesHeader() []string {
	last := m.moves.last
	if last == nil {
		return nil
	}
	var failed, interrupted int
	for _, r := range m.moves.byIdx {
		switch r.last.Outcome {
		case apply.OutcomeFailed:
			failed++
		case apply.OutcomeInterrupted:
			interrupted++
		}
	}
	parts := []string{fmt.Sprintf("%d of %s done", last.Done, planner.CountOf(last.Moves, "move", "moves"))}
	if failed > 0 {
		parts = append(parts, m.styles.Bad.Render(fmt.Sprintf("%d failed", failed)))
	}
	if interrupted > 0 {
		parts = append(parts, m.styles.Warn.Render(fmt.Sprintf("%d interrupted", interrupted)))
	}
	if w := m.moves.waves[len(m.moves.waves)-1]; !m.done && !w.last.Finished {
		parts = append(parts, fmt.Sprintf("wave %d of %d", w.n, last.Waves))
	}
	return parts
}
