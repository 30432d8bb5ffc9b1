package tui

import (
	"bytes"
	"io"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/berth-dev/berth/planner"
)

// TestProgramKeepsPlannerConsistent runs the model in a real bubbletea
// program — commands on their own goroutines — and hammers it with edits,
// undo and redo faster than it re-plans. Whatever edits got through, the
// plan on screen must be the one a fresh planner makes for the edits and
// policy the model holds (run with -race: the planner must never be used
// by two goroutines at once).
func TestProgramKeepsPlannerConsistent(t *testing.T) {
	m, err := New(Options{Planner: planner.New(embedded(t, "default"))})
	if err != nil {
		t.Fatal(err)
	}
	p := tea.NewProgram(m, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutRenderer(), tea.WithoutSignalHandler())
	done := make(chan tea.Model)
	go func() {
		final, err := p.Run()
		if err != nil {
			t.Error(err)
		}
		done <- final
	}()
	p.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	for _, k := range []string{"x", "down", "x", "u", "ctrl+r", "down", "x", "u", "u", "ctrl+r", "x", "tab", "enter", "esc", "u"} {
		p.Send(keyMsg(k))
		time.Sleep(3 * time.Millisecond)
	}
	// Let the last job finish, then quit: q twice, as edits may be left
	// unsaved and then the first q only asks (a second q after a quit
	// goes nowhere).
	time.Sleep(500 * time.Millisecond)
	p.Send(keyMsg("q"))
	p.Send(keyMsg("q"))
	var final *Model
	select {
	case fm := <-done:
		final = fm.(*Model)
	case <-time.After(10 * time.Second):
		t.Fatal("program did not quit")
	}
	if final.Busy() {
		t.Fatal("still busy at the end")
	}
	ref := planner.New(embedded(t, "default"))
	ref.SetEdits(final.ctx.Edits)
	if err := ref.SetPolicy(final.ctx.Policy); err != nil {
		t.Fatal(err)
	}
	want, err := ref.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(planJSON(t, final.Plan()), planJSON(t, want)) {
		t.Errorf("plan on screen (%s, edits %+v) is not the planner's plan for its edits (%s)", final.Plan().ID, final.ctx.Edits, want.ID)
	}
}
