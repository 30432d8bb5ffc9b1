package placement

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// MoveProblem is the fleet as it runs, with its existing guests now free to
// move by live migration: P's existing guests (index e < P's E) are the
// ones that may move, except those in Keep. P's new guests are only used by
// MakeRoom; the other goals ignore them.
//
// It wraps a Problem rather than extending it: everything about hosts,
// rules and policy is P's; what is only about moving is here.
type MoveProblem struct {
	P *Problem
	// Keep, len E (nil = none): guests that never move.
	Keep []bool
	// Cost, len E: the bytes one migration of the guest copies — its
	// memory, plus its local disks when the hosts' storage is not shared.
	// Finite, ≥ 0.
	Cost []float64
	// Eligible, len E (nil = anywhere): an index into P.HostSets naming the
	// hosts a guest may move to (its label selector), or NoHost.
	Eligible []int32
	// MaxOut and MaxIn bound the migrations a host runs at a time, out of
	// it and into it (0 = 1, the default of issue 14).
	MaxOut, MaxIn int
	// Failover, when > 0, keeps the failover reserve for that many failed
	// hosts (FailoverCheck) from getting worse at any step: no state of the
	// schedule, in flight or after a wave, leaves more guests homeless than
	// the fleet had before that wave (the hosts the plan empties take no
	// restarted guest). A fleet where the reserve holds keeps it at every
	// step.
	Failover int
	// Bandwidth is the bytes per second one migration copies at, for the
	// duration estimates (0 = no estimate: Seconds stay 0).
	Bandwidth float64
}

// E is the number of existing guests, the ones that may move.
func (mp *MoveProblem) E() int { return len(mp.P.ExistingHost) }

func (mp *MoveProblem) maxOut() int { return max(1, mp.MaxOut) }
func (mp *MoveProblem) maxIn() int  { return max(1, mp.MaxIn) }

// kept reports whether existing guest e may never move.
func (mp *MoveProblem) kept(e int) bool { return mp.Keep != nil && mp.Keep[e] }

// Validate checks the problem and the move data against it.
func (mp *MoveProblem) Validate() error {
	if mp == nil || mp.P == nil {
		return errors.New("placement: move problem has no fleet")
	}
	if err := mp.P.Validate(); err != nil {
		return err
	}
	e := mp.E()
	var errs []error
	if mp.Keep != nil && len(mp.Keep) != e {
		errs = append(errs, fmt.Errorf("placement: len(Keep) = %d, want %d", len(mp.Keep), e))
	}
	if len(mp.Cost) != e {
		errs = append(errs, fmt.Errorf("placement: len(Cost) = %d, want %d (bytes per existing guest)", len(mp.Cost), e))
	} else {
		for i, c := range mp.Cost {
			if math.IsNaN(c) || math.IsInf(c, 0) || c < 0 {
				errs = append(errs, fmt.Errorf("placement: Cost[%d] = %v, want a finite number of bytes ≥ 0", i, c))
				break
			}
		}
	}
	if mp.Eligible != nil {
		if len(mp.Eligible) != e {
			errs = append(errs, fmt.Errorf("placement: len(Eligible) = %d, want %d", len(mp.Eligible), e))
		} else {
			for i, x := range mp.Eligible {
				if x < NoHost || int(x) >= len(mp.P.HostSets) {
					errs = append(errs, fmt.Errorf("placement: Eligible[%d] = %d, out of range [-1,%d)", i, x, len(mp.P.HostSets)))
					break
				}
			}
		}
	}
	if mp.MaxOut < 0 || mp.MaxIn < 0 {
		errs = append(errs, fmt.Errorf("placement: MaxOut %d, MaxIn %d: want ≥ 0 (0 = one at a time)", mp.MaxOut, mp.MaxIn))
	}
	if mp.Failover < 0 {
		errs = append(errs, fmt.Errorf("placement: Failover = %d, want ≥ 0", mp.Failover))
	}
	if b := mp.Bandwidth; math.IsNaN(b) || math.IsInf(b, 0) || b < 0 {
		errs = append(errs, fmt.Errorf("placement: Bandwidth = %v, want a finite number of bytes/s ≥ 0", b))
	}
	return errors.Join(errs...)
}

