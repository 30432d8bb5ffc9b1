package placement

import "testing"

// TestReservePlacesSoItHolds: four hosts of 10 in two racks (A, B in r0;
// C, D in r1), two replicas of 5 kept in different racks and four other
// guests of 5. The plan given has A: r0 + s0, B: s1 + s2, C: r1 + s3, D
// empty. When A fails, r0 may only restart in rack r0 (r1 is in r1), and
// B is full: r0 finds no room although D has 10 free. Moving s2 from B to
// D makes the check hold.
func TestReservePlacesSoItHolds(t *testing.T) {
	p := &Problem{
		DimNames:  []string{"cpu"},
		HostNames: []string{"A", "B", "C", "D"},
		Offered:   []float64{10, 10, 10, 10},
		Rack:      []int32{0, 0, 1, 1}, Zone: []int32{0, 0, 0, 0},
		Groups:     []Group{{Name: "db", Scope: ScopeRack}},
		GuestNames: []string{"r0", "r1", "s0", "s1", "s2", "s3"},
		Demand:     []float64{5, 5, 5, 5, 5, 5},
		Appetite:   []int8{-1, -1, -1, -1, -1, -1},
		Group:      []int32{0, 0, NoHost, NoHost, NoHost, NoHost},
	}
	s := &Solution{Host: []int32{0, 2, 0, 1, 1, 2}, NewHosts: []int32{}, Terms: make([]Terms, 6)}
	fo := FailoverCheck(p, s, 1)
	if fo.Holds || fo.Losses[0].Guests[0] != 0 {
		t.Fatalf("fixture: want r0 lost when A fails, got %+v", fo)
	}
	got := Reserve(p, s, 1, Options{})
	if bad := verify(p, got); len(bad) > 0 {
		t.Fatal(bad)
	}
	if countUnplaced(got) > 0 {
		t.Fatalf("Reserve unplaced a guest: %v", got.Host)
	}
	if after := FailoverCheck(p, got, 1); !after.Holds {
		t.Errorf("after Reserve the check still fails: %+v (plan %v)", after, got.Host)
	}
	if s.Host[4] != 1 {
		t.Error("Reserve modified its input")
	}
}
