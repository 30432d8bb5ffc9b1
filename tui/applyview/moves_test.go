package applyview

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/berth-dev/berth/planner/apply"
)

// moveEvent is an event of move i (guest web-i, a → b) in wave w.
func moveEvent(i, w int, text string, o apply.Outcome, done int, sent, total uint64) apply.ProgressEvent {
	return apply.ProgressEvent{Host: "kvm-b", Guest: fmt.Sprintf("web-%d", i), Text: text, Outcome: o,
		Move: &apply.MoveEvent{Index: i, Wave: w, Waves: 2, From: "kvm-a", To: "kvm-b", Live: true,
			Processed: sent, Total: total, Moves: 6, Done: done}}
}

func waveEvent(w int, text string, finished bool, done int) apply.ProgressEvent {
	return apply.ProgressEvent{Text: text, Finished: finished, Move: &apply.MoveEvent{Index: -1, Wave: w, Waves: 2, Moves: 6, Done: done}}
}

// twoWaves is a drain half-way: wave 1's three moves done, wave 2 with
// one migration sending, one done and one waiting for its turn.
func twoWaves(m Model) Model {
	const mib = 1 << 20
	evs := []apply.ProgressEvent{waveEvent(1, "checking", false, 0)}
	for i := 1; i <= 3; i++ {
		evs = append(evs, moveEvent(i, 1, "waiting", "", 0, 0, 0))
	}
	for i := 1; i <= 3; i++ {
		evs = append(evs, moveEvent(i, 1, "done: migrated live from kvm-a in 3.1s", apply.OutcomeDone, i, 0, 0))
	}
	evs = append(evs, waveEvent(1, "done", true, 3), waveEvent(2, "checking", false, 3))
	for i := 4; i <= 6; i++ {
		evs = append(evs, moveEvent(i, 2, "waiting", "", 3, 0, 0))
	}
	evs = append(evs,
		withRemaining(moveEvent(4, 2, "8.0 MiB sent, 24 MiB left", "", 3, 8*mib, 32*mib), 24*mib),
		moveEvent(5, 2, "done: migrated live from kvm-a in 2.9s", apply.OutcomeDone, 4, 0, 0),
	)
	return send(m, evs...)
}

func TestViewMoves(t *testing.T) {
	for _, width := range []int{80, 120} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			s := screen(twoWaves(plainModel(width, 24)))
			golden(t, fmt.Sprintf("moves-%d", width), s)
			mustHave(t, s, "berth apply · 4 of 6 moves done · wave 2 of 2 · 2.3s")
			if strings.Contains(s, "actions done") || strings.Contains(s, "at work") {
				t.Errorf("a plan with moves only: the header counts actions or hosts:\n%s", s)
			}
			mustHave(t, waveLineOf(s, 1), "✓", "3 moves done")
			for i := 1; i <= 3; i++ {
				if line(s, fmt.Sprintf("web-%d ", i)) != "" {
					t.Errorf("wave 1 is done and folded, but web-%d has a row:\n%s", i, s)
				}
			}
			// A quarter sent: a quarter of the bar.
			if n, want := strings.Count(line(s, "web-4"), "█"), barCells(width)/4; n != want {
				t.Errorf("web-4's bar has %d full cells, want %d: %q", n, want, line(s, "web-4"))
			}
			mustHave(t, line(s, "web-4"), "kvm-a → kvm-b", "8.0 MiB of 32 MiB sent")
			if width > 80 {
				mustHave(t, line(s, "web-4"), "24 MiB left")
			}
			mustHave(t, waveLineOf(s, 2), "moving")
			mustHave(t, line(s, "web-5"), "✓", "done: migrated live")
			mustHave(t, line(s, "web-6"), "·", "waiting")
			for _, l := range strings.Split(s, "\n") {
				if w := lipgloss.Width(l); w > width {
					t.Errorf("line wider than the terminal (%d > %d): %q", w, width, l)
				}
			}
		})
	}
}

// TestViewMovesStopped: a wave that stopped is not folded: its line says
// why, its moves show failed and interrupted, and the header counts them.
func TestViewMovesStopped(t *testing.T) {
	m := send(plainModel(100, 24),
		waveEvent(1, "checking", false, 0),
		moveEvent(1, 1, "failed: aborted after the migration timeout", apply.OutcomeFailed, 0, 0, 0),
		moveEvent(2, 1, "interrupted: aborted (apply was interrupted)", apply.OutcomeInterrupted, 0, 0, 0),
		waveEvent(1, "stopped: not every move ended on its destination", true, 0),
	)
	s := screen(m)
	mustHave(t, s, "0 of 6 moves done", "1 failed", "1 interrupted")
	mustHave(t, waveLineOf(s, 1), "stopped: not every move ended")
	mustHave(t, line(s, "web-1"), "✗")
	mustHave(t, line(s, "web-2"), "■")
}

// TestViewManyMoves: a wave of more moves than lines shows the moves at
// work first and counts the others, and the frame fits the terminal.
func TestViewManyMoves(t *testing.T) {
	evs := []apply.ProgressEvent{waveEvent(1, "checking", false, 0)}
	for i := 1; i <= 30; i++ {
		evs = append(evs, moveEvent(i, 1, "waiting", "", 0, 0, 0))
	}
	evs = append(evs, moveEvent(27, 1, "1.0 MiB sent, 31 MiB left", "", 0, 1<<20, 32<<20))
	s := screen(send(plainModel(100, 10), evs...))
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 9 {
		t.Errorf("%d lines on a 10-line terminal, want at most 9:\n%s", len(lines), s)
	}
	if !strings.Contains(lines[2], "web-27") {
		t.Errorf("the move at work is not the first row:\n%s", s)
	}
	mustHave(t, lines[len(lines)-1], "more moves")
}

func withRemaining(e apply.ProgressEvent, left uint64) apply.ProgressEvent {
	e.Move.Remaining = left
	return e
}

// waveLineOf is the line of wave n.
func waveLineOf(screen string, n int) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(l, fmt.Sprintf(" wave %d ", n)) {
			return l
		}
	}
	return ""
}
