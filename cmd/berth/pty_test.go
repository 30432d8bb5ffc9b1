package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyWatchdog is how long a command may run on a terminal that never
// answers before the test kills it.
//
// This is a behavioural check, not a speed target. A program that asks the
// terminal something (its background colour, the cursor position) and
// waits for the answer hangs until its own timeout when nothing answers:
// bubbletea v1's init() did so in every berth command, for about 5 s
// (`berth version` took 5.4 s under `script`, 0.08 s without). Either the
// command waits for the terminal or it does not; 3 s sits between a
// command that does not (well under a second, even on a loaded machine)
// and the shortest such timeout, so it tells the two apart without
// measuring how fast berth is. Speed is for the benchmarks.
const ptyWatchdog = 3 * time.Second

// TestNoTerminalQueries runs commands that are not the explorer on a
// pseudo-terminal that nothing answers (as under script, expect, ssh -tt,
// a pre-commit runner or a web terminal) and checks that they neither
// write a terminal query (no escape byte reaches the terminal, stdout and
// stderr alike) nor wait for an answer, with and without NO_COLOR.
func TestNoTerminalQueries(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds berth and runs it on a pseudo-terminal")
	}
	bin := berthBinary(t)
	tests := []struct {
		args  []string
		check func(out string) error
	}{
		{[]string{"version"}, func(out string) error {
			if !strings.HasPrefix(out, "berth ") {
				return fmt.Errorf("does not start with \"berth \"")
			}
			return nil
		}},
		{[]string{"plan", "-o", "json"}, func(out string) error {
			var plan struct{ Kind string }
			if err := json.Unmarshal([]byte(out), &plan); err != nil || plan.Kind != "Plan" {
				return fmt.Errorf("not a plan in JSON (kind %q): %v", plan.Kind, err)
			}
			return nil
		}},
	}
	for _, noColor := range []bool{false, true} {
		for _, tt := range tests {
			name := strings.Join(tt.args, " ")
			if noColor {
				name += " NO_COLOR"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				// A terminal that says it can do everything, which is
				// what makes a library ask it things.
				env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "XDG_CONFIG_HOME=" + dir,
					"TERM=xterm-256color", "COLORTERM=truecolor"}
				if noColor {
					env = append(env, "NO_COLOR=1")
				}
				out := runOnSilentTerminal(t, bin, env, tt.args...)
				if i := bytes.IndexByte(out, 0x1b); i >= 0 {
					t.Fatalf("an escape sequence reached the terminal at byte %d: %q", i, out[max(i-10, 0):min(i+20, len(out))])
				}
				// The terminal turns \n into \r\n.
				if err := tt.check(strings.ReplaceAll(string(out), "\r\n", "\n")); err != nil {
					t.Errorf("output %.200q: %v", out, err)
				}
			})
		}
	}
}

// runOnSilentTerminal runs bin with args on a new pseudo-terminal (stdin,
// stdout and stderr) whose other end only reads: nothing ever answers a
// query. It returns all the command wrote, and fails the test if the
// command is still running after ptyWatchdog or exits with an error.
func runOnSilentTerminal(t *testing.T, bin string, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatalf("starting %s on a pseudo-terminal: %v", bin, err)
	}
	defer tty.Close()
	var out bytes.Buffer
	read := make(chan struct{})
	go func() {
		defer close(read)
		// Ends with EIO once the command has exited and closed its side.
		_, _ = io.Copy(&out, tty)
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		<-read
		if err != nil {
			t.Fatalf("berth %s: %v\n%s", strings.Join(args, " "), err, out.Bytes())
		}
	case <-time.After(ptyWatchdog):
		_ = cmd.Process.Kill()
		<-exited
		<-read
		t.Fatalf("berth %s was still running after %v on a terminal that does not answer: it waits for an answer to a terminal query; it wrote %q",
			strings.Join(args, " "), ptyWatchdog, out.Bytes())
	}
	return out.Bytes()
}
