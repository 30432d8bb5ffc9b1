// Package applyview is the live display of `berth apply` on a terminal: one
// progress bar per host with its count of actions and what it is doing now.
// It is a small bubbletea model driven by package planner/apply's progress
// events (apply.Options.Watch); apply itself never depends on it, and when
// the output is not a terminal berth prints plain lines instead.
package applyview

import (
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/berth-dev/berth/planner/apply"
	"github.com/berth-dev/berth/tui/styles"
)

// EventMsg carries one apply event into the program.
type EventMsg apply.ProgressEvent

// NoteMsg is a sentence for the operator shown under the header (such as
// "interrupted: …"): text written to the terminal under a live display
// would be painted over.
type NoteMsg string

// DoneMsg ends the display once apply has returned; the last frame stays
// on the screen above the report.
type DoneMsg struct{}

// Model is the state of the display: the hosts in the order apply first
// mentioned them, each with its latest event.
type Model struct {
	styles  *styles.Styles
	spinner spinner.Model
	hosts   []*hostRow
	byName  map[string]*hostRow
	width   int
	height  int
	start   time.Time
	now     func() time.Time
	done    bool
	note    string
	moves   moves // the plan's moves (moves.go)
}

type hostRow struct {
	name string
	last apply.ProgressEvent
	// guest and doing are the latest thing said about a guest, kept while
	// host-level events (such as the final "finished") arrive.
	guest, doing string
}

// New returns an empty display drawn with st. now is the clock for the
// elapsed time (time.Now when nil; tests pass a fixed one).
func New(st *styles.Styles, now func() time.Time) Model {
	if now == nil {
		now = time.Now
	}
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(st.Label))
	return Model{styles: st, spinner: sp, byName: map[string]*hostRow{}, width: 80, height: 24, now: now, start: now()}
}

func (m Model) Init() tea.Cmd { return m.spinner.Tick }

func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case EventMsg:
		m = m.with(apply.ProgressEvent(msg))
	case NoteMsg:
		m.note = string(msg)
	case DoneMsg:
		m.done = true
		return m, tea.Quit
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	}
	return m, nil
}

// with records e. The model is a value, but its rows are shared pointers:
// bubbletea keeps only the latest model, so sharing them is safe and saves
// copying a row per host on every event.
func (m Model) with(e apply.ProgressEvent) Model {
	if e.Move != nil {
		return m.withMove(e)
	}
	r := m.byName[e.Host]
	if r == nil {
		r = &hostRow{name: e.Host}
		m.byName[e.Host] = r
		m.hosts = append(m.hosts, r)
	}
	r.last = e
	if e.Guest != "" {
		r.guest, r.doing = e.Guest, e.Text
	}
	return m
}
