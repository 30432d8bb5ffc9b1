package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// A crash must never exit 0, 2 or 3: with --detailed-exitcode, 2 means "a
// plan with changes", and Go's runtime exits 2 when it dies (an unrecovered
// panic in any goroutine, running out of memory, a fatal error, SIGQUIT).
// Two guards map a crash to exit 1:
//
//   - recoverCrash, deferred in run, turns a panic of the command itself
//     (the main goroutine) into a message and exit 1;
//   - superviseCrashes, in main, runs berth as a child process whose
//     runtime copies any fatal crash report to a pipe
//     (debug.SetCrashOutput); when the child dies and the pipe holds a
//     report, the parent exits 1 instead of the runtime's 2. It is the only
//     way to catch what no recover can (a panic in another goroutine, out
//     of memory).

// crashFDEnv tells the child which descriptor its crash report goes to. It
// has no BERTH_ prefix, so no configuration key can read it.
const crashFDEnv = "_BERTH_CRASH_FD"

// recoverCrash, deferred in run, ends a panic of the command with a crash
// message and exit 1.
func recoverCrash(stderr io.Writer, code *int) {
	r := recover()
	if r == nil {
		return
	}
	if stderr == nil {
		stderr = os.Stderr
	}
	fmt.Fprintf(stderr, "berth: internal error: %v\nThis is a bug in berth; please report it with the command line and this trace:\n%s", r, debug.Stack())
	*code = exitError
}

// superviseCrashes runs berth in a child process and returns its exit code,
// or 1 when the child crashed. In the child (or when no child can be
// started) it runs berth itself.
func superviseCrashes(args []string) int {
	if os.Getenv(crashFDEnv) == "3" {
		os.Unsetenv(crashFDEnv)
		if f := os.NewFile(3, "crash report"); f != nil {
			_ = debug.SetCrashOutput(f, debug.CrashOptions{})
			f.Close()
		}
		return run(args, os.Stdin, os.Stdout, os.Stderr)
	}
	code, err := runChild(args)
	if err != nil {
		// No child (no /proc, the binary replaced since it started):
		// berth runs in this process, with recoverCrash only.
		return run(args, os.Stdin, os.Stdout, os.Stderr)
	}
	return code
}

// runChild starts berth again as a child with the same arguments and
// standard streams (a terminal stays the child's terminal), forwards the
// signals sent to this process alone, and maps a crash to exit 1.
func runChild(args []string) (int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	cmd := exec.Command(exe, args...)
	cmd.Args[0] = os.Args[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{w} // descriptor 3 in the child
	cmd.Env = append(os.Environ(), crashFDEnv+"=3")
	// Ctrl-C and Ctrl-\ reach the child through the terminal's process
	// group: they are caught here, not forwarded (apply counts a second
	// Ctrl-C as "stop at once"). TERM and HUP sent to this process are
	// passed on.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		w.Close()
		return 0, err
	}
	w.Close()
	report := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(r)
		report <- b
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case s := <-sigs:
			if s == syscall.SIGTERM || s == syscall.SIGHUP {
				_ = cmd.Process.Signal(s)
			}
		case err := <-done:
			return childExit(err, <-report), nil
		}
	}
}

// childExit is the exit code of a child that ended with err (from Wait)
// after writing crash (empty unless its runtime crashed).
func childExit(err error, crash []byte) int {
	if len(crash) > 0 {
		fmt.Fprintln(os.Stderr, "berth: crashed (the report is above); exit 1. This is a bug in berth: please report it with the command line and the report.")
		return exitError
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		if err != nil {
			fmt.Fprintln(os.Stderr, "berth:", err)
			return exitError
		}
		return exitOK
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()) // as a shell reports it
	}
	return ee.ExitCode()
}
