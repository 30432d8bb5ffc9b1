package placement

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Dimensions of the hand-built fleets in these tests.
const (
	cpu = iota
	mem
	iops
)

// host is a one-line fixture: offered (cpu, mem GiB, iops) and what already
// runs there.
type fixtureHost struct {
	name          string
	offered, used [3]float64
}

// fleet builds a problem over cpu/mem/iops from fixture hosts (each host's
// existing load becomes one existing guest with no appetite) and new guests
// given as demand and appetite.
func fleet(hosts []fixtureHost, guests ...fixtureGuest) *Problem {
	p := &Problem{DimNames: []string{"cpu", "memory", "iops"}}
	for i, h := range hosts {
		p.HostNames = append(p.HostNames, h.name)
		p.Offered = append(p.Offered, h.offered[:]...)
		p.Rack = append(p.Rack, int32(i))
		p.Zone = append(p.Zone, int32(i))
		if h.used != [3]float64{} {
			p.ExistingHost = append(p.ExistingHost, int32(i))
			p.ExistingDemand = append(p.ExistingDemand, h.used[:]...)
			p.ExistingAppetite = append(p.ExistingAppetite, -1)
			p.ExistingGroup = append(p.ExistingGroup, NoHost)
		}
	}
	for _, g := range guests {
		p.GuestNames = append(p.GuestNames, g.name)
		p.Demand = append(p.Demand, g.demand[:]...)
		p.Appetite = append(p.Appetite, g.appetite)
		p.Group = append(p.Group, NoHost)
	}
	return p
}

type fixtureGuest struct {
	name     string
	demand   [3]float64
	appetite int8
}

func web(name string) fixtureGuest   { return fixtureGuest{name, [3]float64{8, 8, 200}, cpu} }
func db(name string) fixtureGuest    { return fixtureGuest{name, [3]float64{2, 8, 4000}, iops} }
func cache(name string) fixtureGuest { return fixtureGuest{name, [3]float64{1, 48, 100}, mem} }

// seedFleet: three hosts of the same shape (32 cpu, 128 GiB, 10,000 IOPS),
// each already busy except in one resource: A has CPU left over, B IOPS,
// C memory.
func seedFleet() []fixtureHost {
	return []fixtureHost{
		{"A", [3]float64{32, 128, 10000}, [3]float64{8, 112, 9000}},
		{"B", [3]float64{32, 128, 10000}, [3]float64{28, 112, 1000}},
		{"C", [3]float64{32, 128, 10000}, [3]float64{28, 32, 9000}},
	}
}

func hostNames(p *Problem, s *Solution) map[string]string {
	out := map[string]string{}
	for g, h := range s.Host {
		name := "unplaced"
		if h >= 0 && int(h) < p.H() {
			name = p.HostNames[h]
		} else if h >= 0 {
			name = "bought"
		}
		out[p.GuestNames[g]] = name
	}
	return out
}

// TestLeftoverRule is the seed's rule: a web guest goes where CPU is left
// over, a db guest where IOPS are, a cache guest where memory is.
func TestLeftoverRule(t *testing.T) {
	for _, objective := range []Objective{ObjectivePack, ObjectiveSpread} {
		p := fleet(seedFleet(), web("web"), db("db"), cache("cache"))
		p.Policy.Objective = objective
		s, err := Solve(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"web": "A", "db": "B", "cache": "C"}
		if diff := cmp.Diff(want, hostNames(p, s)); diff != "" {
			t.Errorf("objective %d: placement (-want +got):\n%s", objective, diff)
		}
		if v := Check(p, s); len(v) > 0 {
			t.Errorf("violations: %v", v)
		}
	}
}
