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

// TestEligibleImprove: the improvement phase keeps every guest in its host
// set while it empties hosts.
func TestEligibleImprove(t *testing.T) {
	// Twelve hosts of 10 cpu, twelve guests of 3 cpu, one per host: 4 hosts
	// would do. Even guests may only use hosts 6–11 and start there (guest
	// 2i on host 6+i); odd guests start on hosts 0–5. A first-fit re-pack
	// into the low hosts would break the rule.
	var hosts []fixtureHost
	for i := range 12 {
		hosts = append(hosts, fixtureHost{string(rune('A' + i)), [3]float64{10, 100, 1000}, [3]float64{}})
	}
	var guests []fixtureGuest
	for i := range 12 {
		guests = append(guests, fixtureGuest{string(rune('a' + i)), [3]float64{3, 10, 10}, -1})
	}
	p := fleet(hosts, guests...)
	right := make([]bool, 12)
	for h := 6; h < 12; h++ {
		right[h] = true
	}
	p.HostSets = []HostSet{{Name: "right", Hosts: right, Models: []bool{}}}
	p.Eligible = make([]int32, 12)
	start := &Solution{Host: make([]int32, 12), Terms: make([]Terms, 12)}
	for g := range 12 {
		p.Eligible[g] = NoHost
		start.Host[g] = int32(g / 2)
		if g%2 == 0 {
			p.Eligible[g] = 0
			start.Host[g] = int32(6 + g/2)
		}
	}
	if v := Check(p, start); len(v) != 0 {
		t.Fatalf("the start breaks a rule: %+v", v)
	}
	for _, seed := range []uint64{1, 2, 3, 4, 5} {
		s := Improve(p, start, Options{Seed: seed, Iterations: 5000})
		used := map[int32]bool{}
		for _, h := range s.Host {
			used[h] = true
		}
		if len(used) >= 12 {
			t.Errorf("seed %d: Improve emptied no host", seed)
		}
		for _, v := range Check(p, s) {
			t.Errorf("seed %d: violation %+v", seed, v)
		}
	}
}
