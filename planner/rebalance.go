package planner

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/placement"
)

// Goal is what a plan moves running guests for.
type Goal string

const (
	// GoalConsolidate frees as many hosts as possible, with the fewest
	// migrations (then bytes) for that number.
	GoalConsolidate Goal = "consolidate"
	// GoalRepair fixes what the policy finds wrong today with the fewest
	// migrations: hosts over their offer, same-appetite guests over the
	// hard limit, broken groups, a missing failover reserve.
	GoalRepair Goal = "repair"
	// GoalBalance lowers the most loaded host's utilisation with the
	// fewest migrations.
	GoalBalance Goal = "balance"
	// GoalDrain empties named hosts (Planner.Drain).
	GoalDrain Goal = "drain"
	// GoalWaves partitions the hosts into rolling-maintenance steps
	// (Planner.Waves).
	GoalWaves Goal = "waves"
	// GoalRoom moves running guests to place demand (Planner.PlanWithMoves).
	GoalRoom Goal = "room"
)

// RebalanceGoals are the goals Rebalance takes, as `berth rebalance --goal`
// offers them.
var RebalanceGoals = []Goal{GoalConsolidate, GoalRepair, GoalBalance}

// ParseGoal reads a goal of `berth rebalance --goal`.
func ParseGoal(s string) (Goal, error) {
	for _, g := range RebalanceGoals {
		if string(g) == s {
			return g, nil
		}
	}
	names := make([]string, len(RebalanceGoals))
	for i, g := range RebalanceGoals {
		names[i] = string(g)
	}
	return "", fmt.Errorf("unknown goal %q: want %s%s", s, strings.Join(names, ", "), inventory.Suggestion(s, names))
}

// DefaultBandwidth is the bandwidth a migration is estimated at when none
// is given: 10 Gbps, in bytes per second.
const DefaultBandwidth = 10e9 / 8

// MoveOptions bound and shape the moves of Rebalance, Drain, Waves and
// PlanWithMoves. The guests that never move are an edit (Keep), so that
// the explorer can toggle them like any other.
type MoveOptions struct {
	// MaxMoves and MaxBytes bound the migrations (0 = no limit; for
	// PlanWithMoves MaxMoves is the --allow-moves budget and must be ≥ 1,
	// and MaxBytes does not apply; Waves takes neither).
	MaxMoves int
	MaxBytes float64
	// MaxOut and MaxIn: migrations one host runs at a time, out and in
	// (0 = 1).
	MaxOut, MaxIn int
	// Bandwidth of one migration in bytes per second (0 =
	// DefaultBandwidth), for the duration estimates.
	Bandwidth float64
	// KeepFailover keeps the failover reserve (the policy's failoverHosts,
	// at least 1) from getting weaker at any step.
	KeepFailover bool
	// MaxHostsPerWave bounds the hosts one maintenance step drains
	// (Waves only; 0 = no limit).
	MaxHostsPerWave int
}

func (o *MoveOptions) check() error {
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) && x >= 0 }
	switch {
	case o.MaxMoves < 0:
		return fmt.Errorf("the move budget must be ≥ 0 migrations (0 = no limit), got %d", o.MaxMoves)
	case !finite(o.MaxBytes):
		return fmt.Errorf("the byte budget must be a finite amount ≥ 0 (0 = no limit), got %g", o.MaxBytes)
	case o.MaxOut < 0 || o.MaxIn < 0:
		return fmt.Errorf("migrations per host must be ≥ 1 (0 = 1), got %d out and %d in", o.MaxOut, o.MaxIn)
	case !finite(o.Bandwidth):
		return fmt.Errorf("the migration bandwidth must be a finite rate > 0, got %g bytes/s", o.Bandwidth)
	case o.MaxHostsPerWave < 0:
		return fmt.Errorf("hosts per wave must be ≥ 1 (0 = no limit), got %d", o.MaxHostsPerWave)
	}
	return nil
}

// limits are the options as the plan records them, defaults filled in.
func (o *MoveOptions) limits(pol *inventory.Policy) MoveLimits {
	l := MoveLimits{MaxOut: max(1, o.MaxOut), MaxIn: max(1, o.MaxIn), Bandwidth: o.Bandwidth,
		MaxMoves: o.MaxMoves, MaxBytes: o.MaxBytes, MaxHostsPerWave: o.MaxHostsPerWave}
	if l.Bandwidth == 0 {
		l.Bandwidth = DefaultBandwidth
	}
	if o.KeepFailover {
		l.Failover = max(1, pol.FailoverHosts)
	}
	return l
}

