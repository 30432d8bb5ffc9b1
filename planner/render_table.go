package planner

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/berth-dev/berth/inventory"
)

// barWidth is the number of cells in a usage bar.
const barWidth = 10

// Bar draws a host's use of one dimension: existing load (█), load this
// plan adds (▓) and free (░), each cell a tenth of what the host offers.
// Over-full hosts fill the bar and the percentage says by how much.
//
// Example: before 30%, after 55% ⇒ "███▓▓▓░░░░" (cells rounded: 3 existing,
// 6−3 = 3 new, 4 free; after rounds half up to 6 cells).
func Bar(before, after, offered float64) string {
	cells := func(x float64) int {
		if offered <= 0 {
			return 0
		}
		n := int(x/offered*barWidth + 0.5)
		return min(max(n, 0), barWidth)
	}
	b, a := cells(before), cells(after)
	a = max(a, b)
	return strings.Repeat("█", b) + strings.Repeat("▓", a-b) + strings.Repeat("░", barWidth-a)
}

// ShutOffNote says how many of a host's existing guests are shut off, and
// whether the plan charges them (policy shutoff): " (1 shut off)",
// " (2 shut off, not charged)"; "" when none is.
func ShutOffNote(p *Plan, h *HostPlan) string {
	if len(h.ShutOff) == 0 {
		return ""
	}
	if inventory.ShutoffRule(p.Policy.Shutoff) == inventory.ShutoffIgnore {
		return fmt.Sprintf(" (%d shut off, not charged)", len(h.ShutOff))
	}
	return fmt.Sprintf(" (%d shut off)", len(h.ShutOff))
}

// joinNotes adds a parenthesised note to a name that may end in one:
// "kvm07 (freed)" and " (1 shut off)" give "kvm07 (freed, 1 shut off)".
func joinNotes(name, note string) string {
	if note == "" {
		return name
	}
	if strings.HasSuffix(name, ")") {
		return strings.TrimSuffix(name, ")") + ", " + strings.TrimPrefix(note, " (")
	}
	return name + note
}

// Percent is x/offered as a whole percentage ("—" when nothing is offered).
func Percent(x, offered float64) string {
	if offered <= 0 {
		return "—"
	}
	return fmt.Sprintf("%d%%", int(x/offered*100+0.5))
}

