// Package placement holds berth's packing algorithms on a dense, index-based
// problem: feasibility, scoring, construction, improvement, lower bounds and
// the reasons a guest fits nowhere.
//
// It is pure: no I/O, no YAML, no libvirt. Hosts and guests are integers,
// resources are float64 vectors stored in flat slices indexed
// [host*D + dim] or [guest*D + dim], so the hot loops touch contiguous memory
// and allocate nothing. Names exist only so that reasons can be printed at
// the edge; the planner maps indices back to its own model.
package placement

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Scope is the failure domain an anti-affinity (or affinity) group spans.
type Scope uint8

const (
	ScopeHost Scope = iota // members never share a host
	ScopeRack              // members never share a rack
	ScopeZone              // members never share a zone
)

func (s Scope) String() string {
	switch s {
	case ScopeHost:
		return "host"
	case ScopeRack:
		return "rack"
	case ScopeZone:
		return "zone"
	}
	return fmt.Sprintf("scope(%d)", uint8(s))
}

// Objective is what the construction optimises beyond feasibility.
type Objective uint8

const (
	// ObjectivePack fills leftovers on hosts already in use first and opens
	// as few hosts (existing empty ones, then new ones from Models) as
	// possible.
	ObjectivePack Objective = iota
	// ObjectiveSpread balances load: each guest goes where the most room is
	// left after placing it.
	ObjectiveSpread
)

// NoHost marks an unplaced guest, an unpinned guest or "no group".
const NoHost = -1

// Problem is one batch placement: H hosts with D resource dimensions, E
// existing guests that stay where they are, and G new guests to place.
//
// All resource numbers are in the planner's units (e.g. vCPUs, bytes, IOPS,
// bits/s); placement never interprets them beyond comparing and dividing.
type Problem struct {
	// DimNames names the D dimensions, for reasons and reports.
	DimNames []string

	// HostNames, len H, only for messages.
	HostNames []string
	// Offered is what each host offers to guests, len H*D: after the host
	// OS reservation, overcommit and the headroom target. A guest fits when
	// Σ demand on the host ≤ Offered in every dimension.
	Offered []float64
	// Rack and Zone are dense failure-domain ids per host, len H. Hosts with
	// no rack (zone) label should each get a distinct id so that rack-scoped
	// rules do not lump them together.
	Rack []int32
	Zone []int32
	// Excluded hosts (maintenance) take no new guests (except pinned ones),
	// and take no restarted guests in FailoverCheck, len H (nil = none).
	Excluded []bool

	// Existing guests stay on their host; they count against Offered, for
	// the same-appetite rule, for group rules and in the failover check.
	ExistingHost     []int32   // len E
	ExistingDemand   []float64 // len E*D
	ExistingAppetite []int8    // len E, dominant dimension or -1 (no appetite)
	ExistingGroup    []int32   // len E, index into Groups or NoHost

	// Models are host shapes that may be bought when the demand does not fit
	// on the existing hosts (nor on existing empty ones). A new host gets
	// fresh rack and zone ids unless the model names them (see Model). Empty
	// = buying is not allowed.
	Models []Model

	// New guests, G of them.
	GuestNames []string  // len G, only for messages
	Demand     []float64 // len G*D, including virtualisation overhead
	Appetite   []int8    // len G, dominant dimension or -1
	Group      []int32   // len G, index into Groups or NoHost
	// Pin, len G (nil = none): the guest must go on that host (an index
	// < H). A pinned guest is placed there even when it breaks a rule; the
	// checker then reports the violation, so an operator's forced move is
	// visible rather than silently undone.
	Pin []int32
	// Eligible, len G (nil = every guest may go anywhere): an index into
	// HostSets restricting where the guest may go (a demand's label
	// selector), or NoHost for no restriction.
	Eligible []int32
	HostSets []HostSet

	Groups []Group

	Policy Policy

	// sealedAs is p itself once Seal accepted it (a copy is not sealed).
	sealedAs *Problem
}

// HostSet is a set of hosts (and host models) a guest may be placed on,
// e.g. the hosts whose labels match a demand's selector.
type HostSet struct {
	Name   string
	Hosts  []bool // len H
	Models []bool // len(Models)
}

// Model is a host shape that could be bought.
type Model struct {
	Name    string
	Offered []float64 // len D, as Problem.Offered
	// Max is how many may be bought (0 = no limit).
	Max int
	// Rack and Zone ids for new hosts of this model; -1 = a fresh id per
	// host: the i-th bought host (i from 0, over all models) gets
	// max(Problem.Rack)+1+i (and likewise for zones), so it shares a domain
	// with no other host.
	Rack, Zone int32
}

// Group is a set of guests with a placement rule between them.
type Group struct {
	Name  string
	Scope Scope
	// Together (affinity) keeps members in one domain of Scope; otherwise
	// (anti-affinity, the default) no two members share a domain of Scope.
	// Both are hard rules.
	Together bool
}

