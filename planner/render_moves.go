package planner

import (
	"fmt"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/berth-dev/berth/inventory"
)

// The renderings of a plan's moves, called from RenderTable and
// RenderMarkdown; each writes nothing for a plan without moves.

// barBases is, per host, the load a usage bar draws as already there: for
// a plan with moves, what stays on the host (its load before, less the
// guests that leave), so that the bar shows the host after the plan with
// what arrives as this plan's part; otherwise the host's load before.
func barBases(p *Plan) []inventory.Vector {
	out := make([]inventory.Vector, len(p.Hosts))
	for i := range p.Hosts {
		out[i] = p.Hosts[i].Before
	}
	if p.Moves == nil {
		return out
	}
	demand := map[string]inventory.Vector{}
	for _, a := range p.Actions {
		demand[a.Guest] = a.Demand
	}
	for i := range p.Hosts {
		for _, g := range p.Hosts[i].MovedOut {
			out[i] = out[i].Sub(demand[g])
		}
		for _, d := range inventory.Dimensions {
			out[i][d] = max(0, out[i][d])
		}
	}
	return out
}

// barLegend explains the usage bars.
func barLegend(p *Plan) string {
	if p.Moves != nil {
		return "bars: █ staying  ▓ arriving (new or moved here)  ░ free (of what the host offers after reservation, overcommit and headroom)"
	}
	return "bars: █ existing  ▓ this plan  ░ free (of what the host offers after reservation, overcommit and headroom)"
}

// moveHostNote marks a host the moves empty: " (freed)" or " (drained)".
func moveHostNote(p *Plan, h *HostPlan) string {
	if p.Moves == nil || h.New {
		return ""
	}
	for _, d := range p.Moves.Drain {
		if d == h.Name {
			return " (drained)"
		}
	}
	for _, f := range p.Moves.Freed {
		if f == h.Name {
			return " (freed)"
		}
	}
	return ""
}

// writeMovesTable writes the moves by wave (by maintenance step for
// rolling maintenance), the hosts freed, what could not move and why, and
// the bounds.
func writeMovesTable(ew *errWriter, p *Plan) error {
	s := p.Moves
	if s == nil {
		return nil
	}
	ew.printf("\n%s\n", movesHeadline(s))
	ew.printf("  %s\n", limitsText(s.Limits, s.Goal))
	if s.Without != nil {
		ew.printf("  without moves: %s; with them: %s\n", withoutText(s.Without), withText(p))
	}
	moves := moveActionsByWave(p)
	if len(s.Maintenance) > 0 {
		for _, st := range s.Maintenance {
			ew.printf("\nStep %d: drain %s — %s\n", st.Step, strings.Join(st.Hosts, ", "), stepText(st))
			for w := st.FirstWave; st.Waves > 0 && w < st.FirstWave+st.Waves; w++ {
				if err := writeWave(ew, s, w, moves[w]); err != nil {
					return err
				}
			}
		}
	} else {
		for _, w := range s.Waves {
			if err := writeWave(ew, s, w.Wave, moves[w.Wave]); err != nil {
				return err
			}
		}
	}
	writeMovesOutcome(ew, s, textOutcome)
	ew.printf("\n%s\n", boundsText(s))
	return ew.err
}

// writeWave writes one wave's migrations in a table.
func writeWave(ew *errWriter, s *MoveSummary, wave int, moves []Action) error {
	var v WaveView
	for _, w := range s.Waves {
		if w.Wave == wave {
			v = w
		}
	}
	ew.printf("Wave %d · %s · %s · %s\n", wave, plural(v.Moves, "migration"), bytesText(v.Bytes), DurationText(v.Seconds))
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	for _, a := range moves {
		mode := "live"
		if !a.Move.Live {
			mode = "offline"
		}
		fmt.Fprintf(tw, "  %s\t%s → %s\t%s\t%s\t%s\t%s\n", a.Guest, a.Move.From, a.Host,
			bytesText(a.Move.Bytes), DurationText(a.Move.Seconds), mode, a.Move.Reason.Text)
	}
	return tw.Flush()
}

// moveActionsByWave groups the move actions by wave.
func moveActionsByWave(p *Plan) map[int][]Action {
	out := map[int][]Action{}
	for _, a := range p.Actions {
		if a.Op == OpMove && a.Move != nil {
			out[a.Move.Wave] = append(out[a.Move.Wave], a)
		}
	}
	return out
}

