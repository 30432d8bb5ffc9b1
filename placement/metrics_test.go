package placement

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// oneDim builds a one-dimensional (cpu) fleet of hosts offering 10 each,
// with the given existing loads (0 = empty) and new guests of the given
// sizes, placed by hand on the given hosts.
func oneDim(existing []float64, guests []float64, on []int32) (*Problem, *Solution) {
	p := &Problem{DimNames: []string{"cpu"}}
	for i, e := range existing {
		p.HostNames = append(p.HostNames, string(rune('A'+i)))
		p.Offered = append(p.Offered, 10)
		p.Rack = append(p.Rack, int32(i))
		p.Zone = append(p.Zone, 0)
		if e > 0 {
			p.ExistingHost = append(p.ExistingHost, int32(i))
			p.ExistingDemand = append(p.ExistingDemand, e)
			p.ExistingAppetite = append(p.ExistingAppetite, 0)
			p.ExistingGroup = append(p.ExistingGroup, NoHost)
		}
	}
	for i, x := range guests {
		p.GuestNames = append(p.GuestNames, string(rune('a'+i)))
		p.Demand = append(p.Demand, x)
		p.Appetite = append(p.Appetite, 0)
		p.Group = append(p.Group, NoHost)
	}
	return p, &Solution{Host: on, NewHosts: []int32{}, Terms: make([]Terms, len(guests))}
}

func TestFailoverCheck(t *testing.T) {
	tests := []struct {
		name     string
		existing []float64
		guests   []float64
		on       []int32
		k        int
		want     Failover
	}{
		// Each host carries 4 of 10: any one host's 4 restart on another (6 free).
		{"k=1 holds", []float64{4, 4, 4}, nil, nil, 1, Failover{K: 1, Holds: true}},
		// C carries 4 + a new 4 = 8 in two guests; A and B have 6 free each:
		// C's guests restart one on A, one on B. A's 4 restarts on B.
		{"k=1 holds, split", []float64{4, 4, 4}, []float64{4}, []int32{2}, 1, Failover{K: 1, Holds: true}},
		// C carries one new guest of 8; nobody has 8 free: C breaks it.
		{"k=1 fails", []float64{4, 4, 0}, []float64{8}, []int32{2}, 1,
			Failover{K: 1, FailedHosts: []int32{2}, Homeless: 1,
				Losses: []FailoverLoss{{FailedHosts: []int32{2}, Guests: []int32{0}}}}},
		// k=2 fails the two most loaded hosts, B (6) and A (5): 11 onto C's
		// 10 free (4 used) — 6 fits, 5 does not.
		{"k=2 heuristic", []float64{5, 6, 4}, nil, nil, 2,
			Failover{K: 2, FailedHosts: []int32{1, 0}, Homeless: 1,
				Losses: []FailoverLoss{{FailedHosts: []int32{1, 0}, Guests: []int32{-1}}}}}, // A's 5 (existing 0)
		{"k=0", []float64{10, 10}, nil, nil, 0, Failover{K: 0, Holds: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, s := oneDim(tt.existing, tt.guests, tt.on)
			got := FailoverCheck(p, s, tt.k)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("FailoverCheck (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	// A: 4 existing + 6 new = 10 of 10 (full), B: 3 new, C empty, D 2 existing.
	p, s := oneDim([]float64{4, 0, 0, 2}, []float64{6, 3}, []int32{0, 1})
	got := Evaluate(p, s)
	want := Metrics{
		HostsUsed:   3, // A, B, D
		HostsBefore: 2, // A, D
		Placed:      2,
		// (10 + 3 + 2) / (3 · 10)
		Utilisation: []float64{0.5},
		// one dimension: nothing can be free while another is exhausted
		Stranded: []float64{0},
		// fills 1, 0.3, 0.2: mean 0.5, deviations 0.5, −0.2, −0.3:
		// √((0.25 + 0.04 + 0.09)/3) = √0.126667 = 0.355903
		Balance: 0.355903,
		// A holds two guests of appetite 0 (existing + new): one pair
		AppetiteStacked: 1,
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-6)); diff != "" {
		t.Errorf("Evaluate (-want +got):\n%s", diff)
	}
}

func TestCheckReportsForcedPins(t *testing.T) {
	// A pinned guest of 8 on A (4 used of 10): placed anyway, and Check
	// says A is over by 2.
	p, _ := oneDim([]float64{4, 0}, []float64{8}, nil)
	p.Pin = []int32{0}
	s, err := Solve(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Host[0] != 0 {
		t.Fatalf("pinned guest on %d, want 0", s.Host[0])
	}
	want := []Violation{{Host: 0, Guest: NoHost, Rule: RuleCapacity, Dim: 0, Group: NoHost, Used: 12, Offered: 10}}
	if diff := cmp.Diff(want, Check(p, s)); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}
}

func TestNearest(t *testing.T) {
	// A guest of 7 where A has 6 free and B 5: A is short by the least.
	p, _ := oneDim([]float64{4, 5}, []float64{7}, nil)
	s, err := Solve(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, ok := Nearest(p, s, 0)
	if !ok || c.Host != 0 || math.Abs(c.Refusals[0].Short()-1) > 1e-9 {
		t.Fatalf("Nearest = %+v, %v; want host A short by 1", c, ok)
	}
}
