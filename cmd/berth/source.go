package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/live"
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
	fl.StringP("file", "f", "", "scenario file to plan (YAML, see docs/scenario.md; - reads standard input)")
	fl.StringP("scenario", "s", "", "embedded scenario to plan (list them with: berth scenarios list; default \""+scenarios.Default+"\")")
	_ = cmd.RegisterFlagCompletionFunc("scenario", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return scenarios.Names(), cobra.ShellCompDirectiveNoFileComp
	})
	fl.StringArrayP("connect", "c", nil, "plan on live libvirt hosts: a host's URI (repeatable; with -d; default: the config's hosts, else $LIBVIRT_DEFAULT_URI)")
	fl.StringP("demand", "d", "", "with live hosts: the demand file (a scenario without hosts, see docs/scenario.md; - reads standard input)")
	fl.Duration("sample", 0, "with live hosts: observe use over this window before planning, e.g. 10s")
	fl.Bool("strict", false, "with live hosts: fail when any host cannot be read (default: plan without it)")
	fl.Duration("timeout", live.DefaultHostTimeout, "with live hosts: time allowed to read one host (the sample window is added)")
	fl.Int("concurrency", live.DefaultConcurrency, "with live hosts: hosts read at once")
	registerUsageFlag(fl, true)
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
	uris, fromFlag := a.connectURIs(cmd)
	live := demand != "" || fromFlag && len(uris) > 0
	flagURIs := uris
	if !fromFlag {
		flagURIs = nil // hosts named in the config or BERTH_CONNECT: read when live, no source of their own
	}
	if given := a.sourcesGiven(cmd, file, name, demand, flagURIs); len(given) > 1 {
		return nil, fmt.Errorf("give one source, not %s: -f FILE, --scenario NAME, or live hosts (-c URI … -d DEMAND)", strings.Join(given, " and "))
	}
	if !live {
		for _, name := range []string{"sample", "strict", "timeout", "concurrency", "usage"} {
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
		sc, err := a.loadScenarioFile(file)
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

// sourcesGiven names the sources given and where each came from
// ("--file", "BERTH_SCENARIO", "berth.yaml:2: demand"), so that a source
// set long ago in the environment or config is seen next to the one typed.
func (a *app) sourcesGiven(cmd *cobra.Command, file, name, demand string, uris []string) []string {
	var given []string
	if file != "" {
		given = append(given, a.origin(cmd, "file"))
	}
	if name != "" {
		given = append(given, a.origin(cmd, "scenario"))
	}
	switch {
	case len(uris) > 0:
		given = append(given, "--connect")
	case demand != "":
		given = append(given, a.origin(cmd, "demand"))
	}
	return given
}

// loadLive reads the hosts (see liveSources) and merges
// them with the demand file. Hosts that cannot be read are reported and
// left out, unless --strict.
func loadLive(a *app, cmd *cobra.Command, uris []string, demandFile string) (*inventory.Scenario, error) {
	if demandFile == "" {
		return nil, errors.New("planning on live hosts needs the demand: add -d DEMAND.yaml (a scenario file with profiles, groups, demand and policy but no hosts)")
	}
	dem, err := a.loadDemandFile(demandFile)
	if err != nil {
		return nil, err
	}
	sources, opt, err := a.liveSources(uris)
	if err != nil {
		return nil, err
	}
	if err := a.readSettings(cmd, &opt); err != nil {
		return nil, err
	}
	usage, err := a.usageSettings(cmd)
	if err != nil {
		return nil, err
	}
	fleet, err := a.readFleet(cmd.Context(), sources, opt)
	if err != nil {
		return nil, err
	}
	if len(fleet.Hosts) == 0 {
		return nil, fmt.Errorf("none of the %d hosts could be read (see above)", len(sources))
	}
	points := 0
	if cmd.Name() == "explore" {
		points = sparklinePoints
	}
	if a.usage, err = a.readUsage(cmd.Context(), usage, fleet, dem.Profiles, points); err != nil {
		return nil, err
	}
	if failed := fleet.Failed(); len(failed) > 0 {
		fmt.Fprintf(a.stderr, "berth: planning without %d host(s) that could not be read (--strict makes that an error)\n", len(failed))
	}
	return dem.Merge(fleet.Hosts)
}

// liveSources are the hosts to read and how: those given with -c, else the
// config's hosts, else — as virsh does — the one LIBVIRT_DEFAULT_URI names,
// which is said on stderr (nothing on the command line shows it). Reading
// options come from the config either way. No host at all is an error
// naming the three ways to give one.
func (a *app) liveSources(uris []string) ([]live.Source, live.ReadOptions, error) {
	sources, opt, err := a.inventoryConfig(uris)
	if err != nil || len(sources) > 0 {
		return sources, opt, err
	}
	if uri := os.Getenv("LIBVIRT_DEFAULT_URI"); uri != "" {
		fmt.Fprintf(a.stderr, "berth: reading %s from LIBVIRT_DEFAULT_URI (no -c given and no hosts in the config)\n", inventory.MaskURI(uri))
		return []live.Source{{URI: uri}}, opt, nil
	}
	return nil, opt, errors.New("no hosts to read: give -c URI (e.g. -c qemu:///system), list hosts under \"hosts\" in the config (see docs/inventory.md), or set LIBVIRT_DEFAULT_URI")
}

// named gives a scenario without a name the base name of its file, so plans
// and screens never say "scenario ”".
func named(sc *inventory.Scenario, path string) *inventory.Scenario {
	if sc != nil && sc.Name == "" {
		if path == "-" {
			sc.Name = stdinName
			return sc
		}
		base := filepath.Base(path)
		sc.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	return sc
}
