package placement

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// appetiteFleet: host A has CPU to spare for two web guests, host B a
// little less; both are in use.
func appetiteFleet(rule AppetiteRule) *Problem {
	p := fleet([]fixtureHost{
		{"A", [3]float64{32, 128, 10000}, [3]float64{0, 96, 8000}},
		{"B", [3]float64{32, 128, 10000}, [3]float64{14, 64, 5000}},
	}, web("web-1"), web("web-2"))
	p.Policy.SameAppetite = rule
	return p
}

func TestSameAppetiteSoft(t *testing.T) {
	tests := []struct {
		name string
		rule AppetiteRule
		want map[string]string
	}{
		// Without the rule the leftover rule alone stacks both web guests
		// where the CPU is.
		{"off", AppetiteRule{}, map[string]string{"web-1": "A", "web-2": "A"}},
		// With it, the second web guest costs 1 × 0.5 on A and goes to B.
		{"soft", AppetiteRule{Penalty: 0.5}, map[string]string{"web-1": "A", "web-2": "B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := appetiteFleet(tt.rule)
			s, err := Solve(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, hostNames(p, s)); diff != "" {
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
	got := hostNames(p, s)
	if got["web-1"] == got["web-2"] || got["web-3"] != "unplaced" {
		t.Fatalf("placement %v, want web-1 and web-2 apart, web-3 unplaced", got)
	}
	for _, c := range Explain(p, s, 2) {
		want := []Refusal{{Host: c.Host, Rule: RuleAppetite, Dim: cpu, Group: NoHost, Requested: 1, Free: 0}}
		if diff := cmp.Diff(want, c.Refusals); diff != "" {
			t.Errorf("host %d refusals (-want +got):\n%s", c.Host, diff)
		}
	}
	if _, ok := Nearest(p, s, 2); ok {
		t.Error("Nearest found a capacity-only host; the rule refuses every host")
	}

	// With a model to buy, the third web guest gets a host of its own.
	p.Models = []Model{{Name: "std", Offered: []float64{32, 128, 10000}, Rack: -1, Zone: -1}}
	s, err = Solve(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Host[2] != 2 || !cmp.Equal(s.NewHosts, []int32{0}) {
		t.Fatalf("Host = %v, NewHosts = %v; want web-3 on bought host 2 of model 0", s.Host, s.NewHosts)
	}
	if v := Check(p, s); len(v) > 0 {
		t.Fatalf("violations: %v", v)
	}
}
