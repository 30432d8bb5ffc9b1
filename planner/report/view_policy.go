package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

// policyRows is the policy the plan was made under, in plain words.
func policyRows(v *planner.PolicyView) []keyValue {
	appetite := v.SameAppetite
	switch v.SameAppetite {
	case "hard":
		appetite += fmt.Sprintf(" (at most %d per host)", v.MaxPerHost)
	case "soft":
		appetite += fmt.Sprintf(" (penalty %g)", v.Penalty)
	}
	budget := v.Budget
	if budget == "" {
		budget = "none (reproducible)"
	}
	return []keyValue{
		{"objective", v.Objective},
		{"strategy", v.Strategy},
		{"seed", strconv.FormatUint(v.Seed, 10)},
		{"iterations", strconv.Itoa(v.Iterations)},
		{"time budget", budget},
		{"overcommit", ratios(v.Overcommit, false)},
		{"headroom", ratios(v.Headroom, true)},
		{"virtualisation overhead", ratios(v.Overhead, true)},
		{"basis", basisText(v.Basis)},
		{"safety factor", strconv.FormatFloat(v.SafetyFactor, 'g', -1, 64)},
		{"same appetite", appetite},
		{"failover hosts (k)", strconv.Itoa(v.FailoverHosts)},
	}
}

// ratios writes a vector of ratios, as percentages when percent is set:
// "cpu 90% · memory 90% · iops 90% · net 90%".
func ratios(v inventory.Vector, percent bool) string {
	var parts []string
	for _, d := range dimensions() {
		x := strconv.FormatFloat(v[d.ID], 'g', 4, 64)
		if percent {
			x = strconv.FormatFloat(v[d.ID]*100, 'g', 4, 64) + "%"
		}
		parts = append(parts, d.Name+" "+x)
	}
	return strings.Join(parts, " · ")
}

// inputRows says what the plan was made from: enough to make it again.
func inputRows(p *planner.Plan) []keyValue {
	rows := []keyValue{
		{"plan", p.ID},
		{"scenario", p.Scenario},
		{"source", p.Source},
		{"inputs' fingerprint", p.Fingerprint},
	}
	if len(p.Edits.Pins) > 0 {
		var pins []string
		for _, pin := range p.Edits.Pins {
			pins = append(pins, pin.Guest+" → "+pin.Host)
		}
		rows = append(rows, keyValue{"pins", strings.Join(pins, ", ")})
	}
	if len(p.Edits.Excluded) > 0 {
		rows = append(rows, keyValue{"excluded hosts", strings.Join(p.Edits.Excluded, ", ")})
	}
	for _, d := range p.Edits.Demand {
		rows = append(rows, keyValue{"added demand", fmt.Sprintf("%d × %s as %s", d.Count, d.Profile, d.Name)})
	}
	if len(p.Groups) > 0 {
		var groups []string
		for _, g := range p.Groups {
			rule := "apart per " + g.Scope
			if g.Together {
				rule = "together in one " + g.Scope
			}
			groups = append(groups, g.Name+" ("+rule+")")
		}
		rows = append(rows, keyValue{"groups", strings.Join(groups, ", ")})
	}
	return rows
}

// basisText is the planning basis per dimension: "allocation" when every
// dimension has the same, else "cpu observed · memory allocation · …".
func basisText(basis []string) string {
	same := true
	for _, b := range basis {
		same = same && b == basis[0]
	}
	if same && len(basis) > 0 {
		return basis[0]
	}
	var parts []string
	for i, d := range dimensions() {
		if i < len(basis) {
			parts = append(parts, d.Name+" "+basis[i])
		}
	}
	return strings.Join(parts, " · ")
}
