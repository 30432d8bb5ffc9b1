package placement_test

import (
	"fmt"

	"github.com/berth-dev/berth/placement"
)

// runningFleet is three hosts of 32 vCPUs and 128 GiB that drifted: A is
// half full, B and C carry one small guest each.
func runningFleet() *placement.MoveProblem {
	p := &placement.Problem{
		DimNames:         []string{"cpu", "memory"},
		HostNames:        []string{"A", "B", "C"},
		Offered:          []float64{32, 128, 32, 128, 32, 128},
		Rack:             []int32{0, 1, 2},
		Zone:             []int32{0, 0, 0},
		ExistingHost:     []int32{0, 0, 1, 2},
		ExistingDemand:   []float64{8, 32, 8, 32, 4, 16, 2, 32},
		ExistingAppetite: []int8{0, 0, 0, 1},
		ExistingGroup:    []int32{placement.NoHost, placement.NoHost, placement.NoHost, placement.NoHost},
		GuestNames:       []string{}, Demand: []float64{}, Appetite: []int8{}, Group: []int32{},
	}
	const gib = 1 << 30
	return &placement.MoveProblem{P: p, Cost: []float64{32 * gib, 32 * gib, 16 * gib, 32 * gib}, Bandwidth: 1 * gib}
}

func ExampleRebalance() {
	mp := runningFleet()
	pl, err := placement.Rebalance(mp, placement.GoalConsolidate, placement.MoveOptions{Seed: 1})
	if err != nil {
		panic(err)
	}
	names := mp.P.HostNames
	for _, m := range pl.Moves {
		fmt.Printf("wave %d: guest %d %s → %s, %.0f GiB, %.0f s (%v %s)\n",
			m.Wave, m.Guest, names[m.From], names[m.To], m.Bytes/(1<<30), m.Seconds, m.Reason.Kind, names[m.Reason.Host])
	}
	fmt.Printf("freed %v; %d migrations in %d waves, %.0f GiB, %.0f s; fewest proven: %v\n",
		pl.Freed, len(pl.Moves), len(pl.Waves), pl.Bytes/(1<<30), pl.Seconds, pl.Proven)
	fmt.Println("referee:", len(placement.CheckMoves(mp, placement.MoveOptions{}, pl)), "problems")
	// A takes one incoming migration at a time (MaxIn 0 = 1): two waves.

	// Output:
	// wave 0: guest 2 B → A, 16 GiB, 16 s (consolidate B)
	// wave 1: guest 3 C → A, 32 GiB, 32 s (consolidate C)
	// freed [1 2]; 2 migrations in 2 waves, 48 GiB, 48 s; fewest proven: true
	// referee: 0 problems
}
