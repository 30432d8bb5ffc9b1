package placement

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// imFleet draws a small fleet for the improvement phase's properties:
// existing hosts with partial load (some excluded), existing guests in
// groups, host models to buy, new guests with appetites, groups at every
// scope (anti-affinity and together), pins, and a same-appetite rule.
// Existing guests are drawn without regard to the rules: whatever the fleet
// already breaks, Improve must not break more.
func imFleet(t *rapid.T) *Problem {
	d := rapid.IntRange(1, 3).Draw(t, "d")
	h := rapid.IntRange(0, 8).Draw(t, "h")
	p := &Problem{}
	for k := range d {
		p.DimNames = append(p.DimNames, fmt.Sprint("d", k))
	}
	num := func(name string, lo, hi int) float64 { return float64(rapid.IntRange(lo, hi).Draw(t, name)) }
	for i := range h {
		p.HostNames = append(p.HostNames, fmt.Sprint("h", i))
		for range d {
			p.Offered = append(p.Offered, num("off", 10, 40))
		}
		p.Rack = append(p.Rack, int32(rapid.IntRange(0, 2).Draw(t, "rack")))
		p.Zone = append(p.Zone, int32(rapid.IntRange(0, 1).Draw(t, "zone")))
	}
	if h > 0 && rapid.Bool().Draw(t, "excl") {
		p.Excluded = make([]bool, h)
		for i := range p.Excluded {
			p.Excluded[i] = rapid.IntRange(0, 3).Draw(t, "ex") == 0
		}
	}
	for k := range rapid.IntRange(0, 3).Draw(t, "groups") {
		p.Groups = append(p.Groups, Group{Name: fmt.Sprint("g", k),
			Scope: Scope(rapid.IntRange(0, 2).Draw(t, "scope")), Together: rapid.IntRange(0, 3).Draw(t, "tog") == 0})
	}
	group := func() int32 {
		if len(p.Groups) == 0 || rapid.Bool().Draw(t, "ingroup") {
			return NoHost
		}
		return int32(rapid.IntRange(0, len(p.Groups)-1).Draw(t, "group"))
	}
	if h > 0 {
		for range rapid.IntRange(0, 8).Draw(t, "existing") {
			p.ExistingHost = append(p.ExistingHost, int32(rapid.IntRange(0, h-1).Draw(t, "eh")))
			for range d {
				p.ExistingDemand = append(p.ExistingDemand, num("ed", 0, 8))
			}
			p.ExistingAppetite = append(p.ExistingAppetite, int8(rapid.IntRange(-1, d-1).Draw(t, "ea")))
			p.ExistingGroup = append(p.ExistingGroup, group())
		}
	}
	for m := range rapid.IntRange(0, 2).Draw(t, "models") {
		md := Model{Name: fmt.Sprint("m", m), Max: rapid.IntRange(0, 4).Draw(t, "max"), Rack: -1, Zone: -1}
		if rapid.Bool().Draw(t, "fixedrack") {
			md.Rack = int32(rapid.IntRange(0, 3).Draw(t, "mrack"))
		}
		for range d {
			md.Offered = append(md.Offered, num("moff", 10, 40))
		}
		p.Models = append(p.Models, md)
	}
	g := rapid.IntRange(0, 30).Draw(t, "g")
	for i := range g {
		p.GuestNames = append(p.GuestNames, fmt.Sprint("v", i))
		for range d {
			p.Demand = append(p.Demand, num("dem", 0, 15))
		}
		p.Appetite = append(p.Appetite, int8(rapid.IntRange(-1, d-1).Draw(t, "app")))
		p.Group = append(p.Group, group())
	}
	if h > 0 && g > 0 && rapid.Bool().Draw(t, "pins") {
		p.Pin = make([]int32, g)
		for i := range p.Pin {
			p.Pin[i] = NoHost
			if rapid.IntRange(0, 5).Draw(t, "pinned") == 0 {
				p.Pin[i] = int32(rapid.IntRange(0, h-1).Draw(t, "pin"))
			}
		}
	}
	switch rapid.IntRange(0, 2).Draw(t, "rule") {
	case 0:
		p.Policy.SameAppetite = AppetiteRule{Hard: true, MaxPerHost: rapid.IntRange(1, 3).Draw(t, "maxper")}
	case 1:
		p.Policy.SameAppetite = AppetiteRule{Penalty: 0.5}
	}
	return p
}

