package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

func newValidateCmd(a *app) *cobra.Command {
	var scenarioFile, demandFile string
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a scenario, demand or plan file and report every problem",
		Long: `validate reads a scenario file (or a demand file, or a plan file written by
berth plan --out) and reports every problem it finds, each with file, line and
field, not just the first. A plan is checked for integrity (untouched since
berth wrote it) and re-verified independently of the planner: no host over
what it offers, every group rule kept, every demanded guest placed or
explained. Give the scenario the plan was made from with --scenario-file to
check it against that too.

A demand file (the -d of berth plan -c URI -d FILE: demand, profiles, groups
and policy, but no hosts) is recognised by having a demand section and no
hosts or hostModels, or named with --demand; it is checked as plan -d reads
it, and the checks that need the fleet wait for the live hosts.

Exit codes: 0 valid, 1 problems found.`,
		Example: `  berth validate fleet.yaml
  berth validate demand.yaml
  berth validate --demand demand.yaml
  berth validate plan.json
  berth validate plan.json --scenario-file fleet.yaml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if demandFile != "" {
				if len(args) > 0 {
					return fmt.Errorf("give either FILE or --demand FILE, not both")
				}
				return nil
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if demandFile != "" {
				if scenarioFile != "" {
					return fmt.Errorf("--scenario-file goes with a plan, not with --demand")
				}
				data, _, err := a.readInput(demandFile)
				if err != nil {
					return err
				}
				return validateDemand(a, demandFile, data)
			}
			data, _, err := a.readInput(args[0])
			if err != nil {
				return err
			}
			if looksLikePlan(data) {
				return validatePlan(a, args[0], data, scenarioFile)
			}
			if scenarioFile != "" {
				return fmt.Errorf("%s is a scenario; --scenario-file goes with a plan (berth validate PLAN --scenario-file SCENARIO)", args[0])
			}
			if looksLikeDemand(data) {
				return validateDemand(a, args[0], data)
			}
			sc, err := inventory.ParseScenario(args[0], data)
			if err != nil {
				return problemsError(err)
			}
			if err := planner.CheckScenario(sc); err != nil {
				return problemsError(err)
			}
			for _, w := range sc.Warnings {
				fmt.Fprintln(a.stderr, w.Error())
			}
			fmt.Fprintf(a.stdout, "%s: valid scenario %q: %d hosts, %d host models, %d demand entries\n",
				args[0], sc.Name, len(sc.Hosts), len(sc.HostModels), len(sc.Demand))
			return nil
		},
	}
	cmd.Flags().StringVar(&scenarioFile, "scenario-file", "", "with a plan: the scenario file it was made from")
	cmd.Flags().StringVar(&demandFile, "demand", "", "check FILE as a demand file (for berth plan -c URI -d FILE)")
	return cmd
}

// looksLikeDemand tells a demand file from a scenario: a top-level demand
// section and neither hosts nor hostModels. A file that does not parse is
// left to the scenario reader, which says where it breaks.
func looksLikeDemand(data []byte) bool {
	var doc map[string]yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return false
	}
	_, hosts := doc["hosts"]
	_, models := doc["hostModels"]
	_, demand := doc["demand"]
	return demand && !hosts && !models
}

// validateDemand checks a demand file as berth plan -d reads it: every
// check that does not need the fleet, and the planner's of the policy.
func validateDemand(a *app, name string, data []byte) error {
	sc, err := inventory.ParseDemand(name, data)
	if err != nil {
		return problemsError(err)
	}
	if err := planner.CheckPolicy(sc); err != nil {
		return problemsError(err)
	}
	for _, w := range sc.Warnings {
		fmt.Fprintln(a.stderr, w.Error())
	}
	guests := 0
	for _, d := range sc.Demand {
		guests += d.Count
	}
	entries := fmt.Sprintf("%d demand entries", len(sc.Demand))
	if len(sc.Demand) == 1 {
		entries = "1 demand entry"
	}
	fmt.Fprintf(a.stdout, "%s: valid demand file: %s, %s (checks against the hosts, such as sizes, selectors and names, run when berth plan -c URI -d %s reads them)\n",
		name, entries, countText(guests, "guest"), name)
	return nil
}

// looksLikePlan tells a plan document from a scenario by its top-level
// kind, in JSON or YAML, compact or indented.
func looksLikePlan(data []byte) bool {
	// Scenarios are YAML; a JSON document is only ever a plan, so even a
	// damaged one is reported as a plan ("not a valid plan: line …").
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		return true
	}
	var doc struct {
		Kind string `yaml:"kind"`
	}
	// JSON is YAML, so one parse reads both; a file that parses as neither
	// is left to the scenario reader, which says where it breaks.
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return false
	}
	return doc.Kind == planner.PlanKind
}

func validatePlan(a *app, name string, data []byte, scenarioFile string) error {
	pf, err := a.planFiles()
	if err != nil {
		return err
	}
	plan, err := pf.Decode(name, data)
	if err != nil {
		return err
	}
	var sc *inventory.Scenario
	if scenarioFile != "" {
		if sc, err = a.loadScenarioFile(scenarioFile); err != nil {
			return problemsError(err)
		}
	}
	if sc != nil {
		// A plan checked against another scenario (or the same one since
		// edited) would list every difference; say the one thing that matters.
		pl := planner.New(sc)
		if err := pl.SetPolicy(planner.PolicyFromView(plan.Policy)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		pl.SetEdits(plan.Edits)
		again, err := pl.Plan()
		if err != nil {
			return fmt.Errorf("%s: re-making the plan from %s: %w", name, scenarioFile, err)
		}
		if again.Fingerprint != plan.Fingerprint {
			return fmt.Errorf("%s was not made from %s as it is now (the inputs' fingerprints differ): give the scenario it was made from, or make a new plan", name, scenarioFile)
		}
	}
	if problems := planner.Verify(plan, sc); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(a.stderr, "%s: %s\n", name, p)
		}
		return withCode(exitError, fmt.Errorf("%s: %s", name, countText(len(problems), "problem")))
	}
	fmt.Fprintf(a.stdout, "%s: valid plan %s: %d hosts, %d new guests, %d unplaced%s\n",
		name, plan.ID, len(plan.Hosts), plan.Creates(), len(plan.Unplaced), movesValidText(plan))
	return nil
}

// problemsError prints a scenario's problems one per line with a count.
func problemsError(err error) error {
	var ps inventory.Problems
	if errors.As(err, &ps) {
		n := len(ps.Errors())
		return fmt.Errorf("%s:\n%s", countText(n, "problem"), ps.Error())
	}
	return err
}

// countText is "1 problem" or "3 problems".
func countText(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
