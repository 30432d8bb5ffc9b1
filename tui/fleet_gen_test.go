package tui

import (
	"fmt"

	"github.com/berth-dev/berth/inventory"
)

// genFleet builds a synthetic fleet for benchmarks: hosts in racks of 20,
// each running perHost existing guests (web/db/cache in turn), and newGuests
// new guests demanded in equal thirds of the three built-in profiles.
func genFleet(hosts, perHost, newGuests int) *inventory.Scenario {
	const gi = 1 << 30
	sc := &inventory.Scenario{
		APIVersion: inventory.APIVersion,
		Name:       fmt.Sprintf("gen-%dx%d", hosts, perHost),
		Source:     "generated",
		Profiles:   inventory.BuiltInProfiles(),
		Policy:     inventory.DefaultPolicy(),
	}
	profiles := []string{"web", "db", "cache"}
	for i := range hosts {
		h := inventory.Host{
			Name:     fmt.Sprintf("h%04d", i+1),
			Labels:   map[string]string{"rack": fmt.Sprintf("r%02d", i/20+1), "zone": fmt.Sprintf("z%d", i/200+1)},
			Capacity: inventory.Vector{inventory.CPU: 96, inventory.Memory: 512 * gi, inventory.IOPS: 60000, inventory.Net: 25e9},
			Reserved: inventory.Vector{inventory.CPU: 4, inventory.Memory: 16 * gi},
		}
		for j := range perHost {
			p, _ := sc.Profile(profiles[(i+j)%3])
			h.Guests = append(h.Guests, inventory.Guest{
				Name: fmt.Sprintf("%s-g%d", h.Name, j+1), Profile: p.Name, Allocation: p.Request,
			})
		}
		sc.Hosts = append(sc.Hosts, h)
	}
	for i, p := range profiles {
		n := newGuests / 3
		if i < newGuests%3 {
			n++
		}
		if n > 0 {
			sc.Demand = append(sc.Demand, inventory.Demand{Name: "new-" + p, Profile: p, Count: n})
		}
	}
	return sc
}
