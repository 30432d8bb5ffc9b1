package main

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/spf13/cobra"
)

// moveFlags are the knobs of the commands that move running guests
// (rebalance, drain, waves; plan --allow-moves reads them from the
// environment and config file).
type moveFlags struct{}

func (moveFlags) register(cmd *cobra.Command, budget bool) {
	fl := cmd.Flags()
	if budget {
		fl.Int("max-moves", 0, "at most this many migrations (default: no limit)")
		fl.String("max-bytes", "", "at most this much copied by all migrations together, e.g. 500Gi (default: no limit)")
	}
	fl.StringArray("keep", nil, "a running guest that must not move (repeatable)")
	fl.String("bandwidth", "10Gbps", "bandwidth of one migration, for the time estimates, e.g. 10Gbps or 800Mbps")
	fl.Int("max-out", 1, "migrations leaving one host at a time")
	fl.Int("max-in", 1, "migrations arriving at one host at a time")
	fl.Bool("keep-failover", false, "keep the failover reserve (--failover-hosts, at least 1 host) at every step, not only at the end")
}

// options reads the move knobs the user set (flag > env > config), with
// their defaults otherwise.
func (moveFlags) options(a *app, cmd *cobra.Command) (planner.MoveOptions, error) {
	var opt planner.MoveOptions
	v := a.v
	if a.isSet(cmd, "max-moves") {
		n, err := wholeNumber(v.Get("max-moves"))
		if err != nil || n > 1<<31-1 {
			return opt, fmt.Errorf("max-moves %q: want a whole number ≥ 1", v.GetString("max-moves"))
		}
		if n == 0 {
			return opt, fmt.Errorf("--max-moves 0 allows no migration, so there is nothing to plan: leave --max-moves out for no limit, or give at least 1")
		}
		opt.MaxMoves = int(n)
	}
	if a.isSet(cmd, "max-bytes") {
		b, err := inventory.ParseQuantity(inventory.Memory, v.GetString("max-bytes"))
		if err != nil {
			return opt, fmt.Errorf("max-bytes: %v", err)
		}
		if b == 0 {
			return opt, fmt.Errorf("--max-bytes 0 allows no migration, so there is nothing to plan: leave --max-bytes out for no limit, or give an amount such as 500Gi")
		}
		opt.MaxBytes = b
	}
	if a.isSet(cmd, "bandwidth") {
		bps, err := inventory.ParseQuantity(inventory.Net, v.GetString("bandwidth"))
		if err != nil {
			return opt, fmt.Errorf("bandwidth: %v", err)
		}
		if bps == 0 {
			return opt, fmt.Errorf("bandwidth 0: a migration needs a bandwidth > 0 to be estimated, e.g. 10Gbps")
		}
		opt.Bandwidth = bps / 8
	}
	for _, k := range []struct {
		key string
		dst *int
	}{{"max-out", &opt.MaxOut}, {"max-in", &opt.MaxIn}} {
		if !a.isSet(cmd, k.key) {
			continue
		}
		n, err := wholeNumber(v.Get(k.key))
		if err != nil || n < 1 || n > 1<<31-1 {
			return opt, fmt.Errorf("%s %q: want a whole number ≥ 1 (migrations per host at a time)", k.key, v.GetString(k.key))
		}
		*k.dst = int(n)
	}
	if a.isSet(cmd, "keep-failover") {
		opt.KeepFailover = v.GetBool("keep-failover")
	}
	return opt, nil
}

// moveRun is what the move commands share: the source, the policy, the
// move knobs, the exclusions and keeps, the outputs and the exit code.
type moveRun struct {
	source sourceFlags
	policy policyFlags
	moves  moveFlags
}

func (r *moveRun) register(cmd *cobra.Command, budget bool) {
	r.source.register(cmd)
	fl := cmd.Flags()
	outputFlag.register(cmd, "o", planFormats()[0].Name, "output format")
	fl.String("out", "", "also save the plan to this file (JSON; YAML if it ends in .yaml)")
	fl.Bool("detailed-exitcode", false, "exit 0 when there is nothing to move, 2 when the plan moves guests")
	fl.StringArray("exclude", nil, "a host no guest may move to (repeatable)")
	r.moves.register(cmd, budget)
	r.policy.register(cmd)
}

// run loads the fleet, applies the flags, makes the plan with makePlan,
// saves and renders it, and maps it to the exit code.
func (r *moveRun) run(a *app, cmd *cobra.Command, makePlan func(*planner.Planner, planner.MoveOptions) (*planner.Plan, error)) error {
	format, err := outputFlag.value(a)
	if err != nil {
		return err
	}
	render, _ := planner.LookupFormat(planFormats(), format)
	opt, err := r.moves.options(a, cmd)
	if err != nil {
		return err
	}
	sc, err := r.source.load(a, cmd)
	if err != nil {
		return err
	}
	pl, err := newPlanner(a, cmd, sc, &r.policy)
	if err != nil {
		return err
	}
	for _, h := range a.v.GetStringSlice("exclude") {
		pl.Exclude(h, true)
	}
	for _, g := range a.v.GetStringSlice("keep") {
		pl.Keep(g, true)
	}
	plan, err := makePlan(pl, opt)
	if err != nil {
		return err
	}
	if out := a.v.GetString("out"); out != "" {
		if err := planner.WritePlanFile(out, plan); err != nil {
			return fmt.Errorf("saving plan: %w", err)
		}
		fmt.Fprintf(a.stderr, "saved plan %s to %s; %s\n", plan.ID, out, moveApplyHint(plan, out))
	}
	if err := render.Render(a.stdout, plan); err != nil {
		return err
	}
	return planExit(plan, a.v.GetBool("detailed-exitcode"))
}

