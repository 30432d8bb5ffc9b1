package tui

import (
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/berth-dev/berth/planner"
)

// press sends one key straight to Update and reports whether the command
// it returns quits the program (the command is not run otherwise).
func (h *harness) press(k string) (quits bool) {
	h.t.Helper()
	_, cmd := h.m.Update(keyMsg(k))
	if cmd == nil {
		return false
	}
	if _, ok := cmd().(tea.QuitMsg); ok {
		return true
	}
	h.run(cmd)
	return false
}

const quitPrompt = "q again quits without saving, s saves, esc stays"

// statusOf is the status line of the screen (the line above the help).
func (h *harness) statusOf() string {
	h.t.Helper()
	lines := strings.Split(h.screen(), "\n")
	return lines[len(lines)-1-h.m.helpHeight()]
}

// TestQuitAsksWhenUnsaved: q quits at once unless the plan differs from
// the last one saved (or the one opened with), then asks first.
func TestQuitAsksWhenUnsaved(t *testing.T) {
	save := func(h *harness) {
		h.keys("s", "ctrl+u")
		h.typeText(filepath.Join(t.TempDir(), "plan.json"))
		h.keys("enter")
		mustContain(t, h.screen(), "saved plan "+h.m.Plan().ID)
	}

	t.Run("no edits", func(t *testing.T) {
		h := start(t, "default", 80, 24)
		if !h.press("q") {
			t.Fatal("q without edits did not quit")
		}
	})

	t.Run("one edit asks, second q quits", func(t *testing.T) {
		h := start(t, "default", 80, 24)
		h.keys("x")
		mustContain(t, h.screen(), "exclude kvm01:", "1 edit")
		if h.press("q") {
			t.Fatal("q with an unsaved edit quit at once")
		}
		if got := h.statusOf(); !strings.Contains(got, "unsaved edits (1): "+quitPrompt) {
			t.Fatalf("status line %q lacks the quit prompt", got)
		}
		if !h.press("q") {
			t.Fatal("second q did not quit")
		}
	})

	t.Run("count of edits", func(t *testing.T) {
		h := start(t, "default", 80, 24)
		h.keys("x", "j", "x", "j", "x")
		h.press("q")
		mustContain(t, h.statusOf(), "unsaved edits (3): ")
	})

	t.Run("edit, save, q", func(t *testing.T) {
		h := start(t, "default", 80, 24)
		h.keys("x")
		save(h)
		if !h.press("q") {
			t.Fatal("q after saving did not quit at once")
		}
	})

	t.Run("save, edit, undo, q", func(t *testing.T) {
		h := start(t, "default", 80, 24)
		h.keys("x")
		save(h)
		h.keys("j", "x", "u")
		if !h.press("q") {
			t.Fatal("q after undoing back to the saved plan did not quit at once")
		}
	})

	t.Run("edit, undo, q", func(t *testing.T) {
		h := start(t, "default", 80, 24)
		h.keys("x", "u")
		mustContain(t, h.screen(), "undo:")
		if !h.press("q") {
			t.Fatal("q after undoing back to the start did not quit at once")
		}
	})

	t.Run("save undone", func(t *testing.T) {
		h := start(t, "default", 80, 24)
		h.keys("x")
		save(h)
		h.keys("u")
		if h.press("q") {
			t.Fatal("q after undoing the saved edit quit at once")
		}
		mustContain(t, h.statusOf(), "unsaved edits (1): ")
	})

	t.Run("esc cancels", func(t *testing.T) {
		h := start(t, "default", 80, 24)
		h.keys("x")
		if h.press("q") {
			t.Fatal("q with an unsaved edit quit at once")
		}
		if h.press("esc") {
			t.Fatal("esc at the prompt quit")
		}
		s := h.screen()
		if strings.Contains(s, quitPrompt) {
			t.Fatalf("esc left the prompt on screen:\n%s", s)
		}
		mustContain(t, s, "[Hosts (20)]")
		// Asked again, not quit: the prompt was cancelled, not answered.
		if h.press("q") {
			t.Fatal("q after esc quit at once with the edit still unsaved")
		}
		mustContain(t, h.statusOf(), quitPrompt)
	})

	t.Run("another key cancels", func(t *testing.T) {
		h := start(t, "default", 80, 24)
		h.keys("x")
		h.press("q")
		if h.press("j") {
			t.Fatal("j at the prompt quit")
		}
		if strings.Contains(h.screen(), quitPrompt) {
			t.Fatal("j left the prompt on screen")
		}
	})

	t.Run("s saves then q quits", func(t *testing.T) {
		h := start(t, "default", 80, 24)
		h.keys("x")
		h.press("q")
		h.press("s")
		mustContain(t, h.screen(), "plan.json")
		h.keys("ctrl+u")
		h.typeText(filepath.Join(t.TempDir(), "plan.json"))
		h.keys("enter")
		mustContain(t, h.screen(), "saved plan "+h.m.Plan().ID)
		if !h.press("q") {
			t.Fatal("q after saving from the prompt did not quit at once")
		}
	})

	t.Run("ctrl+c quits at once", func(t *testing.T) {
		h := start(t, "default", 80, 24)
		h.keys("x")
		if !h.press("ctrl+c") {
			t.Fatal("ctrl+c with an unsaved edit did not quit at once")
		}
	})

	t.Run("read-only", func(t *testing.T) {
		m, err := New(Options{Plan: reference(t, "tight", nil)})
		if err != nil {
			t.Fatal(err)
		}
		h := &harness{t: t, m: m}
		h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
		h.keys("x")
		if !h.press("q") {
			t.Fatal("q in read-only mode did not quit at once")
		}
	})
}

// TestQuitAsksWhenReopenedPlanChanged: a plan reopened with a scenario that
// now plans differently is not what the file holds, so q asks.
func TestQuitAsksWhenReopenedPlanChanged(t *testing.T) {
	for _, tc := range []struct {
		name     string
		expectID func(current string) string
		asks     bool
	}{
		{"same plan", func(id string) string { return id }, false},
		{"scenario changed", func(string) string { return "000000000000" }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fresh, err := planner.New(embedded(t, "default")).Plan()
			if err != nil {
				t.Fatal(err)
			}
			m, err := New(Options{Planner: planner.New(embedded(t, "default")),
				SavePath: filepath.Join(t.TempDir(), "plan.json"), ExpectID: tc.expectID(fresh.ID)})
			if err != nil {
				t.Fatal(err)
			}
			h := &harness{t: t, m: m}
			h.run(m.Init())
			h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
			if quits := h.press("q"); quits == tc.asks {
				t.Errorf("q quit = %v, want %v", quits, !tc.asks)
			}
		})
	}
}
