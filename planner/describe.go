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

// describe turns a solved model into a Plan in the fleet's own words, as a
// short pipeline: the header (policy, edits, groups), the hosts before and
// after (existing, then bought, with the buy list), the actions, the
// unplaced guests with their reasons, the rules the plan breaks, and the
// metrics. The problem was sealed when it was built, so the placement
// calls made here (Check, Evaluate, FailoverCheck, LowerBound, and Explain
// and Nearest per unplaced shape) do not validate it again.
func describe(sc *inventory.Scenario, prints *inputPrints, pol *inventory.Policy, ed *Edits, m *model, sol *placement.Solution) (*Plan, error) {
	d := newDescriber(sc, prints, pol, ed, m, sol)
	plan := d.header()
	plan.Hosts = d.existingHosts()
	bought, buy := d.boughtHosts()
	plan.Hosts, plan.Buy = append(plan.Hosts, bought...), buy
	plan.Actions = d.actions()
	plan.Unplaced = d.unplaced()
	violations, warnings := d.violations()
	plan.Warnings = append(plan.Warnings, warnings...)
	plan.Metrics = d.metrics(plan.Hosts, violations)
	plan.Fingerprint = prints.fingerprint(pol, &plan.Edits)
	plan.ID = planID(plan.Fingerprint, m, sol, d.names)
	return plan, nil
}

// describer holds what describe's steps share: the solved model, the
// hosts' names (bought ones named), and each host's load before and after
// the plan with the new guests placed on it.
type describer struct {
	sc     *inventory.Scenario
	prints *inputPrints
	pol    *inventory.Policy
	ed     *Edits
	m      *model
	p      *placement.Problem
	sol    *placement.Solution

	names         []string
	before, after []inventory.Vector
	placed        [][]string
}

func newDescriber(sc *inventory.Scenario, prints *inputPrints, pol *inventory.Policy, ed *Edits, m *model, sol *placement.Solution) *describer {
	d := &describer{sc: sc, prints: prints, pol: pol, ed: ed, m: m, p: m.prob, sol: sol, names: m.hostNames(sol)}
	n := m.prob.H() + len(sol.NewHosts)
	d.before = make([]inventory.Vector, n)
	for _, e := range m.existing {
		d.before[e.Host] = d.before[e.Host].Add(e.Demand)
	}
	d.after = slices.Clone(d.before)
	for _, e := range m.removed { // on the host before the plan, gone after
		d.before[e.Host] = d.before[e.Host].Add(e.Demand)
	}
	d.placed = make([][]string, n)
	for gi, h := range sol.Host {
		if h == placement.NoHost {
			continue
		}
		d.after[h] = d.after[h].Add(m.guests[gi].Demand)
		d.placed[h] = append(d.placed[h], m.guests[gi].Name)
	}
	return d
}

// header is the plan's identity, policy, edits and groups (a group only
// running guests name is kept as host-scope anti-affinity, and said so).
func (d *describer) header() *Plan {
	plan := &Plan{
		APIVersion: PlanAPIVersion,
		Kind:       PlanKind,
		Scenario:   d.sc.Name,
		Source:     d.sc.Source,
		Policy:     policyView(d.pol),
		Edits:      cloneEdits(*d.ed),
		Groups:     []GroupView{},
		Warnings:   []string{},
	}
	plan.Edits.normalise()
	for _, g := range d.sc.Groups {
		plan.Groups = append(plan.Groups, GroupView{Name: g.Name, Scope: string(g.Scope), Together: g.Together})
	}
	for _, g := range d.m.implicitGroups {
		plan.Groups = append(plan.Groups, GroupView{Name: g, Scope: string(inventory.ScopeHost)})
		plan.Warnings = append(plan.Warnings, fmt.Sprintf(
			"group %s is named by running guests but not defined in the scenario: kept as host-scope anti-affinity", g))
	}
	return plan
}

