package main

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/berth-dev/berth/bench"
	"github.com/spf13/cobra"
)

func newBenchFleetCmd(a *app) *cobra.Command {
	var opt bench.FleetOptions
	var seeds []uint
	var format, save string
	cmd := &cobra.Command{
		Use:   "fleet [--sizes N,...] [--mixes MIX,...] [--strategies S,...]",
		Short: "Compare every strategy and baseline on generated web/db/cache fleets",
		Long: `Generates web/db/cache fleets (CPU-hungry web, I/O-hungry db and
memory-hungry cache guests, as replicated services, in random arrival order;
hosts of 64 vCPU, 512 GiB, 100k IOPS and 25 Gbps in racks of 20) and packs
each with every strategy: berth's (align, firstfit, bestfit, kube, nomad,
placing the hardest guest first) and the peers' online scorers
(kube-online, nomad-online: kube-scheduler's MostAllocated and Nomad's
bin-pack score, one guest at a time in arrival order).

Per fleet and strategy: hosts used, % above berth's lower bound, seconds.
The default output is a markdown table (the one in docs/BENCHMARKS.md; the
fewest hosts in bold); -o json gives one JSON line per fleet and strategy.
--budget 0 (the default) measures the construction alone; --iterations or
--budget add the improvement phase to every strategy. Exit 1 when a plan
breaks a rule or leaves a guest out.`,
		Example: `  berth bench fleet
  berth bench fleet --sizes 1000 --mixes balanced --seeds 1,2,3
  berth bench fleet --sizes 10000 --strategies align,kube-online --budget 1s
  berth bench fleet -o json --save fleet.md > fleet.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opt.Budget < 0 || opt.Iterations < 0 {
				return withCode(exitError, errors.New("--budget and --iterations must be ≥ 0"))
			}
			if format != "table" && format != "json" {
				return withCode(exitError, fmt.Errorf("-o %q: want table or json", format))
			}
			for _, n := range opt.Sizes {
				if n < 1 || n > 1_000_000 {
					return withCode(exitError, fmt.Errorf("--sizes %d: want 1 to 1000000 guests", n))
				}
			}
			for _, m := range opt.Mixes {
				if !slices.Contains(bench.FleetMixes(), m) {
					return withCode(exitError, fmt.Errorf("--mixes %q: known mixes are %v", m, bench.FleetMixes()))
				}
			}
			for _, s := range opt.Strategies {
				if err := bench.CheckFleetStrategy(s); err != nil {
					return withCode(exitError, fmt.Errorf("--strategies: %w", err))
				}
			}
			opt.Seeds = opt.Seeds[:0]
			for _, s := range seeds {
				opt.Seeds = append(opt.Seeds, uint64(s))
			}
			var jsonl = a.stdout
			if format != "json" {
				jsonl = nil
			}
			rows, err := bench.RunFleet(jsonl, opt)
			if err != nil {
				return withCode(exitError, err)
			}
			if format == "table" {
				if err := bench.FleetTable(a.stdout, rows); err != nil {
					return err
				}
			}
			if save != "" {
				out, err := os.Create(save)
				if err != nil {
					return withCode(exitError, err)
				}
				if err := bench.FleetTable(out, rows); err != nil {
					out.Close()
					return err
				}
				if err := out.Close(); err != nil {
					return withCode(exitError, err)
				}
			}
			for _, r := range rows {
				if !r.Valid || r.Unplaced > 0 {
					return withCode(exitError, fmt.Errorf("%s on %s: %d unplaced, valid=%t", r.Strategy, r.Fleet, r.Unplaced, r.Valid))
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntSliceVar(&opt.Sizes, "sizes", []int{200, 1000, 10000}, "guests per fleet")
	f.StringSliceVar(&opt.Mixes, "mixes", bench.FleetMixes(), "guest mixes: balanced, cache-heavy, web-heavy")
	f.UintSliceVar(&seeds, "seeds", []uint{1}, "seeds of the fleet generator")
	f.StringSliceVar(&opt.Strategies, "strategies", bench.FleetStrategies, "strategies and baselines to compare")
	f.IntVar(&opt.Iterations, "iterations", 0, "improvement steps after each construction (reproducible)")
	f.DurationVar(&opt.Budget, "budget", 0, "improvement time after each construction (0 = construction only)")
	f.StringVarP(&format, "output", "o", "table", "output: table (markdown) or json (one line per fleet and strategy)")
	f.StringVar(&save, "save", "", "also write the markdown table to this file")
	return cmd
}
