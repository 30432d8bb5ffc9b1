package placement

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Rebalance plans live migrations of the running guests of mp for goal
// and schedules them in waves that are safe at every step (see scheduler).
// Each goal first decides where guests should end up (its target), with
// the fewest migrations its method finds; on small fleets an exact search
// then proves that target fewest or replaces it (move_exact.go); the
// scheduler turns the target into waves. docs/rebalance-algorithms.md
// describes each goal with a worked example.
func Rebalance(mp *MoveProblem, goal Goal, opt MoveOptions) (*MovePlan, error) {
	if err := mp.Validate(); err != nil {
		return nil, err
	}
	if err := opt.validate(mp, goal); err != nil {
		return nil, err
	}
	var deadline time.Time
	if opt.Deadline > 0 {
		deadline = time.Now().Add(opt.Deadline)
	}
	switch goal {
	case GoalConsolidate:
		return consolidate(mp, opt, deadline)
	case GoalRepair:
		return repair(mp, opt, deadline)
	case GoalBalance:
		return balance(mp, opt, deadline)
	case GoalDrain:
		return drain(mp, opt, deadline)
	case GoalRoom:
		return nil, errors.New("placement: room for new guests is MakeRoom's, not Rebalance's")
	}
	return nil, fmt.Errorf("placement: unknown goal %v", goal)
}

func (opt MoveOptions) validate(mp *MoveProblem, goal Goal) error {
	var errs []error
	if opt.MaxMoves < 0 {
		errs = append(errs, fmt.Errorf("placement: MaxMoves = %d, want ≥ 0 (0 = no limit)", opt.MaxMoves))
	}
	if b := opt.MaxBytes; math.IsNaN(b) || math.IsInf(b, 0) || b < 0 {
		errs = append(errs, fmt.Errorf("placement: MaxBytes = %v, want a finite number ≥ 0 (0 = no limit)", b))
	}
	if _, _, err := lookupStrategy(opt.Strategy); err != nil {
		errs = append(errs, err)
	}
	seen := map[int32]bool{}
	for _, h := range opt.Drain {
		if h < 0 || int(h) >= mp.P.H() {
			errs = append(errs, fmt.Errorf("placement: drain host %d out of range [0,%d)", h, mp.P.H()))
			continue
		}
		if seen[h] {
			errs = append(errs, fmt.Errorf("placement: drain host %s named twice", mp.P.HostNames[h]))
		}
		seen[h] = true
	}
	if goal == GoalDrain && len(opt.Drain) == 0 {
		errs = append(errs, errors.New("placement: drain names no host"))
	}
	return errors.Join(errs...)
}

// timeUp reports whether deadline (zero = none) has passed.
func timeUp(deadline time.Time) bool { return !deadline.IsZero() && time.Now().After(deadline) }

// withinBudget reports whether n more moves of b more bytes, on top of
// moves and bytes, stay within opt's budget.
func (opt MoveOptions) withinBudget(moves, n int, bytes, b float64) bool {
	if opt.MaxMoves > 0 && moves+n > opt.MaxMoves {
		return false
	}
	return opt.MaxBytes <= 0 || bytes+b <= opt.MaxBytes*(1+capEps)
}

// target is where a goal wants every guest, with why each one moves, in
// the order the scheduler should try them.
type target struct {
	wants   []want
	leaving []int32 // hosts emptied on purpose
	closed  []bool  // hosts no guest may go to, hops included
}

// scheduleTarget schedules t and fills the plan's common parts.
func scheduleTarget(mp *MoveProblem, opt MoveOptions, goal Goal, t *target) (*MovePlan, error) {
	gone := make([]bool, mp.P.H())
	for _, h := range t.leaving {
		gone[h] = true
	}
	s, err := newScheduler(mp, opt, t.closed, gone)
	if err != nil {
		return nil, err
	}
	s.run(t.wants)
	return s.plan(goal, t.leaving), nil
}

// wantsFrom lists the moves that take the fleet from mp's start to final,
// in guest order, each with why(e).
func wantsFrom(mp *MoveProblem, final []int32, why func(e int) Reason) []want {
	var ws []want
	for e, h := range final {
		if h != mp.P.ExistingHost[e] {
			ws = append(ws, want{e: int32(e), to: h, why: why(e)})
		}
	}
	return ws
}

// hardestFirst sorts guests by hardness (order.go), ties by index.
func hardestFirst(f *moveFleet, gs []int32) {
	ref := reference(f.p)
	key := func(e int32) float64 { return hardness(f.demand(int(e)), ref) }
	slices.SortStableFunc(gs, func(a, b int32) int {
		if c := cmpDesc(key(a), key(b)); c != 0 {
			return c
		}
		return int(a - b)
	})
}
