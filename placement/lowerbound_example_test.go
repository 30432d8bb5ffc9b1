package placement_test

import (
	"fmt"

	"github.com/berth-dev/berth/placement"
)

// Three guests of 6 on hosts of 10 to be bought: the volume says 2 hosts,
// but no two of them share one (Martello & Toth's L2): 3.
func ExampleLowerBound() {
	p := &placement.Problem{
		DimNames:   []string{"vcpu"},
		GuestNames: []string{"a", "b", "c"},
		Demand:     []float64{6, 6, 6},
		Appetite:   []int8{-1, -1, -1},
		Group:      []int32{placement.NoHost, placement.NoHost, placement.NoHost},
		Models:     []placement.Model{{Name: "m", Offered: []float64{10}, Rack: -1, Zone: -1}},
	}
	fmt.Println(placement.LowerBound(p))
	// Output: 3
}

// Four guests of (6, 4) and (4, 6) spread over four bought hosts of
// (10, 10): the improvement pairs them on two.
func ExampleImprove() {
	p := &placement.Problem{
		DimNames:   []string{"vcpu", "mem"},
		GuestNames: []string{"a", "b", "c", "d"},
		Demand:     []float64{6, 4, 6, 4, 4, 6, 4, 6},
		Appetite:   []int8{-1, -1, -1, -1},
		Group:      []int32{placement.NoHost, placement.NoHost, placement.NoHost, placement.NoHost},
		Models:     []placement.Model{{Name: "m", Offered: []float64{10, 10}, Rack: -1, Zone: -1}},
	}
	s := &placement.Solution{Host: []int32{0, 1, 2, 3}, NewHosts: []int32{0, 0, 0, 0}}
	better := placement.Improve(p, s, placement.Options{Seed: 1, Iterations: 1000})
	fmt.Println(len(s.NewHosts), "→", len(better.NewHosts), "hosts; lower bound", placement.LowerBound(p))
	// Output: 4 → 2 hosts; lower bound 2
}
