package placement_test

import (
	"fmt"

	"github.com/berth-dev/berth/placement"
)

// exampleFleet is the seed's rule in miniature: three hosts of the same
// shape, each busy except in one resource — A has CPU left over, B disk
// I/O, C memory — and one web (CPU-heavy), one db (I/O-heavy) and one cache
// (memory-heavy) guest to place.
func exampleFleet() *placement.Problem {
	return &placement.Problem{
		DimNames:  []string{"cpu", "memory", "iops"},
		HostNames: []string{"A", "B", "C"},
		Offered: []float64{
			32, 128, 10000,
			32, 128, 10000,
			32, 128, 10000,
		},
		Rack: []int32{0, 1, 2},
		Zone: []int32{0, 0, 0},
		// What already runs on each host, as one guest per host.
		ExistingHost: []int32{0, 1, 2},
		ExistingDemand: []float64{
			8, 112, 9000, // A: CPU left over
			28, 112, 1000, // B: IOPS left over
			28, 32, 9000, // C: memory left over
		},
		ExistingAppetite: []int8{-1, -1, -1},
		ExistingGroup:    []int32{placement.NoHost, placement.NoHost, placement.NoHost},
		GuestNames:       []string{"web-1", "db-1", "cache-1"},
		Demand: []float64{
			8, 8, 200, // web
			2, 8, 4000, // db
			1, 48, 100, // cache
		},
		Appetite: []int8{0, 2, 1},
		Group:    []int32{placement.NoHost, placement.NoHost, placement.NoHost},
	}
}

func ExampleSolve() {
	p := exampleFleet()
	s, err := placement.Solve(p, placement.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	for g, h := range s.Host {
		t := s.Terms[g]
		fmt.Printf("%-7s → %s  align %.2f  fill %.2f  stranded %.2f  total %.2f\n",
			p.GuestNames[g], p.HostNames[h], t.Align, t.Fill, t.Stranded, t.Total)
	}
	// Output:
	// web-1   → A  align 1.00  fill 0.79  stranded 0.41  total 1.29
	// db-1    → B  align 1.00  fill 0.80  stranded 0.41  total 1.30
	// cache-1 → C  align 0.99  fill 0.81  stranded 0.29  total 1.31
}

func ExampleExplain() {
	p := exampleFleet()
	// A fourth guest too big for what is left anywhere: 30 vCPUs.
	p.GuestNames = append(p.GuestNames, "batch-1")
	p.Demand = append(p.Demand, 30, 16, 100)
	p.Appetite = append(p.Appetite, 0)
	p.Group = append(p.Group, placement.NoHost)
	s, err := placement.Solve(p, placement.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println("batch-1 placed:", s.Host[3] != placement.NoHost)
	for _, c := range placement.Explain(p, s, 3) {
		fmt.Printf("%s:", p.HostNames[c.Host])
		for _, r := range c.Refusals {
			fmt.Printf(" %s %s short by %g (requested %g, free %g);",
				r.Rule, p.DimNames[r.Dim], r.Short(), r.Requested, r.Free)
		}
		fmt.Println()
	}
	if c, ok := placement.Nearest(p, s, 3); ok {
		fmt.Println("nearest:", p.HostNames[c.Host])
	}
	// Output:
	// batch-1 placed: false
	// A: capacity cpu short by 14 (requested 30, free 16); capacity memory short by 8 (requested 16, free 8);
	// C: capacity cpu short by 27 (requested 30, free 3);
	// B: capacity cpu short by 28 (requested 30, free 2); capacity memory short by 8 (requested 16, free 8);
	// nearest: A
}
