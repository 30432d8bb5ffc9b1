package apply

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/planner"
	"github.com/dustin/go-humanize"
)

// MoveEvent is the part of a ProgressEvent about a move: its wave, its
// hosts, and while a live migration runs, its progress as libvirt's job
// statistics give it. Events of a wave as a whole (checks, its end) have
// Index −1.
type MoveEvent struct {
	// Index is the move's index in the plan's Actions (−1: the wave).
	Index       int
	Wave, Waves int
	From, To    string
	Live        bool
	// Processed, Remaining and Total are bytes sent, left to send in this
	// pass and the whole, of a running live migration (see
	// hypervisor.MigrationProgress); all 0 before libvirt reports any.
	Processed, Remaining, Total uint64
	// Moves counts the plan's moves and Finished those finished (done,
	// failed or interrupted) in this run so far, Done those done.
	Moves, Finished, Done int
}

// plainEvery is how often a running migration's progress is printed as a
// plain line (the live display shows every reading).
const plainEvery = 5 * time.Second

// moveProgress tells the operator what the moves are doing: plain lines
// on w and events to watch, as progress does for creates.
type moveProgress struct {
	w     io.Writer
	watch func(ProgressEvent)
	set   *moveSet

	mu        sync.Mutex
	finished  int
	done      int
	lastPlain map[int]time.Time
}

func newMoveProgress(w io.Writer, watch func(ProgressEvent), set *moveSet) *moveProgress {
	return &moveProgress{w: w, watch: watch, set: set, lastPlain: map[int]time.Time{}}
}

// waveStarted announces wave w and its moves.
func (p *moveProgress) waveStarted(w moveWave) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.print(w.n, "", fmt.Sprintf("checking the hosts of its %s", planner.CountOf(len(w.moves), "move", "moves")))
	p.event(ProgressEvent{Text: "checking"}, MoveEvent{Index: -1, Wave: w.n})
	for _, m := range w.moves {
		p.event(ProgressEvent{Host: m.to.Name, Guest: m.guest(), Text: "waiting"}, p.of(m))
	}
}

// waveEnded says how wave w ended (stopped "" = every move done).
func (p *moveProgress) waveEnded(w moveWave, stopped string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	text := "done"
	switch {
	case strings.HasPrefix(stopped, "stopped"):
		text = stopped
	case stopped != "":
		text = "stopped: " + stopped
	}
	p.print(w.n, "", text)
	p.event(ProgressEvent{Text: text, Finished: true}, MoveEvent{Index: -1, Wave: w.n})
}

// moveLine reports what move m is doing.
func (p *moveProgress) moveLine(m *moveWork, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.print(m.wave(), m.guest()+": "+m.from.Name+" → "+m.to.Name, text)
	p.event(ProgressEvent{Host: m.to.Name, Guest: m.guest(), Text: text}, p.of(m))
}

// migrating reports a running migration's progress: every reading to the
// display, a plain line every plainEvery.
func (p *moveProgress) migrating(m *moveWork, pr hypervisor.MigrationProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	text := fmt.Sprintf("%s sent, %s left", humanize.IBytes(pr.DataProcessed), humanize.IBytes(pr.DataRemaining))
	if pr.DataTotal == 0 && pr.DataProcessed == 0 {
		text = "starting"
	}
	if now := time.Now(); now.Sub(p.lastPlain[m.i]) >= plainEvery {
		p.lastPlain[m.i] = now
		p.print(m.wave(), m.guest()+": "+m.from.Name+" → "+m.to.Name, text)
	}
	e := p.of(m)
	e.Processed, e.Remaining, e.Total = pr.DataProcessed, pr.DataRemaining, pr.DataTotal
	p.event(ProgressEvent{Host: m.to.Name, Guest: m.guest(), Text: text}, e)
}

// moveDone reports that move m ended with r.
func (p *moveProgress) moveDone(m *moveWork, r *ActionResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished++
	if r.Outcome == OutcomeDone || r.Outcome == OutcomeSkipped {
		p.done++
	}
	text := string(r.Outcome)
	switch {
	case r.Error != "":
		text += ": " + r.Error
	case r.Detail != "":
		text += ": " + r.Detail
	}
	p.print(m.wave(), m.guest()+": "+m.from.Name+" → "+m.to.Name, fmt.Sprintf("[%d/%d] %s", p.finished, p.set.count(), text))
	p.event(ProgressEvent{Host: m.to.Name, Guest: m.guest(), Text: text, Outcome: r.Outcome}, p.of(m))
}

func (p *moveProgress) of(m *moveWork) MoveEvent {
	return MoveEvent{Index: m.i, Wave: m.wave(), From: m.from.Name, To: m.to.Name, Live: m.live()}
}

func (p *moveProgress) print(wave int, what, text string) {
	if p.w == nil {
		return
	}
	if what != "" {
		text = what + ": " + text
	}
	fmt.Fprintf(p.w, "  wave %d/%d: %s\n", wave, len(p.set.waves), text)
}

func (p *moveProgress) event(e ProgressEvent, m MoveEvent) {
	if p.watch == nil {
		return
	}
	m.Waves, m.Moves, m.Finished, m.Done = len(p.set.waves), p.set.count(), p.finished, p.done
	e.Move = &m
	p.watch(e)
}
