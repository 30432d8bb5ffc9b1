package pages

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/components"
	"github.com/berth-dev/berth/tui/styles"
)

// The fleet view's moves tab: the keys of its rows, its name, and the
// moves' line of the metrics header.

// movesKey handles a key on the moves tab's selected row: enter opens the
// destination host of a migration, the host of a host row and the why-not
// of a guest that cannot move; p keeps a guest where it is (or lets a
// kept one move); x takes a migration's destination (or a host row's
// host) out as a destination. ok is false for keys it leaves to the
// fleet view.
func (f *Fleet) movesKey(msg tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	km := f.ctx.Keys
	r, sel := f.moves.Selected()
	switch {
	case key.Matches(msg, km.Open):
		if !sel {
			return nil, true
		}
		if r.Kind == components.RowStuck {
			return common.Send(common.OpenGuestMsg{Guest: r.Guest}), true
		}
		return common.Send(common.OpenHostMsg{Host: r.Host}), true
	case key.Matches(msg, km.Keep):
		switch {
		case !sel:
			return nil, true
		case r.Kind == components.RowHost:
			return common.Status("p keeps a guest where it is: choose a migration or a guest", false), true
		}
		return common.Send(common.EditMsg{Edit: common.KeepToggle(r.Guest, r.Kept)}), true
	case key.Matches(msg, km.ExcludeDest):
		if !sel {
			return nil, true
		}
		switch r.Kind {
		case components.RowMove, components.RowHost:
			for i := range f.ctx.Plan.Hosts {
				if h := &f.ctx.Plan.Hosts[i]; h.Name == r.Host {
					return excludeCmd(h), true
				}
			}
		}
		return common.Status("x takes a host out as a destination: choose a migration (its destination) or a host", false), true
	case key.Matches(msg, km.SortNext), key.Matches(msg, km.SortPrev), key.Matches(msg, km.Reverse), key.Matches(msg, km.Group):
		// The moves are listed in the order they run.
		return nil, true
	}
	return nil, false
}

// movesTabName names the moves tab: "Moves (13 in 4 waves)", "Moves
// (none)", or for rolling maintenance "Steps (3, 13 moves)".
func movesTabName(s *planner.MoveSummary) string {
	switch {
	case s.Goal == string(planner.GoalWaves):
		return fmt.Sprintf("Steps (%d, %s)", len(s.Maintenance), planner.CountOf(s.Migrations, "move", "moves"))
	case s.Migrations == 0:
		return "Moves (none)"
	}
	return fmt.Sprintf("Moves (%d in %s)", s.Migrations, planner.CountOf(len(s.Waves), "wave", "waves"))
}

// movesLine is the metrics header's line for the moves: "consolidate · 13
// migrations in 4 waves · 570 GiB · 4m30s · 4 freed · 2 cannot
// move".
func movesLine(st *styles.Styles, s *planner.MoveSummary) string {
	parts := []string{s.Goal}
	if s.Goal == string(planner.GoalWaves) {
		parts = append(parts, fmt.Sprintf("%s (lower bound %d)", planner.CountOf(len(s.Maintenance), "step", "steps"), s.Bounds.Waves))
	}
	if s.Migrations == 0 {
		parts = append(parts, "nothing to move")
	} else {
		parts = append(parts, fmt.Sprintf("%s in %s", planner.CountOf(s.Migrations, "migration", "migrations"), planner.CountOf(len(s.Waves), "wave", "waves")),
			planner.BytesText(s.Bytes), planner.DurationText(s.Seconds))
	}
	if len(s.Freed) > 0 {
		parts = append(parts, st.Good.Render(fmt.Sprintf("%d freed", len(s.Freed))))
	}
	if len(s.Stuck) > 0 {
		parts = append(parts, st.Bad.Render(fmt.Sprintf("%d cannot move", len(s.Stuck))))
	}
	if len(s.Undrainable) > 0 {
		parts = append(parts, st.Bad.Render(fmt.Sprintf("%d cannot be drained", len(s.Undrainable))))
	}
	if len(s.Remaining) > 0 {
		parts = append(parts, st.Bad.Render(fmt.Sprintf("%d still wrong", len(s.Remaining))))
	}
	return strings.Join(parts, " · ")
}
