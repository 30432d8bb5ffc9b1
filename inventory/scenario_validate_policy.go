package inventory

import (
	"fmt"
	"strings"
	"unicode"
)

// policyReporter is where checkPolicy reports: the scenario checker (which
// knows file positions) or a plain list (Policy.Validate).
type policyReporter interface {
	errorf(path, format string, args ...any)
	// perDim checks every dimension of a per-dimension value with ok.
	perDim(path string, v Vector, ok func(x float64) bool, format string)
}

// checkPolicy is the one check of a policy's values, for scenario files and
// for policies made any other way (flags, the explorer's edits, a plan's
// recorded policy). hosts is the number of hosts the policy plans, or -1
// when the fleet is not known yet (a demand file before Merge). It reports
// whether the capacity values (overcommit, headroom, overhead) hold, since
// checks that compute offered capacity are pointless otherwise.
func checkPolicy(p *Policy, hosts int, r policyReporter) (capacityOK bool) {
	capacityOK = true
	bad := func(path string, v Vector, ok func(x float64) bool, format string) {
		for _, x := range v {
			if !ok(x) {
				r.perDim(path, v, ok, format)
				capacityOK = false
				return
			}
		}
	}
	bad("policy.overcommit", p.Overcommit, func(x float64) bool { return x >= OvercommitMin && x <= OvercommitMax },
		"overcommit must be from 0.001 to 1000 (1 = none), found %g")
	bad("policy.headroom", p.Headroom, func(x float64) bool { return x >= HeadroomMin && x <= 1 },
		"headroom is the share of a host to fill: from 0.01 to 1 (1%% to 100%%), found %g")
	bad("policy.overhead", p.Overhead, func(x float64) bool { return x >= 0 && x <= 10 },
		"overhead is a fraction of each request from 0 to 10 (e.g. 0.03 or 3%%), found %g")
	for _, d := range Dimensions {
		if !Bases.Has(p.Basis[d]) {
			r.errorf(dimPath("policy.basis", d), "unknown basis %q: expected %s", p.Basis[d], Bases.Or())
		}
	}
	if !(p.SafetyFactor >= SafetyFactorMin && p.SafetyFactor <= SafetyFactorMax) {
		r.errorf("policy.safetyFactor", "safetyFactor multiplies observed use and must be from 0.01 to 100 (e.g. 1.2), found %g", p.SafetyFactor)
	}
	if p.Shutoff != "" && !ShutoffRules.Has(p.Shutoff) {
		r.errorf("policy.shutoff", "unknown rule %q for shut-off guests: expected %s", p.Shutoff, ShutoffRules.Or())
	}
	checkSameAppetite(&p.SameAppetite, r)
	checkFailover(p.FailoverHosts, hosts, r)
	if p.FailoverMode != "" && !FailoverModes.Has(p.FailoverMode) {
		r.errorf("policy.failoverMode", "unknown failover mode %q: expected %s", p.FailoverMode, FailoverModes.Or())
	}
	if !Objectives.Has(p.Objective) {
		r.errorf("policy.objective", "unknown objective %q: expected %s", p.Objective, Objectives.Or())
	}
	if p.Strategy == "" || strings.ContainsFunc(p.Strategy, func(r rune) bool {
		return !(r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r))
	}) {
		// Which names exist is the planner's to say (package placement
		// holds the strategies); here only that it is a name at all.
		r.errorf("policy.strategy", "strategy must be a name such as align, firstfit, bestfit or spread, found %q", p.Strategy)
	}
	if p.Iterations < 0 {
		r.errorf("policy.iterations", "must be 0 or more, found %d", p.Iterations)
	}
	return capacityOK
}

func checkSameAppetite(a *SameAppetite, r policyReporter) {
	switch {
	case a.Mode == AppetiteHard && a.MaxPerHost < 1:
		r.errorf("policy.sameAppetite.maxPerHost", "hard mode needs maxPerHost of at least 1, found %d", a.MaxPerHost)
	case !AppetiteModes.Has(a.Mode):
		r.errorf("policy.sameAppetite.mode", "unknown mode %q: expected %s", a.Mode, AppetiteModes.Or())
	}
	if a.MaxPerHost < 0 {
		r.errorf("policy.sameAppetite.maxPerHost", "must not be negative, found %d", a.MaxPerHost)
	}
	if x := a.Penalty; !(x >= 0 && x <= PenaltyMax) {
		r.errorf("policy.sameAppetite.penalty", "must be from 0 to 1000, found %g", x)
	}
}

// checkFailover: k failed hosts must leave some host standing, or the
// guests of every host would have nowhere to restart (hosts < 0: the fleet
// is not known yet).
func checkFailover(k, hosts int, r policyReporter) {
	switch {
	case k < 0:
		r.errorf("policy.failoverHosts", "must be 0 or more, found %d", k)
	case hosts >= 0 && k > 0 && k >= hosts:
		r.errorf("policy.failoverHosts", "%d failed hosts cannot be survived by a fleet of %d", k, hosts)
	}
}

// Validate checks the policy's values however it was made (a scenario file,
// flags, the explorer, a plan's recorded policy), with the same rules and
// words as the scenario checks; hosts is the number of hosts it plans, or
// -1 when that is not known. It returns Problems naming each field
// ("policy.headroom.cpu: …"), or nil.
func (p *Policy) Validate(hosts int) error {
	var l problemList
	checkPolicy(p, hosts, &l)
	return l.probs.Err()
}

// problemList collects problems without positions.
type problemList struct{ probs Problems }

func (l *problemList) errorf(path, format string, args ...any) {
	l.probs = append(l.probs, Problem{Field: path, Message: fmt.Sprintf(format, args...)})
}

func (l *problemList) perDim(path string, v Vector, ok func(x float64) bool, format string) {
	for _, d := range Dimensions {
		if !ok(v[d]) {
			l.errorf(dimPath(path, d), format, v[d])
		}
	}
}
