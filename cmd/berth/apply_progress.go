package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/berth-dev/berth/planner/apply"
	"github.com/berth-dev/berth/tui/applyview"
	"github.com/berth-dev/berth/tui/styles"
)

// applyScreen is how apply talks to the operator on stderr while it runs:
// plain lines, or the live display once it is on (showProgress).
type applyScreen struct {
	a  *app
	mu sync.Mutex
	// prog is the live display while it runs (nil otherwise).
	prog  *tea.Program
	ended chan struct{}
}

// showProgress sets how prep.Run reports its progress: on a terminal, a
// live bar per host (tui/applyview); otherwise a plain line per step,
// which logs and CI keep. The returned function ends the live display,
// leaving its last frame on the screen; call it when Run returns.
func (s *applyScreen) showProgress(prep *apply.Apply) (finish func()) {
	if !isTerminal(s.a.stderr) || os.Getenv("TERM") == "dumb" {
		prep.SetProgress(s.a.stderr, nil)
		return func() {}
	}
	// No input: the "yes" was read already, and Ctrl-C stays with apply's
	// own handler (watchInterrupts), which stops cleanly between steps.
	// Without input bubbletea sends the terminal no query (there would be
	// no reading the answer), so the background is not asked for: the
	// styles are the dark ones, whose colours also read on a light
	// background. Colour itself follows stderr and NO_COLOR.
	prog := tea.NewProgram(applyview.New(styles.New(true), nil), tea.WithOutput(s.a.stderr),
		tea.WithInput(nil), tea.WithoutSignalHandler())
	ended := make(chan struct{})
	s.mu.Lock()
	s.prog, s.ended = prog, ended
	s.mu.Unlock()
	go func() {
		defer close(ended)
		if _, err := prog.Run(); err != nil && err != tea.ErrProgramKilled {
			fmt.Fprintf(s.a.stderr, "berth: the progress display failed (%v); apply goes on, the report follows\n", err)
		}
	}()
	// Send returns at once when the program has ended, so a display that
	// failed never holds apply up.
	prep.SetProgress(nil, func(e apply.ProgressEvent) { prog.Send(applyview.EventMsg(e)) })
	return func() {
		prog.Send(applyview.DoneMsg{})
		<-ended
		s.mu.Lock()
		s.prog = nil
		s.mu.Unlock()
	}
}

// say tells the operator text: in the live display when it runs (a line
// written under it would be painted over), else as a line on stderr.
func (s *applyScreen) say(text string) {
	s.mu.Lock()
	prog := s.prog
	s.mu.Unlock()
	if prog != nil {
		prog.Send(applyview.NoteMsg(text))
		return
	}
	fmt.Fprintln(s.a.stderr, "berth: "+text)
}

// release ends the live display at once, giving the terminal back (cursor
// shown, modes reset), before berth exits without finishing.
func (s *applyScreen) release() {
	s.mu.Lock()
	prog, ended := s.prog, s.ended
	s.mu.Unlock()
	if prog == nil {
		return
	}
	// Ask for the last frame first (it ends its line, so the next output
	// does not overwrite a row); kill the display if it does not answer.
	prog.Send(applyview.DoneMsg{})
	select {
	case <-ended:
	case <-time.After(time.Second):
		prog.Kill()
		<-ended
	}
}

// watchInterrupts handles Ctrl-C (and SIGTERM) during apply: the first
// cancels ctx, so apply finishes the steps in flight and stops with a
// report and a journal to resume from; the second exits at once (130),
// after giving the terminal back. Call the returned stop when apply ends.
func (s *applyScreen) watchInterrupts(cancel context.CancelFunc) (stop func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			s.say("interrupted: finishing the steps in flight and aborting the migrations, then stopping (Ctrl-C again to kill; the journal lets the next run resume)")
			cancel()
		case <-done:
			return
		}
		select {
		case <-sigs:
			s.release()
			fmt.Fprintln(s.a.stderr, "berth: killed: the journal says what was done; run the same berth apply again to resume")
			os.Exit(130)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}
