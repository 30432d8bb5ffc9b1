package tui

import (
	"fmt"
	"slices"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
)

// resolve decides a toggling edit (exclude/include, pin/unpin, keep/let
// move) against p, the plan on screen when the edit runs. A key pressed
// while a re-plan ran was turned into an edit from the plan then on
// screen; the edits queued before it may have changed the host or guest
// since.
func resolve(e common.Edit, p *planner.Plan) (common.Edit, error) {
	if !e.Toggle || p == nil {
		return e, nil
	}
	switch e.Kind {
	case common.EditExclude:
		for _, h := range p.Hosts {
			if h.Name == e.Host {
				return common.ExcludeToggle(h.Name, h.Excluded), nil
			}
		}
		return e, fmt.Errorf("%s: the plan has no host %s any more", e.Label, e.Host)
	case common.EditPin, common.EditUnpin:
		for _, a := range p.Actions {
			if a.Op == planner.OpCreate && a.Guest == e.Guest && a.Host != "" {
				return common.PinToggle(a.Guest, a.Host, a.Pinned), nil
			}
		}
		return e, fmt.Errorf("%s: %s is not placed now: open it (enter) and move it to a host instead", e.Label, e.Guest)
	case common.EditKeep:
		for _, h := range p.Hosts {
			if slices.Contains(h.Existing, e.Guest) {
				return common.KeepToggle(e.Guest, slices.Contains(p.Edits.Keep, e.Guest)), nil
			}
		}
		return e, fmt.Errorf("%s: the plan has no running guest %s", e.Label, e.Guest)
	}
	return e, nil
}
