package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// lineIndex is the screen line (0 = the title bar) holding s, or -1.
func lineIndex(screen, s string) int {
	for i, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return i
		}
	}
	return -1
}

func click(x, y int) tea.MouseClickMsg {
	return tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft}
}

// TestMouse: a click selects the host row under it, a second click opens
// it, a click on the tabs switches them, and the wheel moves the cursor.
func TestMouse(t *testing.T) {
	h := start(t, "default", 120, 40)
	y := lineIndex(h.screen(), " kvm05 ")
	if y < 0 {
		t.Fatal("kvm05 is not on the screen")
	}
	h.send(click(10, y))
	if row := lineOf(h.screen(), " kvm05 "); !strings.Contains(row, "›") {
		t.Errorf("after a click on kvm05 its row lacks the cursor: %q", row)
	}
	if row := lineOf(h.screen(), " kvm01 "); strings.Contains(row, "›") {
		t.Errorf("kvm01 kept the cursor: %q", row)
	}
	h.send(click(10, y))
	mustContain(t, h.screen(), "Host kvm05")

	h.keys("esc")
	h.send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if row := lineOf(h.screen(), " kvm06 "); !strings.Contains(row, "›") {
		t.Errorf("the wheel did not move the cursor from kvm05 to kvm06: %q", row)
	}

	// The tabs line: the second tab's text is right of the first.
	s := h.screen()
	ty := lineIndex(s, "[Hosts (")
	tx := strings.Index(strings.Split(s, "\n")[ty], "New guests")
	h.send(click(tx+2, ty))
	mustContain(t, h.screen(), "[New guests (")
	h.send(click(1, ty))
	mustContain(t, h.screen(), "[Hosts (")
	// Right of both tabs (where grouping and the filter are shown) is not
	// a tab.
	h.send(click(110, ty))
	mustContain(t, h.screen(), "[Hosts (")

	// A click outside any row (the title bar, the metrics) does nothing.
	before := h.screen()
	h.send(click(5, 0), click(5, 2))
	if h.screen() != before {
		t.Error("a click on the title bar or the metrics changed the screen")
	}
}
