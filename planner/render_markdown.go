package planner

import (
	"io"
	"strings"

	"github.com/berth-dev/berth/inventory"
)

// RenderMarkdown writes the plan as GitHub-flavoured Markdown, sized for a
// CI pull-request comment: the verdict first, the numbers in a table, hosts
// that change, then what could not be placed and why.
func RenderMarkdown(w io.Writer, p *Plan) error {
	ew := &errWriter{w: w}
	m := &p.Metrics
	verdict := markdownVerdict(p)
	ew.printf("### berth plan `%s` — %s\n\n", p.ID, verdict)
	ew.printf("Scenario **%s**, strategy `%s`, seed %d.\n\n", p.Scenario, p.Policy.Strategy, p.Policy.Seed)
	ew.printf("| | |\n|---|---|\n")
	ew.printf("| hosts in use | %d (was %d, lower bound %d, of %d) |\n", m.HostsUsed, m.HostsBefore, m.LowerBound, m.Hosts)
	ew.printf("| hosts to buy | %d |\n", m.NewHosts)
	ew.printf("| guests | %d demanded, %d placed, %d unplaced%s |\n", m.Guests, m.Placed, m.Unplaced, strings.ReplaceAll(desiredText(m), " ·", ","))
	for _, d := range inventory.Dimensions {
		ew.printf("| %s use | %s → %s |\n", d, Percent(m.UtilisationBefore[d], 1), Percent(m.Utilisation[d], 1))
	}
	ew.printf("| stranded | %s |\n", VectorText(m.Stranded))
	ew.printf("| failover | %s |\n", strings.Join(append([]string{FailoverText(m.Failover)}, LossLines(m.Failover)...), "<br>"))
	if m.Violations > 0 {
		ew.printf("| violations | %d |\n", m.Violations)
	}

	var changed []*HostPlan
	for i := range p.Hosts {
		if len(p.Hosts[i].Placed) > 0 || p.Hosts[i].New || movesChangeHost(&p.Hosts[i]) || len(p.Hosts[i].Removed) > 0 {
			changed = append(changed, &p.Hosts[i])
		}
	}
	if len(changed) > 0 {
		ew.printf("\n#### Hosts that change (%d)\n\n", len(changed))
		ew.printf("| host | rack | zone |")
		for _, d := range inventory.Dimensions {
			ew.printf(" %s |", d)
		}
		ew.printf(" new guests |\n|---|---|---|")
		for range inventory.Dimensions {
			ew.printf("---:|")
		}
		ew.printf("---|\n")
		for _, h := range changed {
			name := h.Name
			if h.New {
				name += " (buy " + h.Model + ")"
			}
			ew.printf("| %s | %s | %s |", name, dash(h.Rack), dash(h.Zone))
			for _, d := range inventory.Dimensions {
				ew.printf(" %s → %s |", Percent(h.Before[d], h.Offered[d]), Percent(h.After[d], h.Offered[d]))
			}
			ew.printf(" %s |\n", strings.Join(h.Placed, ", "))
		}
	}
	writeMovesMarkdown(ew, p)
	if p.Removals() > 0 {
		ew.printf("\n#### Removed guests (%d)\n\nBeyond their demand entry's count; `berth apply --allow-removals` removes them.\n\n", p.Removals())
		for _, a := range p.Actions {
			if a.Op == OpRemove {
				ew.printf("- **%s** from %s (%s%s)\n", a.Guest, a.Host, dash(a.Profile), groupText(a.Group))
			}
		}
	}
	if len(p.Buy) > 0 {
		ew.printf("\n#### To buy\n\n")
		for _, b := range p.Buy {
			ew.printf("- %d × `%s`\n", b.Count, b.Model)
		}
	}
	if len(p.Unplaced) > 0 {
		ew.printf("\n#### Unplaced (%d)\n\n", len(p.Unplaced))
		for _, u := range p.Unplaced {
			ew.printf("- **%s** (%s%s) needs %s\n", u.Guest, u.Profile, groupText(u.Group), VectorText(u.Demand))
			for _, s := range u.Summary {
				ew.printf("  - %s\n", s)
			}
			if u.Nearest != nil {
				ew.printf("  - nearest: %s\n", u.Nearest.Hint)
			}
			if u.FitsAfterMoving != nil {
				ew.printf("  - %s\n", u.FitsAfterMoving.Hint)
			}
		}
	}
	if len(p.Warnings) > 0 {
		ew.printf("\n#### Warnings\n\n")
		for _, w := range p.Warnings {
			ew.printf("- %s\n", w)
		}
	}
	if p.Creates() > 0 {
		ew.printf("\n<details><summary>%s</summary>\n\n", plural(p.Creates(), "new guest"))
		ew.printf("| guest | host | profile | group | align | fill |\n|---|---|---|---|---:|---:|\n")
		for _, a := range p.Actions {
			if a.Op == OpCreate {
				ew.printf("| %s | %s | %s | %s | %.2f | %.2f |\n", a.Guest, a.Host, a.Profile, dash(a.Group), a.Score.Align, a.Score.Fill)
			}
		}
		ew.printf("\n</details>\n")
	}
	return ew.err
}
