package pages

import (
	"fmt"
	"slices"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/components"
)

// The host detail of a plan with moves: the guests that leave and arrive,
// the host's load split into what stays, leaves and arrives, and what a
// moving guest's migration is.

// movingGuests are the guests that leave the host (out: each with its
// first migration, the one away from here, and its last host) and those
// that arrive (in: each with its last migration, the one to here, and the
// host it comes from). A guest that hops through a third host has two
// migrations; one that only passes through this host is in neither list.
func (h *Host) movingGuests() (out, in []hostGuest) {
	p := h.ctx.Plan
	hp := h.host()
	if p.Moves == nil || hp == nil {
		return nil, nil
	}
	moves := map[string][]planner.Action{}
	for _, a := range p.Actions {
		if a.Op == planner.OpMove && a.Move != nil {
			moves[a.Guest] = append(moves[a.Guest], a)
		}
	}
	for _, g := range hp.MovedOut {
		if ms := moves[g]; len(ms) > 0 {
			out = append(out, hostGuest{action: ms[0], moving: "out", other: ms[len(ms)-1].Host})
		}
	}
	for _, g := range hp.MovedIn {
		if ms := moves[g]; len(ms) > 0 {
			in = append(in, hostGuest{action: ms[len(ms)-1], moving: "in", other: ms[0].Move.From})
		}
	}
	return out, in
}

// loads is the host's load split into what stays, leaves and ends here.
func (h *Host) loads() components.HostLoads {
	p := h.ctx.Plan
	for i, l := range components.MoveLoads(p) {
		if p.Hosts[i].Name == h.name {
			return l
		}
	}
	return components.HostLoads{}
}

// moveCell is the MOVE cell of a moving guest: "→ kvm06 · wave 1".
func moveCell(g hostGuest) string {
	arrow := "→ "
	if g.moving == "in" {
		arrow = "← "
	}
	return fmt.Sprintf("%s%s · wave %d", arrow, g.other, g.action.Move.Wave)
}

// moveDetail is the detail of an existing guest in a plan with moves: its
// migration and why, or that it stays (kept or not).
func (h *Host) moveDetail(g hostGuest) []string {
	st := h.ctx.Styles
	a := g.action
	kept := slices.Contains(h.ctx.Plan.Edits.Keep, a.Guest)
	keep := h.ctx.Keys.Keep.Help().Key
	if g.moving == "" {
		if kept {
			return []string{st.Warn.Render("kept here: it never moves") + st.Dim.Render(" ("+keep+" lets it move)")}
		}
		return []string{"stays here" + st.Dim.Render(" ("+keep+" keeps it here whatever the plan)")}
	}
	mv := a.Move
	mode := "live"
	if !mv.Live {
		mode = "offline"
	}
	from, to := mv.From, a.Host
	if g.moving == "out" {
		to = g.other
	} else {
		from = g.other
	}
	how := fmt.Sprintf("moves %s → %s in wave %d · %s · copies %s, about %s", from, to, mv.Wave, mode,
		planner.BytesText(mv.Bytes), planner.DurationText(mv.Seconds))
	return []string{how, st.Dim.Render("why: " + mv.Reason.Text + " · " + keep + " keeps it where it is · enter opens " + g.other)}
}

// notMovable says why enter or m on an existing guest does not open a
// ranking: in a plan with moves the planner decides where running guests
// go (p keeps one in place); otherwise only new guests are placed.
func (h *Host) notMovable(g *hostGuest) string {
	if h.ctx.Plan.Moves != nil {
		return g.action.Guest + " runs here; the plan decides where running guests go: " + h.ctx.Keys.Keep.Help().Key + " keeps it in place, x takes a host out as a destination"
	}
	return g.action.Guest + " already runs here; only new guests can be moved"
}
