package fleetgen

import (
	"reflect"
	"testing"

	"github.com/berth-dev/berth/placement"
)

func TestGenerateIsDeterministic(t *testing.T) {
	a, err := Generate(Options{Guests: 500, Mix: "balanced", Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate(Options{Guests: 500, Mix: "balanced", Seed: 3})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same options gave different fleets")
	}
	c, _ := Generate(Options{Guests: 500, Mix: "balanced", Seed: 4})
	if reflect.DeepEqual(a.Guests, c.Guests) {
		t.Fatal("seeds 3 and 4 gave the same guests")
	}
}

func TestGenerateFollowsTheMix(t *testing.T) {
	for mix, share := range Mixes {
		f, err := Generate(Options{Guests: 5000, Mix: mix, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Guests) != 5000 {
			t.Fatalf("%s: %d guests, want 5000", mix, len(f.Guests))
		}
		var n [3]float64
		for _, g := range f.Guests {
			n[g.Kind]++
		}
		// Kinds are drawn per service, so the shares of guests wander
		// with the replica counts; a tenth of the whole is ample.
		for k := range n {
			if got := n[k] / 5000; got < share[k]-0.1 || got > share[k]+0.1 {
				t.Errorf("%s: %s share %.2f, want about %.2f", mix, Kind(k), got, share[k])
			}
		}
	}
}

func TestProblemHasGroupsAndRacks(t *testing.T) {
	f, _ := Generate(Options{Guests: 1000, Mix: "web-heavy", Seed: 1})
	p := f.Problem(DefaultPolicy())
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.H() != f.Hosts || p.H()%RackSize != 0 {
		t.Fatalf("%d hosts, want %d in whole racks of %d", p.H(), f.Hosts, RackSize)
	}
	members := map[int32]int{}
	for _, g := range p.Group {
		if g >= 0 {
			members[g]++
		}
	}
	rackScoped := 0
	for k, grp := range p.Groups {
		if members[int32(k)] < 2 {
			t.Errorf("group %s has %d members", grp.Name, members[int32(k)])
		}
		if grp.Scope == placement.ScopeRack {
			rackScoped++
		}
	}
	if len(p.Groups) == 0 || rackScoped == 0 {
		t.Fatalf("%d groups, %d rack-scoped: want both", len(p.Groups), rackScoped)
	}
	// Arrival order is shuffled: replicas of one service are not all
	// next to each other.
	adjacent := 0
	for i := 1; i < len(p.Group); i++ {
		if p.Group[i] >= 0 && p.Group[i] == p.Group[i-1] {
			adjacent++
		}
	}
	if adjacent > len(p.Group)/10 {
		t.Errorf("%d of %d guests follow a replica of their service: not shuffled", adjacent, len(p.Group))
	}
	s, err := placement.Solve(p, placement.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if v := placement.Check(p, s); len(v) > 0 {
		t.Fatalf("a plan of the generated fleet breaks %d rules: %+v", len(v), v[0])
	}
}

func TestGenerateRefusesBadOptions(t *testing.T) {
	if _, err := Generate(Options{Guests: 10, Mix: "gpu"}); err == nil {
		t.Error("unknown mix accepted")
	}
	if _, err := Generate(Options{Guests: 0, Mix: "balanced"}); err == nil {
		t.Error("0 guests accepted")
	}
}