// existingHosts is every existing host before and after the plan.
func (d *describer) existingHosts() []HostPlan {
	excluded := map[string]bool{}
	for _, h := range d.ed.Excluded {
		excluded[h] = true
	}
	out := make([]HostPlan, 0, len(d.m.hosts))
	for hi, h := range d.m.hosts {
		hp := HostPlan{
			Name:        h.Name,
			URI:         inventory.MaskURI(h.URI),
			Rack:        h.Rack(),
			Zone:        h.Zone(),
			Labels:      otherLabels(h.Labels),
			Excluded:    excluded[h.Name],
			Offered:     d.m.offered[hi],
			Before:      d.before[hi].Tidy(),
			After:       d.after[hi].Tidy(),
			Existing:    make([]string, 0, len(h.Guests)),
			Placed:      orEmpty(d.placed[hi]),
			Fingerprint: d.prints.hosts[hi],
		}
		for _, g := range h.Guests {
			hp.Existing = append(hp.Existing, g.Name)
			if g.ShutOff() {
				hp.ShutOff = append(hp.ShutOff, g.Name)
			}
		}
		for _, e := range d.m.removed {
			if e.Host == hi {
				hp.Removed = append(hp.Removed, e.Guest.Name)
			}
		}
		out = append(out, hp)
	}
	return out
}

// boughtHosts is every host to buy (those left empty are failover spares)
// and the buy list, per model in the order they are first bought.
func (d *describer) boughtHosts() ([]HostPlan, []Purchase) {
	var hosts []HostPlan
	buy := map[int32]*Purchase{}
	var buyOrder []int32
	for i, mi := range d.sol.NewHosts {
		hi := d.p.H() + i
		hm := d.m.models[mi]
		off := inventory.Vector{}
		copy(off[:], d.p.Models[mi].Offered)
		hosts = append(hosts, HostPlan{
			Name: d.names[hi], New: true, Model: hm.Name,
			Rack: hm.Labels["rack"], Zone: hm.Labels["zone"], Labels: otherLabels(hm.Labels),
			Offered: off, Before: d.before[hi].Tidy(), After: d.after[hi].Tidy(),
			Existing: []string{}, Placed: orEmpty(d.placed[hi]), Spare: len(d.placed[hi]) == 0,
		})
		if buy[mi] == nil {
			buy[mi] = &Purchase{Model: hm.Name}
			buyOrder = append(buyOrder, mi)
		}
		buy[mi].Count++
		buy[mi].Hosts = append(buy[mi].Hosts, d.names[hi])
	}
	purchases := []Purchase{}
	for _, mi := range buyOrder {
		purchases = append(purchases, *buy[mi])
	}
	return hosts, purchases
}

// actions keeps every running guest, removes the surplus ones and creates
// every placed new guest, the creates in host order so that apply walks
// each host's work together.
func (d *describer) actions() []Action {
	out := make([]Action, 0, len(d.m.existing)+len(d.sol.Host))
	for _, e := range d.m.existing {
		out = append(out, Action{
			Op: OpKeep, Guest: e.Guest.Name, Host: d.names[e.Host], Profile: e.Guest.Profile, Group: e.Guest.Group,
			Allocation: e.Guest.Allocation, Demand: e.Demand,
		})
	}
	out = append(out, removeActions(d.m, d.names)...)
	pinned := map[string]bool{}
	for _, pin := range d.ed.Pins {
		pinned[pin.Guest] = true
	}
	creates := make([]int, 0, len(d.sol.Host))
	for gi, h := range d.sol.Host {
		if h != placement.NoHost {
			creates = append(creates, gi)
		}
	}
	slices.SortStableFunc(creates, func(a, b int) int { return int(d.sol.Host[a]) - int(d.sol.Host[b]) })
	scores := make([]Score, len(creates)) // one allocation for all
	for i, gi := range creates {
		g := d.m.guests[gi]
		scores[i] = scoreOf(d.sol.Terms[gi])
		out = append(out, Action{
			Op: OpCreate, Guest: g.Name, Host: d.names[d.sol.Host[gi]], Profile: g.Profile, Group: g.Group,
			Allocation: g.Allocation, Demand: g.Demand, Pinned: pinned[g.Name], Score: &scores[i],
		})
	}
	return out
}