// movesHeadline is the moves' one-line summary.
func movesHeadline(s *MoveSummary) string {
	what := "Moves (" + s.Goal + ")"
	if s.Goal == string(GoalWaves) {
		what = fmt.Sprintf("Rolling maintenance · %s (lower bound %d)", plural(len(s.Maintenance), "step"), s.Bounds.Waves)
	}
	if s.Migrations == 0 {
		return what + " · nothing to move"
	}
	guests := ""
	if s.Guests != s.Migrations {
		guests = " of " + plural(s.Guests, "guest")
	}
	return fmt.Sprintf("%s · %s%s in %s · %s copied · about %s",
		what, plural(s.Migrations, "migration"), guests, plural(len(s.Waves), "wave"), bytesText(s.Bytes), DurationText(s.Seconds))
}

// limitsText says what the schedule keeps to.
func limitsText(l MoveLimits, goal string) string {
	parts := []string{fmt.Sprintf("at most %d out and %d in per host at a time", l.MaxOut, l.MaxIn),
		"estimated at " + inventory.FormatQuantity(inventory.Net, l.Bandwidth*8)}
	if l.MaxMoves > 0 {
		parts = append(parts, "budget "+plural(l.MaxMoves, "migration"))
	}
	if l.MaxBytes > 0 {
		parts = append(parts, "budget "+bytesText(l.MaxBytes))
	}
	if l.MaxHostsPerWave > 0 {
		parts = append(parts, fmt.Sprintf("at most %d hosts per step", l.MaxHostsPerWave))
	}
	if l.Failover > 0 {
		parts = append(parts, "failover reserve kept for "+plural(l.Failover, "failed host"))
	}
	if goal == string(GoalRoom) {
		parts = append(parts, "new guests created after the last wave")
	}
	return strings.Join(parts, " · ")
}

func stepText(st MaintenanceStep) string {
	if st.Moves == 0 {
		return "nothing runs there"
	}
	return fmt.Sprintf("%s in %s (%s, about %s)", plural(st.Moves, "migration"), plural(st.Waves, "wave"), bytesText(st.Bytes), DurationText(st.Seconds))
}

func withoutText(w *WithoutMoves) string {
	t := fmt.Sprintf("%d placed, %d unplaced", w.Placed, len(w.Unplaced))
	if w.NewHosts > 0 {
		t += ", " + plural(w.NewHosts, "host") + " to buy"
	}
	return t
}

func withText(p *Plan) string {
	t := fmt.Sprintf("%d placed, %d unplaced", p.Metrics.Placed, p.Metrics.Unplaced)
	if p.Metrics.NewHosts > 0 {
		t += ", " + plural(p.Metrics.NewHosts, "host") + " to buy"
	}
	return t
}

func freedAdvice(goal string) string {
	switch goal {
	case string(GoalDrain):
		return "empty: ready for maintenance"
	case string(GoalConsolidate):
		return "no guest runs there after the plan: power them off or reclaim them"
	}
	return "no guest runs there after the plan"
}

func stuckWhy(st StuckGuest) string {
	if len(st.Waiting) > 0 {
		return st.Why + " (waits on " + JoinAnd(st.Waiting) + ")"
	}
	return st.Why
}

// boundsText gives the lower bounds the plan can be judged by.
func boundsText(s *MoveSummary) string {
	var parts []string
	if s.Bounds.Moves > 0 {
		parts = append(parts, plural(s.Bounds.Moves, "migration"))
	}
	if s.Bounds.HostsInUse > 0 {
		parts = append(parts, fmt.Sprintf("%d hosts in use", s.Bounds.HostsInUse))
	}
	switch {
	case s.Bounds.Waves == 0:
	case s.Goal == string(GoalWaves):
		parts = append(parts, plural(s.Bounds.Waves, "step"))
	default:
		parts = append(parts, plural(s.Bounds.Waves, "wave"))
	}
	peak := fmt.Sprintf("peak host load %s → %s", Percent(s.PeakBefore, 1), Percent(s.PeakAfter, 1))
	if len(parts) == 0 {
		return peak
	}
	t := "lower bounds: " + strings.Join(parts, " · ")
	if s.Proven {
		t += " (proven: no plan reaches this with fewer migrations)"
	}
	return t + " · " + peak
}

// DurationText writes seconds for people: "0s", "42s", "3m05s", "1h02m".
func DurationText(sec float64) string {
	s := int(math.Ceil(sec - 1e-9))
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm", s/3600, (s%3600+59)/60)
}

