package planner

import (
	"fmt"
	"math"
	"slices"

	"github.com/berth-dev/berth/inventory"
)

// Verify checks a plan independently of the solver that made it: it
// recomputes every host's load from the plan's actions and checks capacity,
// group rules, exclusions and that every demanded guest is placed or
// explained. Given the scenario the plan was made from, it also recomputes
// what each host offers and each guest demands from the scenario and the
// plan's policy, and checks that the plan covers exactly the scenario's
// demand. It returns one sentence per problem (none: the plan holds).
//
// It shares no code with package placement on purpose: a bug in the solver
// must not be able to hide itself here.
func Verify(p *Plan, sc *inventory.Scenario) []string {
	v := &verifier{plan: p, hosts: map[string]*HostPlan{}}
	for i := range p.Hosts {
		h := &p.Hosts[i]
		if v.hosts[h.Name] != nil {
			v.fail("host %s appears twice", h.Name)
		}
		v.hosts[h.Name] = h
	}
	v.loads()
	v.groups()
	v.moves(sc) // verify_moves.go: every step of the migrations
	v.explained()
	if sc != nil {
		v.againstScenario(sc)
	}
	return v.problems
}

type verifier struct {
	plan     *Plan
	hosts    map[string]*HostPlan
	problems []string
	final    []Action // finalActions' cache
}

