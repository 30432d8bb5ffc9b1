package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/scenarios"
	"github.com/spf13/cobra"
)

// sourceFlags are the flags that say which fleet to plan, shared by plan and
// explore: a scenario (embedded or a file), or live hosts read from libvirt
// plus a demand file.
type sourceFlags struct{}

func (sourceFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringP("file", "f", "", "scenario file to plan (YAML, see docs/scenario.md)")
	fl.StringP("scenario", "s", "", "embedded scenario to plan (list them with: berth scenarios list; default \""+scenarios.Default+"\")")
	_ = cmd.RegisterFlagCompletionFunc("scenario", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return scenarios.Names(), cobra.ShellCompDirectiveNoFileComp
	})
	fl.StringArrayP("connect", "c", nil, "plan on live libvirt hosts: a host's URI (repeatable; with -d; default: the config's hosts)")
	fl.StringP("demand", "d", "", "with live hosts: the demand file (a scenario without hosts, see docs/scenario.md)")
	fl.Duration("sample", 0, "with live hosts: observe use over this window before planning, e.g. 10s")
	fl.Bool("strict", false, "with live hosts: fail when any host cannot be read (default: plan without it)")
}

// load reads the fleet to plan: live hosts plus a demand file when -d (or
// -c) is given; else the scenario file given with -f; else the embedded
// scenario named with --scenario; else the embedded default. What only the
// planner can judge of the file's policy (its strategy) is checked here
// too, so that plan says it as validate does, pointing into the file.
func (f sourceFlags) load(a *app, cmd *cobra.Command) (*inventory.Scenario, error) {
	sc, err := f.read(a, cmd)
	if err != nil {
		return nil, err
	}
	if err := planner.CheckPolicy(sc); err != nil {
		return nil, err
	}
	return sc, nil
}

func (sourceFlags) read(a *app, cmd *cobra.Command) (*inventory.Scenario, error) {
	file := a.v.GetString("file")
	name := a.v.GetString("scenario")
	demand := a.v.GetString("demand")
	uris, _ := cmd.Flags().GetStringArray("connect")
	live := demand != "" || len(uris) > 0
	given := 0
	for _, set := range []bool{file != "", name != "", live} {
		if set {
			given++
		}
	}
	if given > 1 {
		return nil, errors.New("give one source: -f FILE, --scenario NAME, or live hosts (-c URI … -d DEMAND)")
	}
	if !live {
		for _, name := range []string{"sample", "strict"} {
			if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
				return nil, fmt.Errorf("--%s applies to live hosts (-c URI … -d DEMAND), not to a scenario", name)
			}
		}
	}
	switch {
	case live:
		sc, err := loadLive(a, cmd, uris, demand)
		return named(sc, demand), err
	case file != "":
		sc, err := inventory.LoadScenario(file)
		return named(sc, file), err
	}
	if name == "" {
		name = scenarios.Default
	}
	data, err := scenarios.Get(name)
	if err != nil {
		return nil, err
	}
	return inventory.ParseScenario(scenarios.Source(name), data)
}

// loadLive reads the hosts (from -c, else the config's "hosts") and merges
// them with the demand file. Hosts that cannot be read are reported and
// left out, unless --strict.
func loadLive(a *app, cmd *cobra.Command, uris []string, demandFile string) (*inventory.Scenario, error) {
	if demandFile == "" {
		return nil, errors.New("planning on live hosts needs the demand: add -d DEMAND.yaml (a scenario file with profiles, groups, demand and policy but no hosts)")
	}
	dem, err := inventory.LoadDemand(demandFile)
	if err != nil {
		return nil, err
	}
	sources, opt, err := a.inventoryConfig(uris)
	if err != nil {
		return nil, err
	}
	if len(sources) == 0 {
		return nil, errors.New("no hosts to read: give -c URI (e.g. -c qemu:///system), or list hosts under \"hosts\" in the config (see docs/inventory.md)")
	}
	opt.Sample = a.v.GetDuration("sample")
	opt.Strict = a.v.GetBool("strict")
	fleet, err := a.readFleet(cmd.Context(), sources, opt)
	if err != nil {
		return nil, err
	}
	if len(fleet.Hosts) == 0 {
		return nil, fmt.Errorf("none of the %d hosts could be read (see above)", len(sources))
	}
	if failed := fleet.Failed(); len(failed) > 0 {
		fmt.Fprintf(a.stderr, "berth: planning without %d host(s) that could not be read (--strict makes that an error)\n", len(failed))
	}
	return dem.Merge(fleet.Hosts)
}

// named gives a scenario without a name the base name of its file, so plans
// and screens never say "scenario ”".
func named(sc *inventory.Scenario, path string) *inventory.Scenario {
	if sc != nil && sc.Name == "" {
		base := filepath.Base(path)
		sc.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	return sc
}
