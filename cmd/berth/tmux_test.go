package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// tmuxPane is one berth command running in a detached tmux session on a
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

// startBerth runs bin with args in a 120×40 tmux session, in dir (the
// test's working directory when ""), with exactly env (plus PATH); the
// pane stays after berth exits, showing EXIT=code. The private server stops
// when the test ends. The environment is emptied first (env -i) because
// what the tests see must not depend on the caller's: a CI runner that
// exports NO_COLOR or CLICOLOR=0 would otherwise turn colour off.
func startBerth(t *testing.T, bin, dir string, env []string, args ...string) *tmuxPane {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is not installed, and the end-to-end tests run berth in it: install tmux (apt-get install tmux) or run go test -short to skip them")
	}
	p := &tmuxPane{t: t, socket: fmt.Sprintf("berth-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())}
	words := []string{"env", "-i", shellQuote("PATH=" + os.Getenv("PATH"))}
	for _, w := range append(append(env, bin), args...) {
		words = append(words, shellQuote(w))
	}
	shell := strings.Join(words, " ") + "; echo EXIT=$?; sleep 60"
	session := []string{"-f", "/dev/null", "new-session", "-d", "-s", "berth", "-x", "120", "-y", "40"}
	if dir != "" {
		session = append(session, "-c", dir)
	}
	p.tmux(append(session, shell)...)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", p.socket, "kill-server").Run() })
	return p
}

var built struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// berthBinary builds berth once for all the end-to-end tests of this run.
func berthBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "berth-e2e-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "berth")
		built.out, built.err = exec.Command("go", "build", "-tags", "libvirt_dlopen", "-o", built.path, ".").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.path
}

// shellQuote is s as one word for sh, whatever it holds.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
