package scenarios

import (
	"fmt"
	"math/rand/v2"

	"github.com/berth-dev/berth/inventory"
)

// GenerateOptions sizes a synthetic fleet.
type GenerateOptions struct {
	Hosts int // physical hosts
	// Existing guests per host on average, and new guests demanded in all.
	ExistingPerHost int
	NewGuests       int
	// Running > 0 gives exactly this many running guests in all instead
	// (ExistingPerHost is then ignored), each on a host drawn at random,
	// or the next one with room: a fleet of any size with a set number of
	// running guests, for the whole-path benchmarks. A host is filled to
	// at most 60% of any dimension, so fewer are made only when the fleet
	// is full.
	Running int
	// GroupSize > 0 puts new db and cache guests in anti-affinity groups of
	// this many replicas (db per rack, cache per host).
	GroupSize int
	Seed      uint64
}

// Generate builds a synthetic fleet in the spirit of the default scenario,
// at any size: hosts of four shapes in racks of 20 and zones of 10 racks,
// each running a random mix of web, db and cache guests, and a demand of
// new web, db and cache guests. It is for benchmarks and load tests; the
// same options give the same scenario.
func Generate(o GenerateOptions) *inventory.Scenario {
	const gi = 1 << 30
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	sc := &inventory.Scenario{
		APIVersion: inventory.APIVersion,
		Name:       fmt.Sprintf("generated-%dh-%dg", o.Hosts, o.NewGuests),
		Source:     "generated",
		Profiles:   inventory.BuiltInProfiles(),
		Policy:     inventory.DefaultPolicy(),
	}
	shapes := []inventory.Vector{
		{inventory.CPU: 64, inventory.Memory: 192 * gi, inventory.IOPS: 10_000, inventory.Net: 25e9}, // compute
		{inventory.CPU: 32, inventory.Memory: 256 * gi, inventory.IOPS: 80_000, inventory.Net: 25e9}, // NVMe
		{inventory.CPU: 32, inventory.Memory: 768 * gi, inventory.IOPS: 15_000, inventory.Net: 25e9}, // memory-rich
		{inventory.CPU: 48, inventory.Memory: 384 * gi, inventory.IOPS: 30_000, inventory.Net: 25e9}, // general
	}
	// What overflows the fleet is bought: a general-purpose model, no limit.
	sc.HostModels = []inventory.HostModel{{
		Name:     "general-48",
		Capacity: shapes[3],
		Reserved: inventory.Vector{inventory.CPU: 2, inventory.Memory: 16 * gi},
	}}
	profiles := []string{"web", "db", "cache"}
	request := map[string]inventory.Vector{}
	for _, p := range sc.Profiles {
		request[p.Name] = p.Request
	}
	guest := 0
	for h := range o.Hosts {
		host := inventory.Host{
			Name: fmt.Sprintf("kvm%05d", h+1),
			Labels: map[string]string{
				"rack": fmt.Sprintf("r%03d", h/20+1),
				"zone": fmt.Sprintf("z%02d", h/200+1),
			},
			Capacity: shapes[rng.IntN(len(shapes))],
			Reserved: inventory.Vector{inventory.CPU: 2, inventory.Memory: 16 * gi},
		}
		// Fill to at most ~60% of the host's tightest dimension, so every
		// host has leftovers of its own shape.
		var used inventory.Vector
		for range existing(rng, o) {
			prof := profiles[rng.IntN(len(profiles))]
			alloc := request[prof]
			if !used.Add(alloc).Fits(host.Capacity.Scale(0.6)) {
				break
			}
			used = used.Add(alloc)
			guest++
			host.Guests = append(host.Guests, inventory.Guest{
				Name: fmt.Sprintf("vm%07d", guest), Profile: prof, Allocation: alloc,
			})
		}
		sc.Hosts = append(sc.Hosts, host)
	}
	if o.Running > 0 {
		addRunning(sc, o, request, profiles, guest)
	}
	// Demand in entries of at most GroupSize (or 100) guests of one profile.
	chunk := 100
	if o.GroupSize > 0 {
		chunk = o.GroupSize
	}
	for i, left := 0, o.NewGuests; left > 0; i++ {
		prof := profiles[i%len(profiles)]
		n := min(chunk, left)
		d := inventory.Demand{Name: fmt.Sprintf("%s%05d", prof, i+1), Profile: prof, Count: n}
		if o.GroupSize > 0 && prof != "web" {
			g := inventory.Group{Name: d.Name, Scope: inventory.ScopeRack}
			if prof == "cache" {
				g.Scope = inventory.ScopeHost
			}
			sc.Groups = append(sc.Groups, g)
			d.Group = g.Name
		}
		sc.Demand = append(sc.Demand, d)
		left -= n
	}
	return sc
}

// existing is how many running guests the host loop tries to put on one
// host: none when the total is set with Running (addRunning places them).
func existing(rng *rand.Rand, o GenerateOptions) int {
	if o.Running > 0 {
		return 0
	}
	return rng.IntN(2*o.ExistingPerHost + 1)
}

// addRunning places o.Running running guests on the hosts of sc, each on a
// random host or the next one (in order, wrapping) that stays within 60%
// of its capacity in every dimension; it stops early only when no host has
// room. Guests are named after the guest−1 already made.
func addRunning(sc *inventory.Scenario, o GenerateOptions, request map[string]inventory.Vector, profiles []string, guest int) {
	n := len(sc.Hosts)
	if n == 0 {
		return
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x7a11))
	used := make([]inventory.Vector, n)
	for range o.Running {
		prof := profiles[rng.IntN(len(profiles))]
		alloc := request[prof]
		start := rng.IntN(n)
		placed := false
		for k := range n {
			h := (start + k) % n
			host := &sc.Hosts[h]
			if !used[h].Add(alloc).Fits(host.Capacity.Scale(0.6)) {
				continue
			}
			used[h] = used[h].Add(alloc)
			guest++
			host.Guests = append(host.Guests, inventory.Guest{
				Name: fmt.Sprintf("vm%07d", guest), Profile: prof, Allocation: alloc,
			})
			placed = true
			break
		}
		if !placed {
			return
		}
	}
}
