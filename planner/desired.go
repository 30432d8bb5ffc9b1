package planner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/inventory"
)

// A demand file is a desired state: entry NAME with count N wants guests
// NAME-1 … NAME-N. demandState is how the running fleet stands against it.
//
//   - A running guest named NAME-i (i ≤ N) that berth created from that
//     entry (its metadata names the entry's profile and group) satisfies
//     the demand: it is kept, not created again.
//   - A running guest named NAME-i with i > N, made from that entry, is a
//     surplus: the count was lowered, and the plan removes it.
//   - A running guest named NAME-i (i ≤ N) that berth did not make from
//     that entry is a clash: the entry would create a guest with its name.
//
// Running guests that no entry names are the fleet's own and stay.
type demandState struct {
	// satisfied are the demanded guests already running (by name).
	satisfied map[string]bool
	// surplus are the running guests beyond their entry's count (by name).
	surplus map[string]bool
}

// entryOf is the demand entry a guest's name belongs to and the guest's
// number in it (NAME-i, i ≥ 1 written without leading zeros), or nil.
func entryOf(byName map[string]*inventory.Demand, guest string) (*inventory.Demand, int) {
	cut := strings.LastIndexByte(guest, '-')
	if cut <= 0 {
		return nil, 0
	}
	dm := byName[guest[:cut]]
	if dm == nil {
		return nil, 0
	}
	i, err := strconv.Atoi(guest[cut+1:])
	if err != nil || i < 1 || strconv.Itoa(i) != guest[cut+1:] {
		return nil, 0
	}
	return dm, i
}

// entryName is the prefix of an entry's guests' names.
func entryName(dm *inventory.Demand) string {
	if dm.Name != "" {
		return dm.Name
	}
	return dm.Profile
}

// madeFrom is inventory.MadeFrom: berth created g from entry dm.
var madeFrom = inventory.MadeFrom

// reconcile sets the running guests of sc against demand (the scenario's
// entries and the edits'). It fails on a clash, naming the guest, its host
// and what to do.
func reconcile(sc *inventory.Scenario, demand []inventory.Demand) (*demandState, error) {
	st := &demandState{satisfied: map[string]bool{}, surplus: map[string]bool{}}
	byName := map[string]*inventory.Demand{}
	for i := range demand {
		byName[entryName(&demand[i])] = &demand[i]
	}
	for hi := range sc.Hosts {
		h := &sc.Hosts[hi]
		for gi := range h.Guests {
			g := &h.Guests[gi]
			dm, i := entryOf(byName, g.Name)
			if dm == nil {
				continue
			}
			switch {
			case i <= dm.Count && madeFrom(g, dm):
				st.satisfied[g.Name] = true
			case i <= dm.Count:
				return nil, fmt.Errorf("demanded guest %q has the name of a guest already on host %s that berth did not create from this demand entry (%s): rename the demand entry",
					g.Name, h.Name, madeFromText(g, dm))
			case madeFrom(g, dm):
				st.surplus[g.Name] = true
			}
		}
	}
	return st, nil
}

// madeFromText says why g does not count as made from dm.
func madeFromText(g *inventory.Guest, dm *inventory.Demand) string {
	if g.RoleSource != inventory.RoleMetadata {
		return "it carries no berth metadata"
	}
	if g.Profile != dm.Profile {
		return fmt.Sprintf("its metadata says profile %s, the entry %s", g.Profile, dm.Profile)
	}
	return fmt.Sprintf("its metadata says group %q, the entry %q", g.Group, dm.Group)
}

// allDemand is the scenario's demand followed by the edits'.
func allDemand(sc *inventory.Scenario, edits []DemandEdit) []inventory.Demand {
	demand := append([]inventory.Demand(nil), sc.Demand...)
	for _, de := range edits {
		demand = append(demand, inventory.Demand{Name: de.Name, Profile: de.Profile, Count: de.Count, Group: de.Group})
	}
	return demand
}

// removeActions removes the model's surplus guests, in host order.
func removeActions(m *model, names []string) []Action {
	var out []Action
	for _, e := range m.removed {
		out = append(out, Action{
			Op: OpRemove, Guest: e.Guest.Name, Host: names[e.Host], Profile: e.Guest.Profile, Group: e.Guest.Group,
			Allocation: e.Guest.Allocation, Demand: e.Demand,
		})
	}
	return out
}

// desiredState checks a plan against how the scenario's running guests
// stand against its demand: a demanded guest that already runs is kept
// (covered), and the plan removes exactly the surplus guests, unless it
// moves guests (a plan with moves keeps them).
func (v *verifier) desiredState(sc *inventory.Scenario, demand []inventory.Demand, demanded map[string]inventory.Vector, covered map[string]bool) {
	st, err := reconcile(sc, demand)
	if err != nil {
		v.fail("%v", err)
		return
	}
	removed, kept := map[string]bool{}, 0
	for _, a := range v.plan.Actions {
		switch {
		case (a.Op == OpKeep || a.Op == OpMove) && st.satisfied[a.Guest]:
			if !covered[a.Guest] {
				kept++
			}
			covered[a.Guest] = true
		case a.Op == OpRemove:
			removed[a.Guest] = true
			if !st.surplus[a.Guest] {
				v.fail("remove %s: the scenario's demand does not make it a surplus guest", a.Guest)
			}
		}
	}
	for name := range st.satisfied {
		if _, ok := demanded[name]; ok && !covered[name] {
			v.fail("demanded guest %s runs already, but the plan does not keep it", name)
			covered[name] = true
		}
	}
	if m := v.plan.Metrics; m.Running != kept || m.Removed != len(removed) {
		v.fail("metrics say %d demanded guests run already and %d are removed; the actions say %d and %d", m.Running, m.Removed, kept, len(removed))
	}
	if v.plan.Moves != nil {
		return
	}
	for _, name := range sortedKeys(st.surplus) {
		if !removed[name] {
			v.fail("guest %s is beyond its demand entry's count, but the plan does not remove it", name)
		}
	}
}

// hostsOnlyRemoved counts the hosts whose only guests before the plan are
// ones it removes (in use before the plan, though the solver, which never
// sees removed guests, does not count them).
func hostsOnlyRemoved(m *model) int {
	kept := map[int]bool{}
	for _, e := range m.existing {
		kept[e.Host] = true
	}
	only := map[int]bool{}
	for _, e := range m.removed {
		if !kept[e.Host] {
			only[e.Host] = true
		}
	}
	return len(only)
}

// desiredText is what the summary's guests line adds for a demand that
// runs already in part: " · N running already · M to remove".
func desiredText(m *Metrics) string {
	s := ""
	if m.Running > 0 {
		s += fmt.Sprintf(" · %d running already", m.Running)
	}
	if m.Removed > 0 {
		s += fmt.Sprintf(" · %d to remove", m.Removed)
	}
	return s
}
