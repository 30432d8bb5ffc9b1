package placement

import (
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// genProblem draws a small random fleet: 1–4 dimensions, up to 12 hosts in
// a few racks and zones (some excluded), existing guests that respect every
// rule, 0–2 host models, up to 30 new guests with appetites, groups (host,
// rack or zone scope; anti-affinity or together) and a few pins on
// ungrouped guests, under a random policy.
func genProblem(t *rapid.T) *Problem {
	d := rapid.IntRange(1, 4).Draw(t, "dims")
	h := rapid.IntRange(0, 12).Draw(t, "hosts")
	racks := rapid.IntRange(1, 4).Draw(t, "racks")
	zones := rapid.IntRange(1, 3).Draw(t, "zones")
	p := &Problem{}
	for k := range d {
		p.DimNames = append(p.DimNames, fmt.Sprintf("d%d", k))
	}
	size := func(name string, lo, hi int) float64 {
		return float64(rapid.IntRange(lo, hi).Draw(t, name))
	}
	for i := range h {
		p.HostNames = append(p.HostNames, fmt.Sprintf("h%d", i))
		for range d {
			p.Offered = append(p.Offered, size("offered", 0, 100))
		}
		p.Rack = append(p.Rack, int32(rapid.IntRange(0, racks-1).Draw(t, "rack")))
		p.Zone = append(p.Zone, int32(rapid.IntRange(0, zones-1).Draw(t, "zone")))
	}
	if h > 0 && rapid.Bool().Draw(t, "exclusions") {
		p.Excluded = make([]bool, h)
		for i := range p.Excluded {
			p.Excluded[i] = rapid.IntRange(0, 4).Draw(t, "excluded") == 0
		}
	}
	ng := rapid.IntRange(0, 3).Draw(t, "groups")
	for k := range ng {
		p.Groups = append(p.Groups, Group{
			Name:     fmt.Sprintf("g%d", k),
			Scope:    Scope(rapid.IntRange(0, 2).Draw(t, "scope")),
			Together: rapid.IntRange(0, 3).Draw(t, "together") == 0,
		})
	}
	switch rapid.IntRange(0, 2).Draw(t, "appetite rule") {
	case 0:
		p.Policy.SameAppetite = AppetiteRule{Hard: true, MaxPerHost: rapid.IntRange(1, 3).Draw(t, "max per host")}
	case 1:
		p.Policy.SameAppetite = AppetiteRule{Penalty: float64(rapid.IntRange(0, 4).Draw(t, "penalty")) / 4}
	}
	p.Policy.Objective = Objective(rapid.IntRange(0, 1).Draw(t, "objective"))

	// Existing guests, kept only where they respect every rule, so that
	// any violation the checker finds is the solver's.
	used := make([]float64, h*d)
	apps := make([]int, h*d)
	var doms [][]int32
	for range ng {
		doms = append(doms, nil)
	}
	if h > 0 {
		for range rapid.IntRange(0, 2*h).Draw(t, "existing") {
			x := rapid.IntRange(0, h-1).Draw(t, "existing host")
			dem := make([]float64, d)
			fits := true
			for k := range d {
				dem[k] = size("existing demand", 0, 40)
				if used[x*d+k]+dem[k] > p.Offered[x*d+k] {
					fits = false
				}
			}
			a := int8(rapid.IntRange(-1, d-1).Draw(t, "existing appetite"))
			if r := p.Policy.SameAppetite; a >= 0 && r.Hard && apps[x*d+int(a)] >= r.MaxPerHost {
				fits = false
			}
			grp := int32(NoHost)
			if ng > 0 && rapid.Bool().Draw(t, "existing in group") {
				grp = int32(rapid.IntRange(0, ng-1).Draw(t, "existing group"))
				dom := domainOf(p, p.Groups[grp].Scope, x)
				for _, o := range doms[grp] {
					if o == dom != p.Groups[grp].Together {
						fits = false
					}
				}
			}
			if !fits {
				continue
			}
			for k := range d {
				used[x*d+k] += dem[k]
			}
			if a >= 0 {
				apps[x*d+int(a)]++
			}
			if grp >= 0 {
				doms[grp] = append(doms[grp], domainOf(p, p.Groups[grp].Scope, x))
			}
			p.ExistingHost = append(p.ExistingHost, int32(x))
			p.ExistingDemand = append(p.ExistingDemand, dem...)
			p.ExistingAppetite = append(p.ExistingAppetite, a)
			p.ExistingGroup = append(p.ExistingGroup, grp)
		}
	}
	for i := range rapid.IntRange(0, 2).Draw(t, "models") {
		m := Model{Name: fmt.Sprintf("m%d", i), Max: rapid.IntRange(0, 3).Draw(t, "model max"), Rack: -1, Zone: -1}
		for range d {
			m.Offered = append(m.Offered, size("model offered", 1, 120))
		}
		if rapid.IntRange(0, 3).Draw(t, "model rack") == 0 {
			m.Rack = int32(rapid.IntRange(0, racks).Draw(t, "model rack id"))
		}
		p.Models = append(p.Models, m)
	}
	pins := h > 0 && rapid.IntRange(0, 3).Draw(t, "pins") == 0
	for i := range rapid.IntRange(0, 30).Draw(t, "guests") {
		p.GuestNames = append(p.GuestNames, fmt.Sprintf("v%d", i))
		for range d {
			p.Demand = append(p.Demand, size("demand", 0, 50))
		}
		p.Appetite = append(p.Appetite, int8(rapid.IntRange(-1, d-1).Draw(t, "appetite")))
		grp := int32(NoHost)
		if ng > 0 && rapid.Bool().Draw(t, "in group") {
			grp = int32(rapid.IntRange(0, ng-1).Draw(t, "group"))
		}
		p.Group = append(p.Group, grp)
		if pins {
			pin := int32(NoHost)
			if grp == NoHost && rapid.IntRange(0, 5).Draw(t, "pinned") == 0 {
				pin = int32(rapid.IntRange(0, h-1).Draw(t, "pin"))
			}
			p.Pin = append(p.Pin, pin)
		}
	}
	return p
}

func domainOf(p *Problem, s Scope, h int) int32 {
	switch s {
	case ScopeRack:
		return p.Rack[h]
	case ScopeZone:
		return p.Zone[h]
	}
	return int32(h)
}

// verify is the independent checker: it recomputes, from the problem and the
// solution alone and without any of the solver's code, every promise the
// solver makes, and returns what is broken. Pinned guests may break rules
// (they are placed unconditionally), but no guest the solver chose may be
// added where a rule is broken.
func verify(p *Problem, s *Solution) []string {
	var bad []string
	d, h := len(p.DimNames), len(p.HostNames)
	nh := h + len(s.NewHosts)
	if len(s.Host) != len(p.GuestNames) || len(s.Terms) != len(p.GuestNames) {
		return []string{fmt.Sprintf("len(Host)=%d len(Terms)=%d, want %d", len(s.Host), len(s.Terms), len(p.GuestNames))}
	}
	off := append([]float64(nil), p.Offered...)
	rack := append([]int32(nil), p.Rack...)
	zone := append([]int32(nil), p.Zone...)
	maxR, maxZ := int32(-1), int32(-1)
	for i := range h {
		maxR, maxZ = max(maxR, p.Rack[i]), max(maxZ, p.Zone[i])
	}
	for _, m := range p.Models { // bought hosts number above fixed model racks too
		maxR, maxZ = max(maxR, m.Rack), max(maxZ, m.Zone)
	}
	bought := make([]int, len(p.Models))
	for i, m := range s.NewHosts {
		if m < 0 || int(m) >= len(p.Models) {
			return []string{fmt.Sprintf("NewHosts[%d] = %d, no such model", i, m)}
		}
		bought[m]++
		md := p.Models[m]
		off = append(off, md.Offered...)
		r, z := md.Rack, md.Zone
		if r < 0 {
			r = maxR + 1 + int32(i)
		}
		if z < 0 {
			z = maxZ + 1 + int32(i)
		}
		rack, zone = append(rack, r), append(zone, z)
	}
	for m, n := range bought {
		if mx := p.Models[m].Max; mx > 0 && n > mx {
			bad = append(bad, fmt.Sprintf("model %d bought %d times, max %d", m, n, mx))
		}
	}
	load := make([]float64, nh*d)
	count := make([]int, nh*d)
	chosen := make([]bool, nh)      // carries a guest the solver chose (not pinned)
	chosenApp := make([]bool, nh*d) // ... of this appetite
	onHost := make([]int, nh)
	for e, x := range p.ExistingHost {
		for k := range d {
			load[int(x)*d+k] += p.ExistingDemand[e*d+k]
		}
		if a := p.ExistingAppetite[e]; a >= 0 {
			count[int(x)*d+int(a)]++
		}
		onHost[x]++
	}
	pinned := func(g int) bool { return p.Pin != nil && p.Pin[g] != NoHost }
	for g, x := range s.Host {
		if pinned(g) && x != p.Pin[g] {
			bad = append(bad, fmt.Sprintf("guest %d pinned to %d, placed on %d", g, p.Pin[g], x))
		}
		if x == NoHost {
			continue
		}
		if x < 0 || int(x) >= nh {
			bad = append(bad, fmt.Sprintf("guest %d on host %d of %d", g, x, nh))
			continue
		}
		onHost[x]++
		for k := range d {
			load[int(x)*d+k] += p.Demand[g*d+k]
		}
		a := p.Appetite[g]
		if a >= 0 {
			count[int(x)*d+int(a)]++
		}
		if !pinned(g) {
			chosen[x] = true
			if a >= 0 {
				chosenApp[int(x)*d+int(a)] = true
			}
			if int(x) < h && p.Excluded != nil && p.Excluded[x] {
				bad = append(bad, fmt.Sprintf("guest %d on excluded host %d", g, x))
			}
		}
	}
	for i := h; i < nh; i++ {
		if onHost[i] == 0 {
			bad = append(bad, fmt.Sprintf("bought host %d is empty", i))
		}
	}
	for x := range nh {
		for k := range d {
			if chosen[x] && load[x*d+k] > off[x*d+k]*(1+1e-9) {
				bad = append(bad, fmt.Sprintf("host %d dim %d: load %v > offered %v", x, k, load[x*d+k], off[x*d+k]))
			}
			r := p.Policy.SameAppetite
			if r.Hard && r.MaxPerHost > 0 && chosenApp[x*d+k] && count[x*d+k] > r.MaxPerHost {
				bad = append(bad, fmt.Sprintf("host %d: %d guests of appetite %d, max %d", x, count[x*d+k], k, r.MaxPerHost))
			}
		}
	}
	// Groups: list every member's domain, existing and new.
	for k, grp := range p.Groups {
		var ds []int32
		dom := func(x int) int32 {
			switch grp.Scope {
			case ScopeRack:
				return rack[x]
			case ScopeZone:
				return zone[x]
			}
			return int32(x)
		}
		for e, gk := range p.ExistingGroup {
			if int(gk) == k {
				ds = append(ds, dom(int(p.ExistingHost[e])))
			}
		}
		for g, gk := range p.Group {
			if int(gk) == k && s.Host[g] != NoHost && int(s.Host[g]) < nh {
				ds = append(ds, dom(int(s.Host[g])))
			}
		}
		for i := range ds {
			for j := range i {
				if grp.Together && ds[i] != ds[j] {
					bad = append(bad, fmt.Sprintf("group %d (together): members in domains %d and %d", k, ds[j], ds[i]))
				}
				if !grp.Together && ds[i] == ds[j] {
					bad = append(bad, fmt.Sprintf("group %d (apart): two members in domain %d", k, ds[i]))
				}
			}
		}
	}
	return bad
}

func drawOptions(t *rapid.T) Options {
	return Options{
		Strategy:   rapid.SampledFrom(Strategies()).Draw(t, "strategy"),
		Seed:       rapid.Uint64().Draw(t, "seed"),
		Candidates: rapid.SampledFrom([]int{0, 1, 3, -1}).Draw(t, "candidates"),
	}
}

// checkPromises is the property every solution must have.
func checkPromises(t *rapid.T, p *Problem, opt Options, s *Solution) {
	if bad := verify(p, s); len(bad) > 0 {
		t.Fatalf("independent checker: %v", bad)
	}
	if p.Pin == nil {
		if v := Check(p, s); len(v) > 0 {
			t.Fatalf("Check found %v in a fleet without pins", v)
		}
	}
	// Every guest placed or explained: an unplaced guest is refused by
	// every host, each with at least one reason.
	for g, x := range s.Host {
		if x != NoHost {
			continue
		}
		cs := Explain(p, s, g)
		if len(cs) != p.H()+len(s.NewHosts) {
			t.Fatalf("Explain(%d): %d candidates, want %d", g, len(cs), p.H()+len(s.NewHosts))
		}
		for _, c := range cs {
			if c.Feasible || len(c.Refusals) == 0 {
				t.Fatalf("guest %d unplaced but host %d takes it: %+v", g, c.Host, c)
			}
		}
	}
	// The lower bound (lowerbound.go) is a bound: no plan that places
	// everything uses fewer hosts.
	if m := Evaluate(p, s); m.Unplaced == 0 && m.HostsUsed < LowerBound(p) {
		t.Fatalf("hosts used %d < LowerBound %d", m.HostsUsed, LowerBound(p))
	}
	again, err := Solve(p, opt)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, again); diff != "" {
		t.Fatalf("same seed, different solution (-first +second):\n%s", diff)
	}
}

