package placement

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestFailoverKeepsGroupRules: three hosts of 10, replicas r0 and r1 of
// one anti-affinity group on A and B, a small guest on C. When A fails, r0
// fits on C by capacity, but B is where the other replica is and C is
// fine: it holds. With a second group member on C as well (r2), r0 has
// nowhere to go without joining another replica: the check fails and says
// which guest is lost after which host fails.
func TestFailoverKeepsGroupRules(t *testing.T) {
	build := func(replicasOnC bool) (*Problem, *Solution) {
		p := &Problem{
			DimNames:  []string{"cpu"},
			HostNames: []string{"A", "B", "C"},
			Offered:   []float64{10, 10, 10},
			Rack:      []int32{0, 1, 2}, Zone: []int32{0, 0, 0},
			Groups:     []Group{{Name: "db", Scope: ScopeHost}},
			GuestNames: []string{"r0", "r1", "small"},
			Demand:     []float64{4, 4, 1},
			Appetite:   []int8{-1, -1, -1},
			Group:      []int32{0, 0, NoHost},
		}
		s := &Solution{Host: []int32{0, 1, 2}, NewHosts: []int32{}}
		if replicasOnC {
			p.GuestNames = append(p.GuestNames, "r2")
			p.Demand = append(p.Demand, 4)
			p.Appetite = append(p.Appetite, -1)
			p.Group = append(p.Group, 0)
			s.Host = append(s.Host, 2)
		}
		return p, s
	}
	p, s := build(false)
	if fo := FailoverCheck(p, s, 1); !fo.Holds {
		t.Fatalf("two replicas on three hosts: want holds, got %+v", fo)
	}
	p, s = build(true)
	// Capacity alone would hold (each host has 5+ free); every replica
	// that restarts lands beside another.
	got := FailoverCheck(p, s, 1)
	want := Failover{K: 1, FailedHosts: []int32{0}, Homeless: 1, Losses: []FailoverLoss{
		{FailedHosts: []int32{0}, Guests: []int32{0}},
		{FailedHosts: []int32{1}, Guests: []int32{1}},
		{FailedHosts: []int32{2}, Guests: []int32{3}},
	}}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("FailoverCheck (-want +got):\n%s", diff)
	}
}

// TestFailoverAffinityRestartsTogether: a pair kept together at rack
// scope restarts in its rack: with the rack's other host full, it is lost
// even though a host in another rack has room.
func TestFailoverAffinityRestartsTogether(t *testing.T) {
	p := &Problem{
		DimNames:  []string{"cpu"},
		HostNames: []string{"A", "B", "C"},
		Offered:   []float64{10, 10, 10},
		Rack:      []int32{0, 0, 1}, Zone: []int32{0, 0, 0},
		Groups:     []Group{{Name: "pair", Scope: ScopeRack, Together: true}},
		GuestNames: []string{"p0", "p1", "filler"},
		Demand:     []float64{3, 3, 9},
		Appetite:   []int8{-1, -1, -1},
		Group:      []int32{0, 0, NoHost},
	}
	s := &Solution{Host: []int32{0, 1, 1}, NewHosts: []int32{}}
	// B holds p1 and filler (12 > 10 would not fit: make filler 6)
	p.Demand[2] = 6
	got := FailoverCheck(p, s, 1)
	// A fails: p0 must stay in rack 0, B has 1 free: lost (C has room).
	if got.Holds || len(got.Losses) == 0 || !cmp.Equal(got.Losses[0], FailoverLoss{FailedHosts: []int32{0}, Guests: []int32{0}}) {
		t.Errorf("want p0 lost when A fails, got %+v", got)
	}
}