// writeMovesMarkdown writes the moves for a pull-request comment: the
// summary, the freed and stuck, and every migration by wave in a
// collapsed table.
func writeMovesMarkdown(ew *errWriter, p *Plan) {
	s := p.Moves
	if s == nil {
		return
	}
	ew.printf("\n#### %s\n\n", movesHeadline(s))
	ew.printf("%s.\n", limitsText(s.Limits, s.Goal))
	if s.Without != nil {
		ew.printf("Without moves: %s; with them: %s.\n", withoutText(s.Without), withText(p))
	}
	writeMovesOutcome(ew, s, markdownOutcome)
	ew.printf("\n%s.\n", boundsText(s))
	if s.Migrations == 0 {
		return
	}
	steps := map[int]int{}
	for _, st := range s.Maintenance {
		for w := st.FirstWave; st.Waves > 0 && w < st.FirstWave+st.Waves; w++ {
			steps[w] = st.Step
		}
	}
	ew.printf("\n<details><summary>%s by wave</summary>\n\n", plural(s.Migrations, "migration"))
	ew.printf("| wave | guest | from | to | bytes | time | reason |\n|---:|---|---|---|---:|---:|---|\n")
	for _, a := range p.Actions {
		if a.Op != OpMove || a.Move == nil {
			continue
		}
		wave := fmt.Sprint(a.Move.Wave)
		if st, ok := steps[a.Move.Wave]; ok {
			wave = fmt.Sprintf("%d (step %d)", a.Move.Wave, st)
		}
		mode := ""
		if !a.Move.Live {
			mode = " (offline)"
		}
		ew.printf("| %s | %s | %s | %s | %s | %s | %s%s |\n", wave, a.Guest, a.Move.From, a.Host,
			bytesText(a.Move.Bytes), DurationText(a.Move.Seconds), a.Move.Reason.Text, mode)
	}
	ew.printf("\n| wave | migrations | bytes | time |\n|---:|---:|---:|---:|\n")
	for _, w := range s.Waves {
		ew.printf("| %d | %d | %s | %s |\n", w.Wave, w.Moves, bytesText(w.Bytes), DurationText(w.Seconds))
	}
	ew.printf("\n</details>\n")
}

// movesChangeHost reports whether the moves change host h (markdown's
// "hosts that change").
func movesChangeHost(h *HostPlan) bool { return len(h.MovedIn) > 0 || len(h.MovedOut) > 0 }

// markdownVerdict is the headline verdict of a plan.
func markdownVerdict(p *Plan) string {
	switch {
	case !p.Complete():
		return "⚠️ incomplete"
	case p.Moves != nil:
		return "✅ " + p.Moves.Goal + ": " + plural(p.Moves.Migrations, "migration")
	}
	return "✅ everything placed"
}

// outcomeStyle is how the text table and the markdown comment differ in
// writing a move plan's outcome: the freed, the stuck and what stays wrong.
type outcomeStyle struct {
	lead, end  string // around a one-line section's title: "**" … ":**"
	listHead   string // after a list section's title: "\n" or "\n\n"
	item, sub  string // list item and sub-item prefixes
	strongHead bool   // list titles in bold
	stop       string // after a one-line section: "." in markdown
}

var (
	textOutcome     = outcomeStyle{end: ":", listHead: "\n", item: "  ", sub: "    - "}
	markdownOutcome = outcomeStyle{lead: "**", end: ":**", listHead: "\n\n", item: "- ", sub: "  - ", strongHead: true, stop: "."}
)

// writeMovesOutcome writes the hosts freed, those that cannot be drained,
// the guests that cannot move and what is still wrong after the plan.
func writeMovesOutcome(ew *errWriter, s *MoveSummary, st outcomeStyle) {
	title := func(t string) string {
		if st.strongHead {
			return "**" + t + "**"
		}
		return t
	}
	if len(s.Freed) > 0 {
		ew.printf("\n%sFreed (%d)%s %s — %s%s\n", st.lead, len(s.Freed), st.end, strings.Join(s.Freed, ", "), freedAdvice(s.Goal), st.stop)
	}
	if len(s.Undrainable) > 0 {
		ew.printf("\n%sCannot be drained, even alone (%d)%s %s%s\n", st.lead, len(s.Undrainable), st.end, strings.Join(s.Undrainable, ", "), st.stop)
	}
	if len(s.Stuck) > 0 {
		ew.printf("\n%s%s", title(fmt.Sprintf("Cannot move (%d)", len(s.Stuck))), st.listHead)
		for _, g := range s.Stuck {
			guest := g.Guest
			if st.strongHead {
				guest = "**" + guest + "**"
			}
			ew.printf("%s%s on %s (%s): %s\n", st.item, guest, g.Host, g.Kind, stuckWhy(g))
			for _, line := range g.Summary {
				ew.printf("%s%s\n", st.sub, line)
			}
		}
	}
	if len(s.Remaining) > 0 {
		ew.printf("\n%s%s", title(fmt.Sprintf("Still wrong after the plan (%d)", len(s.Remaining))), st.listHead)
		for _, r := range s.Remaining {
			if st.strongHead {
				ew.printf("%s%s\n", st.item, r)
			} else {
				ew.printf("%s! %s\n", st.item, r)
			}
		}
	}
}
