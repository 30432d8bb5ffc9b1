package main

import (
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/scenarios"
	"github.com/spf13/cobra"
)

// registerNameCompletions makes the shell complete fleet names for the
// flags of cmd that take them, from the scenario the command line names
// (-f FILE, --scenario NAME, a demand file's guests with -d) or the
// embedded default:
//
//   - --pin GUEST=HOST: the new guests not pinned yet, each with "=" and no
//     space after it; after "=", the hosts;
//   - --exclude HOST and --drain HOST: the hosts not named yet;
//   - --keep GUEST: the guests running on the hosts, not kept yet.
//
// Live hosts are never contacted to complete a word.
func registerNameCompletions(a *app, cmd *cobra.Command) {
	if cmd.Flags().Lookup("pin") != nil {
		_ = cmd.RegisterFlagCompletionFunc("pin", a.completePin)
	}
	for _, name := range []string{"exclude", "drain"} {
		if cmd.Flags().Lookup(name) != nil {
			_ = cmd.RegisterFlagCompletionFunc(name, a.completeHostFlag(name))
		}
	}
	if cmd.Flags().Lookup("keep") != nil {
		_ = cmd.RegisterFlagCompletionFunc("keep", a.completeKeep)
	}
}

func (a *app) completePin(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	sc := a.completionScenario(cmd)
	if sc == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	if guest, host, ok := strings.Cut(toComplete, "="); ok {
		var out []string
		for _, h := range withPrefix(hostNames(sc), host, nil) {
			out = append(out, guest+"="+h)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
	pinned, _ := cmd.Flags().GetStringArray("pin")
	for i, p := range pinned {
		pinned[i], _, _ = strings.Cut(p, "=")
	}
	var out []string
	for _, g := range withPrefix(newGuestNames(sc), toComplete, pinned) {
		out = append(out, g+"=")
	}
	return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
}

// completeHostFlag completes the hosts for flag, less those it names
// already.
func (a *app) completeHostFlag(flag string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		sc := a.completionScenario(cmd)
		if sc == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return withPrefix(hostNames(sc), toComplete, flagValues(cmd, flag)), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeHostArgs completes the hosts a command takes as arguments (berth
// drain HOST...), less those named already.
func (a *app) completeHostArgs(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	sc := a.completionScenario(cmd)
	if sc == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return withPrefix(hostNames(sc), toComplete, args), cobra.ShellCompDirectiveNoFileComp
}

// completeKeep completes the running guests, less those kept already.
func (a *app) completeKeep(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	sc := a.completionScenario(cmd)
	if sc == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var running []string
	for i := range sc.Hosts {
		for _, g := range sc.Hosts[i].Guests {
			running = append(running, g.Name)
		}
	}
	return withPrefix(running, toComplete, flagValues(cmd, "keep")), cobra.ShellCompDirectiveNoFileComp
}

// flagValues are the values given to a repeatable flag so far, whether
// it takes one value a time (string array) or a list (string slice).
func flagValues(cmd *cobra.Command, name string) []string {
	if vs, err := cmd.Flags().GetStringArray(name); err == nil {
		return vs
	}
	vs, _ := cmd.Flags().GetStringSlice(name)
	return vs
}

// completionScenario reads the scenario the command line names, from the
// flags alone (completion runs before the config is read), or nil when it
// cannot be read: a completion never prints an error. Standard input
// (-f -) is the shell's while it completes, so it is never read.
func (a *app) completionScenario(cmd *cobra.Command) *inventory.Scenario {
	fl := cmd.Flags()
	file, _ := fl.GetString("file")
	name, _ := fl.GetString("scenario")
	demand, _ := fl.GetString("demand")
	var sc *inventory.Scenario
	var err error
	switch {
	case file == "-" || demand == "-":
		return nil
	case file != "":
		sc, err = a.loadScenarioFile(file)
	case demand != "":
		// The hosts are live ones, read only when planning: the demand
		// file gives the guests alone.
		if sc, err = a.loadDemandFile(demand); err == nil {
			sc.Hosts = nil
		}
	default:
		if name == "" {
			name = scenarios.Default
		}
		var data []byte
		if data, err = scenarios.Get(name); err == nil {
			sc, err = inventory.ParseScenario(scenarios.Source(name), data)
		}
	}
	if err != nil {
		return nil
	}
	return sc
}

// newGuestNames are the guests the scenario's demand asks for, in order.
func newGuestNames(sc *inventory.Scenario) []string {
	var names []string
	for i := range sc.Demand {
		names = append(names, sc.Demand[i].GuestNames()...)
	}
	return names
}

// hostNames are the scenario's hosts, in order.
func hostNames(sc *inventory.Scenario) []string {
	names := make([]string, len(sc.Hosts))
	for i := range sc.Hosts {
		names[i] = sc.Hosts[i].Name
	}
	return names
}

// withPrefix are the names that start with prefix, less those in taken.
func withPrefix(names []string, prefix string, taken []string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) && !slices.Contains(taken, n) {
			out = append(out, n)
		}
	}
	return out
}
