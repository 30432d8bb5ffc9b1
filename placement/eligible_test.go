package placement

import "testing"

// TestEligible: a guest restricted to a host set (a demand's label
// selector) goes only there — even when another host scores better — is
// refused elsewhere with RuleSelector, and buys only models in its set.
func TestEligible(t *testing.T) {
	hosts := []fixtureHost{
		{"A", [3]float64{32, 128, 10000}, [3]float64{}},
		{"B", [3]float64{32, 128, 10000}, [3]float64{24, 0, 0}},
	}
	p := fleet(hosts, web("web-1"), web("web-2"), web("web-3"))
	p.HostSets = []HostSet{{Name: "rack=b", Hosts: []bool{false, true}, Models: []bool{false, true}}}
	p.Eligible = []int32{0, 0, NoHost}
	p.Models = []Model{
		{Name: "small", Offered: []float64{32, 128, 10000}, Rack: -1, Zone: -1},
		{Name: "big", Offered: []float64{64, 256, 20000}, Rack: -1, Zone: -1},
	}
	s, err := Solve(p, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// B has 8 cpu left: web-1 or web-2 takes it (restricted guests go
	// first, before web-3 can take B's room); the other needs a new host and
	// may only buy "big"; web-3 then packs onto a host in use.
	onB, bought := 0, 0
	for g := range 2 {
		switch h := s.Host[g]; {
		case h == 1:
			onB++
		case h >= 2:
			bought++
			if m := s.NewHosts[h-2]; p.Models[m].Name != "big" {
				t.Errorf("guest %d bought model %s, outside its set", g, p.Models[m].Name)
			}
		default:
			t.Errorf("guest %d on host %d, outside its set", g, h)
		}
	}
	if onB != 1 || bought != 1 {
		t.Errorf("on B %d, bought %d; want 1 and 1 (hosts %v)", onB, bought, s.Host)
	}
	if s.Host[2] == 1 {
		t.Errorf("web-3 (unrestricted) took B's last room before the restricted guests")
	}
	if v := Check(p, s); len(v) != 0 {
		t.Errorf("violations: %+v", v)
	}
	// Explain names the selector on A for a restricted guest.
	found := false
	for _, c := range Explain(p, s, 0) {
		if c.Host == 0 {
			for _, r := range c.Refusals {
				found = found || r.Rule == RuleSelector
			}
		}
	}
	if !found {
		t.Error("Explain does not report the selector refusing host A")
	}
	// A forced pin outside the set is a violation Check reports.
	p.Pin = []int32{0, NoHost, NoHost}
	s, err = Solve(p, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	hasSel := false
	for _, v := range Check(p, s) {
		hasSel = hasSel || (v.Rule == RuleSelector && v.Guest == 0)
	}
	if !hasSel {
		t.Error("Check does not report a pin outside the guest's host set")
	}
}