func TestSolveProperties(t *testing.T) {
	// 20 rounds of rapid's 100 checks: 2,000 random fleets (≈2 s).
	rounds := 20
	if testing.Short() {
		rounds = 2
	}
	for r := range rounds {
		t.Run(fmt.Sprint(r), func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				p := genProblem(t)
				opt := drawOptions(t)
				s, err := Solve(p, opt)
				if err != nil {
					t.Fatal(err)
				}
				checkPromises(t, p, opt, s)
			})
		})
	}
}

// TestWarmProperties re-plans after one edit — a guest pinned elsewhere or
// a host excluded — from the previous solution: every promise still holds,
// and every guest on an existing host the edit does not touch stays there.
func TestWarmProperties(t *testing.T) {
	rounds := 5
	if testing.Short() {
		rounds = 1
	}
	for r := range rounds {
		t.Run(fmt.Sprint(r), func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				p := genProblem(t)
				if p.H() == 0 || p.G() == 0 {
					t.Skip("nothing to edit")
				}
				opt := drawOptions(t)
				prev, err := Solve(p, opt)
				if err != nil {
					t.Fatal(err)
				}
				touched := int32(rapid.IntRange(0, p.H()-1).Draw(t, "edited host"))
				if rapid.Bool().Draw(t, "pin") {
					g := rapid.IntRange(0, p.G()-1).Draw(t, "pinned guest")
					if p.Group[g] != NoHost {
						t.Skip("pins only ungrouped guests")
					}
					if p.Pin == nil {
						p.Pin = make([]int32, p.G())
						for i := range p.Pin {
							p.Pin[i] = NoHost
						}
					}
					p.Pin[g] = touched
				} else {
					if p.Excluded == nil {
						p.Excluded = make([]bool, p.H())
					}
					p.Excluded[touched] = true
				}
				opt.Warm = prev
				s, err := Solve(p, opt)
				if err != nil {
					t.Fatal(err)
				}
				checkPromises(t, p, opt, s)
				// Bought hosts may be renumbered (one the edit emptied is
				// not bought again), so stability is checked on the
				// existing hosts.
				for g, h := range prev.Host {
					if h == NoHost || h == touched || int(h) >= p.H() || (p.Pin != nil && p.Pin[g] != NoHost) {
						continue
					}
					if s.Host[g] != h {
						t.Fatalf("guest %d moved from %d to %d; the edit touched host %d only", g, h, s.Host[g], touched)
					}
				}
			})
		})
	}
}