// Goal is what Rebalance moves guests for.
type Goal uint8

const (
	// GoalConsolidate frees as many hosts as possible; for that number of
	// freed hosts, with the fewest migrations, then the fewest bytes.
	GoalConsolidate Goal = iota
	// GoalRepair fixes, with the fewest migrations, what the policy says
	// is wrong today: hosts over their offer, same-appetite guests over
	// the hard limit, broken groups, a missing failover reserve.
	GoalRepair
	// GoalBalance lowers the most loaded host's utilisation with the
	// fewest migrations.
	GoalBalance
	// GoalDrain empties MoveOptions.Drain keeping every rule.
	GoalDrain
	// GoalRoom marks MakeRoom's plans: moves that make room for new
	// guests (Rebalance does not take it).
	GoalRoom
)

var goalNames = [...]string{"consolidate", "repair", "balance", "drain", "room"}

func (g Goal) String() string {
	if int(g) < len(goalNames) {
		return goalNames[g]
	}
	return fmt.Sprintf("goal(%d)", uint8(g))
}

// MoveOptions selects how Rebalance plans.
type MoveOptions struct {
	// Drain lists the hosts GoalDrain empties.
	Drain []int32
	// MaxMoves and MaxBytes bound the plan's migrations, hops included
	// (0 = no limit).
	MaxMoves int
	MaxBytes float64
	// Strategy names the scorer that chooses destinations, as for new
	// guests ("" = DefaultStrategy): the leftover rule by default.
	Strategy string
	// Candidates bounds the feasible hosts scored per guest, as
	// Options.Candidates (0 = DefaultCandidates, < 0 = all).
	Candidates int
	// Seed breaks ties; same problem, options and seed ⇒ identical plan.
	Seed uint64
	// ExactNodes bounds the exact search that proves (or improves) the
	// plan on small fleets, in search nodes (0 = DefaultExactNodes, < 0 =
	// no exact search). Nodes, unlike Deadline, keep a run reproducible.
	ExactNodes int
	// Deadline, if non-zero, also stops the searches (the consolidation's
	// variants and the exact search) by the wall clock.
	Deadline time.Duration
}

// DefaultExactNodes is the exact search's node budget when
// MoveOptions.ExactNodes is 0: enough to settle fleets of a handful of
// hosts and a dozen guests, a few milliseconds of work.
const DefaultExactNodes = 200_000

// MoveKind says why a guest moves.
type MoveKind uint8

const (
	MoveConsolidate MoveKind = iota // empties Reason.Host so it can be freed
	MoveDrain                       // empties Reason.Host, a drained host
	MoveBalance                     // lowers the utilisation of Reason.Host
	MoveRepair                      // repairs Reason.Rule (on Reason.Host, Dim, Group)
	MoveFailover                    // restores the failover reserve
	MoveRoom                        // makes room for new guest Reason.Guest on Reason.Host
	MoveHop                         // a stop on the way to Reason.Host, breaking a cycle
)

var moveKindNames = [...]string{"consolidate", "drain", "balance", "repair", "failover", "room", "hop"}

func (k MoveKind) String() string {
	if int(k) < len(moveKindNames) {
		return moveKindNames[k]
	}
	return fmt.Sprintf("move(%d)", uint8(k))
}

// Reason is why one guest moves, as data; the planner words it.
type Reason struct {
	Kind MoveKind
	// Rule is the rule a MoveRepair fixes (RuleCapacity, RuleAppetite,
	// RuleAntiAffinity or RuleAffinity).
	Rule Rule
	// Host: the host emptied (consolidate, drain), relieved (balance,
	// capacity and appetite repairs), given room (room) or finally reached
	// (hop); NoHost when the reason is not about one host.
	Host int32
	// Dim: the dimension over its offer (capacity) or the appetite.
	Dim int
	// Group: the group repaired (anti-affinity, affinity), else NoHost.
	Group int32
	// Guest: the new guest given room (room), else NoHost.
	Guest int32
}

