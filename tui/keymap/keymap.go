// Package keymap is every key the explorer answers to. Screens match keys
// through these bindings only (never raw strings), and each screen lists
// the bindings it uses for the help bar, so the help is always the truth.
package keymap

import (
	"slices"

	"charm.land/bubbles/v2/key"
)

// KeyMap holds the explorer's key bindings.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Left, Right                           key.Binding
	Open, Back, Quit, Help                key.Binding

	// Fleet view.
	Tab, Filter, SortNext, SortPrev, Reverse, Group key.Binding

	// Edits.
	Move, Force, Pin, Exclude, AddDemand, Policy, Undo, Redo key.Binding
	// PickHost is m where it opens the guest's ranking to choose a host
	// (host detail, guests tab) rather than moving to the selected host.
	PickHost key.Binding
	// Reasons shows every why-not reason of an unplaced guest, or the
	// first few again.
	Reasons key.Binding
	// Keep keeps a running guest where it is in a plan with moves (p, as
	// a pin keeps a new guest where it is), or lets it move again;
	// ExcludeDest is x on a migration: no guest may move to its
	// destination.
	Keep, ExcludeDest key.Binding

	// Files.
	Save, Export key.Binding

	// Dialogs.
	Apply, Cancel key.Binding
	// KeepFilter is enter in the filter prompt.
	KeepFilter key.Binding
	// SaveFile and ExportFile are enter in the save and export prompts.
	SaveFile, ExportFile key.Binding
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
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+f", "space"),
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

		Move:        b("m", "move here", "m"),
		PickHost:    b("m", "move (pick host)", "m"),
		Force:       b("F", "force move", "F"),
		Reasons:     b("w", "all reasons", "w"),
		Pin:         b("p", "pin/unpin", "p"),
		Keep:        b("p", "keep in place/let move", "p"),
		Exclude:     b("x", "exclude host", "x"),
		ExcludeDest: b("x", "exclude destination", "x"),
		AddDemand:   b("a", "add demand", "a"),
		Policy:      b("o", "policy knobs", "o"),
		Undo:        b("u", "undo", "u"),
		Redo:        b("ctrl+r", "redo", "ctrl+r", "U"),

		Save:   b("s", "save plan", "s"),
		Export: b("e", "export scenario", "e"),

		Apply:      b("enter", "apply", "enter"),
		KeepFilter: b("enter", "keep filter", "enter"),
		Cancel:     b("esc", "cancel", "esc"),

		SaveFile:   b("enter", "save", "enter"),
		ExportFile: b("enter", "export", "enter"),
	}
}

// Help is a screen's bindings for bubbles/help: Short for the one-line bar,
// Full for `?`, in columns.
type Help struct {
	Short []key.Binding
	Full  [][]key.Binding
}

// Without is h less the bindings in drop (matched by their help key and
// text): the read-only explorer leaves its edit keys out of the help.
func (h Help) Without(drop []key.Binding) Help {
	gone := func(b key.Binding) bool {
		for _, d := range drop {
			if d.Help() == b.Help() {
				return true
			}
		}
		return false
	}
	out := Help{Short: slices.DeleteFunc(slices.Clone(h.Short), gone)}
	for _, col := range h.Full {
		if col = slices.DeleteFunc(slices.Clone(col), gone); len(col) > 0 {
			out.Full = append(out.Full, col)
		}
	}
	return out
}

// ShortHelp implements help.KeyMap.
func (h Help) ShortHelp() []key.Binding { return h.Short }

// FullHelp implements help.KeyMap.
func (h Help) FullHelp() [][]key.Binding { return h.Full }

// Navigation is the column of movement keys every list screen shares.
func (k *KeyMap) Navigation() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}
}

// Edits are the keys that change the plan or need the scenario; a saved
// plan opened without its scenario (read-only) answers them with a message
// only, so its help leaves them out.
func (k *KeyMap) Edits() []key.Binding {
	return []key.Binding{k.Move, k.PickHost, k.Force, k.Pin, k.Keep, k.Exclude, k.ExcludeDest, k.AddDemand, k.Policy, k.Undo, k.Redo, k.Export}
}

// Global is the column of keys that work on every screen.
func (k *KeyMap) Global() []key.Binding {
	return []key.Binding{k.Undo, k.Redo, k.Save, k.Export, k.Policy, k.AddDemand, k.Help, k.Quit}
}
