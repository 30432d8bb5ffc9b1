package main

import (
	"errors"

	"github.com/berth-dev/berth/bench"
	"github.com/spf13/cobra"
)

func newBenchRebalanceCmd(a *app) *cobra.Command {
	var opt bench.RebalanceOptions
	var seeds []uint
	cmd := &cobra.Command{
		Use:   "rebalance [--hosts N,...] [--seed N,...] [--per-host X]",
		Short: "Compare berth's rebalancing with Watcher- and hbal-style baselines on drifted fleets",
		Long: `Generates fleets that drifted under churn (arrivals spread the way
kube-scheduler's default spreads them, departures at random, a rise and fall
of load, replica groups) and plans each with berth's engine and with the
baselines named after what they imitate:

  berth-consolidate / watcher    free hosts (without a budget, and with 10% of
                                 the guests as a migration budget); watcher
                                 empties the least loaded hosts first, each
                                 guest to the most loaded host it fits, all or
                                 nothing per host (OpenStack Watcher's style)
  berth-balance / hbal           lower the most loaded host; hbal repeats the
                                 single move that helps most (Ganeti's style);
                                 on fleets up to --balance-up-to hosts
  berth-waves                    rolling maintenance, at most a twentieth of
                                 the hosts per step, against its lower bound

One JSON line per fleet and method goes to stdout (hosts in use after,
migrations, GiB copied, waves, seconds of planning, lower bounds, and for
berth's plans the referee's verdict on every intermediate state); a table
goes to stderr. Exit 1 when a plan of berth's fails the referee.`,
		Example: `  berth bench rebalance > rebalance.jsonl
  berth bench rebalance --hosts 200 --seed 1,2,3
  berth bench rebalance --hosts 1000 --balance-up-to 0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, n := range opt.Hosts {
				if n < 2 {
					return withCode(exitError, errors.New("--hosts: each fleet needs at least 2 hosts"))
				}
			}
			opt.Seeds = opt.Seeds[:0]
			for _, s := range seeds {
				opt.Seeds = append(opt.Seeds, uint64(s))
			}
			if opt.PerHost <= 0 {
				return withCode(exitError, errors.New("--per-host: want a number of guests > 0"))
			}
			rows, err := bench.RunRebalance(a.stdout, opt)
			if len(rows) > 0 {
				if serr := bench.RebalanceSummary(a.stderr, rows); serr != nil && err == nil {
					err = serr
				}
			}
			if err != nil {
				return withCode(exitError, err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntSliceVar(&opt.Hosts, "hosts", []int{200, 1000}, "fleet sizes")
	f.UintSliceVar(&seeds, "seed", []uint{1}, "seeds of the drift generator")
	f.Float64Var(&opt.PerHost, "per-host", 8, "guests per host the drift ends at")
	f.IntVar(&opt.BalanceUpTo, "balance-up-to", 200, "run balance (and the slow hbal-style greedy) on fleets up to this many hosts (< 0: never)")
	return cmd
}
