package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/planner"
)

// tmuxPane is one berth explore running in a detached tmux session on a
// private tmux server (its own socket, so nothing else is touched).
type tmuxPane struct {
	t      *testing.T
	socket string
}

func (p *tmuxPane) tmux(args ...string) string {
	p.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", p.socket}, args...)...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// capture is what the user sees (with -e, the escape sequences too).
func (p *tmuxPane) capture(escapes bool) string {
	p.t.Helper()
	if escapes {
		return p.tmux("capture-pane", "-p", "-e", "-t", "berth")
	}
	return p.tmux("capture-pane", "-p", "-t", "berth")
}

// waitFor waits until every want is on the screen.
func (p *tmuxPane) waitFor(what string, wants ...string) string {
	p.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := p.capture(false)
		ok := true
		for _, w := range wants {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: screen never showed %q; it shows:\n%s", what, wants, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *tmuxPane) keys(keys ...string) {
	p.t.Helper()
	p.tmux(append([]string{"send-keys", "-t", "berth"}, keys...)...)
}

// startExplore builds nothing: it runs bin explore args in a 120×40 tmux
// session with exactly env (plus PATH), and stops the private server when
// the test ends. The environment is emptied first (env -i) because the
// colour checks must not depend on the caller's: a CI runner that exports
// NO_COLOR or CLICOLOR=0 would otherwise turn colour off in every pane.
func startExplore(t *testing.T, bin string, env []string, args ...string) *tmuxPane {
	t.Helper()
	p := &tmuxPane{t: t, socket: fmt.Sprintf("berth-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())}
	shell := "env -i PATH=" + os.Getenv("PATH") + " " + strings.Join(env, " ") + " " + bin + " explore " + strings.Join(args, " ") + "; echo EXIT=$?; sleep 60"
	p.tmux("-f", "/dev/null", "new-session", "-d", "-s", "berth", "-x", "120", "-y", "40", shell)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", p.socket, "kill-server").Run() })
	return p
}

// TestExploreEndToEnd runs the real binary in a terminal (tmux) and checks
// what a user sees: the fleet view, a host's detail, an edit and its undo,
// saving, quitting, and colour only when allowed.
func TestExploreEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds berth and runs it under tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is not installed, and the end-to-end test of berth explore runs the program in it: install tmux (apt-get install tmux) or run go test -short to skip this test")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "berth")
	build := exec.Command("go", "build", "-tags", "libvirt_dlopen", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := []string{"TERM=xterm-256color", "NO_COLOR=1", "XDG_CONFIG_HOME=" + dir, "HOME=" + dir}

	p := startExplore(t, bin, env)
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

	p.keys("q")
	p.waitFor("quit", "EXIT=0")

	// With colour allowed, the same screen is coloured.
	colour := startExplore(t, bin, []string{"TERM=xterm-256color", "COLORTERM=truecolor", "XDG_CONFIG_HOME=" + dir, "HOME=" + dir})
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
