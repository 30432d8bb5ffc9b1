package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/berth-dev/berth/planner/report"
	"github.com/spf13/cobra"
)

func newReportCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report PLAN",
		Short: "Write a saved plan as one self-contained HTML page with charts",
		Long: `report reads a plan saved by berth plan --out (or - for a plan on stdin, from
berth plan -o json) and writes it as one HTML file for people: the fleet's
utilisation before and after, a row of bars per host (existing, this plan,
free) grouped by zone and rack with a filter box and sortable columns, the new
guests, the moves by wave, what to buy, every unplaced guest with its why-not
matrix, the failover check, and the policy and inputs. The page needs no
network (no CDN, no fonts to fetch) and prints well.

-o names the file to write (it is not a format here, and is taken from the
command line only); without -o the page goes to stdout when that is not a
terminal. berth plan -o html writes the same page straight from a scenario.`,
		Example: `  berth plan -f fleet.yaml --out plan.json
  berth report plan.json -o report.html
  berth plan -f fleet.yaml -o json | berth report - > report.html`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, _ := cmd.Flags().GetString("output")
			return runReport(a, args[0], out)
		},
	}
	cmd.Flags().StringP("output", "o", "", "the HTML file to write (default: stdout, when it is not a terminal)")
	_ = cmd.MarkFlagFilename("output", "html")
	return cmd
}

func runReport(a *app, planPath, out string) error {
	if out == "" && isTerminal(a.stdout) {
		return errors.New("the report is an HTML page: give -o report.html (or redirect stdout to a file)")
	}
	plan, err := readPlanArg(a, planPath)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, plan); err != nil {
		return err
	}
	if out == "" {
		_, err := a.stdout.Write(buf.Bytes())
		return err
	}
	// Written aside and renamed, so a failed run never leaves half a page.
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing the report: %w", err)
	}
	fmt.Fprintf(a.stderr, "wrote the report of plan %s to %s\n", plan.ID, out)
	return nil
}
