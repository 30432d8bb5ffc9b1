package placement

import (
	"testing"
)

// twoHostsTwoGroups is a fleet where the construction alone strands a
// guest: align puts v1 on h0, after which v2 (4 of the third dimension)
// fits nowhere; v0 and v1 on h1, v2 on h0 places all three.
//
//	h0 offers (10, 16, 11), h1 (16, 12, 4)
//	v0 (6, 4, 2) group b, v1 (10, 6, 1) group a, v2 (5, 2, 4)
func twoHostsTwoGroups() *Problem {
	return &Problem{
		DimNames:  []string{"cpu", "memory", "iops"},
		HostNames: []string{"h0", "h1"},
		Offered:   []float64{10, 16, 11, 16, 12, 4},
		Rack:      []int32{1, 1}, Zone: []int32{0, 0},
		Groups:     []Group{{Name: "a", Scope: ScopeHost}, {Name: "b", Scope: ScopeHost}},
		GuestNames: []string{"v0", "v1", "v2"},
		Demand:     []float64{6, 4, 2, 10, 6, 1, 5, 2, 4},
		Appetite:   []int8{0, 1, 2},
		Group:      []int32{1, 0, NoHost},
	}
}

// TestCompletePlacesEveryGuest: every strategy, with or without the
// improvement phase, places all three (before completion, align left v2
// unplaced even with 20,000 steps).
func TestCompletePlacesEveryGuest(t *testing.T) {
	p := twoHostsTwoGroups()
	for _, name := range Strategies() {
		for _, iters := range []int{0, 20000} {
			s, err := Solve(p, Options{Strategy: name, Seed: 1, Iterations: iters})
			if err != nil {
				t.Fatal(err)
			}
			if bad := verify(p, s); len(bad) > 0 {
				t.Fatalf("%s/%d: %v", name, iters, bad)
			}
			for g, x := range s.Host {
				if x == NoHost {
					t.Errorf("%s, %d steps: %s unplaced (%v)", name, iters, p.GuestNames[g], s.Host)
				}
			}
		}
	}
}

// TestCompleteMovesAffinityGroup: an affinity group of rack scope sits in
// the rack where its last member does not fit; completion moves the group.
//
//	racks: h0 in r1; h1, h2 in r0. Hard appetite limit 1; all guests one
//	appetite. v0 and v2 together (rack), v1 alone.
func TestCompleteMovesAffinityGroup(t *testing.T) {
	p := &Problem{
		DimNames:  []string{"cpu"},
		HostNames: []string{"h0", "h1", "h2"},
		Offered:   []float64{8, 8, 4},
		Rack:      []int32{1, 0, 0}, Zone: []int32{0, 0, 0},
		Groups:     []Group{{Name: "pair", Scope: ScopeRack, Together: true}},
		GuestNames: []string{"v0", "v1", "v2"},
		Demand:     []float64{6, 3, 2},
		Appetite:   []int8{0, 0, 0},
		Group:      []int32{0, NoHost, 0},
		Policy:     Policy{SameAppetite: AppetiteRule{Hard: true, MaxPerHost: 1}},
	}
	exact := exactPlacement(p)
	if exact == nil {
		t.Fatal("the fixture has no complete placement")
	}
	for _, name := range Strategies() {
		s, err := Solve(p, Options{Strategy: name, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if bad := verify(p, s); len(bad) > 0 {
			t.Fatalf("%s: %v", name, bad)
		}
		if n := countUnplaced(s); n > 0 {
			t.Errorf("%s: %d unplaced (%v); %v places all", name, n, s.Host, exact)
		}
	}
}