// moveApplyHint says what can be done with a saved plan with moves.
func moveApplyHint(p *planner.Plan, path string) string {
	if p.Migrations() == 0 {
		return "it moves nothing"
	}
	return fmt.Sprintf("berth validate %s re-checks every step of its %s independently; berth apply %s carries them out",
		path, planner.CountOf(p.Migrations(), "migration", "migrations"), path)
}

func newRebalanceCmd(a *app) *cobra.Command {
	var r moveRun
	goals := make([]string, len(planner.RebalanceGoals))
	for i, g := range planner.RebalanceGoals {
		goals[i] = string(g)
	}
	cmd := &cobra.Command{
		Use:   "rebalance [SOURCE] --goal consolidate|repair|balance",
		Short: "Move running guests: free hosts, repair broken rules, or even out the load",
		Long: `rebalance plans live migrations of the guests that already run, in waves that
are safe at every step: a guest in flight holds its resources on both hosts, so
a migration starts only where the destination has room with everything else in
flight, and no rule (capacity, same-appetite limit, groups, and with
--keep-failover the failover reserve) is broken at any intermediate step.

Goals:
  consolidate  free as many hosts as possible (they are listed: power them off
               or reclaim them), then use the fewest migrations and bytes
  repair       fix what the policy finds wrong today (a host over its offer,
               same-appetite guests over the hard limit, a broken group, a
               missing failover reserve) with the fewest migrations
  balance      lower the most loaded host's utilisation with the fewest moves

The fleet (SOURCE) is chosen as for berth plan: the embedded default scenario,
--scenario NAME, -f FILE, or live hosts with -c URI -d DEMAND. Its demand is not
placed (berth plan --allow-moves N does that, moving running guests if needed).
Each migration copies the guest's memory, plus its local disks unless both hosts
have the label storage: shared; times are estimated at --bandwidth.

Exit codes: 0 done; 3 the goal is not met (a repair leaves something wrong) or
the plan's end state fails the failover check; 1 error. With
--detailed-exitcode: 0 nothing to move, 2 the plan moves guests.
docs/rebalance.md explains the goals and how to read the plan.`,
		Example: `  berth rebalance --scenario drifted --goal consolidate       # free hosts
  berth rebalance --scenario drifted --goal consolidate --max-moves 4 --keep db-main-1
  berth rebalance -f fleet.yaml --goal repair -o markdown
  berth rebalance -f fleet.yaml --goal balance --max-out 2 --max-in 2 --bandwidth 25Gbps
  berth rebalance -f fleet.yaml --goal consolidate --keep-failover --failover-hosts 1 --out moves.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			name := a.v.GetString("goal")
			if name == "" {
				return fmt.Errorf("rebalance needs a goal: --goal %s", strings.Join(goals, ", --goal "))
			}
			goal, err := planner.ParseGoal(name)
			if err != nil {
				return fmt.Errorf("--goal: %v", err)
			}
			return r.run(a, cmd, func(pl *planner.Planner, opt planner.MoveOptions) (*planner.Plan, error) {
				return pl.Rebalance(goal, opt)
			})
		},
	}
	cmd.Flags().String("goal", "", "what to move guests for: "+strings.Join(goals, ", ")+" (required)")
	_ = cmd.RegisterFlagCompletionFunc("goal", cobra.FixedCompletions(goals, cobra.ShellCompDirectiveNoFileComp))
	r.register(cmd, true)
	registerNameCompletions(a, cmd)
	return cmd
}

// planWithMoves is berth plan's planning step: with --allow-moves N,
// Planner.PlanWithMoves (the move knobs from the environment or config
// file), else Planner.Plan.
func planWithMoves(a *app, cmd *cobra.Command, pl *planner.Planner) (*planner.Plan, error) {
	if !a.isSet(cmd, "allow-moves") {
		return pl.Plan()
	}
	n, err := allowMoves(a)
	if err != nil {
		return nil, err
	}
	opt, err := moveFlags{}.options(a, cmd)
	if err != nil {
		return nil, err
	}
	for _, g := range a.v.GetStringSlice("keep") {
		pl.Keep(g, true)
	}
	opt.MaxMoves = n
	return pl.PlanWithMoves(opt)
}

// allowMoves reads --allow-moves N (berth plan, berth explore): N ≥ 1.
func allowMoves(a *app) (int, error) {
	n, err := wholeNumber(a.v.Get("allow-moves"))
	if err != nil || n > 1<<31-1 {
		return 0, fmt.Errorf("allow-moves %q: want a whole number ≥ 1", a.v.GetString("allow-moves"))
	}
	if n == 0 {
		return 0, fmt.Errorf("--allow-moves 0 allows no migration: leave --allow-moves out to plan without moving running guests, or give at least 1")
	}
	return int(n), nil
}

// movesValidText adds a plan's moves to validate's verdict.
func movesValidText(p *planner.Plan) string {
	if p.Moves == nil {
		return ""
	}
	return fmt.Sprintf(", %s in %s (every step re-checked)",
		planner.CountOf(p.Migrations(), "migration", "migrations"), planner.CountOf(len(p.Moves.Waves), "wave", "waves"))
}
