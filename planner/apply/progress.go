package apply

import (
	"fmt"
	"io"
	"sync"
)

// ProgressEvent is one change in a host's progress during Run, for a live
// display (Options.Watch). Events of one host arrive in order; events
// of different hosts interleave.
type ProgressEvent struct {
	Host  string
	Guest string // the guest the event is about ("" for the host itself)
	// Text says what happened, in the words of the plain progress line:
	// "waiting", "connecting", "volume created (12ms)", "done", ...
	Text string
	// Total counts the host's actions. Done counts those done or found
	// already done, Failed those that failed (and were rolled back),
	// Interrupted those stopped half-way by an interruption, so far; the
	// rest are not finished yet, or not attempted once Finished is set.
	Total, Done, Failed, Interrupted int
	// Outcome is set when an action has just finished.
	Outcome Outcome
	// Finished is set on the host's last event: it has nothing left to do
	// in this run (all done, or it stopped).
	Finished bool
	// Move is set on the events of the plan's moves (move_progress.go).
	Move *MoveEvent
}

// SetProgress chooses, after Prepare, how Run reports progress: plain
// lines on w and events to watch (either may be nil), replacing the
// options' Progress and Watch. A caller can thus ask its question first
// and only then take over the terminal for a live display.
func (a *Apply) SetProgress(w io.Writer, watch func(ProgressEvent)) {
	a.opt.Progress, a.opt.Watch = w, watch
}

// progress tells the operator what Run is doing: a plain line per step on
// w, and a structured event per change to watch. Both are optional; the
// host goroutines share one progress, so it serialises them.
type progress struct {
	w     io.Writer
	watch func(ProgressEvent)

	mu    sync.Mutex
	total int // actions in the whole run
	n     int // actions finished in the whole run
	hosts map[string]*hostCount
}

type hostCount struct{ total, done, failed, interrupted int }

func newProgress(w io.Writer, watch func(ProgressEvent), hosts []hostWork) *progress {
	p := &progress{w: w, watch: watch, hosts: map[string]*hostCount{}}
	for _, h := range hosts {
		p.hosts[h.host.Name] = &hostCount{total: len(h.actions) + len(h.removes)}
		p.total += len(h.actions) + len(h.removes)
	}
	return p
}

// queued announces every host before any work starts, so a display can
// show all of them at once.
func (p *progress) queued(hosts []hostWork) {
	for _, h := range hosts {
		p.event(h.host.Name, "", "waiting", "", false)
	}
}

// line reports a step of guest on host (guest "" for the host itself).
func (p *progress) line(host, guest, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.print(host, guest, text)
	p.event(host, guest, text, "", false)
}

// done reports that an action finished with r.
func (p *progress) done(host string, r *ActionResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if c := p.hosts[host]; c != nil {
		switch r.Outcome {
		case OutcomeDone, OutcomeSkipped:
			c.done++
		case OutcomeFailed:
			c.failed++
		case OutcomeInterrupted:
			c.interrupted++
		}
	}
	text := string(r.Outcome)
	if r.Outcome == OutcomeSkipped && r.Detail != "" {
		text += ": " + r.Detail
	}
	if r.Error != "" {
		text += ": " + r.Error
	}
	p.print(host, r.Action.Guest, fmt.Sprintf("[%d/%d] %s", p.n, p.total, text))
	p.event(host, r.Action.Guest, text, r.Outcome, false)
}

// finished reports that host has nothing left to do in this run; why says
// how it ended.
func (p *progress) finished(host, why string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.event(host, "", why, "", true)
}

func (p *progress) print(host, guest, text string) {
	if p.w == nil {
		return
	}
	if guest != "" {
		host += ": " + guest
	}
	fmt.Fprintf(p.w, "  %s: %s\n", host, text)
}

func (p *progress) event(host, guest, text string, o Outcome, finished bool) {
	if p.watch == nil {
		return
	}
	e := ProgressEvent{Host: host, Guest: guest, Text: text, Outcome: o, Finished: finished}
	if c := p.hosts[host]; c != nil {
		e.Total, e.Done, e.Failed, e.Interrupted = c.total, c.done, c.failed, c.interrupted
	}
	p.watch(e)
}
