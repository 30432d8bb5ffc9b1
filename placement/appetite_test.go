package placement

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// appetiteFleet: host A has CPU to spare for two web guests, host B has
// room for one but memory is what it has left over; both are in use.
func appetiteFleet(rule AppetiteRule) *Problem {
	p := fleet([]fixtureHost{
		{"A", [3]float64{32, 128, 10000}, [3]float64{0, 64, 6000}},
		{"B", [3]float64{32, 128, 10000}, [3]float64{24, 32, 5000}},
	}, web("web-1"), web("web-2"))
	p.Policy.SameAppetite = rule
	return p
}

func TestSameAppetiteSoft(t *testing.T) {
	tests := []struct {
		name string
		rule AppetiteRule
		want []string // hosts of the two web guests, sorted
	}{
		// Without the rule the leftover rule alone stacks both web guests
		// where the CPU is.
		{"off", AppetiteRule{}, []string{"A", "A"}},
		// With it, the second web guest costs 1 × 1.0 on A: A scores
		// 0.9076 + 0.5877 − 0.14 − 1 = 0.3553 (align + fill − stranded −
		// appetite), B 0.4930 + 0.6108 − 0.6875 = 0.4163, so it goes to B.
		{"soft", AppetiteRule{Penalty: 1}, []string{"A", "B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := appetiteFleet(tt.rule)
			s, err := Solve(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := []string{p.HostNames[s.Host[0]], p.HostNames[s.Host[1]]}
			slices.Sort(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("placement (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSameAppetiteHard(t *testing.T) {
	// At most one web guest per host: three web guests, two hosts, no
	// models ⇒ one stays unplaced, refused by the appetite rule everywhere.
	p := fleet([]fixtureHost{
		{"A", [3]float64{64, 256, 10000}, [3]float64{}},
		{"B", [3]float64{64, 256, 10000}, [3]float64{}},
	}, web("web-1"), web("web-2"), web("web-3"))
	p.Policy.SameAppetite = AppetiteRule{Hard: true, MaxPerHost: 1}
	s, err := Solve(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	unplaced := -1
	for g, h := range s.Host {
		if h == NoHost {
			if unplaced >= 0 {
				t.Fatalf("Host = %v, want one guest unplaced", s.Host)
			}
			unplaced = g
		}
	}
	if unplaced < 0 {
		t.Fatalf("Host = %v, want one guest unplaced", s.Host)
	}
	for _, c := range Explain(p, s, unplaced) {
		want := []Refusal{{Host: c.Host, Rule: RuleAppetite, Dim: cpu, Group: NoHost, Requested: 1, Free: 0}}
		if diff := cmp.Diff(want, c.Refusals); diff != "" {
			t.Errorf("host %d refusals (-want +got):\n%s", c.Host, diff)
		}
	}
	if _, ok := Nearest(p, s, unplaced); ok {
		t.Error("Nearest found a capacity-only host; the rule refuses every host")
	}

	// With a model to buy, the third web guest gets a host of its own.
	p.Models = []Model{{Name: "std", Offered: []float64{32, 128, 10000}, Rack: -1, Zone: -1}}
	s, err = Solve(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(s.NewHosts, []int32{0}) || s.Host[0] == s.Host[1] || s.Host[1] == s.Host[2] || s.Host[0] == s.Host[2] {
		t.Fatalf("Host = %v, NewHosts = %v; want one web guest per host, one host bought of model 0", s.Host, s.NewHosts)
	}
	if v := Check(p, s); len(v) > 0 {
		t.Fatalf("violations: %v", v)
	}
}