// unplaced explains every guest left out. Guests of the same shape
// (demand, appetite, group, pin) are refused for the same reasons, so each
// shape is explained once: on a large fleet explaining means looking at
// every host.
func (d *describer) unplaced() []Unplaced {
	type shape struct {
		demand   inventory.Vector
		appetite int8
		group    int32
		pin      int32
	}
	out := []Unplaced{}
	explained := map[shape]*Unplaced{}
	for gi, h := range d.sol.Host {
		if h != placement.NoHost {
			continue
		}
		k := shape{d.m.guests[gi].Demand, d.p.Appetite[gi], d.p.Group[gi], placement.NoHost}
		if d.p.Pin != nil {
			k.pin = d.p.Pin[gi]
		}
		u, ok := explained[k]
		if !ok {
			u = new(Unplaced)
			*u = unplaced(d.m, d.sol, d.names, gi)
			u.FitsAfterMoving = fitsAfterMoving(d.m, d.sol, d.names, gi)
			explained[k] = u
			out = append(out, *u)
			continue
		}
		out = append(out, u.renamed(d.m.guests[gi]))
	}
	return out
}

// violations counts the rules the plan breaks and words every broken rule
// once. A violation the plan causes (a new guest involved, or a host it
// adds guests to) counts against the plan; one the fleet already had is a
// warning and does not fail the plan.
func (d *describer) violations() (int, []string) {
	n := 0
	var warnings []string
	said := map[string]bool{}
	for _, v := range placement.Check(d.p, d.sol) {
		text := violationText(d.m, d.names, v)
		if !planCaused(d.p, d.sol, v, d.placed) {
			text = "the fleet already breaks a rule: " + strings.TrimPrefix(text, "violation: ")
		} else {
			n++
		}
		if !said[text] {
			said[text] = true
			warnings = append(warnings, text)
		}
	}
	return n, warnings
}

// metrics are the fleet's numbers after the plan, the lower bound on hosts
// and the failover check.
func (d *describer) metrics(hosts []HostPlan, violations int) Metrics {
	met := placement.Evaluate(d.p, d.sol)
	fo := placement.FailoverCheck(d.p, d.sol, d.pol.FailoverHosts)
	out := Metrics{
		Hosts:             d.p.H(),
		HostsBefore:       met.HostsBefore,
		HostsUsed:         met.HostsUsed,
		NewHosts:          met.NewHosts,
		LowerBound:        placement.LowerBound(d.p),
		Guests:            len(d.m.guests),
		Placed:            met.Placed,
		Unplaced:          met.Unplaced,
		Running:           d.m.running,
		Removed:           len(d.m.removed),
		UtilisationBefore: utilisation(hosts, func(h *HostPlan) inventory.Vector { return h.Before }).Tidy(),
		Utilisation:       vec(met.Utilisation).Tidy(),
		Stranded:          vec(met.Stranded).Tidy(),
		Balance:           inventory.Tidy(met.Balance),
		AppetiteStacked:   met.AppetiteStacked,
		Violations:        violations,
		Failover:          FailoverView{K: fo.K, Holds: fo.Holds, Homeless: fo.Homeless},
	}
	out.HostsBefore += hostsOnlyRemoved(d.m)
	for _, h := range fo.FailedHosts {
		out.Failover.FailedHosts = append(out.Failover.FailedHosts, d.names[h])
	}
	out.Failover.Losses = d.failoverLosses(fo)
	return out
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
		SafetyFactor: v.SafetyFactor, Shutoff: inventory.ShutoffRule(v.Shutoff),
		SameAppetite:  inventory.SameAppetite{Mode: inventory.AppetiteMode(v.SameAppetite), MaxPerHost: v.MaxPerHost, Penalty: v.Penalty},
		FailoverHosts: v.FailoverHosts, FailoverMode: inventory.FailoverReserve, Objective: inventory.Objective(v.Objective),
		Strategy: v.Strategy, Seed: v.Seed, Iterations: v.Iterations,
	}
	if v.FailoverMode != "" {
		p.FailoverMode = inventory.FailoverMode(v.FailoverMode)
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
		SafetyFactor: p.SafetyFactor, Shutoff: string(p.Shutoff), SameAppetite: string(p.SameAppetite.Mode),
		MaxPerHost: p.SameAppetite.MaxPerHost, Penalty: p.SameAppetite.Penalty,
		FailoverHosts: p.FailoverHosts,
	}
	if p.FailoverMode == inventory.FailoverCheck {
		v.FailoverMode = string(p.FailoverMode)
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