// imBreaches lists every hard rule a solution breaks, computed from the
// problem alone (not from solver state): capacity per dimension,
// anti-affinity and affinity at each scope counting existing members,
// the hard same-appetite limit, excluded hosts, pins, host indices.
func imBreaches(p *Problem, s *Solution) []string {
	d, h := p.D(), p.H()
	nh := h + len(s.NewHosts)
	var out []string
	off := append([]float64(nil), p.Offered...)
	rack := append([]int32(nil), p.Rack...)
	zone := append([]int32(nil), p.Zone...)
	var mr, mz int32 = -1, -1
	for i := range h {
		mr, mz = max(mr, p.Rack[i]), max(mz, p.Zone[i])
	}
	for _, m := range p.Models { // bought hosts number above fixed model racks too
		mr, mz = max(mr, m.Rack), max(mz, m.Zone)
	}
	bought := make([]int, len(p.Models))
	for i, m := range s.NewHosts {
		md := p.Models[m]
		bought[m]++
		off = append(off, md.Offered...)
		r, z := md.Rack, md.Zone
		if r < 0 {
			r = mr + 1 + int32(i)
		}
		if z < 0 {
			z = mz + 1 + int32(i)
		}
		rack, zone = append(rack, r), append(zone, z)
	}
	for m, n := range bought {
		if p.Models[m].Max > 0 && n > p.Models[m].Max {
			out = append(out, fmt.Sprintf("model %d bought %d > %d", m, n, p.Models[m].Max))
		}
	}
	used := make([]float64, nh*d)
	type member struct{ host, grp int32 }
	var members []member
	app := map[[2]int]int{}
	for e, x := range p.ExistingHost {
		for k := range d {
			used[int(x)*d+k] += p.ExistingDemand[e*d+k]
		}
		members = append(members, member{x, p.ExistingGroup[e]})
		app[[2]int{int(x), int(p.ExistingAppetite[e])}]++
	}
	for g, x := range s.Host {
		if x == NoHost {
			continue
		}
		if x < 0 || int(x) >= nh {
			return append(out, fmt.Sprintf("guest %d on host %d of %d", g, x, nh))
		}
		for k := range d {
			used[int(x)*d+k] += p.Demand[g*d+k]
		}
		members = append(members, member{x, p.Group[g]})
		app[[2]int{int(x), int(p.Appetite[g])}]++
		if int(x) < h && p.Excluded != nil && p.Excluded[x] {
			out = append(out, fmt.Sprintf("guest %d on excluded host %d", g, x))
		}
		if p.Pin != nil && p.Pin[g] != NoHost && p.Pin[g] != x {
			out = append(out, fmt.Sprintf("guest %d off its pin", g))
		}
	}
	for i := range nh {
		for k := range d {
			if used[i*d+k] > off[i*d+k]*(1+1e-9) {
				out = append(out, fmt.Sprintf("host %d over capacity in d%d: %v > %v", i, k, used[i*d+k], off[i*d+k]))
			}
		}
	}
	for gi, gr := range p.Groups {
		doms := map[int32]int{}
		for _, m := range members {
			if m.grp != int32(gi) {
				continue
			}
			dom := m.host
			if gr.Scope == ScopeRack {
				dom = rack[m.host]
			} else if gr.Scope == ScopeZone {
				dom = zone[m.host]
			}
			doms[dom]++
		}
		for dom, n := range doms {
			if !gr.Together && n > 1 {
				out = append(out, fmt.Sprintf("group %d: %d members in %s %d", gi, n, gr.Scope, dom))
			}
		}
		if gr.Together && len(doms) > 1 {
			out = append(out, fmt.Sprintf("group %d split over %d %ss", gi, len(doms), gr.Scope))
		}
	}
	if r := p.Policy.SameAppetite; r.Hard && r.MaxPerHost > 0 {
		for key, n := range app {
			if key[1] >= 0 && n > r.MaxPerHost {
				out = append(out, fmt.Sprintf("host %d: %d guests of appetite %d", key[0], n, key[1]))
			}
		}
	}
	return out
}

