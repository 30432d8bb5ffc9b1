package planner

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/placement"
)

// describe turns a solved model into a Plan in the fleet's own words.
func describe(sc *inventory.Scenario, prints *inputPrints, pol *inventory.Policy, ed *Edits, m *model, sol *placement.Solution) (*Plan, error) {
	p := m.prob
	names := m.hostNames(sol)
	H := p.H()
	nHosts := H + len(sol.NewHosts)

	before := make([]inventory.Vector, nHosts)
	for _, e := range m.existing {
		before[e.Host] = before[e.Host].Add(e.Demand)
	}
	after := slices.Clone(before)
	placed := make([][]string, nHosts)
	for gi, h := range sol.Host {
		if h == placement.NoHost {
			continue
		}
		after[h] = after[h].Add(m.guests[gi].Demand)
		placed[h] = append(placed[h], m.guests[gi].Name)
	}

	plan := &Plan{
		APIVersion: PlanAPIVersion,
		Kind:       PlanKind,
		Scenario:   sc.Name,
		Source:     sc.Source,
		Policy:     policyView(pol),
		Edits:      cloneEdits(*ed),
		Actions:    []Action{},
		Buy:        []Purchase{},
		Unplaced:   []Unplaced{},
		Warnings:   []string{},
	}
	plan.Edits.normalise()
	plan.Groups = []GroupView{}
	for _, g := range sc.Groups {
		plan.Groups = append(plan.Groups, GroupView{Name: g.Name, Scope: string(g.Scope), Together: g.Together})
	}
	for _, g := range m.implicitGroups {
		plan.Groups = append(plan.Groups, GroupView{Name: g, Scope: string(inventory.ScopeHost)})
		plan.Warnings = append(plan.Warnings, fmt.Sprintf(
			"group %s is named by running guests but not defined in the scenario: kept as host-scope anti-affinity", g))
	}

	excluded := map[string]bool{}
	for _, h := range ed.Excluded {
		excluded[h] = true
	}
	for hi, h := range m.hosts {
		hp := HostPlan{
			Name:        h.Name,
			URI:         inventory.MaskURI(h.URI),
			Rack:        h.Rack(),
			Zone:        h.Zone(),
			Labels:      otherLabels(h.Labels),
			Excluded:    excluded[h.Name],
			Offered:     m.offered[hi],
			Before:      tidyVec(before[hi]),
			After:       tidyVec(after[hi]),
			Existing:    []string{},
			Placed:      orEmpty(placed[hi]),
			Fingerprint: prints.hosts[hi],
		}
		for _, g := range h.Guests {
			hp.Existing = append(hp.Existing, g.Name)
		}
		plan.Hosts = append(plan.Hosts, hp)
	}
	buy := map[int32]*Purchase{}
	var buyOrder []int32
	for i, mi := range sol.NewHosts {
		hi := H + i
		hm := m.models[mi]
		off := inventory.Vector{}
		copy(off[:], p.Models[mi].Offered)
		plan.Hosts = append(plan.Hosts, HostPlan{
			Name: names[hi], New: true, Model: hm.Name,
			Rack: hm.Labels["rack"], Zone: hm.Labels["zone"], Labels: otherLabels(hm.Labels),
			Offered: off, Before: tidyVec(before[hi]), After: tidyVec(after[hi]),
			Existing: []string{}, Placed: orEmpty(placed[hi]), Spare: len(placed[hi]) == 0,
		})
		if buy[mi] == nil {
			buy[mi] = &Purchase{Model: hm.Name}
			buyOrder = append(buyOrder, mi)
		}
		buy[mi].Count++
		buy[mi].Hosts = append(buy[mi].Hosts, names[hi])
	}
	for _, mi := range buyOrder {
		plan.Buy = append(plan.Buy, *buy[mi])
	}

	for _, e := range m.existing {
		plan.Actions = append(plan.Actions, Action{
			Op: OpKeep, Guest: e.Guest.Name, Host: names[e.Host], Profile: e.Guest.Profile, Group: e.Guest.Group,
			Allocation: e.Guest.Allocation, Demand: e.Demand,
		})
	}
	pinned := map[string]bool{}
	for _, pin := range ed.Pins {
		pinned[pin.Guest] = true
	}
	// Creates in host order, so apply walks each host's work together.
	var creates []int
	for gi, h := range sol.Host {
		if h != placement.NoHost {
			creates = append(creates, gi)
		}
	}
	slices.SortStableFunc(creates, func(a, b int) int { return int(sol.Host[a]) - int(sol.Host[b]) })
	for _, gi := range creates {
		g := m.guests[gi]
		sc := scoreOf(sol.Terms[gi])
		plan.Actions = append(plan.Actions, Action{
			Op: OpCreate, Guest: g.Name, Host: names[sol.Host[gi]], Profile: g.Profile, Group: g.Group,
			Allocation: g.Allocation, Demand: g.Demand, Pinned: pinned[g.Name], Score: &sc,
		})
	}

	// Unplaced guests of the same shape (demand, appetite, group, pin) are
	// refused for the same reasons; explain each shape once, since on a
	// large fleet explaining means looking at every host.
	type shape struct {
		demand   inventory.Vector
		appetite int8
		group    int32
		pin      int32
	}
	explained := map[shape]*Unplaced{}
	for gi, h := range sol.Host {
		if h != placement.NoHost {
			continue
		}
		k := shape{m.guests[gi].Demand, p.Appetite[gi], p.Group[gi], placement.NoHost}
		if p.Pin != nil {
			k.pin = p.Pin[gi]
		}
		u, ok := explained[k]
		if !ok {
			u = new(Unplaced)
			*u = unplaced(m, sol, names, gi)
			explained[k] = u
			plan.Unplaced = append(plan.Unplaced, *u)
			continue
		}
		plan.Unplaced = append(plan.Unplaced, u.renamed(m.guests[gi]))
	}

	// A violation the plan causes (a new guest involved, or a host it adds
	// guests to) counts against the plan; one the fleet already had before
	// the plan is reported as a warning and does not fail the plan.
	violations := 0
	said := map[string]bool{}
	for _, v := range placement.Check(p, sol) {
		text := violationText(m, names, v)
		if !planCaused(p, sol, v, placed) {
			text = "the fleet already breaks a rule: " + strings.TrimPrefix(text, "violation: ")
		} else {
			violations++
		}
		if !said[text] {
			said[text] = true
			plan.Warnings = append(plan.Warnings, text)
		}
	}
	met := placement.Evaluate(p, sol)
	fo := placement.FailoverCheck(p, sol, pol.FailoverHosts)
	plan.Metrics = Metrics{
		Hosts:             H,
		HostsBefore:       met.HostsBefore,
		HostsUsed:         met.HostsUsed,
		NewHosts:          met.NewHosts,
		LowerBound:        placement.LowerBound(p),
		Guests:            len(m.guests),
		Placed:            met.Placed,
		Unplaced:          met.Unplaced,
		UtilisationBefore: tidyVec(utilisation(plan.Hosts, func(h *HostPlan) inventory.Vector { return h.Before })),
		Utilisation:       tidyVec(vec(met.Utilisation)),
		Stranded:          tidyVec(vec(met.Stranded)),
		Balance:           tidy(met.Balance),
		AppetiteStacked:   met.AppetiteStacked,
		Violations:        violations,
		Failover:          FailoverView{K: fo.K, Holds: fo.Holds, Homeless: fo.Homeless},
	}
	for _, h := range fo.FailedHosts {
		plan.Metrics.Failover.FailedHosts = append(plan.Metrics.Failover.FailedHosts, names[h])
	}
	plan.Fingerprint = prints.fingerprint(pol, &plan.Edits)
	plan.ID = planID(plan.Fingerprint, m, sol, names)
	return plan, nil
}