// AppetiteRule is the "guests of the same appetite are not stacked" rule.
type AppetiteRule struct {
	// Hard: a host may hold at most MaxPerHost guests (existing + new) of one
	// appetite; more is infeasible (MaxPerHost ≤ 0 = no limit). Soft: placing
	// a guest on a host that already holds k guests of its appetite costs
	// k·Penalty in the align score, so a host with n such guests has cost
	// Penalty per pair, n(n−1)/2·Penalty. Score terms are 0..1 each, so a
	// Penalty of 0.25 weighs a same-appetite neighbour like a quarter of a
	// perfectly aligned host.
	Hard       bool
	MaxPerHost int
	Penalty    float64 // soft weight, ≥ 0; 0 disables the soft rule
}

// Policy is what the solver optimises and which soft rules it weighs.
type Policy struct {
	Objective    Objective
	SameAppetite AppetiteRule
}

// Options selects how a problem is solved.
type Options struct {
	// Strategy names a construction scorer (see Strategies); "" = "align".
	Strategy string
	// Seed breaks ties and drives randomised search; same problem, options
	// and seed ⇒ identical solution.
	Seed uint64
	// Iterations bounds the improvement phase (0 = construction only).
	Iterations int
	// Deadline, if non-zero, also stops the improvement phase. Only
	// Iterations makes a run reproducible.
	Deadline time.Duration
	// Warm, if set, is a previous solution of a problem that differs only in
	// pins, exclusions or added guests; the solver reuses what still holds
	// instead of starting from scratch (the TUI's re-plan after an edit).
	Warm *Solution
	// Candidates bounds how many feasible hosts the construction scores
	// per guest before taking the best of them (0 = DefaultCandidates;
	// < 0 = every feasible host, the full scan). Hosts are met in index
	// order (roomiest first under ObjectiveSpread); see docs/algorithms.md
	// for what the bound costs in hosts.
	Candidates int
}

// DefaultCandidates is the number of feasible hosts scored per guest when
// Options.Candidates is 0.
const DefaultCandidates = 16

// Solution is the result of Solve.
type Solution struct {
	// Host per new guest, len G: a host index, NoHost when unplaced. Indices
	// ≥ H name bought hosts: NewHosts[i-H].
	Host []int32
	// NewHosts lists the model index of each bought host, in opening order.
	NewHosts []int32
	// Terms are the score terms that chose each placed guest's host, len G
	// (zero for an unplaced guest).
	Terms []Terms
	// Strategy is the name of the strategy that built the solution; Explain
	// scores candidates with it ("" = DefaultStrategy).
	Strategy string
}

// Terms break a host's score for a guest into its parts, so an operator can
// see why the host won. Higher Total is better.
type Terms struct {
	Align    float64 // cosine of the guest's demand and the host's leftover (0..1)
	Fill     float64 // how full the host is after placing, mean over dims (0..1)
	Stranded float64 // leftover imbalance after placing (0..1), subtracted (align under pack reports it, see scoreAlign)
	Appetite float64 // same-appetite penalty, subtracted
	Opens    bool    // placing here opens a host that was empty or new
	Total    float64
}

// Validate checks that the slices agree in length and that numbers are
// finite and non-negative, so the solver's hot loops need not. It reports
// every problem it finds (errors.Join); a problem whose lengths disagree is
// reported for those alone.
func (p *Problem) Validate() error {
	d := len(p.DimNames)
	if d == 0 {
		return errors.New("placement: problem has no dimensions")
	}
	v := &validation{p: p, d: d}
	if v.lengths(); len(v.errs) > 0 {
		return errors.Join(v.errs...)
	}
	v.amounts()
	v.references()
	v.rules()
	v.domains()
	return errors.Join(v.errs...)
}

// Seal validates p once for all the calls to come: a sealed problem is
// trusted by Solve's stages, Refine, Improve, Check, Evaluate,
// FailoverCheck, Explain and Nearest, which would otherwise each validate
// it again (a pass over every slice). The caller promises not to change p
// after sealing it; a copy of p is not sealed.
func (p *Problem) Seal() error {
	if err := p.Validate(); err != nil {
		return err
	}
	p.sealedAs = p
	return nil
}

// validated is Validate, or nil at once for a problem Seal accepted.
func (p *Problem) validated() error {
	if p.sealedAs == p {
		return nil
	}
	return p.Validate()
}

// validation collects Validate's findings, one kind of check per method.
type validation struct {
	p    *Problem
	d    int
	errs []error
}

func (v *validation) fail(format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("placement: "+format, args...))
}