// Move is one live migration of an existing guest.
type Move struct {
	Guest    int32 // existing guest index
	From, To int32 // hosts
	// Wave numbers the parallel batch, from 0: every move of wave w starts
	// after every move of wave w−1 has ended.
	Wave    int32
	Bytes   float64 // Cost of the guest
	Seconds float64 // Bytes / Bandwidth
	Reason  Reason
}

// WaveCost is the total of one wave: its moves run in parallel, so its
// duration is its longest move's.
type WaveCost struct {
	Moves   int
	Bytes   float64
	Seconds float64
}

// StuckWhy says why a move the goal wanted is not in the plan.
type StuckWhy uint8

const (
	StuckNoHost   StuckWhy = iota // no host takes the guest: Candidates say why, host by host
	StuckCycle                    // the destination waits on moves that wait on this one, and no third host has room
	StuckBudget                   // MaxMoves or MaxBytes is spent
	StuckKept                     // the guest is in Keep
	StuckAffinity                 // the guest's affinity group cannot be moved apart safely
	StuckFailover                 // every step that would move it weakens the failover reserve
)

var stuckWhyNames = [...]string{"no host takes it", "cycle with no third host", "move budget spent", "kept", "affinity group", "failover reserve"}

func (w StuckWhy) String() string {
	if int(w) < len(stuckWhyNames) {
		return stuckWhyNames[w]
	}
	return fmt.Sprintf("stuck(%d)", uint8(w))
}

// Stuck is a guest the goal wanted moved that the plan leaves where it is.
type Stuck struct {
	Guest int32
	From  int32
	Kind  MoveKind
	Why   StuckWhy
	// Candidates, for StuckNoHost and StuckCycle: every host ranked for the
	// guest with the reasons it refuses it, as Explain gives them for an
	// unplaced new guest (the fleet as the plan leaves it).
	Candidates []Candidate
	// Waiting, for StuckCycle: the guests whose moves this one waits on.
	Waiting []int32
}

// MoveBounds are lower bounds to judge a plan by: no plan reaching the same
// outcome does better.
type MoveBounds struct {
	// Moves: migrations any plan needs for the plan's outcome (hosts
	// freed, violations fixed, hosts drained).
	Moves int
	// HostsInUse (consolidate): the volume bound on hosts in use after any
	// plan (LowerBound of the fleet with every movable guest to place).
	HostsInUse int
	// Waves: the per-host limits alone need this many waves for these
	// moves (max over hosts of ⌈out/MaxOut⌉ and ⌈in/MaxIn⌉).
	Waves int
}

// MovePlan is a schedule of live migrations and what it achieves.
type MovePlan struct {
	Goal  Goal
	Moves []Move // by wave, then in the order they start
	Waves []WaveCost
	// Bytes and Seconds total the plan (Seconds: the waves' durations
	// added, as waves run one after the other).
	Bytes, Seconds float64
	// Final, len E: each existing guest's host after the plan.
	Final []int32
	// Freed: hosts that carried a guest before and none after, ascending.
	Freed []int32
	// Leaving: the hosts the plan empties on purpose (drained, or freed by
	// consolidation). They take no restarted guest in the failover check
	// at any step, since they are about to go away.
	Leaving []int32
	// Stuck: what the goal wanted moved but could not.
	Stuck []Stuck
	// Remaining (repair): the violations left after the plan, in Check's
	// terms (Guest = NoHost: existing guests only).
	Remaining []Violation
	// PeakBefore and PeakAfter: the largest dominant utilisation of any host
	// (max over dimensions of used/offered), before and after.
	PeakBefore, PeakAfter float64
	// Bounds to judge the plan by.
	Bounds MoveBounds
	// Proven: the exact search finished and no plan reaches this outcome
	// with fewer migrations (then bytes); for consolidation also no plan
	// frees more hosts, for balance none reaches a lower peak. Hops (cycle
	// breaking) are not in that count: Moves may hold more.
	Proven bool
}

// Migrations is the number of moves whose final host differs from the
// first: the plan's moves without its hops.
func (pl *MovePlan) Migrations(p *Problem) int {
	n := 0
	for e, h := range pl.Final {
		if h != p.ExistingHost[e] {
			n++
		}
	}
	return n
}
