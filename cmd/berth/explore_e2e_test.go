package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/planner"
)

// TestExploreEndToEnd runs the real binary in a terminal (tmux) and checks
// what a user sees: the fleet view, a host's detail, an edit and its undo,
// saving, quitting, and colour only when allowed.
func TestExploreEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds berth and runs it under tmux")
	}
	bin := berthBinary(t)
	dir := t.TempDir()
	env := []string{"TERM=xterm-256color", "NO_COLOR=1", "XDG_CONFIG_HOME=" + dir, "HOME=" + dir}

	p := startBerth(t, bin, "", env, "explore")
	s := p.waitFor("fleet view", "berth explore · default", "lower bound", "kvm01", "kvm20", "Failover")
	if row := lineWith(s, "kvm01"); !strings.Contains(row, "›") || !strings.Contains(row, "%") {
		t.Errorf("kvm01's row lacks the cursor or its percentages: %q", row)
	}
	if strings.Contains(p.capture(true), "\x1b[38;") {
		t.Error("colour on screen although NO_COLOR is set")
	}

	p.keys("Enter")
	p.waitFor("host detail", "Host kvm01", "residual:", "OFFERED", "SCORE align", "when placed", "keep ", "new ")
	p.keys("Escape")
	p.waitFor("back to the fleet", "[Hosts (20)]")

	p.keys("x")
	p.waitFor("exclude kvm01", "exclude kvm01:", "1 edit")
	p.keys("u")
	p.waitFor("undo", "undo:")

	out := filepath.Join(dir, "saved.json")
	p.keys("s", "C-u", out, "Enter")
	p.waitFor("save", "saved plan", out)
	if _, err := planner.ReadPlanFile(out); err != nil {
		t.Errorf("the saved plan does not read back: %v", err)
	}

	// Keys that arrive in one read (send-keys writes "jjj" at once) are
	// each a key: three rows down, then enter opens that host.
	p.keys("jjj")
	p.waitFor("jjj moves the cursor to kvm04", "›   kvm04")
	p.keys("Enter")
	p.waitFor("enter after jjj", "Host kvm04")
	p.keys("Escape")
	p.waitFor("back to the fleet", "[Hosts (20)]")

	// The mouse (an SGR mouse report, as a terminal sends it): a click
	// selects kvm05's row, a second click opens it.
	row := -1
	for i, l := range strings.Split(p.capture(false), "\n") {
		if strings.Contains(l, " kvm05 ") {
			row = i + 1 // terminal rows count from 1
		}
	}
	if row < 0 {
		t.Fatal("kvm05 is not on the screen")
	}
	clickAt := fmt.Sprintf("\x1b[<0;12;%dM", row)
	p.keys("-l", clickAt)
	p.waitFor("a click selects kvm05", "›   kvm05")
	p.keys("-l", clickAt)
	p.waitFor("a second click opens kvm05", "Host kvm05")
	p.keys("Escape")
	p.waitFor("back to the fleet", "[Hosts (20)]")

	p.keys("q")
	p.waitFor("quit", "EXIT=0")

	// With colour allowed, the same screen is coloured.
	colour := startBerth(t, bin, "", []string{"TERM=xterm-256color", "COLORTERM=truecolor", "XDG_CONFIG_HOME=" + dir, "HOME=" + dir}, "explore")
	colour.waitFor("fleet view in colour", "kvm01")
	if !strings.Contains(colour.capture(true), "\x1b[38;") {
		t.Error("no colour on screen in a colour terminal without NO_COLOR")
	}
	colour.keys("q")
	colour.waitFor("quit", "EXIT=0")
}

func lineWith(screen, s string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
