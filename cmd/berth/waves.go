package main

import (
	"fmt"

	"github.com/berth-dev/berth/planner"
	"github.com/spf13/cobra"
)

func newWavesCmd(a *app) *cobra.Command {
	var r moveRun
	cmd := &cobra.Command{
		Use:   "waves [SOURCE] [--max-hosts-per-wave N]",
		Short: "Plan rolling maintenance: every host drained, a few at a time, in the fewest steps",
		Long: `waves partitions the hosts into the fewest maintenance steps it finds such that
all hosts of one step can be drained together (their guests fit on the other
hosts under every rule), and gives each step's live migrations in waves that
are safe at every step (see berth rebalance --help). Steps run one after the
other: a step's hosts are drained, serviced, and take guests again from the
next step on; guests do not move back.

The plan gives a lower bound on the number of steps to judge it by. Hosts that
cannot be drained even alone are listed with what keeps each guest there.

The fleet (SOURCE) is chosen as for berth plan. Exit codes: 0 every host is in
a step; 3 some host cannot be drained; 1 error. With --detailed-exitcode: 0
nothing to move, 2 the plan moves guests.`,
		Example: `  berth waves --scenario drifted
  berth waves --scenario drifted --max-hosts-per-wave 2 -o markdown
  berth waves -f fleet.yaml --max-out 2 --max-in 2 --out maintenance.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return r.run(a, cmd, func(pl *planner.Planner, opt planner.MoveOptions) (*planner.Plan, error) {
				n, err := maxHostsPerWave(a, cmd)
				if err != nil {
					return nil, err
				}
				opt.MaxHostsPerWave = n
				return pl.Waves(opt)
			})
		},
	}
	cmd.Flags().Int("max-hosts-per-wave", 0, "at most this many hosts drained together (default: no limit)")
	r.register(cmd, false)
	registerNameCompletions(a, cmd)
	return cmd
}

// maxHostsPerWave reads --max-hosts-per-wave N (berth waves, berth
// explore --waves): N ≥ 1, or 0 when not set (no limit).
func maxHostsPerWave(a *app, cmd *cobra.Command) (int, error) {
	if !a.isSet(cmd, "max-hosts-per-wave") {
		return 0, nil
	}
	n, err := wholeNumber(a.v.Get("max-hosts-per-wave"))
	if err != nil || n < 1 || n > 1<<31-1 {
		return 0, fmt.Errorf("max-hosts-per-wave %q: want a whole number ≥ 1", a.v.GetString("max-hosts-per-wave"))
	}
	return int(n), nil
}
