package main

import (
	"bufio"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/scenarios"
	"github.com/spf13/cobra"
)

func newScenariosCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List and print the scenarios built into berth",
		Long: `berth carries ready-made fleets and demands, so it runs with no libvirt at all.
Print one to a file and edit it to describe your own fleet (docs/scenario.md).`,
		Example: `  berth scenarios list
  berth scenarios show default > my-fleet.yaml
  berth plan -f my-fleet.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return listScenarios(a) },
	}
	cmd.AddCommand(&cobra.Command{
		Use:     "list",
		Short:   "List the embedded scenarios",
		Example: "  berth scenarios list",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return listScenarios(a) },
	})
	cmd.AddCommand(&cobra.Command{
		Use:     "show NAME",
		Short:   "Print an embedded scenario's YAML",
		Example: "  berth scenarios show leftovers",
		Args:    cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			var names []string
			for _, s := range scenarios.List() {
				names = append(names, s.Name)
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := scenarios.Get(args[0])
			if err != nil {
				return err
			}
			_, err = a.stdout.Write(data)
			return err
		},
	})
	cmd.AddCommand(newScenariosGenerateCmd(a))
	return cmd
}

// newScenariosGenerateCmd prints a synthetic fleet of any size
// (scenarios.Generate): the input of the whole-path benchmarks.
func newScenariosGenerateCmd(a *app) *cobra.Command {
	var o scenarios.GenerateOptions
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Print a synthetic fleet of any size, with running guests and demand (for load tests)",
		Long: `generate prints a scenario of --hosts hosts of four shapes (racks of 20, zones of
200 hosts), --running running guests spread over them at random (each host kept under
60% of its capacity), and --new demanded guests of the web, db and cache profiles in
entries of 100 (or in anti-affinity groups of --group-size). The same flags give the
same file. docs/BENCHMARKS.md uses it to time berth plan on a large fleet.`,
		Example: `  berth scenarios generate --hosts 10000 --running 10000 --new 100000 > big.yaml
  /usr/bin/time -v berth plan -f big.yaml --budget 0 -o json > plan.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Hosts < 1 || o.Running < 0 || o.NewGuests < 0 || o.GroupSize < 0 {
				return withCode(exitError, errors.New("--hosts must be ≥ 1, and --running, --new and --group-size ≥ 0"))
			}
			sc := scenarios.Generate(o)
			sc.Name = fmt.Sprintf("generated-%dh-%dr-%dg", o.Hosts, o.Running, o.NewGuests)
			w := bufio.NewWriter(a.stdout)
			if err := inventory.WriteScenario(w, sc); err != nil {
				return err
			}
			return w.Flush()
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Hosts, "hosts", 100, "hosts in the fleet")
	f.IntVar(&o.Running, "running", 0, "running guests in all")
	f.IntVar(&o.NewGuests, "new", 1000, "demanded guests in all")
	f.IntVar(&o.GroupSize, "group-size", 0, "put new db and cache guests in anti-affinity groups of this many (0: none)")
	f.Uint64Var(&o.Seed, "seed", 1, "seed of the generator")
	return cmd
}

func listScenarios(a *app) error {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDESCRIPTION")
	for _, s := range scenarios.List() {
		fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.Description)
	}
	return tw.Flush()
}
