package planner_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

// clonePlan is a deep copy of p (through its JSON form).
func clonePlan(t *testing.T, p *planner.Plan) *planner.Plan {
	t.Helper()
	var buf bytes.Buffer
	if err := planner.EncodeJSON(&buf, p); err != nil {
		t.Fatal(err)
	}
	c, err := planner.DecodePlan("clone", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// firstMove is the index of the first move action of guest (or of any
// guest when guest is "").
func firstMove(p *planner.Plan, guest string) int {
	for i, a := range p.Actions {
		if a.Op == planner.OpMove && (guest == "" || a.Guest == guest) {
			return i
		}
	}
	return -1
}

// TestVerifyMovesCatches: the verifier's replay of the migrations is not
// vacuous. Each case breaks one promise of a valid plan with moves, as a
// bug in the planner or a hand edit would, and the verifier must say so.
func TestVerifyMovesCatches(t *testing.T) {
	sc := embedded(t, "drifted")
	plans := map[string]*planner.Plan{}
	make := func(name string, f func(*planner.Planner) (*planner.Plan, error)) {
		p, err := f(planner.New(sc))
		if err != nil {
			t.Fatal(err)
		}
		mustVerify(t, p, sc)
		plans[name] = p
	}
	make("consolidate", func(pl *planner.Planner) (*planner.Plan, error) {
		return pl.Rebalance(planner.GoalConsolidate, planner.MoveOptions{})
	})
	make("drain2", func(pl *planner.Planner) (*planner.Plan, error) {
		return pl.Drain([]string{"kvm04"}, planner.MoveOptions{MaxOut: 2})
	})
	make("waves", func(pl *planner.Planner) (*planner.Plan, error) { return pl.Waves(planner.MoveOptions{}) })

	cases := []struct {
		name, plan string
		edit       func(p *planner.Plan)
		want       string
	}{
		{"capacity in flight", "consolidate", func(p *planner.Plan) {
			to := p.Actions[firstMove(p, "")].Host
			hostPlan(p, to).Offered[inventory.Memory] = 1 << 30
		}, "is over its offer in memory while migrations are in flight"},
		{"kept guest moves", "consolidate", func(p *planner.Plan) {
			p.Edits.Keep = []string{p.Actions[firstMove(p, "")].Guest}
		}, "but the plan keeps it where it is"},
		{"waves out of order", "consolidate", func(p *planner.Plan) {
			p.Actions[firstMove(p, "")].Move.Wave = 3
		}, "wave 3 follows wave 0"},
		{"per-host limit", "drain2", func(p *planner.Plan) {
			p.Moves.Limits.MaxOut = 1
		}, "kvm04 runs more than 1 outgoing migrations at a time"},
		{"excluded destination", "consolidate", func(p *planner.Plan) {
			hostPlan(p, p.Actions[firstMove(p, "")].Host).Excluded = true
		}, "which takes no guests"},
		{"destination emptied by the plan", "consolidate", func(p *planner.Plan) {
			p.Moves.Leaving = append(p.Moves.Leaving, p.Actions[firstMove(p, "")].Host)
		}, "which takes no guests"},
		{"maintenance host takes a guest", "waves", func(p *planner.Plan) {
			i := firstMove(p, "")
			p.Moves.Maintenance[0].Hosts = append(p.Moves.Maintenance[0].Hosts, p.Actions[i].Host)
		}, "which takes no guests"},
		{"replica arrives beside another", "consolidate", func(p *planner.Plan) {
			// db-main-3 runs on kvm06, in rack r3 with kvm08.
			i := firstMove(p, "db-main-1")
			p.Actions[i].Host = "kvm08"
		}, "arrives in rack r3, which holds db-main-3 of its group db-main"},
		{"guest not where the move starts", "consolidate", func(p *planner.Plan) {
			p.Actions[firstMove(p, "")].Move.From = "kvm10"
		}, "moves from kvm10 but is on"},
		{"bytes do not add up", "consolidate", func(p *planner.Plan) {
			p.Actions[firstMove(p, "")].Move.Bytes += 1 << 30
		}, "but memory and disk add up to"},
		{"memory not the allocation", "consolidate", func(p *planner.Plan) {
			m := p.Actions[firstMove(p, "")].Move
			m.Memory /= 2
			m.Bytes = m.Memory + m.Disk
		}, "of memory, but its allocation is"},
		{"disk copied between shared hosts", "consolidate", func(p *planner.Plan) {
			// db-main-4 moves from kvm09 to kvm10, both on shared storage.
			m := p.Actions[firstMove(p, "db-main-4")].Move
			m.Disk, m.Bytes = 1<<30, m.Memory+1<<30
		}, "which share storage"},
		{"disk size not the scenario's", "consolidate", func(p *planner.Plan) {
			m := p.Actions[firstMove(p, "db-main-1")].Move // kvm01 is local
			m.Disk /= 2
			m.Bytes = m.Memory + m.Disk
		}, "but the scenario gives it"},
		{"time not bytes at the bandwidth", "consolidate", func(p *planner.Plan) {
			p.Actions[firstMove(p, "")].Move.Seconds *= 2
		}, "is said to take"},
		{"wave totals", "consolidate", func(p *planner.Plan) {
			p.Moves.Waves[0].Bytes += 1 << 30
		}, "moves: wave 1 is said to be"},
		{"plan totals", "consolidate", func(p *planner.Plan) {
			p.Moves.Seconds++
		}, "the waves add up to"},
		{"hosts freed", "consolidate", func(p *planner.Plan) {
			p.Moves.Freed = p.Moves.Freed[1:]
		}, "moves: hosts freed"},
		{"moved in", "consolidate", func(p *planner.Plan) {
			hostPlan(p, p.Actions[firstMove(p, "")].Host).MovedIn = nil
		}, "the migrations move in"},
		{"budget", "consolidate", func(p *planner.Plan) {
			p.Moves.Limits.MaxMoves = 1
		}, "over the budget of 1"},
		{"drained host keeps a guest", "drain2", func(p *planner.Plan) {
			i := firstMove(p, "")
			a := p.Actions[i]
			a.Op, a.Host, a.Move = planner.OpKeep, a.Move.From, nil
			p.Actions[i] = a
		}, "drain: kvm04 still runs"},
		{"a move without its migration", "consolidate", func(p *planner.Plan) {
			p.Actions[firstMove(p, "")].Move = nil
		}, "says nothing of the migration"},
		{"move actions without a moves section", "consolidate", func(p *planner.Plan) {
			p.Moves = nil
		}, "but no moves section"},
		{"a removal the scenario does not call for", "consolidate", func(p *planner.Plan) {
			p.Actions[0].Op = planner.OpRemove
		}, "the host does not list it as removed"},
		{"failover reserve", "consolidate", func(p *planner.Plan) {
			// The plan was made without a reserve to keep; freeing four
			// hosts weakens it, and the referee sees the step that does.
			p.Moves.Limits.Failover = 1
		}, "the failover reserve is weakened"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := clonePlan(t, plans[tc.plan])
			tc.edit(p)
			problems := planner.Verify(p, sc)
			if !strings.Contains(strings.Join(problems, "\n"), tc.want) {
				t.Errorf("verifier missed it: want a problem containing %q, got:\n%s", tc.want, strings.Join(problems, "\n"))
			}
		})
	}
}
