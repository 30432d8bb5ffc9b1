package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/berth-dev/berth/bench"
	"github.com/spf13/cobra"
)

func newBenchCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure berth's packing quality on public benchmark instances, and its rebalancing on drifted fleets",
		Example: `  berth bench vbp ../shared/bench/vbp/new/instances/class1 > class1.jsonl
  make bench-quality    # every strategy on both public sets → docs/benchmarks/quality.md
  berth bench rebalance > rebalance.jsonl`,
	}
	cmd.AddCommand(newBenchVBPCmd(a), newBenchRebalanceCmd(a), newBenchFleetCmd(a))
	return cmd
}

func newBenchVBPCmd(a *app) *cobra.Command {
	var opt bench.VBPOptions
	cmd := &cobra.Command{
		Use:   "vbp [flags] FILE|DIR...",
		Short: "Pack .vbp vector bin packing instances and report hosts used",
		Long: `Packs each .vbp instance (directories are searched for *.vbp) with one
strategy and prints one JSON line per instance on stdout: instance, dims,
items, hosts (bins used), lower_bound (berth's), seconds, strategy and valid
(from a checker that recomputes every bin's load from the instance). When an
optima.csv is found in a folder above the file, best_known and optimal are
added. A summary goes to stderr.

Strategies: any of placement.Solve's (align, firstfit, bestfit, spread,
nomad, kube) and the baselines ff (first fit in file order), ffd (first-fit
decreasing by normalised size), nomad-online and kube-online (the peers'
scores used online in file order). --budget 0 runs the construction only;
otherwise the improvement phase runs for the budget (or --iterations steps,
which is reproducible). Baselines run without the improvement phase unless
--budget or --iterations is given.`,
		Example: `  berth bench vbp ../shared/bench/vbp/new/instances/class1
  berth bench vbp --strategy ffd --budget 0 instance.vbp
  berth bench vbp --iterations 20000 --seed 7 dir/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opt.Budget < 0 || opt.Iterations < 0 {
				return withCode(exitError, errors.New("--budget and --iterations must be ≥ 0"))
			}
			if cmd.Flags().Changed("budget") && cmd.Flags().Changed("iterations") {
				return withCode(exitError, errors.New("give --budget or --iterations, not both"))
			}
			if err := bench.CheckStrategy(opt.Strategy); err != nil {
				return withCode(exitError, err)
			}
			// A baseline is measured as it is unless a budget is asked for.
			if bench.IsBaseline(opt.Strategy) && !cmd.Flags().Changed("budget") && !cmd.Flags().Changed("iterations") {
				opt.Budget = 0
			}
			files, err := bench.VBPFiles(args)
			if err != nil {
				return err
			}
			sum, err := bench.RunVBP(a.stdout, files, opt)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stderr, sum)
			if err := sum.Err(); err != nil {
				return withCode(exitError, err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opt.Strategy, "strategy", "align", "construction strategy or baseline")
	f.DurationVar(&opt.Budget, "budget", time.Second, "improvement time per instance (0 = construction only)")
	f.IntVar(&opt.Iterations, "iterations", 0, "improvement steps per instance instead of a time budget (reproducible)")
	f.Uint64Var(&opt.Seed, "seed", 1, "seed of the improvement phase")
	f.IntVar(&opt.Jobs, "jobs", 0, "instances solved in parallel (default GOMAXPROCS)")
	return cmd
}
