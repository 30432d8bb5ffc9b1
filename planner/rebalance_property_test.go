package planner_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"pgregory.net/rapid"
)

// randomMoveRequest draws what to ask of a random fleet with running
// guests: a goal (consolidate, repair, balance, a drain, rolling waves or
// demand with moves allowed), limits and a budget, guests to keep, and
// for the fleet, storage labels, disk sizes and guest states.
func randomMoveRequest(t *rapid.T, sc *inventory.Scenario) (string, func(*planner.Planner) (*planner.Plan, error)) {
	for i := range sc.Hosts {
		h := &sc.Hosts[i]
		h.Labels["storage"] = rapid.SampledFrom([]string{"", "local", "shared"}).Draw(t, "storage")
		for j := range h.Guests {
			h.Guests[j].Disk = float64(rapid.IntRange(0, 200).Draw(t, "disk")) * gi
			h.Guests[j].State = rapid.SampledFrom([]string{"", "running", "paused", "shutoff"}).Draw(t, "state")
		}
	}
	opt := planner.MoveOptions{
		MaxOut:       rapid.IntRange(0, 2).Draw(t, "maxOut"),
		MaxIn:        rapid.IntRange(0, 2).Draw(t, "maxIn"),
		Bandwidth:    float64(rapid.IntRange(0, 4).Draw(t, "bandwidth")) * 1e9,
		KeepFailover: rapid.Bool().Draw(t, "keepFailover"),
	}
	if rapid.Bool().Draw(t, "budget") {
		opt.MaxMoves = rapid.IntRange(1, 6).Draw(t, "maxMoves")
	}
	if rapid.IntRange(0, 3).Draw(t, "byteBudget") == 0 {
		opt.MaxBytes = float64(rapid.IntRange(1, 400).Draw(t, "maxBytes")) * gi
	}
	var keep []string
	for _, h := range sc.Hosts {
		for _, g := range h.Guests {
			if rapid.IntRange(0, 9).Draw(t, "keep") == 0 {
				keep = append(keep, g.Name)
			}
		}
	}
	withKeep := func(pl *planner.Planner) *planner.Planner {
		for _, g := range keep {
			pl.Keep(g, true)
		}
		return pl
	}
	goal := rapid.SampledFrom([]string{"consolidate", "repair", "balance", "drain", "waves", "room"}).Draw(t, "goal")
	switch goal {
	case "drain":
		var hosts []string
		for _, h := range sc.Hosts {
			if rapid.IntRange(0, 3).Draw(t, "drained") == 0 {
				hosts = append(hosts, h.Name)
			}
		}
		if len(hosts) == 0 {
			hosts = []string{sc.Hosts[0].Name}
		}
		return goal, func(pl *planner.Planner) (*planner.Plan, error) { return withKeep(pl).Drain(hosts, opt) }
	case "waves":
		opt.MaxHostsPerWave = rapid.IntRange(0, 3).Draw(t, "maxHostsPerWave")
		return goal, func(pl *planner.Planner) (*planner.Plan, error) { return withKeep(pl).Waves(opt) }
	case "room":
		opt.MaxMoves = rapid.IntRange(1, 6).Draw(t, "allowMoves")
		return goal, func(pl *planner.Planner) (*planner.Plan, error) { return withKeep(pl).PlanWithMoves(opt) }
	}
	return goal, func(pl *planner.Planner) (*planner.Plan, error) {
		return withKeep(pl).Rebalance(planner.Goal(goal), opt)
	}
}

// TestMovePlanProperties: over random fleets with running guests and
// random requests, every plan with moves passes the independent verifier
// against its scenario — every wave's in-flight state within every
// host's offer, the groups and the hard appetite limit kept at every
// step, the per-host limits, the budget, the kept guests, each
// migration's bytes and time, the totals, and with a reserve to keep, the
// referee's failover check — the same request gives byte-identical plans,
// and a plan that leaves no rule broken uses no fewer hosts than its
// lower bound.
func TestMovePlanProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := randomScenario(t)
		goal, make := randomMoveRequest(t, sc)
		p, err := make(planner.New(sc))
		if err != nil {
			if goal == "drain" && strings.HasPrefix(err.Error(), "drain: ") && strings.Contains(err.Error(), "zone") {
				return // refused with the zone-spread reason (TestMoveBadInput)
			}
			t.Fatalf("%s: %v", goal, err)
		}
		if problems := planner.Verify(p, sc); len(problems) > 0 {
			t.Fatalf("%s plan does not verify:\n%s", goal, strings.Join(problems, "\n"))
		}
		broken := false
		for _, w := range p.Warnings {
			broken = broken || strings.Contains(w, "already breaks a rule")
		}
		if goal != "room" && !broken && p.Metrics.HostsUsed < p.Metrics.LowerBound {
			t.Fatalf("%s: %d hosts in use, below the lower bound %d", goal, p.Metrics.HostsUsed, p.Metrics.LowerBound)
		}
		var a, b bytes.Buffer
		if err := planner.EncodeJSON(&a, p); err != nil {
			t.Fatal(err)
		}
		p2, err := make(planner.New(sc))
		if err != nil {
			t.Fatal(err)
		}
		if err := planner.EncodeJSON(&b, p2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("%s: the same request gave different plans", goal)
		}
		if _, err := planner.DecodePlan(fmt.Sprintf("%s.json", goal), a.Bytes()); err != nil {
			t.Fatalf("%s: the plan does not read back: %v", goal, err)
		}
	})
}
