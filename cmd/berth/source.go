package main

import (
	"fmt"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/scenarios"
	"github.com/spf13/cobra"
)

// sourceFlags are the flags that say which fleet to plan, shared by plan,
// explore and validate.
type sourceFlags struct {
	file     string
	scenario string
}

func (s *sourceFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&s.file, "file", "f", "", "scenario file to plan (YAML, see docs/scenario.md)")
	cmd.Flags().StringVarP(&s.scenario, "scenario", "s", "", "embedded scenario to plan (see `berth scenarios list`; default \""+scenarios.Default+"\")")
}

// load reads the scenario: the file given with -f, else the embedded one
// named with --scenario, else the embedded default.
func (s *sourceFlags) load(a *app) (*inventory.Scenario, error) {
	file := a.v.GetString("file")
	name := a.v.GetString("scenario")
	if file != "" && name != "" {
		return nil, fmt.Errorf("give either -f FILE or --scenario NAME, not both")
	}
	if file != "" {
		return inventory.LoadScenario(file)
	}
	if name == "" {
		name = scenarios.Default
	}
	data, err := scenarios.Get(name)
	if err != nil {
		return nil, err
	}
	return inventory.ParseScenario("embedded:"+name, data)
}
