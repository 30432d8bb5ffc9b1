// Package styles holds the explorer's lipgloss styles.
//
// Styles always carry their colours: lipgloss v2 renders full-colour escape
// sequences, and the program's output layer (bubbletea v2) brings them down
// to what the terminal supports, none at all when NO_COLOR is set or the
// output is not a terminal. Tests read screens as plain text by stripping
// the sequences (ansi.Strip), which is what a terminal without colour shows.
//
// Nothing here asks the terminal anything: the background (light or dark)
// is what the caller says, and the explorer asks for it inside its own
// program, where the answer arrives as a message (tea.BackgroundColorMsg)
// and a terminal that never answers costs nothing.
//
// Colour never carries meaning alone: every coloured state also has a
// glyph or a word (cursor "›", flags "!", "x", "+", "UNPLACED", "short"),
// so a screen without colour says the same thing.
package styles

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles are the explorer's styles for one terminal background.
type Styles struct {
	// Dark says the styles are for a dark background.
	Dark bool

	Title    lipgloss.Style // the top bar
	Heading  lipgloss.Style // section and column headings
	Label    lipgloss.Style // "Hosts", "Use" in the metrics header
	Cursor   lipgloss.Style // the selected row
	Dim      lipgloss.Style // secondary text
	Good     lipgloss.Style // holds, fits
	Warn     lipgloss.Style // soft problems
	Bad      lipgloss.Style // violations, unplaced, short
	Status   lipgloss.Style // the status line
	Input    lipgloss.Style // prompts
	Selected lipgloss.Style // the active sort column, tab

	// Bar segments: load that was there before the plan, load the plan
	// adds, the virtualisation overhead within both, free capacity, and a
	// bar whose host is over what it offers.
	BarExisting lipgloss.Style
	BarNew      lipgloss.Style
	BarOverhead lipgloss.Style
	BarFree     lipgloss.Style
	BarOver     lipgloss.Style
	// BarLeaving: in a plan with moves, what the guests that leave a host
	// used there.
	BarLeaving lipgloss.Style
}

// New returns the styles for a dark (dark true) or light background.
func New(dark bool) *Styles {
	pick := lipgloss.LightDark(dark)
	c := func(light, dark string) color.Color { return pick(lipgloss.Color(light), lipgloss.Color(dark)) }
	s := lipgloss.NewStyle
	return &Styles{
		Dark:        dark,
		Title:       s().Bold(true).Foreground(c("#1a1a1a", "#f0f0f0")).Background(c("#b8d4f0", "#2a4a6a")),
		Heading:     s().Bold(true),
		Label:       s().Bold(true).Foreground(c("#2a5a8a", "#8ab8e8")),
		Cursor:      s().Bold(true).Foreground(c("#000000", "#ffffff")).Background(c("#d8d8f0", "#3a3a5a")),
		Dim:         s().Foreground(c("#808080", "#7a7a7a")),
		Good:        s().Foreground(c("#1a7a1a", "#5fd75f")),
		Warn:        s().Foreground(c("#a06000", "#ffaf00")),
		Bad:         s().Bold(true).Foreground(c("#c00000", "#ff5f5f")),
		Status:      s().Foreground(c("#404040", "#c0c0c0")),
		Input:       s().Bold(true).Foreground(c("#6a2a8a", "#d7afff")),
		Selected:    s().Bold(true).Underline(true),
		BarExisting: s().Foreground(c("#3a6ea5", "#5f87d7")),
		BarNew:      s().Foreground(c("#2a8a2a", "#5fd75f")),
		BarOverhead: s().Foreground(c("#a07000", "#d7af5f")),
		BarFree:     s().Foreground(c("#b0b0b0", "#4e4e4e")),
		BarOver:     s().Foreground(c("#c00000", "#ff5f5f")),
		BarLeaving:  s().Foreground(c("#a0508a", "#d787af")),
	}
}