// imScore is the primary objective, recomputed from the problem: unplaced
// guests, bought hosts, hosts in use.
func imScore(p *Problem, s *Solution) [3]int {
	inUse := map[int32]bool{}
	for _, x := range p.ExistingHost {
		inUse[x] = true
	}
	var un int
	for _, x := range s.Host {
		if x == NoHost {
			un++
		} else {
			inUse[x] = true
		}
	}
	bought := 0
	for x := range inUse {
		if int(x) >= p.H() {
			bought++
		}
	}
	return [3]int{un, bought, len(inUse)}
}

func lexLess(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func TestImproveProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := imFleet(t)
		if p.Validate() != nil {
			t.Skip("invalid draw")
		}
		strategy := rapid.SampledFrom([]string{"align", "firstfit", "bestfit", "nomad", "kube"}).Draw(t, "strategy")
		s, err := Solve(p, Options{Strategy: strategy, Seed: 3})
		if err != nil {
			t.Fatalf("Solve: %v", err)
		}
		before := imBreaches(p, s)
		in := cloneSolution(s)
		opt := Options{Seed: rapid.Uint64().Draw(t, "seed"), Iterations: rapid.IntRange(1, 3000).Draw(t, "iters")}
		got := Improve(p, s, opt)
		if diff := cmp.Diff(in, s, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("Improve modified its input (-before +after):\n%s", diff)
		}
		after := imBreaches(p, got)
		if len(after) > len(before) {
			t.Fatalf("Improve broke rules:\nbefore %v\nafter  %v", before, after)
		}
		if lexLess(imScore(p, s), imScore(p, got)) {
			t.Fatalf("Improve made it worse: %v → %v", imScore(p, s), imScore(p, got))
		}
		again := Improve(p, s, opt)
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("Improve is not deterministic for a seed (-first +second):\n%s", diff)
		}
		// The lower bound holds for every complete solution that keeps
		// the rules.
		if sc := imScore(p, got); sc[0] == 0 && len(after) == 0 {
			if lb := LowerBound(p); lb > sc[2] {
				t.Fatalf("LowerBound %d > %d hosts in use of a valid solution", lb, sc[2])
			}
		}
	})
}

// TestImprovePropertiesWasteful starts from plans with hosts to spare: the
// construction's plan with some guests moved alone onto extra bought
// hosts (each move kept only if it breaks nothing more), so that the
// search has hosts to empty under every rule.
func TestImprovePropertiesWasteful(t *testing.T) {
	changed := 0
	rapid.Check(t, func(t *rapid.T) {
		p := imFleet(t)
		if p.Validate() != nil || len(p.Models) == 0 {
			t.Skip("nothing to buy")
		}
		s, err := Solve(p, Options{Seed: 5})
		if err != nil {
			t.Fatalf("Solve: %v", err)
		}
		s = cloneSolution(s)
		for g := range s.Host {
			if s.Host[g] == NoHost || !rapid.Bool().Draw(t, "spread") {
				continue
			}
			m := rapid.IntRange(0, len(p.Models)-1).Draw(t, "model")
			before := len(imBreaches(p, s))
			old := s.Host[g]
			s.NewHosts = append(s.NewHosts, int32(m))
			s.Host[g] = int32(p.H() + len(s.NewHosts) - 1)
			if len(imBreaches(p, s)) > before {
				s.Host[g] = old
				s.NewHosts = s.NewHosts[:len(s.NewHosts)-1]
			}
		}
		// Drop bought hosts the spreading left empty, renumbering.
		s = compactBought(p, s)
		before := imBreaches(p, s)
		opt := Options{Seed: rapid.Uint64().Draw(t, "seed"), Iterations: rapid.IntRange(1, 3000).Draw(t, "iters")}
		got := Improve(p, s, opt)
		if got != s {
			changed++
		}
		if after := imBreaches(p, got); len(after) > len(before) {
			t.Fatalf("Improve broke rules:\nbefore %v\nafter  %v", before, after)
		}
		if lexLess(imScore(p, s), imScore(p, got)) {
			t.Fatalf("Improve made it worse: %v → %v", imScore(p, s), imScore(p, got))
		}
		if diff := cmp.Diff(got, Improve(p, s, opt)); diff != "" {
			t.Fatalf("Improve is not deterministic for a seed:\n%s", diff)
		}
	})
	t.Logf("Improve changed %d plans", changed)
	if changed == 0 {
		t.Error("Improve never improved a wasteful plan")
	}
}

