package applyview

import (
	"flag"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/berth-dev/berth/internal/goldenfile"
	"github.com/berth-dev/berth/planner/apply"
	"github.com/berth-dev/berth/tui/styles"
	"github.com/charmbracelet/x/ansi"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// screen is m's frame as a terminal without colour shows it.
func screen(m Model) string { return ansi.Strip(m.Frame()) }

// plainModel is a display at width×height, whose clock reads 2.3 s after
// the start.
func plainModel(width, height int) Model {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := t0
	m := New(styles.New(true), func() time.Time { return clock })
	clock = t0.Add(2300 * time.Millisecond)
	next, _ := m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	return next.(Model)
}

func send(m Model, events ...apply.ProgressEvent) Model {
	for _, e := range events {
		next, _ := m.Update(EventMsg(e))
		m = next.(Model)
	}
	return m
}

// fourHosts is apply half-way: kvm01 done, kvm02 creating its second
// guest, kvm03 unreachable, kvm04 waiting for a worker.
func fourHosts(m Model) Model {
	return send(m,
		apply.ProgressEvent{Host: "kvm01", Text: "waiting", Total: 2},
		apply.ProgressEvent{Host: "kvm02", Text: "waiting", Total: 3},
		apply.ProgressEvent{Host: "kvm03", Text: "waiting", Total: 1},
		apply.ProgressEvent{Host: "kvm04", Text: "waiting", Total: 2},
		apply.ProgressEvent{Host: "kvm01", Text: "connecting", Total: 2},
		apply.ProgressEvent{Host: "kvm01", Guest: "web-1", Text: "done", Done: 1, Total: 2, Outcome: apply.OutcomeDone},
		apply.ProgressEvent{Host: "kvm01", Guest: "web-2", Text: "done", Done: 2, Total: 2, Outcome: apply.OutcomeDone},
		apply.ProgressEvent{Host: "kvm01", Text: "finished", Done: 2, Total: 2, Finished: true},
		apply.ProgressEvent{Host: "kvm02", Text: "connecting", Total: 3},
		apply.ProgressEvent{Host: "kvm02", Guest: "db-1", Text: "done", Done: 1, Total: 3, Outcome: apply.OutcomeDone},
		apply.ProgressEvent{Host: "kvm02", Guest: "db-2", Text: "volume berth-pool/db-2.qcow2 created (12ms)", Done: 1, Total: 3},
		apply.ProgressEvent{Host: "kvm03", Text: "connecting", Total: 1},
		apply.ProgressEvent{Host: "kvm03", Guest: "cache-1", Text: "failed: cannot connect: no route to host", Total: 1, Failed: 1, Outcome: apply.OutcomeFailed},
		apply.ProgressEvent{Host: "kvm03", Text: "cannot connect: no route to host", Total: 1, Failed: 1, Finished: true},
	)
}

func TestViewHalfWay(t *testing.T) {
	for _, width := range []int{80, 120} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			s := screen(fourHosts(plainModel(width, 24)))
			golden(t, fmt.Sprintf("halfway-%d", width), s)
			// 3 of 8 done (kvm01's two, kvm02's first), kvm03's one failed.
			mustHave(t, s, "3 of 8 actions done", "1 failed", "1 host at work", "2.3s")
			mustHave(t, line(s, "kvm01"), "✓", "2/2", "done")
			mustHave(t, line(s, "kvm02"), "1/3", "db-2: volume berth-pool/db-2.qcow2 created")
			mustHave(t, line(s, "kvm03"), "✗", "1/1", "cannot connect: no route to host")
			mustHave(t, line(s, "kvm04"), "·", "0/2", "waiting")
			for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
				if w := lipgloss.Width(l); w > width {
					t.Errorf("line wider than the terminal (%d > %d): %q", w, width, l)
				}
			}
			// A bar shows the host's share of actions done: full for
			// kvm01, a third for kvm02, empty for kvm04.
			if n := strings.Count(line(s, "kvm01"), "█"); n != barCells(width) {
				t.Errorf("kvm01's bar has %d full cells, want %d", n, barCells(width))
			}
			if n, want := strings.Count(line(s, "kvm02"), "█"), int(math.Round(float64(barCells(width))/3)); n != want {
				t.Errorf("kvm02's bar has %d full cells, want %d", n, want)
			}
			if n := strings.Count(line(s, "kvm04"), "█"); n != 0 {
				t.Errorf("kvm04's bar has %d full cells, want none", n)
			}
		})
	}
}

func barCells(width int) int {
	if width < 80 {
		return 10
	}
	return 20
}

// TestViewKeepsGuestWhileHostSpeaks: after a guest's step, a host-level
// event does not wipe what the row says about the guest.
func TestViewKeepsGuestWhileHostSpeaks(t *testing.T) {
	m := send(plainModel(100, 24),
		apply.ProgressEvent{Host: "kvm01", Text: "waiting", Total: 1},
		apply.ProgressEvent{Host: "kvm01", Guest: "web-1", Text: "defined (3ms)", Total: 1},
		apply.ProgressEvent{Host: "kvm01", Text: "was defined by an earlier run", Total: 1},
	)
	mustHave(t, line(screen(m), "kvm01"), "web-1: defined (3ms)")
}

