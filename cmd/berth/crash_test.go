package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPanicExitsOne: a panic inside a command (here: writing to a nil
// standard output) ends with a crash message and exit 1, never Go's 2,
// which --detailed-exitcode reads as "changes".
func TestPanicExitsOne(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Chdir(t.TempDir())
	var stderr bytes.Buffer
	code := run([]string{"version"}, nil, nil, &stderr)
	if code != exitError {
		t.Errorf("exit %d, want %d", code, exitError)
	}
	if !strings.Contains(stderr.String(), "berth: internal error: ") || !strings.Contains(stderr.String(), "This is a bug in berth") {
		t.Errorf("no crash message:\n%s", stderr.String())
	}
}

// TestCrashExitsOne: a crash no recover can catch — here the runtime's
// SIGQUIT dump, as a fatal error or running out of memory would give —
// ends the real binary with exit 1 and says so; without the supervisor
// it exited 2. The exit codes berth means to give pass through unchanged.
func TestCrashExitsOne(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds berth")
	}
	bin := berthBinary(t)
	dir := t.TempDir()
	env := append(os.Environ(), "XDG_CONFIG_HOME="+dir, "HOME="+dir)
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"plan", "--detailed-exitcode"}, exitChanges},
		{[]string{"plan", "--scenario", "tight"}, exitUnplaced},
		{[]string{"plan", "-o", "xml"}, exitError},
		{[]string{"version"}, exitOK},
	} {
		cmd := exec.Command(bin, tc.args...)
		cmd.Dir, cmd.Env = dir, env
		err := cmd.Run()
		var ee *exec.ExitError
		if got := 0; errors.As(err, &ee) && ee.ExitCode() != tc.want || err == nil && tc.want != 0 {
			got = ee.ExitCode()
			t.Errorf("berth %s: exit %d, want %d", strings.Join(tc.args, " "), got, tc.want)
		}
	}

	// berth blocks opening a named pipe nobody writes to; then it crashes.
	fifo := filepath.Join(dir, "fleet.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "plan", "-f", fifo)
	cmd.Dir, cmd.Env, cmd.Stderr = dir, env, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	victim := waitForChild(t, cmd.Process.Pid)
	if err := syscall.Kill(victim, syscall.SIGQUIT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitError {
		t.Errorf("after a crash: %v, want exit 1\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "SIGQUIT") || !strings.Contains(stderr.String(), "berth: crashed (the report is above); exit 1") {
		t.Errorf("stderr lacks the runtime's report or berth's word on it:\n%s", stderr.String())
	}
}

// waitForChild returns the pid of pid's child once it is blocked opening
// the named pipe (past the runtime's start-up and berth's own), or pid
// itself if no such child shows within 30 s (a berth without the
// supervisor). Any thread of pid may have started the child.
func waitForChild(t *testing.T, pid int) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		lists, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
		for _, l := range lists {
			b, _ := os.ReadFile(l)
			for _, f := range strings.Fields(string(b)) {
				if blockedOnPipe(f) {
					child, _ := strconv.Atoi(f)
					return child
				}
			}
		}
		if blockedOnPipe(strconv.Itoa(pid)) {
			return pid
		}
		time.Sleep(50 * time.Millisecond)
	}
	return pid
}

// blockedOnPipe reports whether a thread of process pid waits in the
// kernel for the other end of a named pipe.
func blockedOnPipe(pid string) bool {
	chans, _ := filepath.Glob("/proc/" + pid + "/task/*/wchan")
	for _, c := range chans {
		if b, _ := os.ReadFile(c); string(b) == "wait_for_partner" {
			return true
		}
	}
	return false
}