func compactBought(p *Problem, s *Solution) *Solution {
	used := make([]bool, len(s.NewHosts))
	for _, x := range s.Host {
		if int(x) >= p.H() {
			used[int(x)-p.H()] = true
		}
	}
	remap := make([]int32, len(s.NewHosts))
	var nh []int32
	for i, m := range s.NewHosts {
		if used[i] {
			remap[i] = int32(p.H() + len(nh))
			nh = append(nh, m)
		}
	}
	for g, x := range s.Host {
		if int(x) >= p.H() {
			s.Host[g] = remap[int(x)-p.H()]
		}
	}
	s.NewHosts = nh
	return s
}

func cloneSolution(s *Solution) *Solution { return s.Clone() }

// TestImproveEmptiesAHost: two half-full bought hosts merge into one.
//
//	capacity 10; guests 5, 5 on two hosts → one host with 5+5 = 10.
func TestImproveEmptiesAHost(t *testing.T) {
	p := &Problem{
		DimNames:   []string{"cpu"},
		GuestNames: []string{"a", "b"},
		Demand:     []float64{5, 5},
		Appetite:   []int8{-1, -1},
		Group:      []int32{NoHost, NoHost},
		Models:     []Model{{Name: "m", Offered: []float64{10}, Rack: -1, Zone: -1}},
	}
	s := &Solution{Host: []int32{0, 1}, NewHosts: []int32{0, 0}}
	got := Improve(p, s, Options{Iterations: 100})
	if len(got.NewHosts) != 1 || got.Host[0] != 0 || got.Host[1] != 0 {
		t.Errorf("Improve = %+v, want both guests on one bought host", got)
	}
	// With anti-affinity at host scope they must stay apart.
	p.Groups = []Group{{Name: "ha"}}
	p.Group = []int32{0, 0}
	if got := Improve(p, s, Options{Iterations: 100}); got != s {
		t.Errorf("Improve merged an anti-affinity pair: %+v", got)
	}
}

// TestImproveKeepsExistingLoad: an existing host with room takes the guest
// of a bought host; a pinned guest never moves.
func TestImproveKeepsExistingLoad(t *testing.T) {
	p := &Problem{
		DimNames:         []string{"cpu", "mem"},
		HostNames:        []string{"h0"},
		Offered:          []float64{16, 64},
		Rack:             []int32{0},
		Zone:             []int32{0},
		ExistingHost:     []int32{0},
		ExistingDemand:   []float64{8, 32},
		ExistingAppetite: []int8{-1},
		ExistingGroup:    []int32{NoHost},
		GuestNames:       []string{"a", "b"},
		Demand:           []float64{4, 16, 4, 16},
		Appetite:         []int8{-1, -1},
		Group:            []int32{NoHost, NoHost},
		Models:           []Model{{Name: "m", Offered: []float64{16, 64}, Rack: -1, Zone: -1}},
	}
	s := &Solution{Host: []int32{0, 1}, NewHosts: []int32{0}}
	got := Improve(p, s, Options{Iterations: 100})
	if diff := cmp.Diff(&Solution{Host: []int32{0, 0}}, got); diff != "" {
		t.Errorf("Improve (-want +got):\n%s", diff)
	}
	p.Pin = []int32{NoHost, NoHost}
	p.Excluded = []bool{true}
	if got := Improve(p, s, Options{Iterations: 100}); got != s {
		t.Errorf("Improve moved a guest onto an excluded host: %+v", got)
	}
}