// TestViewManyHosts: with more hosts than lines, the hosts at work and
// the failed ones are shown first, and a line counts the rest.
func TestViewManyHosts(t *testing.T) {
	m := plainModel(100, 10)
	var evs []apply.ProgressEvent
	for i := 1; i <= 30; i++ {
		evs = append(evs, apply.ProgressEvent{Host: fmt.Sprintf("kvm%02d", i), Text: "waiting", Total: 1})
	}
	for i := 1; i <= 20; i++ {
		evs = append(evs, apply.ProgressEvent{Host: fmt.Sprintf("kvm%02d", i), Text: "finished", Done: 1, Total: 1, Finished: true})
	}
	evs = append(evs,
		apply.ProgressEvent{Host: "kvm25", Text: "connecting", Total: 1},
		apply.ProgressEvent{Host: "kvm29", Text: "cannot connect: timeout", Total: 1, Failed: 1, Finished: true})
	s := screen(send(m, evs...))
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 10-1 {
		t.Errorf("%d lines on a 10-line terminal, want at most 9 (one for the cursor):\n%s", len(lines), s)
	}
	if tiny := strings.Split(screen(send(plainModel(100, 3), evs...)), "\n"); len(tiny) > 3 || !strings.Contains(tiny[0], "berth apply") {
		t.Errorf("on a 3-line terminal the frame must keep its header and fit: %q", tiny)
	}
	if !strings.Contains(lines[1], "kvm25") || !strings.Contains(lines[2], "kvm29") || !strings.Contains(lines[3], "kvm21") {
		t.Errorf("want kvm25 (at work), kvm29 (failed), then waiting kvm21 first:\n%s", s)
	}
	mustHave(t, lines[len(lines)-1], "… and 23 more hosts")
}

// TestViewInterrupted: after Ctrl-C, a host whose action was interrupted
// and one never started are shown stopped, not done and not failed, and
// the header counts the interrupted action.
func TestViewInterrupted(t *testing.T) {
	m := send(plainModel(100, 24),
		apply.ProgressEvent{Host: "kvm01", Text: "waiting", Total: 2},
		apply.ProgressEvent{Host: "kvm02", Text: "waiting", Total: 1},
		apply.ProgressEvent{Host: "kvm01", Guest: "web-1", Text: "interrupted", Total: 2, Interrupted: 1, Outcome: apply.OutcomeInterrupted},
		apply.ProgressEvent{Host: "kvm01", Text: "stopped: apply was interrupted", Total: 2, Interrupted: 1, Finished: true},
		apply.ProgressEvent{Host: "kvm02", Text: "not started: apply was interrupted", Total: 1, Finished: true},
	)
	m = send(m)
	next, _ := m.Update(NoteMsg("interrupted: finishing the steps in flight"))
	next, _ = next.Update(DoneMsg{})
	s := screen(next.(Model))
	mustHave(t, s, "0 of 3 actions done", "1 interrupted")
	if l := strings.Split(s, "\n"); len(l) < 2 || l[1] != "interrupted: finishing the steps in flight" {
		t.Errorf("the note is not the line under the header:\n%s", s)
	}
	if strings.Contains(s, "failed") {
		t.Errorf("nothing failed, but the screen says so:\n%s", s)
	}
	mustHave(t, line(s, "kvm01"), "■", "1/2", "stopped: apply was interrupted (2 not done)")
	mustHave(t, line(s, "kvm02"), "■", "0/1", "not started: apply was interrupted (1 not done)")
	for _, host := range []string{"kvm01", "kvm02"} {
		if l := line(s, host); strings.Contains(l, "✓") || strings.Contains(l, "✗") {
			t.Errorf("%s is shown done or failed: %q", host, l)
		}
	}
}

func TestDoneQuits(t *testing.T) {
	next, cmd := plainModel(80, 24).Update(DoneMsg{})
	if cmd == nil {
		t.Fatal("DoneMsg returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("DoneMsg does not quit the program")
	}
	if s := screen(next.(Model)); strings.Contains(s, "at work") {
		t.Errorf("the final frame still counts hosts at work: %q", s)
	}
	// The last frame ends its last line, so the report printed after it
	// does not start on (and overwrite) the display's last row; live
	// frames do not, so as not to cost the terminal a line.
	if s := screen(next.(Model)); !strings.HasSuffix(s, "\n") {
		t.Errorf("the final frame does not end with a newline: %q", s)
	}
	if s := screen(fourHosts(plainModel(80, 24))); strings.HasSuffix(s, "\n") {
		t.Errorf("a live frame ends with a newline: %q", s)
	}
}

func line(screen, s string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func mustHave(t *testing.T, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%q lacks %q", s, w)
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name+".golden"), []byte(got), *update)
}
