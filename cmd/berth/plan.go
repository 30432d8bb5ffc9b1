package main

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/apply"
	"github.com/spf13/cobra"
)

// planFlags are the knobs of `berth plan` beyond the source; explore shares
// the policy ones.
type planFlags struct {
	source           sourceFlags
	out              string
	detailedExitCode bool
	pins             []string
	exclude          []string
	policy           policyFlags
}

func newPlanCmd(a *app) *cobra.Command {
	var f planFlags
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Place the demanded guests on the fleet and print (or save) the plan",
		Long: `plan reads a fleet and its demand (the embedded default scenario, an embedded
scenario chosen with --scenario, or a scenario file given with -f), places every
demanded guest where its appetite matches a host's leftover resources, and
prints the plan.

Exit codes: 0 everything placed; 3 some demand could not be placed, the
failover check fails or a pin breaks a rule; 1 error. With --detailed-exitcode:
0 nothing to do, 2 a plan with changes, 3 and 1 as above.`,
		Example: `  berth plan                                  # the embedded default scenario
  berth plan -f fleet.yaml -o markdown        # your scenario, for a PR comment
  berth plan -f fleet.yaml --out plan.json    # save the plan for berth apply
  berth plan --scenario tight -o json | jq .unplaced
  berth plan --pin web-api-1=kvm03 --exclude kvm07 --failover-hosts 1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPlan(a, cmd, &f)
		},
	}
	f.source.register(cmd)
	outputFlag.register(cmd, "o", planFormats()[0].Name, "output format")
	cmd.Flags().StringVar(&f.out, "out", "", "also save the plan to this file (JSON; YAML if it ends in .yaml)")
	cmd.Flags().BoolVar(&f.detailedExitCode, "detailed-exitcode", false, "exit 0 when there is nothing to do, 2 when the plan has changes")
	cmd.Flags().StringArrayVar(&f.pins, "pin", nil, "pin a new guest to a host, GUEST=HOST (repeatable)")
	cmd.Flags().StringArrayVar(&f.exclude, "exclude", nil, "exclude a host from placement, e.g. for maintenance (repeatable)")
	cmd.Flags().Int("allow-moves", 0, "move up to N running guests when that places demand otherwise unplaced or on a bought host (see berth rebalance)")
	f.policy.register(cmd)
	registerNameCompletions(a, cmd)
	return cmd
}

func runPlan(a *app, cmd *cobra.Command, f *planFlags) error {
	format, err := outputFlag.value(a)
	if err != nil {
		return a.badValue(cmd, outputFlag.name, "%v", err)
	}
	pf, err := a.planFiles()
	if err != nil {
		return err
	}
	detailed, err := a.boolean(cmd, "detailed-exitcode")
	if err != nil {
		return err
	}
	render, _ := planner.LookupFormat(planFormatsSigned(pf), format)
	sc, err := f.source.load(a, cmd)
	if err != nil {
		return err
	}
	pl, err := newPlanner(a, cmd, sc, &f.policy)
	if err != nil {
		return err
	}
	pinned := map[string]string{}
	for _, pin := range a.v.GetStringSlice("pin") {
		guest, host, ok := strings.Cut(pin, "=")
		if !ok || guest == "" || host == "" {
			return a.badValue(cmd, "pin", "%q: want GUEST=HOST", pin)
		}
		if other, dup := pinned[guest]; dup && other != host {
			return a.badValue(cmd, "pin", "%s is pinned to both %s and %s", guest, other, host)
		}
		pinned[guest] = host
		pl.Pin(guest, host)
	}
	for _, h := range a.v.GetStringSlice("exclude") {
		pl.Exclude(h, true)
	}
	plan, err := planWithMoves(a, cmd, pl) // rebalance.go: --allow-moves, else pl.Plan()
	if err != nil {
		return err
	}
	if out := a.v.GetString("out"); out != "" {
		if err := pf.Write(out, plan); err != nil {
			return fmt.Errorf("saving plan: %w", err)
		}
		hint := applyHint(plan, out, a.configuredURIs())
		if plan.Migrations() > 0 {
			hint = moveApplyHint(plan, out)
		}
		fmt.Fprintf(a.stderr, "saved plan %s to %s; %s\n", plan.ID, out, hint)
	}
	if err := render.Render(a.stdout, plan); err != nil {
		return err
	}
	return planExit(plan, detailed)
}

// planExit maps a plan to the documented exit codes.
func planExit(p *planner.Plan, detailed bool) error {
	if !p.Complete() {
		return silentExit(exitUnplaced)
	}
	if detailed && p.Changes() > 0 {
		return silentExit(exitChanges)
	}
	return nil
}

// newPlanner builds a planner for sc with the policy knobs from flags,
// environment and config applied on top of the scenario's own policy.
func newPlanner(a *app, cmd *cobra.Command, sc *inventory.Scenario, pf *policyFlags) (*planner.Planner, error) {
	pol, err := pf.apply(a, cmd, sc.Policy)
	if err != nil {
		return nil, err
	}
	if err := blamePolicy(a, cmd, pol, len(sc.Hosts)); err != nil {
		return nil, err
	}
	pl := planner.New(sc)
	if err := pl.SetPolicy(pol); err != nil {
		return nil, err
	}
	return pl, nil
}

// applyHint says how the saved plan can be applied, or why it cannot be
// (apply.Applicable, the check berth apply makes before contacting any host).
func applyHint(p *planner.Plan, path string, uri func(planner.HostPlan) string) string {
	if p.Changes() == 0 {
		return "it changes nothing on the hosts"
	}
	if err := apply.Applicable(p, uri); err != nil {
		return err.Error()
	}
	if n := p.Removals(); n > 0 {
		return fmt.Sprintf("it removes %s: apply it with: berth apply %s --allow-removals", planner.CountOf(n, "guest", "guests"), path)
	}
	return "apply it with: berth apply " + path
}
