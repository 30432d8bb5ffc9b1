package placement

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRearrangeMovesARunningGuest: two hosts of 10, a running guest of 4
// on each, a new guest of 8: it fits nowhere as the fleet stands, yet
// moving the running guest off A (to B: 4 + 4 = 8) leaves A 10 free.
// Capacity is not short, the arrangement is.
func TestRearrangeMovesARunningGuest(t *testing.T) {
	p := &Problem{
		DimNames:         []string{"cpu"},
		HostNames:        []string{"A", "B"},
		Offered:          []float64{10, 10},
		Rack:             []int32{0, 1},
		Zone:             []int32{0, 0},
		ExistingHost:     []int32{0, 1},
		ExistingDemand:   []float64{4, 4},
		ExistingAppetite: []int8{-1, -1},
		ExistingGroup:    []int32{NoHost, NoHost},
		GuestNames:       []string{"big"},
		Demand:           []float64{8},
		Appetite:         []int8{-1},
		Group:            []int32{NoHost},
	}
	s, err := Solve(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Host[0] != NoHost {
		t.Fatalf("fixture: want big unplaced, got host %d", s.Host[0])
	}
	got, ok := Rearrange(p, s, 0)
	if !ok {
		t.Fatal("Rearrange found no way; moving one running guest makes room")
	}
	want := Rearrangement{Host: 0, Moves: []Relocation{{Guest: -1, From: 0, To: 1}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Rearrange (-want +got):\n%s", diff)
	}
	// Where no move helps (the guest is bigger than any host), none is
	// offered.
	p.Demand[0] = 11
	s, _ = Solve(p, Options{})
	if r, ok := Rearrange(p, s, 0); ok {
		t.Errorf("a guest bigger than any host: want no rearrangement, got %+v", r)
	}
}