func (v *verifier) fail(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

// near compares two amounts with a tolerance for float rounding relative to
// their size (and absolute for tiny numbers).
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// nearWhole is near for an amount of d that a plan file wrote in whole
// units (inventory.Amounts) and that adds up terms amounts so written:
// each of them, and the total, may be off by half a unit.
func nearWhole(d inventory.Dimension, a, b float64, terms int) bool {
	if near(a, b) {
		return true
	}
	return d.Integral() && math.Abs(a-b) <= 0.5*float64(terms+1)+1e-9
}

// loads recomputes each host's load after the plan from its actions and
// checks it against Before/After and Offered.
func (v *verifier) loads() {
	before := map[string]inventory.Vector{}
	after := map[string]inventory.Vector{}
	nBefore, nAfter := map[string]int{}, map[string]int{}
	seen := map[string]bool{}
	for _, a := range v.finalActions() {
		if seen[a.Guest] {
			v.fail("guest %s has more than one action", a.Guest)
		}
		seen[a.Guest] = true
		h := v.hosts[a.Host]
		if h == nil {
			v.fail("%s %s names host %s, which is not in the plan", a.Op, a.Guest, a.Host)
			continue
		}
		switch a.Op {
		case OpKeep:
			before[a.Host] = before[a.Host].Add(a.Demand)
			after[a.Host] = after[a.Host].Add(a.Demand)
			nBefore[a.Host]++
			nAfter[a.Host]++
		case OpMove: // its first migration's source, its last one's destination
			before[a.Move.From] = before[a.Move.From].Add(a.Demand)
			after[a.Host] = after[a.Host].Add(a.Demand)
			nBefore[a.Move.From]++
			nAfter[a.Host]++
		case OpRemove:
			before[a.Host] = before[a.Host].Add(a.Demand)
			nBefore[a.Host]++
			if !slices.Contains(h.Removed, a.Guest) {
				v.fail("remove %s from %s: the host does not list it as removed", a.Guest, a.Host)
			}
		case OpCreate:
			after[a.Host] = after[a.Host].Add(a.Demand)
			nAfter[a.Host]++
			if h.Excluded {
				v.fail("create %s on %s: the host is excluded", a.Guest, a.Host)
			}
			if !slices.Contains(h.Placed, a.Guest) {
				v.fail("create %s on %s: the host does not list it as placed", a.Guest, a.Host)
			}
		default:
			v.fail("guest %s: unknown action %q", a.Guest, a.Op)
		}
	}
	for _, u := range v.plan.Unplaced {
		if seen[u.Guest] {
			v.fail("guest %s is both placed and unplaced", u.Guest)
		}
	}
	for i := range v.plan.Hosts {
		h := &v.plan.Hosts[i]
		for _, d := range inventory.Dimensions {
			if !nearWhole(d, before[h.Name][d], h.Before[d], nBefore[h.Name]) {
				v.fail("host %s: %s before is %g but its kept guests add up to %g", h.Name, d, h.Before[d], before[h.Name][d])
			}
			if !nearWhole(d, after[h.Name][d], h.After[d], nAfter[h.Name]) {
				v.fail("host %s: %s after is %g but its guests add up to %g", h.Name, d, h.After[d], after[h.Name][d])
			}
			// Only what this plan adds can break capacity: a host that was
			// already over before the plan is the fleet's state, not the plan's.
			if after[h.Name][d] > before[h.Name][d] && after[h.Name][d] > h.Offered[d] && !nearWhole(d, after[h.Name][d], h.Offered[d], nAfter[h.Name]) {
				v.fail("host %s: %s load %s exceeds the %s it offers", h.Name, d,
					inventory.FormatQuantity(d, after[h.Name][d]), inventory.FormatQuantity(d, h.Offered[d]))
			}
		}
	}
}

// domain is the failure domain of a host at a group's scope; a host with no
// rack (zone) label is a domain of its own.
func domain(h *HostPlan, scope string) string {
	switch scope {
	case string(inventory.ScopeRack):
		if h.Rack != "" {
			return "rack " + h.Rack
		}
	case string(inventory.ScopeZone):
		if h.Zone != "" {
			return "zone " + h.Zone
		}
	}
	return "host " + h.Name
}

// groups checks anti-affinity (no two members of a group in one domain) and
// affinity (all members in one domain) over kept and created guests. Pairs
// of existing guests are the fleet's state and only reported when the plan
// adds a member to their domain.
func (v *verifier) groups() {
	type member struct {
		guest string
		isNew bool
	}
	for _, g := range v.plan.Groups {
		byDomain := map[string][]member{}
		for _, a := range v.finalActions() {
			if a.Group != g.Name || v.hosts[a.Host] == nil || a.Op == OpRemove {
				continue
			}
			dom := domain(v.hosts[a.Host], g.Scope)
			byDomain[dom] = append(byDomain[dom], member{a.Guest, a.Op == OpCreate || (a.Op == OpMove && domain(v.hosts[a.Host], g.Scope) != v.domainOf(a.Move.From, g.Scope))})
		}
		if g.Together {
			// New members go together, into a domain that already holds a
			// member if any does. (Existing members split across domains
			// are the fleet's state, which a plan cannot mend.)
			newDoms, oldDoms := map[string]bool{}, map[string]bool{}
			for dom, ms := range byDomain {
				for _, m := range ms {
					if m.isNew {
						newDoms[dom] = true
					} else {
						oldDoms[dom] = true
					}
				}
			}
			if len(newDoms) > 1 {
				v.fail("group %s must stay in one %s but its new members span %d", g.Name, g.Scope, len(newDoms))
			}
			for _, dom := range sortedKeys(newDoms) {
				if len(oldDoms) > 0 && !oldDoms[dom] {
					v.fail("group %s must stay together, but a new member is in %s, which holds none of its existing members", g.Name, dom)
				}
			}
			continue
		}
		for _, dom := range sortedKeys(byDomain) {
			ms := byDomain[dom]
			if len(ms) < 2 || !slices.ContainsFunc(ms, func(m member) bool { return m.isNew }) {
				continue
			}
			var names []string
			for _, m := range ms {
				names = append(names, m.guest)
			}
			v.fail("group %s (anti-affinity per %s): %s share %s", g.Name, g.Scope, JoinAnd(names), dom)
		}
	}
}

// explained checks that every unplaced guest carries its reasons.
func (v *verifier) explained() {
	for _, u := range v.plan.Unplaced {
		if len(u.Summary) == 0 || len(u.Refusals) == 0 {
			v.fail("unplaced guest %s has no reasons", u.Guest)
		}
	}
	m := v.plan.Metrics
	if m.Placed != v.plan.Creates() || m.Unplaced != len(v.plan.Unplaced) || m.Guests != m.Placed+m.Unplaced {
		v.fail("metrics say %d guests, %d placed, %d unplaced; the actions say %d placed, %d unplaced",
			m.Guests, m.Placed, m.Unplaced, v.plan.Creates(), len(v.plan.Unplaced))
	}
}

// againstScenario recomputes offers and demands from the scenario and the
// plan's policy.
func (v *verifier) againstScenario(sc *inventory.Scenario) {
	pol := PolicyFromView(v.plan.Policy)
	for i := range sc.Hosts {
		sh := &sc.Hosts[i]
		h := v.hosts[sh.Name]
		if h == nil {
			v.fail("scenario host %s is missing from the plan", sh.Name)
			continue
		}
		want := pol.HostOffered(sh)
		for _, d := range inventory.Dimensions {
			if !nearWhole(d, want[d], h.Offered[d], 0) {
				v.fail("host %s offers %g %s in the plan, but the scenario and policy give %g", sh.Name, h.Offered[d], d, want[d])
			}
		}
	}
	demanded := map[string]inventory.Vector{}
	demand := v.demandOf(sc)
	for _, de := range v.plan.Edits.Demand {
		demand = append(demand, inventory.Demand{Name: de.Name, Profile: de.Profile, Count: de.Count, Group: de.Group})
	}
	guests, err := expandDemand(sc, demand, &pol)
	if err != nil {
		v.fail("%v", err)
	}
	selector := map[string]map[string]string{}
	for _, g := range guests {
		demanded[g.Name] = g.Demand
		selector[g.Name] = g.Selector
	}
	covered := map[string]bool{}
	v.desiredState(sc, demand, demanded, covered)
	for _, a := range v.plan.Actions {
		if a.Op != OpCreate {
			continue
		}
		covered[a.Guest] = true
		want, ok := demanded[a.Guest]
		if !ok {
			v.fail("create %s: the scenario demands no such guest", a.Guest)
			continue
		}
		if sel := selector[a.Guest]; len(sel) > 0 && v.hosts[a.Host] != nil {
			h := v.hosts[a.Host]
			labels := map[string]string{"rack": h.Rack, "zone": h.Zone}
			for k, x := range h.Labels {
				labels[k] = x
			}
			for k, x := range sel {
				if labels[k] != x {
					v.fail("create %s on %s: its demand selects %s=%s, the host has %s=%q", a.Guest, a.Host, k, x, k, labels[k])
				}
			}
		}
		for _, d := range inventory.Dimensions {
			if !nearWhole(d, want[d], a.Demand[d], 0) {
				v.fail("create %s: %s demand %g, but the scenario and policy give %g", a.Guest, d, a.Demand[d], want[d])
			}
		}
	}
	for _, u := range v.plan.Unplaced {
		covered[u.Guest] = true
	}
	for _, name := range sortedKeys(demanded) {
		if !covered[name] {
			v.fail("demanded guest %s is neither placed nor reported unplaced", name)
		}
	}
	if pol.SameAppetite.Mode == inventory.AppetiteHard {
		v.appetiteLimit(sc, pol.SameAppetite.MaxPerHost)
	}
}

// appetiteLimit checks the hard same-appetite limit where the plan adds a
// guest of that appetite (a host already over it is the fleet's state).
func (v *verifier) appetiteLimit(sc *inventory.Scenario, limit int) {
	count := map[string]map[inventory.Dimension]int{}
	added := map[string]map[inventory.Dimension]bool{}
	for _, a := range v.finalActions() {
		p, ok := sc.Profile(a.Profile)
		if !ok || !p.HasAppetite || a.Op == OpRemove {
			continue
		}
		if count[a.Host] == nil {
			count[a.Host] = map[inventory.Dimension]int{}
		}
		count[a.Host][p.Appetite]++
		if a.Op != OpKeep {
			if added[a.Host] == nil {
				added[a.Host] = map[inventory.Dimension]bool{}
			}
			added[a.Host][p.Appetite] = true
		}
	}
	for _, host := range sortedKeys(count) {
		for _, d := range inventory.Dimensions {
			if n := count[host][d]; n > limit && added[host][d] {
				v.fail("host %s holds %d %s-heavy guests, over the hard same-appetite limit of %d", host, n, d, limit)
			}
		}
	}
}
