package components

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/berth-dev/berth/tui/styles"
)

// Input is a one-line text field (a filter or a file name): bubbles'
// textinput, so the cursor moves (←/→, home/end, ctrl+a/ctrl+e, alt+←/→ by
// words), text is deleted either side of it (backspace, delete, ctrl+u,
// ctrl+k, ctrl+w), and a paste lands where the cursor is. The text scrolls
// sideways when it is wider than the field.
type Input struct {
	ti textinput.Model
}

// NewInput returns a focused field showing prompt, holding value, with the
// cursor at its end.
func NewInput(st *styles.Styles, prompt, value string) Input {
	ti := textinput.New()
	ti.SetStyles(inputStyles(st))
	ti.Prompt = prompt
	// ctrl+v would read the clipboard through xclip and the like; a
	// terminal's paste arrives as a tea.PasteMsg and is taken as it is.
	ti.KeyMap.Paste.SetEnabled(false)
	// No completion: tab, ↑ and ↓ mean nothing in a file name.
	ti.KeyMap.AcceptSuggestion.SetEnabled(false)
	ti.KeyMap.NextSuggestion.SetEnabled(false)
	ti.KeyMap.PrevSuggestion.SetEnabled(false)
	ti.SetValue(value)
	ti.CursorEnd()
	// The cursor does not blink (inputStyles): Focus has no command to run.
	_ = ti.Focus()
	return Input{ti: ti}
}

// Update applies a key or a paste (tea.KeyPressMsg, tea.PasteMsg); keys the
// field does not use (enter, esc) are the caller's to check first. The
// field's own commands (cursor blink) are not needed: its cursor does not
// blink.
func (in *Input) Update(msg tea.Msg) {
	in.ti, _ = in.ti.Update(msg)
}

// Value is the text typed.
func (in Input) Value() string { return in.ti.Value() }

// Position is the cursor's place in the text, in runes from its start.
func (in Input) Position() int { return in.ti.Position() }

// SetValue replaces the text, the cursor at its end.
func (in *Input) SetValue(s string) {
	in.ti.SetValue(s)
	in.ti.CursorEnd()
}

// SetWidth fits the field, prompt and cursor included, into width cells.
func (in *Input) SetWidth(width int) {
	in.ti.SetWidth(max(width-len([]rune(in.ti.Prompt))-1, 1))
	in.ti.SetCursor(in.ti.Position()) // scrolls the text to the cursor
}

// View renders the prompt, the text and a block cursor, in st's colours
// (st can change while the field is open: the terminal's background is
// learnt after start).
func (in Input) View(st *styles.Styles) string {
	ti := in.ti
	ti.SetStyles(inputStyles(st))
	return ti.View()
}

// inputStyles dresses a textinput in st: the prompt in the Input style, a
// block cursor in the prompt's colour (drawn in reverse video, so the
// character under it keeps the terminal's background colour and stays
// readable) that does not blink (a blinking cursor would redraw the screen
// twice a second for nothing).
func inputStyles(st *styles.Styles) textinput.Styles {
	s := textinput.DefaultStyles(st.Dark)
	s.Focused.Prompt, s.Focused.Text = st.Input, lipgloss.NewStyle()
	s.Cursor.Color, s.Cursor.Blink = st.Input.GetForeground(), false
	return s
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
