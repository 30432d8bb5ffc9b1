// Package keymap is every key the explorer answers to. Screens match keys
// through these bindings only (never raw strings), and each screen lists
// the bindings it uses for the help bar, so the help is always the truth.
package keymap

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds the explorer's key bindings.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Left, Right                           key.Binding
	Open, Back, Quit, Help                key.Binding

	// Fleet view.
	Tab, Filter, SortNext, SortPrev, Reverse, Group key.Binding

	// Edits.
	Move, Force, Pin, Exclude, AddDemand, Policy, Undo, Redo key.Binding

	// Files.
	Save, Export key.Binding

	// Dialogs.
	Apply, Cancel key.Binding
}

// Default is the explorer's key map.
func Default() *KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return &KeyMap{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		PageUp:   b("pgup", "page up", "pgup", "ctrl+b"),
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+f", " "),
		Home:     b("home", "first", "home"),
		End:      b("end/G", "last", "end", "G"),
		Left:     b("←/h", "less", "left", "h", "-"),
		Right:    b("→/l", "more", "right", "l", "+"),
		Open:     b("enter", "open", "enter"),
		Back:     b("esc", "back", "esc", "backspace"),
		Quit:     b("q", "quit", "q", "ctrl+c"),
		Help:     b("?", "more keys", "?"),

		Tab:      b("tab", "hosts/guests", "tab"),
		Filter:   b("/", "filter", "/"),
		SortNext: b(">", "sort next col", ">", "."),
		SortPrev: b("<", "sort prev col", "<", ","),
		Reverse:  b("r", "reverse sort", "r"),
		Group:    b("R", "group by rack", "R"),

		Move:      b("m", "move here", "m"),
		Force:     b("F", "force move", "F"),
		Pin:       b("p", "pin/unpin", "p"),
		Exclude:   b("x", "exclude host", "x"),
		AddDemand: b("a", "add demand", "a"),
		Policy:    b("o", "policy knobs", "o"),
		Undo:      b("u", "undo", "u"),
		Redo:      b("ctrl+r", "redo", "ctrl+r", "U"),

		Save:   b("s", "save plan", "s"),
		Export: b("e", "export scenario", "e"),

		Apply:  b("enter", "apply", "enter"),
		Cancel: b("esc", "cancel", "esc"),
	}
}

// Help is a screen's bindings for bubbles/help: Short for the one-line bar,
// Full for `?`, in columns.
type Help struct {
	Short []key.Binding
	Full  [][]key.Binding
}

// ShortHelp implements help.KeyMap.
func (h Help) ShortHelp() []key.Binding { return h.Short }

// FullHelp implements help.KeyMap.
func (h Help) FullHelp() [][]key.Binding { return h.Full }

// Navigation is the column of movement keys every list screen shares.
func (k *KeyMap) Navigation() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}
}

// Global is the column of keys that work on every screen.
func (k *KeyMap) Global() []key.Binding {
	return []key.Binding{k.Undo, k.Redo, k.Save, k.Export, k.Policy, k.AddDemand, k.Help, k.Quit}
}
