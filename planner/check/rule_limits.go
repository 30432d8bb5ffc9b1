package check

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/report/extra"
)

// Limits on counts:
//
//	minFailoverHosts: 1     # room to restart the guests of any 1 failed host
//	maxHostsBought: 2       # spare hosts bought for failover count too
//	maxMoves: 20            # live migrations of running guests
//	maxBytesMoved: 2Ti      # what those migrations copy (memory, local disk)
//
// Today's plans move nothing, so the move limits hold (0 moves) and say so;
// they bite once plans carry moves (berth rebalance, drain, waves).

func (d *decoder) minFailover(f field, path string) *Rule {
	k, ok := d.count(f.value, path, 0)
	if !ok {
		return nil
	}
	r := newRule(path, f.keyN, fmt.Sprintf("room for the guests of any %s", planner.CountOf(k, "failed host", "failed hosts")),
		func(f *facts) ([]Violation, error) { return failoverEval(f, k), nil })
	return &r
}

// failoverEval holds the plan's own failover check to k: the plan must
// have checked at least k failed hosts, and the check must hold.
func failoverEval(f *facts, k int) []Violation {
	fo := f.plan.Metrics.Failover
	switch {
	case k == 0:
		return nil
	case fo.K < k:
		return []Violation{{Message: fmt.Sprintf("the plan keeps room for %s, not %d: plan with --failover-hosts %d (or failoverHosts: %d in the scenario's policy)",
			planner.CountOf(fo.K, "failed host", "failed hosts"), k, k, k)}}
	case !fo.Holds:
		msg := planner.FailoverText(fo)
		if fo.K > k {
			msg += fmt.Sprintf(" (the plan checked k=%d; plan with --failover-hosts %d to check k=%d)", fo.K, k, k)
		}
		return []Violation{{Message: msg, Hosts: fo.FailedHosts}}
	}
	return nil
}

func (d *decoder) maxHostsBought(f field, path string) *Rule {
	limit, ok := d.count(f.value, path, 0)
	if !ok {
		return nil
	}
	r := newRule(path, f.keyN, "at most "+planner.CountOf(limit, "host", "hosts")+" bought", func(f *facts) ([]Violation, error) {
		m := &f.plan.Metrics
		if m.NewHosts <= limit {
			return nil, nil
		}
		var hosts, models []string
		for _, b := range f.plan.Buy {
			hosts = append(hosts, b.Hosts...)
			models = append(models, fmt.Sprintf("%d × %s", b.Count, b.Model))
		}
		return []Violation{{
			Message: fmt.Sprintf("the plan buys %s (%s), %d more than allowed", planner.CountOf(m.NewHosts, "host", "hosts"), strings.Join(models, ", "), m.NewHosts-limit),
			Hosts:   hosts,
		}}, nil
	})
	return &r
}

func (d *decoder) maxMoves(f field, path string) *Rule {
	limit, ok := d.count(f.value, path, 0)
	if !ok {
		return nil
	}
	r := newRule(path, f.keyN, "at most "+planner.CountOf(limit, "move", "moves"), func(f *facts) ([]Violation, error) {
		moves := f.extra.Moves
		if len(moves) <= limit {
			return nil, nil
		}
		var guests []string
		for _, m := range moves {
			guests = append(guests, m.Guest)
		}
		return []Violation{{
			Message: fmt.Sprintf("the plan moves %s, %d more than allowed", planner.CountOf(len(moves), "running guest", "running guests"), len(moves)-limit),
			Guests:  guests,
		}}, nil
	})
	r.note = noMovesNote
	return &r
}

func (d *decoder) maxBytesMoved(f field, path string) *Rule {
	s, sn, ok := d.scalar(f.value, path, "an amount of bytes such as 500Gi")
	if !ok {
		return nil
	}
	limit, err := inventory.ParseQuantity(inventory.Memory, s)
	if err != nil {
		d.fail(sn, path, "%v", err)
		return nil
	}
	r := newRule(path, f.keyN, "at most "+inventory.FormatQuantity(inventory.Memory, limit)+" copied by moves", func(f *facts) ([]Violation, error) {
		total := f.extra.BytesMoved()
		if total <= limit {
			return nil, nil
		}
		// The biggest moves first: they are the ones to reconsider.
		moves := slices.Clone(f.extra.Moves)
		slices.SortStableFunc(moves, func(a, b extra.Move) int { return cmp.Compare(b.Bytes, a.Bytes) })
		var guests []string
		for _, m := range moves {
			guests = append(guests, m.Guest)
		}
		return []Violation{{
			Message: fmt.Sprintf("the plan's moves copy %s, more than %s", inventory.FormatQuantity(inventory.Memory, total), inventory.FormatQuantity(inventory.Memory, limit)),
			Guests:  guests,
		}}, nil
	})
	r.note = noMovesNote
	return &r
}

// noMovesNote says why a move limit holds trivially.
func noMovesNote(f *facts) string {
	if len(f.extra.Moves) == 0 {
		return "the plan moves no running guest: 0 moves, 0 B"
	}
	return ""
}