// TestSolveWithImprovement runs the whole pipeline, improvement included,
// through the same promises.
//
// Fleets with affinity (Together) groups are left out for now: Improve
// places a group's unplaced member outside the domain the group holds (the
// improvement phase's to fix; the construction alone is checked with them
// in TestSolveProperties).
//
// It is opt-in (BERTH_IMPROVE_PROPERTIES=1) while the improvement phase is
// being written: at the time of writing it panics in imState.remove on
// some fleets (-rapid.seed=10822292632922657115).
func TestSolveWithImprovement(t *testing.T) {
	if os.Getenv("BERTH_IMPROVE_PROPERTIES") == "" {
		t.Skip("set BERTH_IMPROVE_PROPERTIES=1 to check Solve with the improvement phase")
	}
	rapid.Check(t, func(t *rapid.T) {
		p := genProblem(t)
		for _, grp := range p.Groups {
			if grp.Together {
				t.Skip("affinity groups: see the comment above")
			}
		}
		opt := drawOptions(t)
		opt.Iterations = rapid.IntRange(1, 200).Draw(t, "iterations")
		s, err := Solve(p, opt)
		if err != nil {
			t.Fatal(err)
		}
		checkPromises(t, p, opt, s)
		for g, h := range s.Host {
			if h != NoHost && s.Terms[g] == (Terms{}) && opt.Strategy != "firstfit" {
				t.Fatalf("guest %d placed without terms", g)
			}
		}
	})
}

