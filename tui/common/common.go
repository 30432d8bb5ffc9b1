// Package common is what the explorer's screens share: the context they
// render from (size, styles, keys, the current plan), the messages they send
// to the root model, the screen contract, and small layout helpers.
package common

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/keymap"
	"github.com/berth-dev/berth/tui/styles"
)

// Context is shared by the root model and every screen. Only the root model
// writes it (on a resize, a new plan, new candidates); screens read it.
type Context struct {
	Width, Height int
	Styles        *styles.Styles
	Keys          *keymap.KeyMap

	// Plan is the plan on screen. A Plan is never changed once made: a new
	// plan replaces the pointer.
	Plan *planner.Plan
	// Scenario is what the plan was made from; nil when a saved plan is
	// explored read-only.
	Scenario *inventory.Scenario
	ReadOnly bool

	// Policy and Edits are the planner's, as of the last planner job (the
	// UI never reads the planner itself while a job may run).
	Policy inventory.Policy
	Edits  planner.Edits
	// Moves is the move mode re-plans use (nil: new guests only). What a
	// plan moves is read from Plan.Moves, which a read-only plan has too.
	Moves *MoveMode

	// Candidates holds planner.Candidates answers for the current plan, by
	// guest (fetched off the UI loop; cleared when the plan changes).
	Candidates map[string][]planner.CandidateView

	// Load is the guests' load history for sparklines (nil: none).
	Load *Load
}

// Screen is one page of the explorer. The root model owns the screens in a
// stack and hands each key to the top one; View is a pure function of the
// screen's state and the Context.
type Screen interface {
	// Update handles a key and returns the screen (possibly changed) and a
	// command that sends one of the intent messages below (Send, Status).
	// The root runs that command at once, before the next key is read, so
	// a key that opens a screen or asks for an edit is acted on before the
	// keys typed after it: a screen's command must only send a message,
	// never wait for anything.
	Update(msg tea.KeyPressMsg) (Screen, tea.Cmd)
	// View renders the screen's body in width × height cells.
	View(width, height int) string
	// Help lists the screen's keys.
	Help() keymap.Help
	// Title names the screen in the top bar.
	Title() string
	// Capturing reports whether the screen is taking text input (a filter
	// or a prompt), so global keys must not fire.
	Capturing() bool
	// SetSize tells the screen the size of its body, for paging.
	SetSize(width, height int)
}

// Intent messages: screens send these (as commands) and the root model acts.
type (
	// OpenHostMsg opens the host detail of Host.
	OpenHostMsg struct{ Host string }
	// OpenGuestMsg opens the guest detail (ranking / why-not) of Guest.
	OpenGuestMsg struct{ Guest string }
	// BackMsg closes the top screen, then handles Then (if set) as if it
	// had been sent: a dialog closes itself and asks for its edit in one
	// message.
	BackMsg struct{ Then tea.Msg }
	// EditMsg asks for a what-if edit through the planner.
	EditMsg struct{ Edit Edit }
	// StatusMsg shows Text on the status line (Bad: in red).
	StatusMsg struct {
		Text string
		Bad  bool
	}
	// SaveMsg asks to write the plan to Path; ExportMsg the edited
	// scenario.
	SaveMsg   struct{ Path string }
	ExportMsg struct{ Path string }
	// NeedCandidatesMsg asks the root to fetch the candidate ranking of
	// Guest for the current plan.
	NeedCandidatesMsg struct{ Guest string }
)

// Send returns a command that sends msg.
func Send(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// Status returns a command that shows text on the status line.
func Status(text string, bad bool) tea.Cmd { return Send(StatusMsg{Text: text, Bad: bad}) }

// EditKind is what an Edit does.
type EditKind int

const (
	EditMove EditKind = iota // pin Guest to Host (a move)
	EditPin                  // pin Guest where it is
	EditUnpin
	EditExclude // take Host out of planning (On) or back in
	EditDemand  // add Demand
	EditPolicy  // replace the policy (and, in a move mode, MoveOptions)
	EditKeep    // keep running Guest where it is (On) or let it move
)

// Edit is one what-if change, applied through the planner API only.
type Edit struct {
	Kind   EditKind
	Guest  string
	Host   string
	On     bool
	Demand planner.DemandEdit
	Policy inventory.Policy
	// MoveOptions replace the move mode's options (EditPolicy in a move
	// mode: the dialog changes the budget with the policy, as one edit).
	MoveOptions planner.MoveOptions
	// Label says what the edit does, for the status line and undo.
	Label string
	// Toggle marks an exclude or pin edit made by a toggling key: whether
	// it excludes or includes, pins or unpins, is decided again when it
	// runs, against the plan then on screen, so an edit typed while a
	// re-plan runs sees the edits queued before it (x x is exclude then
	// include).
	Toggle bool
}

// ExcludeToggle is the edit that excludes host, or includes it back when
// it is excluded now.
func ExcludeToggle(host string, excluded bool) Edit {
	label := "exclude " + host
	if excluded {
		label = "include " + host
	}
	return Edit{Kind: EditExclude, Host: host, On: !excluded, Label: label, Toggle: true}
}

// PinToggle is the edit that pins a new guest on host, where it is now, or
// unpins it when it is pinned now.
func PinToggle(guest, host string, pinned bool) Edit {
	if pinned {
		return Edit{Kind: EditUnpin, Guest: guest, Label: "unpin " + guest, Toggle: true}
	}
	return Edit{Kind: EditPin, Guest: guest, Host: host, Label: "pin " + guest + " to " + host, Toggle: true}
}

// KeepToggle is the edit that keeps a running guest where it is (never
// moved, as `berth rebalance --keep`), or lets it move again when it is
// kept now.
func KeepToggle(guest string, kept bool) Edit {
	if kept {
		return Edit{Kind: EditKeep, Guest: guest, Label: "let " + guest + " move", Toggle: true}
	}
	return Edit{Kind: EditKeep, Guest: guest, On: true, Label: "keep " + guest + " in place", Toggle: true}
}

// Fit truncates every line of s to width cells and pads or cuts s to
// exactly height lines, so a pane never spills over its neighbours.
func Fit(s string, width, height int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > height {
		lines = lines[:max(height, 0)]
	}
	for i, l := range lines {
		lines[i] = Trunc(l, width)
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// Trunc cuts a (possibly styled) line to width cells, marking the cut "…".
func Trunc(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, "…")
}

// Pad pads or cuts s to exactly width cells.
func Pad(s string, width int) string {
	s = Trunc(s, width)
	if w := ansi.StringWidth(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// PadLeft right-aligns s in width cells.
func PadLeft(s string, width int) string {
	s = Trunc(s, width)
	if w := ansi.StringWidth(s); w < width {
		s = strings.Repeat(" ", width-w) + s
	}
	return s
}

// Dash is s, or "-" when s is empty.
func Dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Scroll returns the first visible row so that cursor stays in a window of
// height rows starting near offset.
func Scroll(offset, cursor, height, n int) int {
	if height <= 0 {
		return 0
	}
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+height {
		offset = cursor - height + 1
	}
	offset = min(offset, max(n-height, 0))
	return max(offset, 0)
}

// Wrap breaks s at spaces into at most n lines of width cells; the last
// line is cut with "…" if the text goes on.
func Wrap(s string, width, n int) []string {
	if width <= 0 || n <= 0 {
		return nil
	}
	lines := strings.Split(ansi.Wordwrap(s, width, ""), "\n")
	if len(lines) > n {
		lines = append(lines[:n-1], strings.Join(lines[n-1:], " "))
	}
	for i, l := range lines {
		lines[i] = Trunc(l, width)
	}
	return lines
}