// lengths: every per-host, per-guest and per-set slice has its length.
func (v *validation) lengths() {
	p, d := v.p, v.d
	h, g, e := len(p.HostNames), len(p.GuestNames), len(p.ExistingHost)
	need := func(name string, got, want int) {
		if got != want {
			v.fail("len(%s) = %d, want %d", name, got, want)
		}
	}
	need("Offered", len(p.Offered), h*d)
	need("Rack", len(p.Rack), h)
	need("Zone", len(p.Zone), h)
	if p.Excluded != nil {
		need("Excluded", len(p.Excluded), h)
	}
	need("ExistingDemand", len(p.ExistingDemand), e*d)
	need("ExistingAppetite", len(p.ExistingAppetite), e)
	need("ExistingGroup", len(p.ExistingGroup), e)
	need("Demand", len(p.Demand), g*d)
	need("Appetite", len(p.Appetite), g)
	need("Group", len(p.Group), g)
	if p.Pin != nil {
		need("Pin", len(p.Pin), g)
	}
	if p.Eligible != nil {
		need("Eligible", len(p.Eligible), g)
	}
	for i, hs := range p.HostSets {
		need(fmt.Sprintf("HostSets[%d].Hosts", i), len(hs.Hosts), h)
		need(fmt.Sprintf("HostSets[%d].Models", i), len(hs.Models), len(p.Models))
	}
	for i, m := range p.Models {
		need(fmt.Sprintf("Models[%d].Offered", i), len(m.Offered), d)
	}
}

// amounts: every offer and demand is a finite number ≥ 0.
func (v *validation) amounts() {
	finite := func(name string, xs []float64) {
		for i, x := range xs {
			if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
				v.fail("%s[%d] = %v, want a finite number ≥ 0", name, i, x)
				return
			}
		}
	}
	finite("Offered", v.p.Offered)
	finite("ExistingDemand", v.p.ExistingDemand)
	finite("Demand", v.p.Demand)
	for _, m := range v.p.Models {
		finite("Models."+m.Name, m.Offered)
	}
}

// references: hosts, groups, host sets and appetites named by index exist.
func (v *validation) references() {
	p := v.p
	ref := func(name string, xs []int32, n int) {
		for i, x := range xs {
			if x < NoHost || int(x) >= n {
				v.fail("%s[%d] = %d, out of range [-1,%d)", name, i, x, n)
				return
			}
		}
	}
	ref("ExistingHost", p.ExistingHost, p.H())
	ref("ExistingGroup", p.ExistingGroup, len(p.Groups))
	ref("Group", p.Group, len(p.Groups))
	ref("Pin", p.Pin, p.H())
	ref("Eligible", p.Eligible, len(p.HostSets))
	apps := func(name string, xs []int8) {
		for i, a := range xs {
			if int(a) < -1 || int(a) >= v.d {
				v.fail("%s[%d] = %d, out of range [-1,%d)", name, i, a, v.d)
				return
			}
		}
	}
	apps("ExistingAppetite", p.ExistingAppetite)
	apps("Appetite", p.Appetite)
}

// rules: the soft rule's penalty and the models' limits and domains.
func (v *validation) rules() {
	if x := v.p.Policy.SameAppetite.Penalty; math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
		v.fail("Policy.SameAppetite.Penalty = %v, want a finite number ≥ 0", x)
	}
	for i, m := range v.p.Models {
		if m.Max < 0 {
			v.fail("Models[%d].Max = %d, want ≥ 0", i, m.Max)
		}
		if m.Rack < -1 || m.Zone < -1 {
			v.fail("Models[%d] rack %d zone %d, want ≥ -1", i, m.Rack, m.Zone)
		}
	}
}

// domains: every host has a rack and zone id, every existing guest a host.
func (v *validation) domains() {
	ids := func(name string, xs []int32) {
		for i, x := range xs {
			if x < 0 {
				v.fail("%s[%d] = %d, want ≥ 0", name, i, x)
				return
			}
		}
	}
	ids("Rack", v.p.Rack)
	ids("Zone", v.p.Zone)
	for i, x := range v.p.ExistingHost {
		if x == NoHost {
			v.fail("ExistingHost[%d] is unset", i)
			break
		}
	}
}

// domainBase is the largest rack and zone id in use before anything is
// bought: over the existing hosts and the models' fixed racks and zones. A
// bought host of a model without a fixed rack (zone) gets base+1+i for the
// i-th bought host, so it never shares a domain with an existing host or
// with a model's fixed one. Solver, Check and the improvement phase share
// this convention.
func (p *Problem) domainBase() (rack, zone int32) {
	rack, zone = -1, -1
	for h := range p.H() {
		rack, zone = max(rack, p.Rack[h]), max(zone, p.Zone[h])
	}
	for _, m := range p.Models {
		rack, zone = max(rack, m.Rack), max(zone, m.Zone)
	}
	return rack, zone
}

// D is the number of dimensions.
func (p *Problem) D() int { return len(p.DimNames) }

// H is the number of existing hosts.
func (p *Problem) H() int { return len(p.HostNames) }

// G is the number of new guests.
func (p *Problem) G() int { return len(p.GuestNames) }