// TestNeverPanics feeds broken problems and mismatched solutions to the
// public API: Solve must return an error, and Explain, Nearest, Check,
// Evaluate and FailoverCheck must answer without panicking.
func TestNeverPanics(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genProblem(t)
		s, err := Solve(p, drawOptions(t))
		if err != nil {
			t.Fatal(err)
		}
		// Break one thing in the problem, or hand over a solution that
		// does not belong to it.
		switch rapid.IntRange(0, 6).Draw(t, "break") {
		case 0:
			p.Offered = append(p.Offered, 1)
		case 1:
			p.Demand = append(p.Demand, -1)[:len(p.Demand)]
			if len(p.Demand) > 0 {
				p.Demand[0] = -1
			}
		case 2:
			p.Appetite = append(p.Appetite, int8(len(p.DimNames)))
			p.GuestNames = append(p.GuestNames, "x")
			p.Group = append(p.Group, 99)
			p.Demand = append(p.Demand, make([]float64, len(p.DimNames))...)
		case 3:
			s.Host = append(s.Host, 1<<20)
		case 4:
			s.NewHosts = append(s.NewHosts, 42)
		case 5:
			for i := range s.Host {
				s.Host[i] = int32(rapid.IntRange(-5, 50).Draw(t, "host"))
			}
		case 6:
			p.Policy.SameAppetite.Penalty = math.NaN()
		}
		if err := p.Validate(); err != nil {
			if _, err := Solve(p, Options{}); err == nil {
				t.Fatal("Solve accepted a problem Validate refuses")
			}
		}
		for g := -1; g <= p.G(); g++ {
			Explain(p, s, g)
			Nearest(p, s, g)
		}
		Check(p, s)
		Evaluate(p, s)
		FailoverCheck(p, s, 1)
		FailoverCheck(p, s, 2)
	})
}
