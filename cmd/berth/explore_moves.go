package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui"
)

// Explore's move modes: the flags that make it plan as berth rebalance,
// drain, waves or plan --allow-moves do, with the same meaning (the move
// knobs are rebalance.go's moveFlags).

// modeFlags choose the move mode; moveOnlyFlags mean something only in
// one.
var (
	modeFlags     = []string{"goal", "drain", "waves", "allow-moves"}
	moveOnlyFlags = []string{"max-moves", "max-bytes", "keep", "bandwidth", "max-out", "max-in", "keep-failover", "max-hosts-per-wave"}
)

// registerMoveModeFlags adds the move modes' flags to explore.
func registerMoveModeFlags(cmd *cobra.Command) {
	goals := make([]string, len(planner.RebalanceGoals))
	for i, g := range planner.RebalanceGoals {
		goals[i] = string(g)
	}
	fl := cmd.Flags()
	fl.String("goal", "", "move running guests as berth rebalance does: "+strings.Join(goals, ", "))
	_ = cmd.RegisterFlagCompletionFunc("goal", cobra.FixedCompletions(goals, cobra.ShellCompDirectiveNoFileComp))
	fl.StringSlice("drain", nil, "empty these hosts, as berth drain HOST... does (repeatable, or comma-separated)")
	fl.Bool("waves", false, "plan rolling maintenance, as berth waves does")
	fl.Int("max-hosts-per-wave", 0, "with --waves: at most this many hosts drained together (default: no limit)")
	fl.Int("allow-moves", 0, "place the demand moving up to N running guests, as berth plan --allow-moves N does")
	fl.StringArray("exclude", nil, "a host that takes no new guest and no guest moves to (repeatable)")
	moveFlags{}.register(cmd, true)
}

// exploreMoveMode reads the move mode from the flags (nil: explore places
// new guests only, as berth plan does), checking the names it is given
// against the scenario before anything is planned.
func exploreMoveMode(a *app, cmd *cobra.Command, sc *inventory.Scenario) (*tui.MoveMode, error) {
	var given []string
	for _, name := range modeFlags {
		if a.isSet(cmd, name) && (name != "waves" || a.v.GetBool("waves")) {
			given = append(given, "--"+name)
		}
	}
	switch len(given) {
	case 0:
		for _, name := range moveOnlyFlags {
			if cmd.Flags().Changed(name) {
				return nil, fmt.Errorf("--%s is for plans that move running guests: add --goal %s, --drain HOST, --waves or --allow-moves N",
					name, strings.Join(goalNames(), "|"))
			}
		}
		return nil, nil
	case 1:
	default:
		return nil, fmt.Errorf("%s each choose what explore plans: give one of them", strings.Join(given, " and "))
	}
	if cmd.Flags().Changed("max-hosts-per-wave") && given[0] != "--waves" {
		return nil, fmt.Errorf("--max-hosts-per-wave is for rolling maintenance: add --waves, or leave it out")
	}
	opt, err := moveFlags{}.options(a, cmd)
	if err != nil {
		return nil, err
	}
	mode := &tui.MoveMode{Options: opt}
	switch given[0] {
	case "--goal":
		if mode.Goal, err = planner.ParseGoal(a.v.GetString("goal")); err != nil {
			return nil, fmt.Errorf("--goal: %v", err)
		}
	case "--drain":
		mode.Goal, mode.Drain = planner.GoalDrain, a.v.GetStringSlice("drain")
		for _, h := range mode.Drain {
			if _, ok := sc.HostByName(h); !ok {
				return nil, fmt.Errorf("--drain %s: scenario %s has no host %s%s", h, sc.Name, h, inventory.Suggestion(h, hostNames(sc)))
			}
		}
	case "--waves":
		mode.Goal = planner.GoalWaves
		if mode.Options.MaxHostsPerWave, err = maxHostsPerWave(a, cmd); err != nil {
			return nil, err
		}
	case "--allow-moves":
		mode.Goal = planner.GoalRoom
		if mode.Options.MaxMoves, err = allowMoves(a); err != nil {
			return nil, err
		}
	}
	return mode, checkKeeps(a, sc)
}

// applyMoveEdits gives the planner the exclusions and, in a move mode, the
// guests kept in place.
func applyMoveEdits(a *app, pl *planner.Planner, mode *tui.MoveMode) {
	for _, h := range a.v.GetStringSlice("exclude") {
		pl.Exclude(h, true)
	}
	if mode == nil {
		return
	}
	for _, g := range a.v.GetStringSlice("keep") {
		pl.Keep(g, true)
	}
}

// checkKeeps refuses a --keep that names no running guest, before the
// explorer starts (the planner would say so only at the first plan).
func checkKeeps(a *app, sc *inventory.Scenario) error {
	var running []string
	for i := range sc.Hosts {
		for _, g := range sc.Hosts[i].Guests {
			running = append(running, g.Name)
		}
	}
	for _, g := range a.v.GetStringSlice("keep") {
		if !slices.Contains(running, g) {
			return fmt.Errorf("--keep %s: no guest %s runs in scenario %s%s", g, g, sc.Name, inventory.Suggestion(g, running))
		}
	}
	return nil
}

// moveFlagsWithPlan names a move flag given on the command line with
// --plan, which records its move mode ("" when none is).
func moveFlagsWithPlan(cmd *cobra.Command) string {
	for _, name := range append(slices.Clone(modeFlags), moveOnlyFlags...) {
		if cmd.Flags().Changed(name) {
			return name
		}
	}
	return ""
}

func goalNames() []string {
	out := make([]string, len(planner.RebalanceGoals))
	for i, g := range planner.RebalanceGoals {
		out[i] = string(g)
	}
	return out
}
