package main

import (
	"fmt"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/applyview"
	"github.com/berth-dev/berth/tui/styles"
	tea "github.com/charmbracelet/bubbletea"
)

// showApplyProgress sets how apply reports its progress on stderr: on a
// terminal, a live bar per host (tui/applyview); otherwise a plain line
// per step, which logs and CI keep. The returned function ends the live
// display, leaving its last frame on the screen; call it when Run returns.
func (a *app) showApplyProgress(prep *planner.Apply) (finish func()) {
	if !isTerminal(a.stderr) {
		prep.SetProgress(a.stderr, nil)
		return func() {}
	}
	st := styles.New(exploreRenderer(a.stderr))
	// No input (the "yes" was read already and Ctrl-C stays with apply's
	// own handler, which stops cleanly between steps).
	prog := tea.NewProgram(applyview.New(st, nil),
		tea.WithOutput(a.stderr), tea.WithInput(nil), tea.WithoutSignalHandler())
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		if _, err := prog.Run(); err != nil {
			fmt.Fprintf(a.stderr, "berth: the progress display failed (%v); apply goes on, the report follows\n", err)
		}
	}()
	// Send returns at once when the program has ended, so a display that
	// failed never holds apply up.
	prep.SetProgress(nil, func(e planner.ApplyEvent) { prog.Send(applyview.EventMsg(e)) })
	return func() {
		prog.Send(applyview.DoneMsg{})
		<-ended
	}
}