// RenderTable writes the plan for people at a terminal: the fleet summary,
// one row per host with a bar per dimension, the new guests, what to buy,
// and every unplaced guest with its reasons.
func RenderTable(w io.Writer, p *Plan) error {
	ew := &errWriter{w: w}
	writeSummary(ew, p)
	ew.printf("\n")

	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "HOST\tRACK\tZONE\tGUESTS\t"+strings.Join(inventory.DimensionHeadings(), "\t")+"\tNEW GUESTS\n")
	bases := barBases(p)
	for i := range p.Hosts {
		h := &p.Hosts[i]
		name := h.Name
		switch {
		case h.Spare:
			name += " (buy, spare)"
		case h.New:
			name += " (buy)"
		case h.Excluded:
			name += " (excluded)"
		}
		name = joinNotes(name+moveHostNote(p, h), ShutOffNote(p, h))
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d+%d", name, dash(h.Rack), dash(h.Zone), len(h.Existing), len(h.Placed))
		for _, d := range inventory.Dimensions {
			fmt.Fprintf(tw, "\t%s %4s", Bar(bases[i][d], h.After[d], h.Offered[d]), Percent(h.After[d], h.Offered[d]))
		}
		fmt.Fprintf(tw, "\t%s\n", dash(strings.Join(h.Placed, ", ")))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	ew.printf("%s\n", barLegend(p))
	if err := writeMovesTable(ew, p); err != nil {
		return err
	}

	if p.Creates() > 0 {
		ew.printf("\nNew guests (%d)\n", p.Creates())
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		for _, a := range p.Actions {
			if a.Op != OpCreate {
				continue
			}
			fmt.Fprintf(tw, "  %s\t→ %s\t%s\t%s\t%s\n", a.Guest, a.Host, a.Profile, dash(a.Group), scoreText(a))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if p.Removals() > 0 {
		ew.printf("\nRemoved guests (%d): beyond their demand entry's count; apply removes them with --allow-removals\n", p.Removals())
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		for _, a := range p.Actions {
			if a.Op == OpRemove {
				fmt.Fprintf(tw, "  %s\t← %s\t%s\t%s\n", a.Guest, a.Host, dash(a.Profile), dash(a.Group))
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(p.Buy) > 0 {
		ew.printf("\nTo buy\n")
		for _, b := range p.Buy {
			ew.printf("  %d × %s (%s)\n", b.Count, b.Model, strings.Join(b.Hosts, ", "))
		}
	}
	if len(p.Unplaced) > 0 {
		ew.printf("\nUnplaced (%d)\n", len(p.Unplaced))
		for _, u := range p.Unplaced {
			ew.printf("  %s (%s%s) needs %s\n", u.Guest, u.Profile, groupText(u.Group), VectorText(u.Demand))
			for _, s := range u.Summary {
				ew.printf("    - %s\n", s)
			}
			if u.Nearest != nil {
				ew.printf("    nearest: %s\n", u.Nearest.Hint)
			}
			if u.FitsAfterMoving != nil {
				ew.printf("    %s\n", u.FitsAfterMoving.Hint)
			}
		}
	}
	if len(p.Warnings) > 0 {
		ew.printf("\nWarnings\n")
		for _, w := range p.Warnings {
			ew.printf("  ! %s\n", w)
		}
	}
	return ew.err
}

// writeSummary writes the plan's header lines.
func writeSummary(ew *errWriter, p *Plan) {
	m := &p.Metrics
	ew.printf("Plan %s · scenario %s · strategy %s · seed %d\n", p.ID, p.Scenario, p.Policy.Strategy, p.Policy.Seed)
	ew.printf("Hosts      %d in use (was %d; lower bound %d) of %d", m.HostsUsed, m.HostsBefore, m.LowerBound, m.Hosts)
	if m.NewHosts > 0 {
		ew.printf(" + %d to buy", m.NewHosts)
	}
	ew.printf("\nGuests     %d demanded · %d placed · %d unplaced%s\n", m.Guests, m.Placed, m.Unplaced, desiredText(m))
	ew.printf("Use        %s\n", useText(m))
	ew.printf("Stranded   %s\n", VectorText(m.Stranded))
	ew.printf("Failover   %s\n", FailoverText(m.Failover))
	for _, l := range LossLines(m.Failover) {
		ew.printf("             %s\n", l)
	}
	if m.Violations > 0 {
		ew.printf("Violations %d (see warnings)\n", m.Violations)
	}
}

func useText(m *Metrics) string {
	var parts []string
	for _, d := range inventory.Dimensions {
		parts = append(parts, fmt.Sprintf("%s %s (was %s)", d, Percent(m.Utilisation[d], 1), Percent(m.UtilisationBefore[d], 1)))
	}
	return strings.Join(parts, " · ")
}

// FailoverText says whether the failover reserve holds, in one line.
func FailoverText(f FailoverView) string {
	switch {
	case f.K == 0:
		return "not checked (k=0)"
	case f.Holds:
		return fmt.Sprintf("holds: the guests of any %s can restart elsewhere", plural(f.K, "failed host"))
	}
	verb := "fails"
	if len(f.FailedHosts) > 1 {
		verb = "fail"
	}
	return fmt.Sprintf("FAILS for k=%d: if %s %s, %s no room", f.K, JoinAnd(f.FailedHosts), verb, pluralVerb(f.Homeless, "guest", "finds", "find"))
}

// VectorText writes a resource vector in human units:
// "cpu 4.12 · memory 18 GiB · iops 5.5k · net 220 Mbps".
func VectorText(v inventory.Vector) string {
	var parts []string
	for _, d := range inventory.Dimensions {
		parts = append(parts, d.String()+" "+inventory.FormatQuantity(d, v[d]))
	}
	return strings.Join(parts, " · ")
}

func scoreText(a Action) string {
	if a.Score == nil {
		return ""
	}
	s := fmt.Sprintf("align %.2f fill %.2f stranded %.2f", a.Score.Align, a.Score.Fill, a.Score.Stranded)
	if a.Score.Appetite != 0 {
		s += fmt.Sprintf(" appetite −%.2f", a.Score.Appetite)
	}
	if a.Pinned {
		s += " (pinned)"
	}
	return s
}

func groupText(g string) string {
	if g == "" {
		return ""
	}
	return ", group " + g
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// errWriter remembers the first write error, so renderers can write freely
// and report once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) {
	fmt.Fprintf(e, format, args...)
}
