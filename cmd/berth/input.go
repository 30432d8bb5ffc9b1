package main

import (
	"fmt"
	"math"
	"os"

	"github.com/berth-dev/berth/internal/safefile"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/spf13/cobra"
)

// stdinName is how standard input (-f -) is named in messages and plans.
const stdinName = "stdin"

// registerInputFlags adds the flags every command shares about reading
// input files.
func registerInputFlags(root *cobra.Command) {
	root.PersistentFlags().String("max-input-size", safefile.SizeText(safefile.DefaultMaxInput),
		"the most berth reads from one input file (scenario, demand, plan, journal, config), e.g. 1Gi")
}

// maxInput is the cap on one input, from --max-input-size, BERTH_MAX_INPUT_SIZE
// or the config (see safefile.DefaultMaxInput for why 256Mi).
func (a *app) maxInput() (int64, error) {
	return parseInputSize(a.v.GetString("max-input-size"), "--max-input-size")
}

// parseInputSize reads a byte count such as 256Mi or 1G (at least 1 KiB).
func parseInputSize(s, what string) (int64, error) {
	if s == "" {
		return safefile.DefaultMaxInput, nil
	}
	n, err := inventory.ParseQuantity(inventory.Memory, s)
	if err != nil {
		return 0, fmt.Errorf("%s %q: %v", what, s, err)
	}
	if n < 1<<10 || n > math.MaxInt64/2 {
		return 0, fmt.Errorf("%s %q: want a size from 1Ki to 4Ei, such as 256Mi or 1Gi", what, s)
	}
	return int64(n), nil
}

// readInput reads an input file, capped at maxInput; "-" reads standard
// input. It returns the name to give the input in messages.
func (a *app) readInput(path string) (data []byte, name string, err error) {
	limit, err := a.maxInput()
	if err != nil {
		return nil, "", err
	}
	if path == "-" {
		data, err = safefile.ReadAll(stdinName, a.stdin, limit)
		return data, stdinName, err
	}
	data, err = safefile.ReadFile(path, limit)
	return data, path, err
}

// loadScenarioFile reads and parses a scenario file (or - for stdin).
func (a *app) loadScenarioFile(path string) (*inventory.Scenario, error) {
	data, name, err := a.readInput(path)
	if err != nil {
		return nil, err
	}
	return inventory.ParseScenario(name, data)
}

// loadDemandFile reads and parses a demand file (or - for stdin).
func (a *app) loadDemandFile(path string) (*inventory.Scenario, error) {
	data, name, err := a.readInput(path)
	if err != nil {
		return nil, err
	}
	return inventory.ParseDemand(name, data)
}

// readPlan reads and checks a plan file, capped at maxInput and verified
// with the signing key when one is configured.
func (a *app) readPlan(path string) (*planner.Plan, error) {
	pf, err := a.planFiles()
	if err != nil {
		return nil, err
	}
	return pf.Read(path)
}

// planFiles is how this run reads and writes plans: the input cap and the
// signing key (BERTH_PLAN_KEY, else planSigningKey in the config).
func (a *app) planFiles() (planner.PlanFiles, error) {
	limit, err := a.maxInput()
	if err != nil {
		return planner.PlanFiles{}, err
	}
	key, from := os.Getenv("BERTH_PLAN_KEY"), "BERTH_PLAN_KEY"
	if key == "" {
		key, from = a.v.GetString(planKeyConfig), planKeyConfig
		if a.configUsed != "" {
			from += " in " + a.configUsed
		}
	}
	if key != "" && len(key) < planner.MinPlanKeyLength {
		return planner.PlanFiles{}, fmt.Errorf("%s: a plan signing key needs at least %d characters, this one has %d", from, planner.MinPlanKeyLength, len(key))
	}
	return planner.PlanFiles{MaxInput: limit, Key: []byte(key)}, nil
}

// planKeyConfig is the config key of the plan signing key.
const planKeyConfig = "planSigningKey"

// configInputLimit is the cap for the config file itself, read before the
// config can say anything: the flag or BERTH_MAX_INPUT_SIZE, else the
// default.
func configInputLimit(cmd *cobra.Command) (int64, error) {
	if f := cmd.Flags().Lookup("max-input-size"); f != nil && f.Changed {
		return parseInputSize(f.Value.String(), "--max-input-size")
	}
	if v, ok := os.LookupEnv("BERTH_MAX_INPUT_SIZE"); ok {
		return parseInputSize(v, "BERTH_MAX_INPUT_SIZE")
	}
	return safefile.DefaultMaxInput, nil
}
