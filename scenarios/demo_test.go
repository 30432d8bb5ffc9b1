package scenarios_test

import (
	"fmt"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/scenarios"
)

// TestDemoOutcomes pins what the embedded scenarios show per strategy, so
// that the claims their descriptions and the README make cannot regress
// silently: on appetites the leftover rule's construction fits the demand
// on the hosts there while first fit, best fit and the kube and nomad
// scorers each buy one; the improvement phase (the default 200 steps)
// brings them back. On the other demos every rule places everything
// without buying, or buys the same.
func TestDemoOutcomes(t *testing.T) {
	type outcome struct{ inUse, bought, unplaced int }
	cases := []struct {
		scenario   string
		strategy   string
		iterations int
		want       outcome
	}{
		{"appetites", "align", 0, outcome{22, 0, 0}},
		{"appetites", "firstfit", 0, outcome{23, 1, 0}},
		{"appetites", "bestfit", 0, outcome{23, 1, 0}},
		{"appetites", "kube", 0, outcome{23, 1, 0}},
		{"appetites", "nomad", 0, outcome{23, 1, 0}},
		{"appetites", "align", 200, outcome{22, 0, 0}},
		{"appetites", "kube", 200, outcome{22, 0, 0}},
		{"default", "align", 200, outcome{20, 0, 0}},
		{"default", "kube", 200, outcome{20, 0, 0}},
		{"leftovers", "align", 200, outcome{3, 0, 0}},
		{"growth", "align", 200, outcome{8, 4, 0}},
		{"tight", "align", 200, outcome{6, 0, 6}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%d", c.scenario, c.strategy, c.iterations), func(t *testing.T) {
			data, err := scenarios.Get(c.scenario)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := inventory.ParseScenario(scenarios.Source(c.scenario), data)
			if err != nil {
				t.Fatal(err)
			}
			pl := planner.New(sc)
			pol := pl.Policy()
			pol.Strategy, pol.Iterations = c.strategy, c.iterations
			if err := pl.SetPolicy(pol); err != nil {
				t.Fatal(err)
			}
			p, err := pl.Plan()
			if err != nil {
				t.Fatal(err)
			}
			got := outcome{unplaced: len(p.Unplaced)}
			for _, b := range p.Buy {
				got.bought += b.Count
			}
			for _, h := range p.Hosts {
				if len(h.Existing)+len(h.Placed) > 0 {
					got.inUse++
				}
			}
			if got != c.want {
				t.Errorf("hosts in use, bought, unplaced = %+v, want %+v", got, c.want)
			}
		})
	}
}