// utilisation is Σ load / Σ offered per dimension over hosts with any load.
func utilisation(hosts []HostPlan, load func(*HostPlan) inventory.Vector) inventory.Vector {
	var used, off inventory.Vector
	for i := range hosts {
		l := load(&hosts[i])
		if l.IsZero() {
			continue
		}
		used = used.Add(l)
		off = off.Add(hosts[i].Offered)
	}
	var u inventory.Vector
	for d := range u {
		if off[d] > 0 {
			u[d] = used[d] / off[d]
		}
	}
	return u
}

func vec(xs []float64) inventory.Vector {
	var v inventory.Vector
	copy(v[:], xs)
	return v
}

func orEmpty(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// otherLabels are a host's labels beyond rack and zone (which have fields).
func otherLabels(labels map[string]string) map[string]string {
	var out map[string]string
	for k, v := range labels {
		if k == "rack" || k == "zone" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	return out
}

func scoreOf(t placement.Terms) Score {
	return Score{Align: round6(t.Align), Fill: round6(t.Fill), Stranded: round6(t.Stranded),
		Appetite: round6(t.Appetite), Opens: t.Opens, Total: round6(t.Total)}
}

// PolicyFromView turns the policy recorded in a plan back into the policy
// it was made under (the inverse of the plan's policy section), so a plan
// can be re-made, edited further or re-verified.
func PolicyFromView(v PolicyView) inventory.Policy {
	p := inventory.Policy{
		Overcommit: v.Overcommit, Headroom: v.Headroom, Overhead: v.Overhead,
		SafetyFactor:  v.SafetyFactor,
		SameAppetite:  inventory.SameAppetite{Mode: inventory.AppetiteMode(v.SameAppetite), MaxPerHost: v.MaxPerHost, Penalty: v.Penalty},
		FailoverHosts: v.FailoverHosts, Objective: inventory.Objective(v.Objective),
		Strategy: v.Strategy, Seed: v.Seed, Iterations: v.Iterations,
	}
	for i, b := range v.Basis {
		if i < len(p.Basis) {
			p.Basis[i] = inventory.Basis(b)
		}
	}
	if v.Budget != "" {
		p.Budget, _ = time.ParseDuration(v.Budget) // written by policyView
	}
	return p
}

func policyView(p *inventory.Policy) PolicyView {
	v := PolicyView{
		Objective: string(p.Objective), Strategy: p.Strategy, Seed: p.Seed, Iterations: p.Iterations,
		Overcommit: p.Overcommit, Headroom: p.Headroom, Overhead: p.Overhead,
		SafetyFactor: p.SafetyFactor, SameAppetite: string(p.SameAppetite.Mode),
		MaxPerHost: p.SameAppetite.MaxPerHost, Penalty: p.SameAppetite.Penalty,
		FailoverHosts: p.FailoverHosts,
	}
	for _, b := range p.Basis {
		v.Basis = append(v.Basis, string(b))
	}
	if v.Strategy == "" {
		v.Strategy = "align"
	}
	if p.Budget > 0 {
		v.Budget = p.Budget.String()
	}
	return v
}

// normalise sorts edits and turns nil lists into empty ones, so a plan's
// bytes do not depend on the order edits were made in.
func (e *Edits) normalise() {
	if e.Pins == nil {
		e.Pins = []Pin{}
	}
	if e.Excluded == nil {
		e.Excluded = []string{}
	}
	if e.Demand == nil {
		e.Demand = []DemandEdit{}
	}
	slices.SortFunc(e.Pins, func(a, b Pin) int { return strings.Compare(a.Guest, b.Guest) })
	slices.Sort(e.Excluded)
	slices.Sort(e.Keep)
}

func violationText(m *model, names []string, v placement.Violation) string {
	host := "no host"
	if v.Host >= 0 && int(v.Host) < len(names) {
		host = names[v.Host]
	}
	who := ""
	if v.Guest != placement.NoHost {
		who = m.guests[v.Guest].Name + " on "
	}
	switch v.Rule {
	case placement.RuleCapacity:
		d := inventory.Dimension(v.Dim)
		return fmt.Sprintf("violation: %s%s is over capacity in %s: %s used of %s offered",
			who, host, d, inventory.FormatQuantity(d, v.Used), inventory.FormatQuantity(d, v.Offered))
	case placement.RuleAntiAffinity, placement.RuleAffinity:
		return fmt.Sprintf("violation: %s%s breaks the %s rule of group %s", who, host, v.Rule, m.groups[v.Group])
	case placement.RuleAppetite:
		return fmt.Sprintf("violation: %s holds %d %s-heavy guests, over the hard same-appetite limit of %d",
			host, int(v.Used), inventory.Dimension(v.Dim), int(v.Offered))
	case placement.RulePinned:
		return fmt.Sprintf("violation: %sis not on the host it is pinned to", strings.TrimSuffix(who, "on "))
	case placement.RuleSelector:
		return fmt.Sprintf("violation: %s%s lacks the labels its demand's selector asks for", who, host)
	}
	return fmt.Sprintf("violation: %s%s breaks the %s rule", who, host, v.Rule)
}

// sortedKeys returns a map's keys in order, for deterministic output.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// planCaused reports whether a violation is the plan's doing: a new guest is
// involved, or the plan adds to the host a guest that makes it worse (any
// guest for capacity, one of that appetite for the same-appetite limit).
// Anything else the fleet already had before the plan.
func planCaused(p *placement.Problem, sol *placement.Solution, v placement.Violation, placed [][]string) bool {
	if v.Guest != placement.NoHost {
		return true // Check names the new guest that breaks the rule
	}
	if v.Host < 0 || int(v.Host) >= len(placed) || len(placed[v.Host]) == 0 {
		return false
	}
	switch v.Rule {
	case placement.RuleCapacity:
		return true // any guest added to an over-full host makes it worse
	case placement.RuleAppetite:
		for g, h := range sol.Host {
			if h == v.Host && int(p.Appetite[g]) == v.Dim {
				return true
			}
		}
	}
	// Group rules broken by existing guests alone are the fleet's state.
	return false
}

func tidyVec(v inventory.Vector) inventory.Vector {
	for d := range v {
		v[d] = tidy(v[d])
	}
	return v
}
