package planner

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/placement"
)

// Rearrangement is a way to make room for an unplaced guest by moving
// others: it fits on Host once each guest in Moves has moved.
type Rearrangement struct {
	Host  string       `json:"host"`
	Moves []Relocation `json:"moves"`
	// Hint says it in words: "fits on kvm02 after moving web-3 (running)
	// from kvm02 to kvm04".
	Hint string `json:"hint"`
}

// Relocation is one guest moved to make room. Running is true for a guest
// that runs already (moving it is a migration: --allow-moves), false for
// one this plan places.
type Relocation struct {
	Guest   string `json:"guest"`
	From    string `json:"from"`
	To      string `json:"to"`
	Running bool   `json:"running,omitempty"`
}

// fitsAfterMoving asks placement for a re-arrangement that places new
// guest gi, in names; nil when there is none (capacity really is short,
// or a rule no move lifts).
func fitsAfterMoving(m *model, sol *placement.Solution, names []string, gi int) *Rearrangement {
	r, ok := placement.Rearrange(m.prob, sol, gi)
	if !ok {
		return nil
	}
	out := &Rearrangement{Host: names[r.Host]}
	var parts []string
	for _, mv := range r.Moves {
		x := Relocation{From: names[mv.From], To: names[mv.To]}
		if mv.Guest >= 0 {
			x.Guest = m.guests[mv.Guest].Name
		} else {
			x.Guest, x.Running = m.existing[-mv.Guest-1].Guest.Name, true
		}
		out.Moves = append(out.Moves, x)
		what := x.Guest
		if x.Running {
			what += " (running)"
		}
		parts = append(parts, fmt.Sprintf("%s from %s to %s", what, x.From, x.To))
	}
	out.Hint = fmt.Sprintf("fits on %s after moving %s", out.Host, strings.Join(parts, " and "))
	for _, x := range out.Moves {
		if x.Running {
			out.Hint += " (plan with --allow-moves to migrate running guests)"
			break
		}
	}
	return out
}
