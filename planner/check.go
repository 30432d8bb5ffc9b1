package planner

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/placement"
)

// checkPolicy rejects a policy the planner cannot plan with: the checks
// every policy gets however it was made (inventory's Policy.Validate, the
// same rules and words as a scenario file's), a strategy that package
// placement has, and a budget ≥ 0. hosts is the size of the fleet, or -1
// when the policy is checked on its own (SetPolicy).
func checkPolicy(p *inventory.Policy, hosts int) error {
	var errs []error
	if err := p.Validate(hosts); err != nil {
		errs = append(errs, err)
	}
	if err := checkStrategy(p.Strategy); err != nil {
		errs = append(errs, fmt.Errorf("policy.strategy: %w", err))
	}
	if p.Budget < 0 {
		errs = append(errs, fmt.Errorf("policy.budget: must be 0 or more, found %s", p.Budget))
	}
	return errors.Join(errs...)
}

// Strategies lists the construction strategies a policy may name (package
// placement's registry), for the command line's flags and completions.
func Strategies() []string { return placement.Strategies() }

// checkStrategy says whether placement has a strategy of this name (""
// is placement's default), listing the ones it has when not.
func checkStrategy(name string) error {
	if name == "" || slices.Contains(placement.Strategies(), name) {
		return nil
	}
	return fmt.Errorf("unknown strategy %q: expected %s%s", name, inventory.OrList(placement.Strategies()),
		inventory.Suggestion(name, placement.Strategies()))
}

// CheckPolicy reports what only the planner can judge in the policy a
// scenario file carries, once package inventory has read and checked it:
// that placement has its strategy. The problems point into sc's file. It
// is cheap; `berth plan`, `explore` and `validate` run it after reading.
func CheckPolicy(sc *inventory.Scenario) error {
	if err := checkStrategy(sc.Policy.Strategy); err != nil {
		return inventory.Problems{sc.ProblemAt("policy.strategy", inventory.SeverityError, "%v", err)}
	}
	return nil
}

// CheckScenario is CheckPolicy, then the placement problem built as Plan
// would build it (without solving): whatever Plan would refuse to start
// from, it refuses. `berth validate` runs it, so that validate refuses
// every scenario plan refuses.
func CheckScenario(sc *inventory.Scenario) error {
	if err := CheckPolicy(sc); err != nil {
		return err
	}
	if err := checkPolicy(&sc.Policy, len(sc.Hosts)); err != nil {
		return inventory.Problems{sc.ProblemAt("policy", inventory.SeverityError, "%s", oneLine(err))}
	}
	if _, err := buildModel(sc, &sc.Policy, &Edits{}, true); err != nil {
		return inventory.Problems{{Source: sc.Source, Severity: inventory.SeverityError,
			Message: "the planner cannot use this scenario: " + oneLine(err)}}
	}
	return nil
}

// oneLine joins the lines of a joined error with "; ".
func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }
