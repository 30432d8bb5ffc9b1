package common

import (
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

// MoveMode is what the explorer plans when it moves running guests: the
// call `berth rebalance`, `drain`, `waves` or `plan --allow-moves` makes,
// with the same goal and options. Every re-plan after an edit makes that
// call again; nil (no mode) plans new guests only, as `berth plan` does.
type MoveMode struct {
	// Goal: consolidate, repair or balance (Planner.Rebalance), drain,
	// waves, or room (Planner.PlanWithMoves, Options.MaxMoves ≥ 1).
	Goal planner.Goal
	// Drain lists the hosts a drain empties.
	Drain []string
	// Options are the move knobs; the explorer's policy dialog changes
	// the budget (MaxMoves, MaxBytes, MaxHostsPerWave).
	Options planner.MoveOptions
}

// Plan makes the mode's plan with pl.
func (m *MoveMode) Plan(pl *planner.Planner) (*planner.Plan, error) {
	switch m.Goal {
	case planner.GoalDrain:
		return pl.Drain(m.Drain, m.Options)
	case planner.GoalWaves:
		return pl.Waves(m.Options)
	case planner.GoalRoom:
		return pl.PlanWithMoves(m.Options)
	}
	return pl.Rebalance(m.Goal, m.Options)
}

// MoveModeOf is the mode that made p, from what p records of its moves
// (goal, drained hosts, limits), or nil for a plan that was not asked to
// move anything. Re-planning p's scenario in that mode, with p's policy
// and edits, gives p again: the limits a plan records are the options
// with their defaults filled in, and giving the defaults explicitly
// changes nothing.
func MoveModeOf(p *planner.Plan) *MoveMode {
	if p == nil || p.Moves == nil {
		return nil
	}
	s := p.Moves
	l := s.Limits
	return &MoveMode{
		Goal:  planner.Goal(s.Goal),
		Drain: slices.Clone(s.Drain),
		Options: planner.MoveOptions{
			MaxMoves: l.MaxMoves, MaxBytes: l.MaxBytes, MaxOut: l.MaxOut, MaxIn: l.MaxIn,
			Bandwidth: l.Bandwidth, KeepFailover: l.Failover > 0, MaxHostsPerWave: l.MaxHostsPerWave,
		},
	}
}

// Name is the mode in a few words, for the title bar: "consolidate",
// "drain kvm07", "waves", "allow 2 moves".
func (m *MoveMode) Name() string {
	switch m.Goal {
	case planner.GoalDrain:
		return "drain " + strings.Join(m.Drain, " ")
	case planner.GoalRoom:
		return "allow " + planner.CountOf(m.Options.MaxMoves, "move", "moves")
	}
	return string(m.Goal)
}

// Command is the berth command line that makes the mode's plan from the
// scenario file path: "berth rebalance -f PATH --goal consolidate
// --max-moves 4" (the budget flags only when set; the bandwidth and
// per-host limits when they differ from the defaults).
func (m *MoveMode) Command(path string) string {
	var b strings.Builder
	o := m.Options
	switch m.Goal {
	case planner.GoalDrain:
		fmt.Fprintf(&b, "berth drain %s -f %s", strings.Join(m.Drain, " "), path)
	case planner.GoalWaves:
		fmt.Fprintf(&b, "berth waves -f %s", path)
	case planner.GoalRoom:
		fmt.Fprintf(&b, "berth plan -f %s --allow-moves %d", path, o.MaxMoves)
	default:
		fmt.Fprintf(&b, "berth rebalance -f %s --goal %s", path, m.Goal)
	}
	if o.MaxMoves > 0 && m.Goal != planner.GoalRoom && m.Goal != planner.GoalWaves {
		fmt.Fprintf(&b, " --max-moves %d", o.MaxMoves)
	}
	if o.MaxBytes > 0 && m.Goal != planner.GoalRoom && m.Goal != planner.GoalWaves {
		fmt.Fprintf(&b, " --max-bytes %s", BytesFlag(o.MaxBytes))
	}
	if o.MaxHostsPerWave > 0 && m.Goal == planner.GoalWaves {
		fmt.Fprintf(&b, " --max-hosts-per-wave %d", o.MaxHostsPerWave)
	}
	if o.Bandwidth > 0 && o.Bandwidth != planner.DefaultBandwidth {
		fmt.Fprintf(&b, " --bandwidth %s", strings.ReplaceAll(inventory.FormatQuantity(inventory.Net, o.Bandwidth*8), " ", ""))
	}
	if o.MaxOut > 1 {
		fmt.Fprintf(&b, " --max-out %d", o.MaxOut)
	}
	if o.MaxIn > 1 {
		fmt.Fprintf(&b, " --max-in %d", o.MaxIn)
	}
	if o.KeepFailover {
		b.WriteString(" --keep-failover")
	}
	return b.String()
}

// BytesFlag writes an amount of bytes as a flag takes it: "512Gi".
func BytesFlag(b float64) string {
	s := strings.ReplaceAll(inventory.FormatQuantity(inventory.Memory, b), " ", "")
	return strings.TrimSuffix(s, "B")
}