func TestLowerBoundWorked(t *testing.T) {
	one := func(dem []float64, c float64) *Problem {
		p := &Problem{DimNames: []string{"x"}, Models: []Model{{Name: "m", Offered: []float64{c}, Rack: -1, Zone: -1}}}
		for i, x := range dem {
			p.GuestNames = append(p.GuestNames, fmt.Sprint(i))
			p.Demand = append(p.Demand, x)
			p.Appetite = append(p.Appetite, -1)
			p.Group = append(p.Group, NoHost)
		}
		return p
	}
	for _, tc := range []struct {
		name string
		p    *Problem
		want int
	}{
		// volume ⌈(6+6+6)/10⌉ = 2, but no two sixes share a bin: L2 = 3
		{"three sixes", one([]float64{6, 6, 6}, 10), 3},
		// α = 3: J2 = {6, 6} (2 bins, 8 left), J3 = {4, 4, 3} = 11 → ⌈3/10⌉ = 1 more
		{"L2 with small items", one([]float64{6, 6, 4, 4, 3}, 10), 3},
		{"volume", one([]float64{5, 5, 5, 5, 1}, 10), 3},
		{"empty", one(nil, 10), 0},
	} {
		if got := LowerBound(tc.p); got != tc.want {
			t.Errorf("%s: LowerBound = %d, want %d", tc.name, got, tc.want)
		}
	}
	// Existing host with 6 of 10 used and room for one 4: guests 4, 4, 4
	// need the existing host and ⌈(12−4)/10⌉ = 1 bought one.
	p := one([]float64{4, 4, 4}, 10)
	p.HostNames, p.Offered, p.Rack, p.Zone = []string{"h"}, []float64{10}, []int32{0}, []int32{0}
	p.ExistingHost, p.ExistingDemand, p.ExistingAppetite, p.ExistingGroup = []int32{0}, []float64{6}, []int8{-1}, []int32{NoHost}
	if got := LowerBound(p); got != 2 {
		t.Errorf("partial host: LowerBound = %d, want 2", got)
	}
	// Anti-affinity: five members need five hosts whatever their size.
	p = one([]float64{1, 1, 1, 1, 1}, 10)
	p.Groups = []Group{{Name: "ha", Scope: ScopeRack}}
	p.Group = []int32{0, 0, 0, 0, 0}
	if got := LowerBound(p); got != 5 {
		t.Errorf("group: LowerBound = %d, want 5", got)
	}
	if math.IsNaN(0) {
		t.Skip()
	}
}

// TestImproveDeadlineLargeFleet: on a fleet of 2,000 partly loaded hosts
// and 20,000 new guests the improvement phase keeps to its deadline.
func TestImproveDeadlineLargeFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("large fleet")
	}
	const h, g, d = 2000, 20000, 3
	p := &Problem{DimNames: []string{"cpu", "mem", "io"}}
	seed := uint64(7)
	rnd := func(n int) float64 {
		seed = seed*6364136223846793005 + 1442695040888963407
		return float64((seed >> 33) % uint64(n))
	}
	for i := range h {
		p.HostNames = append(p.HostNames, fmt.Sprint("h", i))
		p.Offered = append(p.Offered, 64, 256, 100)
		p.Rack = append(p.Rack, int32(i/40))
		p.Zone = append(p.Zone, int32(i/400))
		if i%3 == 0 {
			p.ExistingHost = append(p.ExistingHost, int32(i))
			p.ExistingDemand = append(p.ExistingDemand, 8+rnd(16), 32+rnd(64), rnd(30))
			p.ExistingAppetite = append(p.ExistingAppetite, -1)
			p.ExistingGroup = append(p.ExistingGroup, NoHost)
		}
	}
	p.Models = []Model{{Name: "m", Offered: []float64{64, 256, 100}, Rack: -1, Zone: -1}}
	for i := range g {
		p.GuestNames = append(p.GuestNames, fmt.Sprint("v", i))
		p.Demand = append(p.Demand, 1+rnd(8), 2+rnd(32), rnd(12))
		p.Appetite = append(p.Appetite, int8(i%d))
		p.Group = append(p.Group, NoHost)
	}
	s, err := Solve(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got := Improve(p, s, Options{Seed: 1, Deadline: 200 * time.Millisecond})
	if el := time.Since(start); el > time.Second {
		t.Errorf("Improve with a 200ms deadline took %v", el)
	}
	if b := imBreaches(p, got); len(b) > 0 {
		t.Errorf("Improve broke rules: %v", b[:min(len(b), 5)])
	}
	if lexLess(imScore(p, s), imScore(p, got)) {
		t.Errorf("Improve made it worse: %v → %v", imScore(p, s), imScore(p, got))
	}
	t.Logf("hosts in use %d → %d (lower bound %d) in %v", imScore(p, s)[2], imScore(p, got)[2], LowerBound(p), time.Since(start))
}
