package main

import (
	"errors"

	"github.com/berth-dev/berth/planner"
	"github.com/spf13/cobra"
)

func newDrainCmd(a *app) *cobra.Command {
	var r moveRun
	cmd := &cobra.Command{
		Use:   "drain HOST... [SOURCE]",
		Short: "Empty hosts for maintenance by moving their guests elsewhere, keeping every rule",
		Long: `drain plans the live migrations that empty the named hosts, in waves that are
safe at every step (see berth rebalance --help): every guest of a drained host
goes where the leftover rule puts it among the other hosts, and no rule is
broken on the way. A guest that cannot move is listed with the reasons, host
by host, as for a new guest that fits nowhere.

A host that is the only one of its zone is refused when one of its guests
belongs to a zone-scoped group that could not stay spread (the group has a
member in every other zone) or together: the reason is given.

The fleet (SOURCE) is chosen as for berth plan. Exit codes: 0 the hosts can
be emptied; 3 some guest cannot move (listed); 1 error. With
--detailed-exitcode: 0 nothing to move, 2 the plan moves guests.`,
		Example: `  berth drain kvm07 --scenario drifted
  berth drain kvm07 kvm08 -f fleet.yaml --max-out 2 --out drain.json
  berth drain kvm07 -f fleet.yaml --keep db-main-1 -o markdown
  berth drain kvm07 -c qemu+ssh://root@kvm07/system -c qemu+ssh://root@kvm08/system -d demand.yaml`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return errors.New("name the hosts to drain: berth drain HOST... (the fleet as for berth plan: --scenario NAME, -f FILE or -c URI -d DEMAND)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, hosts []string) error {
			return r.run(a, cmd, func(pl *planner.Planner, opt planner.MoveOptions) (*planner.Plan, error) {
				return pl.Drain(hosts, opt)
			})
		},
	}
	r.register(cmd, true)
	registerNameCompletions(a, cmd)
	cmd.ValidArgsFunction = a.completeHostArgs
	return cmd
}
