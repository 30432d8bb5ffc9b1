package planner_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"pgregory.net/rapid"
)

const gi = 1 << 30

// randomScenario draws a fleet: hosts of random shapes in a few racks and
// zones, some already running guests, groups with every scope, a demand of
// the built-in profiles with random sizes, and a random policy.
func randomScenario(t *rapid.T) *inventory.Scenario {
	sc := &inventory.Scenario{
		APIVersion: inventory.APIVersion,
		Name:       "random",
		Source:     "rapid",
		Profiles:   inventory.BuiltInProfiles(),
		Policy:     inventory.DefaultPolicy(),
	}
	pol := &sc.Policy
	pol.Objective = rapid.SampledFrom([]inventory.Objective{inventory.ObjectivePack, inventory.ObjectiveSpread}).Draw(t, "objective")
	pol.Strategy = rapid.SampledFrom([]string{"align", "firstfit", "bestfit", "spread", "nomad", "kube"}).Draw(t, "strategy")
	pol.Seed = rapid.Uint64Range(1, 1000).Draw(t, "seed")
	pol.Overcommit[inventory.CPU] = rapid.SampledFrom([]float64{1, 2, 4}).Draw(t, "cpuOvercommit")
	pol.SameAppetite.Mode = rapid.SampledFrom([]inventory.AppetiteMode{inventory.AppetiteSoft, inventory.AppetiteHard, inventory.AppetiteOff}).Draw(t, "appetite")
	pol.SameAppetite.MaxPerHost = rapid.IntRange(1, 4).Draw(t, "maxPerHost")
	pol.FailoverHosts = rapid.IntRange(0, 1).Draw(t, "k")

	scopes := []inventory.Scope{inventory.ScopeHost, inventory.ScopeRack, inventory.ScopeZone}
	nGroups := rapid.IntRange(0, 3).Draw(t, "groups")
	for i := range nGroups {
		sc.Groups = append(sc.Groups, inventory.Group{
			Name:     fmt.Sprintf("g%d", i),
			Scope:    rapid.SampledFrom(scopes).Draw(t, "scope"),
			Together: rapid.IntRange(0, 4).Draw(t, "together") == 0,
		})
	}
	group := func(label string) string {
		if nGroups == 0 || rapid.IntRange(0, 2).Draw(t, label) > 0 {
			return ""
		}
		return fmt.Sprintf("g%d", rapid.IntRange(0, nGroups-1).Draw(t, label+"Which"))
	}
	profiles := []string{"web", "db", "cache"}
	nHosts := rapid.IntRange(1, 12).Draw(t, "hosts")
	guestNo := 0
	for i := range nHosts {
		h := inventory.Host{
			Name: fmt.Sprintf("h%02d", i),
			Labels: map[string]string{
				"rack": fmt.Sprintf("r%d", rapid.IntRange(0, 3).Draw(t, "rack")),
				"zone": fmt.Sprintf("z%d", rapid.IntRange(0, 1).Draw(t, "zone")),
			},
			Capacity: inventory.Vector{
				inventory.CPU:    float64(rapid.IntRange(8, 96).Draw(t, "cpu")),
				inventory.Memory: float64(rapid.IntRange(32, 768).Draw(t, "mem")) * gi,
				inventory.IOPS:   float64(rapid.IntRange(5, 100).Draw(t, "iops")) * 1000,
				inventory.Net:    float64(rapid.IntRange(1, 25).Draw(t, "net")) * 1e9,
			},
			Reserved: inventory.Vector{inventory.CPU: 2, inventory.Memory: 8 * gi},
		}
		for range rapid.IntRange(0, 5).Draw(t, "existing") {
			guestNo++
			prof := rapid.SampledFrom(profiles).Draw(t, "existingProfile")
			p, _ := findProfile(sc, prof)
			h.Guests = append(h.Guests, inventory.Guest{
				Name: fmt.Sprintf("old-%d", guestNo), Profile: prof, Group: group("existingGroup"),
				Allocation: p.Request.Scale(float64(rapid.IntRange(1, 8).Draw(t, "existingScale")) / 4),
			})
		}
		sc.Hosts = append(sc.Hosts, h)
	}
	if rapid.Bool().Draw(t, "models") {
		sc.HostModels = append(sc.HostModels, inventory.HostModel{
			Name:     "std",
			Capacity: inventory.Vector{inventory.CPU: 64, inventory.Memory: 512 * gi, inventory.IOPS: 50000, inventory.Net: 25e9},
			Max:      rapid.IntRange(0, 3).Draw(t, "modelMax"),
		})
	}
	if pol.FailoverHosts >= len(sc.Hosts) {
		pol.FailoverHosts = 0 // refused as a policy error (tested elsewhere)
	}
	for i := range rapid.IntRange(1, 6).Draw(t, "demands") {
		prof := rapid.SampledFrom(profiles).Draw(t, "demandProfile")
		d := inventory.Demand{
			Name: fmt.Sprintf("new%d", i), Profile: prof, Group: group("demandGroup"),
			Count: rapid.IntRange(1, 8).Draw(t, "count"),
		}
		if rapid.IntRange(0, 3).Draw(t, "selector") == 0 {
			d.Selector = map[string]string{"rack": fmt.Sprintf("r%d", rapid.IntRange(0, 3).Draw(t, "selectorRack"))}
		}
		sc.Demand = append(sc.Demand, d)
	}
	return sc
}

func findProfile(sc *inventory.Scenario, name string) (inventory.Profile, bool) {
	for _, p := range sc.Profiles {
		if p.Name == name {
			return p, true
		}
	}
	return inventory.Profile{}, false
}

// TestPlanProperties: over random fleets, every plan verifies against its
// scenario with the independent checker (no host over what it offers,
// every group rule and the hard appetite limit kept, every demanded guest
// placed or explained), and the same seed gives identical bytes.
func TestPlanProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := randomScenario(t)
		p, err := planner.New(sc).Plan()
		if err != nil {
			t.Fatalf("plan: %v", err)
		}
		if problems := planner.Verify(p, sc); len(problems) > 0 {
			t.Fatalf("plan does not verify:\n%s", strings.Join(problems, "\n"))
		}
		// The bound is on hosts needed to place everything; it says nothing
		// when some demand cannot be placed at all.
		if p.Metrics.Unplaced == 0 && p.Metrics.HostsUsed < p.Metrics.LowerBound {
			t.Fatalf("hosts used %d < lower bound %d", p.Metrics.HostsUsed, p.Metrics.LowerBound)
		}
		var a, b bytes.Buffer
		if err := planner.EncodeJSON(&a, p); err != nil {
			t.Fatal(err)
		}
		p2, err := planner.New(sc).Plan()
		if err != nil {
			t.Fatal(err)
		}
		if err := planner.EncodeJSON(&b, p2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatal("same scenario and seed gave different plans")
		}
	})
}