// Keep marks a running guest as never to move (on) or movable again (off).
// A name that runs nowhere is reported when the next plan is made.
func (pl *Planner) Keep(guest string, on bool) {
	pl.edits.Keep = slices.DeleteFunc(pl.edits.Keep, func(g string) bool { return g == guest })
	if on {
		pl.edits.Keep = append(pl.edits.Keep, guest)
		slices.Sort(pl.edits.Keep)
	}
	pl.changed()
}

// Rebalance plans migrations of the running guests for goal (consolidate,
// repair or balance), in waves safe at every step. The scenario's demand
// is not placed (a warning says so): a rebalance moves what runs.
func (pl *Planner) Rebalance(goal Goal, opt MoveOptions) (*Plan, error) {
	if !slices.Contains(RebalanceGoals, goal) {
		_, err := ParseGoal(string(goal))
		return nil, err
	}
	job, err := pl.newMoveJob(goal, opt, false)
	if err != nil {
		return nil, err
	}
	mo := job.engineOptions()
	var pg placement.Goal
	switch goal {
	case GoalConsolidate:
		pg = placement.GoalConsolidate
	case GoalRepair:
		pg = placement.GoalRepair
	case GoalBalance:
		pg = placement.GoalBalance
	}
	mplan, err := placement.Rebalance(job.mp, pg, mo)
	if err != nil {
		return nil, err
	}
	return job.describe(mplan)
}

// Drain plans the migrations that empty hosts, keeping every rule; what
// cannot move is listed as stuck, with the reasons host by host. An
// unknown host, or a host whose zone it alone makes up while its guests'
// zone-scoped groups need every zone, is refused with the reason.
func (pl *Planner) Drain(hosts []string, opt MoveOptions) (*Plan, error) {
	if len(hosts) == 0 {
		return nil, fmt.Errorf("drain: name at least one host")
	}
	job, err := pl.newMoveJob(GoalDrain, opt, false)
	if err != nil {
		return nil, err
	}
	idx, err := job.drainHosts(hosts)
	if err != nil {
		return nil, err
	}
	mo := job.engineOptions()
	mo.Drain = idx
	mplan, err := placement.Rebalance(job.mp, placement.GoalDrain, mo)
	if err != nil {
		return nil, err
	}
	return job.describe(mplan)
}

// Waves plans rolling maintenance: the hosts in the fewest steps it finds
// such that the hosts of one step can be drained together, each step's
// migrations in waves. MoveOptions' budgets do not apply; MaxHostsPerWave
// bounds the hosts of a step.
func (pl *Planner) Waves(opt MoveOptions) (*Plan, error) {
	opt.MaxMoves, opt.MaxBytes = 0, 0
	job, err := pl.newMoveJob(GoalWaves, opt, false)
	if err != nil {
		return nil, err
	}
	mplan, err := placement.PlanWaves(job.mp, placement.WaveOptions{MaxHostsPerWave: opt.MaxHostsPerWave, Move: job.engineOptions()})
	if err != nil {
		return nil, err
	}
	return job.describeWaves(mplan)
}

// PlanWithMoves is Plan allowed to move up to opt.MaxMoves running guests
// when that places demand Plan leaves unplaced or puts on a bought host
// (placement.MakeRoom). The plan records the placement without moves
// (Moves.Without) beside its own; when moving does not help it is Plan's
// placement, with no moves, and says so.
func (pl *Planner) PlanWithMoves(opt MoveOptions) (*Plan, error) {
	if opt.MaxMoves < 1 {
		return nil, fmt.Errorf("allow moves: a budget of %d migrations moves nothing; give at least 1, or plan without moves", opt.MaxMoves)
	}
	without, err := pl.Plan()
	if err != nil {
		return nil, err
	}
	job, err := pl.newMoveJob(GoalRoom, opt, true)
	if err != nil {
		return nil, err
	}
	popt := pl.options()
	rp, err := placement.MakeRoom(job.mp, popt, opt.MaxMoves)
	if err != nil {
		return nil, err
	}
	return job.describeRoom(rp, without)
}
