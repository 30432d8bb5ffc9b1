package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

func newValidateCmd(a *app) *cobra.Command {
	var scenarioFile string
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a scenario or plan file and report every problem",
		Long: `validate reads a scenario file (or a plan file written by berth plan --out) and
reports every problem it finds, each with file, line and field, not just the
first. A plan is checked for integrity (untouched since berth wrote it) and
re-verified independently of the planner: no host over what it offers, every
group rule kept, every demanded guest placed or explained. Give the scenario
the plan was made from with --scenario-file to check it against that too.

Exit codes: 0 valid, 1 problems found.`,
		Example: `  berth validate fleet.yaml
  berth validate plan.json
  berth validate plan.json --scenario-file fleet.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			if looksLikePlan(data) {
				return validatePlan(a, args[0], data, scenarioFile)
			}
			if scenarioFile != "" {
				return fmt.Errorf("%s is a scenario; --scenario-file goes with a plan (berth validate PLAN --scenario-file SCENARIO)", args[0])
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
	return cmd
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
	plan, err := planner.DecodePlan(name, data)
	if err != nil {
		return err
	}
	var sc *inventory.Scenario
	if scenarioFile != "" {
		if sc, err = inventory.LoadScenario(scenarioFile); err != nil {
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
