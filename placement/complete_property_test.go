package placement

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// genSmallFleet draws a fleet small enough to solve exactly: 2–5 hosts in
// 1–3 racks, 1–3 dimensions, a few existing guests, 2–8 new guests in up
// to two groups (anti-affinity at host or rack scope, now and then
// together), no host models.
func genSmallFleet(t *rapid.T) *Problem {
	d := rapid.IntRange(1, 3).Draw(t, "dims")
	h := rapid.IntRange(2, 5).Draw(t, "hosts")
	racks := rapid.IntRange(1, 3).Draw(t, "racks")
	p := &Problem{}
	for k := range d {
		p.DimNames = append(p.DimNames, fmt.Sprintf("d%d", k))
	}
	for i := range h {
		p.HostNames = append(p.HostNames, fmt.Sprintf("h%d", i))
		for range d {
			p.Offered = append(p.Offered, float64(rapid.IntRange(4, 16).Draw(t, "offered")))
		}
		p.Rack = append(p.Rack, int32(rapid.IntRange(0, racks-1).Draw(t, "rack")))
		p.Zone = append(p.Zone, 0)
	}
	ng := rapid.IntRange(0, 2).Draw(t, "groups")
	for k := range ng {
		p.Groups = append(p.Groups, Group{
			Name:     fmt.Sprintf("grp%d", k),
			Scope:    Scope(rapid.IntRange(0, 1).Draw(t, "scope")),
			Together: rapid.IntRange(0, 5).Draw(t, "together") == 0,
		})
	}
	if rapid.IntRange(0, 3).Draw(t, "hard appetite") == 0 {
		p.Policy.SameAppetite = AppetiteRule{Hard: true, MaxPerHost: rapid.IntRange(1, 2).Draw(t, "max per host")}
	} else {
		p.Policy.SameAppetite = AppetiteRule{Penalty: 0.25}
	}
	for range rapid.IntRange(0, h).Draw(t, "existing") {
		x := rapid.IntRange(0, h-1).Draw(t, "existing host")
		dem := make([]float64, d)
		for k := range d {
			dem[k] = float64(rapid.IntRange(0, 3).Draw(t, "existing demand"))
		}
		p.ExistingHost = append(p.ExistingHost, int32(x))
		p.ExistingDemand = append(p.ExistingDemand, dem...)
		p.ExistingAppetite = append(p.ExistingAppetite, -1)
		p.ExistingGroup = append(p.ExistingGroup, NoHost)
	}
	for i := range rapid.IntRange(2, 8).Draw(t, "guests") {
		p.GuestNames = append(p.GuestNames, fmt.Sprintf("v%d", i))
		for range d {
			p.Demand = append(p.Demand, float64(rapid.IntRange(1, 10).Draw(t, "demand")))
		}
		p.Appetite = append(p.Appetite, int8(rapid.IntRange(-1, d-1).Draw(t, "appetite")))
		grp := int32(NoHost)
		if ng > 0 && rapid.IntRange(0, 2).Draw(t, "in group") > 0 {
			grp = int32(rapid.IntRange(0, ng-1).Draw(t, "group"))
		}
		p.Group = append(p.Group, grp)
	}
	return p
}

// exactPlacement finds a placement of every new guest of p on its existing
// hosts that keeps every hard rule, by depth-first search over hosts per
// guest, written from the rules' definitions (capacity with the 1e-9
// slack, exclusion, host sets, hard same-appetite limit, groups at host,
// rack and zone scope, existing members counted); nil if none exists.
func exactPlacement(p *Problem) []int32 {
	d, h, g := len(p.DimNames), len(p.HostNames), len(p.GuestNames)
	used := make([]float64, h*d)
	apps := make([]int, h*d)
	for e, x := range p.ExistingHost {
		for k := range d {
			used[int(x)*d+k] += p.ExistingDemand[e*d+k]
		}
		if a := p.ExistingAppetite[e]; a >= 0 {
			apps[int(x)*d+int(a)]++
		}
	}
	dom := func(k int32, x int) int32 {
		switch p.Groups[k].Scope {
		case ScopeRack:
			return p.Rack[x]
		case ScopeZone:
			return p.Zone[x]
		}
		return int32(x)
	}
	var doms [][]int32 = make([][]int32, len(p.Groups))
	for e, k := range p.ExistingGroup {
		if k >= 0 {
			doms[k] = append(doms[k], dom(k, int(p.ExistingHost[e])))
		}
	}
	at := make([]int32, g)
	var try func(i int) bool
	try = func(i int) bool {
		if i == g {
			return true
		}
		for x := range h {
			if p.Excluded != nil && p.Excluded[x] {
				continue
			}
			if p.Pin != nil && p.Pin[i] != NoHost && int(p.Pin[i]) != x {
				continue
			}
			if p.Eligible != nil && p.Eligible[i] >= 0 && !p.HostSets[p.Eligible[i]].Hosts[x] {
				continue
			}
			ok := true
			for k := range d {
				if used[x*d+k]+p.Demand[i*d+k] > p.Offered[x*d+k]*(1+1e-9) {
					ok = false
				}
			}
			a := p.Appetite[i]
			if r := p.Policy.SameAppetite; ok && a >= 0 && r.Hard && r.MaxPerHost > 0 && apps[x*d+int(a)] >= r.MaxPerHost {
				ok = false
			}
			k := p.Group[i]
			if ok && k >= 0 {
				my := dom(k, x)
				for _, o := range doms[k] {
					if (o == my) != p.Groups[k].Together {
						ok = false
					}
				}
			}
			if !ok {
				continue
			}
			for j := range d {
				used[x*d+j] += p.Demand[i*d+j]
			}
			if a >= 0 {
				apps[x*d+int(a)]++
			}
			if k >= 0 {
				doms[k] = append(doms[k], dom(k, x))
			}
			at[i] = int32(x)
			if try(i + 1) {
				return true
			}
			for j := range d {
				used[x*d+j] -= p.Demand[i*d+j]
			}
			if a >= 0 {
				apps[x*d+int(a)]--
			}
			if k >= 0 {
				doms[k] = doms[k][:len(doms[k])-1]
			}
		}
		return false
	}
	if try(0) {
		return at
	}
	return nil
}

// TestDefaultPlacesWhatFits: on small fleets where brute force places
// every guest, Solve with the planner's default options (pack, align, 200
// improvement steps) places every guest too, and keeps every rule.
func TestDefaultPlacesWhatFits(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genSmallFleet(t)
		exact := exactPlacement(p)
		if exact == nil {
			t.Skip("no complete placement exists")
		}
		opt := Options{Strategy: rapid.SampledFrom(Strategies()).Draw(t, "strategy"), Seed: 1, Iterations: 200}
		s, err := Solve(p, opt)
		if err != nil {
			t.Fatal(err)
		}
		if bad := verify(p, s); len(bad) > 0 {
			t.Fatalf("independent checker: %v", bad)
		}
		for g, x := range s.Host {
			if x == NoHost {
				t.Fatalf("guest %s unplaced; brute force places all: %v (solution %v)", p.GuestNames[g], exact, s.Host)
			}
		}
	})
}
