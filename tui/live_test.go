package tui

import (
	"errors"
	"io"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// live is the explorer in a real bubbletea program whose keyboard is a
// pipe: bytes written to it go through bubbletea's own input decoder, as a
// terminal's do, and the commands run on their own goroutines. It is how
// keys that arrive in one read (tmux send-keys, a fast typist, a paste of
// keys) reach the model.
type live struct {
	t    testing.TB
	p    *tea.Program
	keys *io.PipeWriter
	// ended is closed when the program has ended, final then set.
	ended chan struct{}
	final *Model
}

// probeMsg asks, inside the program's event loop (where reading the model
// is safe), whether check holds.
type probeMsg struct {
	check func(*Model) bool
	reply chan bool
}

// startLive runs m at width × height.
func startLive(t testing.TB, m *Model, width, height int) *live {
	t.Helper()
	r, w := io.Pipe()
	filter := func(_ tea.Model, msg tea.Msg) tea.Msg {
		if p, ok := msg.(probeMsg); ok {
			p.reply <- p.check(m)
			return nil
		}
		return msg
	}
	l := &live{t: t, keys: w, ended: make(chan struct{}),
		p: tea.NewProgram(m, tea.WithInput(r), tea.WithOutput(io.Discard), tea.WithoutRenderer(),
			tea.WithoutSignalHandler(), tea.WithWindowSize(width, height), tea.WithFilter(filter))}
	go func() {
		defer close(l.ended)
		final, err := l.p.Run()
		if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
			t.Error(err)
		}
		l.final, _ = final.(*Model)
	}()
	t.Cleanup(func() {
		l.p.Kill()
		_ = w.Close()
		<-l.ended
	})
	return l
}

// write hands s to the program in one write, as one terminal read.
func (l *live) write(s string) {
	l.t.Helper()
	if _, err := l.keys.Write([]byte(s)); err != nil {
		l.t.Fatal(err)
	}
}

// waitFor waits until check holds for the model, or fails saying what.
func (l *live) waitFor(what string, check func(*Model) bool) {
	l.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		reply := make(chan bool, 1)
		l.p.Send(probeMsg{check: check, reply: reply})
		select {
		case ok := <-reply:
			if ok {
				return
			}
		case <-time.After(time.Second):
		}
		time.Sleep(20 * time.Millisecond)
	}
	l.t.Fatalf("%s: never happened", what)
}

// quit ends the program with ctrl+c and returns the final model.
func (l *live) quit() *Model {
	l.t.Helper()
	l.write("\x03")
	select {
	case <-l.ended:
		return l.final
	case <-time.After(10 * time.Second):
		l.t.Fatal("the program did not quit on ctrl+c")
		return nil
	}
}
