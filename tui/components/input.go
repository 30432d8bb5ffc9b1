package components

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/berth-dev/berth/tui/styles"
)

// Input is a one-line text field (a filter or a file name). It is a small
// value type rather than bubbles/textinput so that it needs nothing beyond
// the modules berth already uses.
type Input struct {
	Prompt string
	Value  string
}

// Update applies a key: printable runes append, backspace deletes, ctrl+u
// clears. Keys it does not use (enter, esc, arrows) are the caller's.
func (in Input) Update(msg tea.KeyMsg) Input {
	switch msg.Type {
	case tea.KeyRunes, tea.KeySpace:
		in.Value += string(msg.Runes)
	case tea.KeyBackspace:
		if r := []rune(in.Value); len(r) > 0 {
			in.Value = string(r[:len(r)-1])
		}
	case tea.KeyCtrlU:
		in.Value = ""
	}
	return in
}

// View renders the prompt, the value and a cursor block.
func (in Input) View(st *styles.Styles) string {
	return st.Input.Render(in.Prompt) + in.Value + st.Cursor.Render(" ")
}

// Match reports whether every space-separated word of query occurs in one
// of fields (case-insensitive): "r2 kvm" matches a host kvm07 in rack r2.
func Match(query string, fields ...string) bool {
	for _, w := range strings.Fields(strings.ToLower(query)) {
		found := false
		for _, f := range fields {
			if strings.Contains(strings.ToLower(f), w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
