package apply

import (
	"slices"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

// A plan's fingerprint of a host is of the host as the plan found it. Once
// some of the plan's moves have run (an earlier, interrupted apply), the
// guests they moved are elsewhere: that is the plan's own work, not a
// change. So the staleness check compares a host with the guests the plan
// moves into or out of it put back where the plan found them: every
// guest a move touches is taken out of what is read now, and those the
// plan found on the host are put back, with the allocation the plan
// records. Whether each of them really is where its move needs it is the
// check before each wave's business (move_gate.go), which names the guest.

// movedBack is guests, as read on host h now, with the guests p moves
// into or out of h put back where p found them.
func movedBack(p *planner.Plan, h planner.HostPlan, guests []inventory.Guest) []inventory.Guest {
	touched := map[string]planner.Action{}
	for _, a := range p.Actions {
		if a.Op == planner.OpMove && a.Move != nil && (a.Host == h.Name || a.Move.From == h.Name) {
			touched[a.Guest] = a
		}
	}
	if len(touched) == 0 {
		return guests
	}
	out := slices.DeleteFunc(slices.Clone(guests), func(g inventory.Guest) bool {
		_, ok := touched[g.Name]
		return ok
	})
	for _, name := range h.Existing {
		if a, ok := touched[name]; ok {
			out = append(out, inventory.Guest{Name: name, Allocation: a.Allocation})
		}
	}
	return out
}

// withMoveHosts adds to hosts (the hosts the plan creates guests on) the
// hosts its moves touch, for the staleness check.
func (a *Apply) withMoveHosts(hosts []planner.HostPlan) []planner.HostPlan {
	for _, h := range a.moves.hosts(a.plan) {
		if !slices.ContainsFunc(hosts, func(x planner.HostPlan) bool { return x.Name == h.Name }) {
			hosts = append(hosts, h)
		}
	}
	return hosts
}
