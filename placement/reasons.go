package placement

import "fmt"

// Rule names what refused a guest on a host. Reasons are data: text is
// produced by the planner at the edge.
type Rule uint8

const (
	RuleCapacity     Rule = iota // a dimension lacks room: Requested > Free
	RuleAntiAffinity             // a group member already sits in this host's domain
	RuleAffinity                 // the group is held together in another domain
	RuleAppetite                 // the hard same-appetite limit is reached
	RuleExcluded                 // the host is excluded (maintenance)
	RulePinned                   // the guest is pinned to another host
	RuleSelector                 // the host is not in the guest's HostSet
)

// Eligibility reports whether the rule says the guest may not use the host
// at all (excluded, pinned elsewhere, outside its selector), as against a
// host it may use that is full or would break a group or appetite rule.
// Explain gives a host that is not eligible only these refusals, so that a
// why-not never counts such a host as "lacks cpu" too.
func (r Rule) Eligibility() bool {
	return r == RuleExcluded || r == RulePinned || r == RuleSelector
}

func (r Rule) String() string {
	switch r {
	case RuleCapacity:
		return "capacity"
	case RuleAntiAffinity:
		return "anti-affinity"
	case RuleAffinity:
		return "affinity"
	case RuleAppetite:
		return "same-appetite"
	case RuleExcluded:
		return "excluded"
	case RulePinned:
		return "pinned"
	case RuleSelector:
		return "selector"
	}
	return fmt.Sprintf("rule(%d)", uint8(r))
}

// Refusal is one reason one host cannot take one guest.
type Refusal struct {
	Host int32 // host index (≥ H: a bought host)
	Rule Rule
	// For RuleCapacity: the dimension, what the guest requests and what the
	// host has free in it (Free < 0 when the host is over already). For
	// RuleAppetite: Dim is the appetite, Requested 1 and Free the places
	// left under MaxPerHost (≤ 0). For group rules: Group is the group index
	// (NoHost for the other rules).
	Dim       int
	Group     int32
	Requested float64
	Free      float64
}

// Short is how much is missing for a capacity refusal (Requested − Free).
func (r Refusal) Short() float64 { return r.Requested - r.Free }

// Candidate is one host's standing for one guest: its score terms if it is
// feasible, else the refusals. A host the guest may not use at all (see
// Rule.Eligibility) carries only those refusals: whether it would be full
// is beside the point.
type Candidate struct {
	Host     int32
	Feasible bool
	Terms    Terms
	Refusals []Refusal
}

// Violation is a broken hard rule in a solution, found by Check.
type Violation struct {
	Host  int32
	Guest int32 // new guest index, or NoHost for a host-wide violation
	Rule  Rule
	Dim   int
	Group int32
	// For capacity: Used > Offered in Dim. For the hard appetite rule: Used
	// is how many guests of appetite Dim the host holds, Offered the limit.
	Used, Offered float64
}

// Metrics summarise a solution for the plan's header.
type Metrics struct {
	HostsUsed   int // hosts with at least one guest after placing (existing + bought)
	HostsBefore int // existing hosts with at least one guest before placing
	NewHosts    int // bought hosts
	Placed      int
	Unplaced    int
	// Per dimension, over the hosts in use: Σ used / Σ offered (0..1).
	Utilisation []float64
	// Per dimension, over the hosts in use: capacity left free (more than
	// 5% of the host) on a host whose tightest dimension has 5% or less left
	// — Borg's "stranded" resources, which nothing can use — in the
	// dimension's units.
	Stranded []float64
	// Balance: standard deviation of per-host mean utilisation over hosts in
	// use (0 = perfectly even).
	Balance float64
	// AppetiteStacked counts pairs of guests (existing and new) of the same
	// appetite sharing a host: Σ over hosts and appetites of c·(c−1)/2. The
	// soft rule's cost is Penalty × this (a guest pays Penalty per guest of
	// its appetite already there).
	AppetiteStacked int
}

// Failover is the result of checking that the guests of any K failed hosts
// can be restarted on the remaining ones.
type Failover struct {
	K     int
	Holds bool
	// When it does not hold: the set of failed hosts that breaks it and how
	// many of their guests (existing and new) found no room elsewhere.
	FailedHosts []int32
	Homeless    int
	// Losses: every failing set and the guests it leaves without a host
	// (failover.go).
	Losses []FailoverLoss
}
