package components

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/keymap"
)

// List is a cursor over n rows shown height at a time. Rows for which
// skip returns true (group headings) are stepped over.
type List struct {
	Cursor, Offset int
}

// Key moves the cursor for a navigation key and reports whether it was one.
func (l *List) Key(km *keymap.KeyMap, msg tea.KeyPressMsg, n, height int, skip func(int) bool) bool {
	page := max(height-1, 1)
	switch {
	case key.Matches(msg, km.Up):
		l.step(-1, n, skip)
	case key.Matches(msg, km.Down):
		l.step(1, n, skip)
	case key.Matches(msg, km.PageUp):
		l.jump(l.Cursor-page, -1, n, skip)
	case key.Matches(msg, km.PageDown):
		l.jump(l.Cursor+page, 1, n, skip)
	case key.Matches(msg, km.Home):
		l.jump(0, 1, n, skip)
	case key.Matches(msg, km.End):
		l.jump(n-1, -1, n, skip)
	default:
		return false
	}
	l.Offset = common.Scroll(l.Offset, l.Cursor, height, n)
	return true
}

// Clamp keeps the cursor on a row after the rows changed.
func (l *List) Clamp(n, height int, skip func(int) bool) {
	if n == 0 {
		l.Cursor, l.Offset = 0, 0
		return
	}
	l.jump(min(l.Cursor, n-1), 1, n, skip)
	if skip != nil && skip(l.Cursor) {
		l.jump(l.Cursor, -1, n, skip)
	}
	l.Offset = common.Scroll(l.Offset, l.Cursor, height, n)
}

func (l *List) step(dir, n int, skip func(int) bool) {
	for c := l.Cursor + dir; c >= 0 && c < n; c += dir {
		if skip == nil || !skip(c) {
			l.Cursor = c
			return
		}
	}
}

// jump puts the cursor on row c (clamped), or the nearest selectable row
// in direction dir from it.
func (l *List) jump(c, dir, n int, skip func(int) bool) {
	c = min(max(c, 0), n-1)
	for ; c >= 0 && c < n; c += dir {
		if skip == nil || !skip(c) {
			l.Cursor = c
			return
		}
	}
}

// Window returns the rows [from, to) to draw for height lines, keeping the
// cursor visible.
func (l List) Window(n, height int) (from, to int) {
	from = common.Scroll(l.Offset, l.Cursor, height, n)
	return from, min(from+height, n)
}

// At is the row drawn on line (0 = the first row line) when height lines
// show rows, as Window draws them; false when no row is drawn there.
func (l List) At(line, n, height int) (int, bool) {
	from, to := l.Window(n, height)
	r := from + line
	return r, line >= 0 && r < to
}

// Select puts the cursor on row r unless skip says it is not selectable
// (a heading), and reports whether it did.
func (l *List) Select(r, n, height int, skip func(int) bool) bool {
	if r < 0 || r >= n || (skip != nil && skip(r)) {
		return false
	}
	l.Cursor = r
	l.Offset = common.Scroll(l.Offset, l.Cursor, height, n)
	return true
}

// Violations finds the hosts and guests named in the plan's "violation:"
// warnings ("violation: GUEST on HOST is over capacity…", "violation:
// HOST is over…"), so tables can flag them.
func Violations(p *planner.Plan) (hosts, guests map[string]bool) {
	hosts, guests = map[string]bool{}, map[string]bool{}
	for _, w := range p.Warnings {
		rest, ok := strings.CutPrefix(w, "violation: ")
		if !ok {
			continue
		}
		words := strings.Fields(rest)
		if len(words) >= 3 && words[1] == "on" {
			guests[words[0]] = true
			hosts[words[2]] = true
		} else if len(words) > 0 {
			hosts[words[0]] = true
		}
	}
	return hosts, guests
}
