package placement

import (
	"slices"
	"testing"
)

// TestExplainKeepsIneligibleApart: a host the guest may not use at all
// (outside its selector, excluded, or both) is refused for that one reason,
// never also as full, so that a why-not counts it once and does not mix
// "not eligible" with "eligible but full" (issue 11.8). A host it may use
// keeps every reason.
func TestExplainKeepsIneligibleApart(t *testing.T) {
	hosts := []fixtureHost{
		{"A", [3]float64{4, 8, 1000}, [3]float64{}},   // eligible, too small in cpu
		{"B", [3]float64{4, 8, 1000}, [3]float64{}},   // outside the selector, too small too
		{"C", [3]float64{4, 8, 1000}, [3]float64{}},   // outside the selector and excluded
		{"D", [3]float64{32, 64, 1000}, [3]float64{}}, // excluded only, large enough
	}
	p := fleet(hosts, web("web-1"))
	p.HostSets = []HostSet{{Name: "rack=a", Hosts: []bool{true, false, false, true}, Models: []bool{}}}
	p.Eligible = []int32{0}
	p.Excluded = []bool{false, false, true, true}
	s, err := Solve(p, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if s.Host[0] != NoHost {
		t.Fatalf("web-1 placed on %d; every host should refuse it", s.Host[0])
	}
	got := map[string][]Rule{}
	for _, c := range Explain(p, s, 0) {
		for _, r := range c.Refusals {
			got[p.HostNames[c.Host]] = append(got[p.HostNames[c.Host]], r.Rule)
		}
	}
	// web asks 8 cpu, 8 memory, 200 iops: A (4, 8, 1000) lacks cpu only.
	want := map[string][]Rule{
		"A": {RuleCapacity},
		"B": {RuleSelector},
		"C": {RuleExcluded}, // excluded first, as refusals lists them
		"D": {RuleExcluded},
	}
	for h, w := range want {
		if !slices.Equal(got[h], w) {
			t.Errorf("host %s refused for %v, want %v", h, got[h], w)
		}
	}
	if _, ok := Nearest(p, s, 0); !ok {
		t.Error("Nearest finds no host short by capacity alone; A is")
	}
}
