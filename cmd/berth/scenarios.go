package main

import (
	"fmt"
	"text/tabwriter"

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
