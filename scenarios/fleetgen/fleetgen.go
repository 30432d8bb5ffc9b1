// Package fleetgen generates web/db/cache fleets of the kind berth plans:
// CPU-hungry web guests, I/O-hungry db guests and memory-hungry cache
// guests, arriving in random order, to be placed on identical empty hosts
// of 64 vCPU, 512 GiB, 100k IOPS and 25 Gbps in racks of 20.
//
// A fleet is a mix (what share of the guests each kind has: web-heavy,
// cache-heavy or balanced) and a size (200 to 10,000 guests). Guests come
// as services: a web service has 2 to 8 replicas that never share a host,
// a database 3 replicas that never share a rack, a cache 2 or 3 replicas
// that never share a host; a fifth of the guests are singletons. Every
// replica of a service has the same demand, drawn from the kind's sizes.
//
// The same options give the same fleet, byte for byte (math/rand/v2's PCG
// seeded with Options.Seed). `berth bench fleet` packs these fleets with
// every strategy and baseline; docs/BENCHMARKS.md has the figures.
package fleetgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/berth-dev/berth/placement"
)

// Dimensions, in the order of Problem.DimNames, and their units.
const (
	CPU    = 0 // vCPUs
	Memory = 1 // GiB
	IOPS   = 2 // I/O operations per second
	Net    = 3 // Mbit/s
	D      = 4
)

// DimNames names the dimensions with their units.
var DimNames = []string{"cpu", "memory_gib", "iops", "net_mbps"}

// HostOffer is what every host offers: 64 vCPU, 512 GiB, 100k IOPS, 25 Gbps.
var HostOffer = [D]float64{64, 512, 100_000, 25_000}

// RackSize is how many hosts share a rack.
const RackSize = 20

// Kind is what a guest runs.
type Kind uint8

const (
	Web   Kind = iota // CPU-hungry app servers
	DB                // I/O-hungry databases
	Cache             // memory-hungry caches
)

func (k Kind) String() string { return [...]string{"web", "db", "cache"}[k] }

// appetite is the kind's dominant dimension.
func (k Kind) appetite() int8 { return [...]int8{CPU, IOPS, Memory}[k] }

// sizes are the demands a service of each kind may have (one drawn per
// service): web 2–16 vCPU with 2–4 GiB per vCPU, db 4–16 vCPU with
// 5k–20k IOPS, cache 1–4 vCPU with 32–128 GiB.
var sizes = [3][][D]float64{
	Web: {
		{2, 4, 100, 200}, {4, 8, 200, 300}, {4, 16, 200, 500},
		{8, 16, 300, 500}, {8, 32, 300, 800}, {16, 32, 500, 1000},
	},
	DB: {
		{4, 16, 5000, 200}, {4, 32, 8000, 300}, {8, 32, 10_000, 300},
		{8, 64, 15_000, 500}, {16, 64, 20_000, 500},
	},
	Cache: {
		{1, 32, 100, 500}, {2, 48, 100, 800}, {2, 64, 200, 1000},
		{4, 96, 200, 1500}, {4, 128, 300, 2000},
	},
}

// Mixes names the guest mixes, each the share of web, db and cache guests.
var Mixes = map[string][3]float64{
	"web-heavy":   {0.6, 0.2, 0.2},
	"cache-heavy": {0.2, 0.2, 0.6},
	"balanced":    {0.34, 0.33, 0.33},
}

// MixNames lists the mixes, sorted.
func MixNames() []string {
	out := make([]string, 0, len(Mixes))
	for n := range Mixes {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Options choose a fleet.
type Options struct {
	Guests int    // how many guests to place, ≥ 1
	Mix    string // a key of Mixes
	Seed   uint64
}

// Guest is one guest to place.
type Guest struct {
	Name   string
	Kind   Kind
	Demand [D]float64
	// Group is the index of the guest's service in Fleet.Groups, or -1 for
	// a singleton.
	Group int32
}

// Group is a service's replicas: never two on one host (ScopeHost) or in
// one rack (ScopeRack).
type Group struct {
	Name  string
	Scope placement.Scope
}

// Fleet is a generated fleet: Hosts identical empty hosts (more than any
// sensible packing needs) and the guests in arrival order.
type Fleet struct {
	Name   string // e.g. "balanced-1000-s1"
	Hosts  int
	Guests []Guest
	Groups []Group
}

// Generate builds the fleet opt describes.
func Generate(opt Options) (*Fleet, error) {
	share, ok := Mixes[opt.Mix]
	if !ok {
		return nil, fmt.Errorf("fleetgen: unknown mix %q (known: %v)", opt.Mix, MixNames())
	}
	if opt.Guests < 1 {
		return nil, fmt.Errorf("fleetgen: %d guests: want at least 1", opt.Guests)
	}
	r := rand.New(rand.NewPCG(opt.Seed, 0x666c656574))
	f := &Fleet{Name: fmt.Sprintf("%s-%d-s%d", opt.Mix, opt.Guests, opt.Seed)}
	// Kinds are drawn per service, so each is weighted by its share of
	// guests over its mean replica count (web 4.2, db 2.6, cache 2.2).
	var weight [3]float64
	for k, m := range [3]float64{4.2, 2.6, 2.2} {
		weight[k] = share[k] / m
	}
	count := [3]int{}
	for len(f.Guests) < opt.Guests {
		kind := pick(r, weight)
		dem := sizes[kind][r.IntN(len(sizes[kind]))]
		n, scope := 1, placement.ScopeHost
		if r.Float64() >= 0.2 {
			switch kind {
			case Web:
				n = 2 + r.IntN(7)
			case DB:
				n, scope = 3, placement.ScopeRack
			case Cache:
				n = 2 + r.IntN(2)
			}
		}
		n = min(n, opt.Guests-len(f.Guests))
		count[kind]++
		base := fmt.Sprintf("%s-%d", kind, count[kind])
		grp := int32(-1)
		if n > 1 {
			grp = int32(len(f.Groups))
			f.Groups = append(f.Groups, Group{Name: base, Scope: scope})
		}
		for i := range n {
			name := base
			if n > 1 {
				name = fmt.Sprintf("%s-%d", base, i+1)
			}
			f.Guests = append(f.Guests, Guest{Name: name, Kind: kind, Demand: dem, Group: grp})
		}
	}
	r.Shuffle(len(f.Guests), func(i, j int) { f.Guests[i], f.Guests[j] = f.Guests[j], f.Guests[i] })
	f.Hosts = hostsFor(f)
	return f, nil
}

// pick draws a kind with the given weights.
func pick(r *rand.Rand, share [3]float64) Kind {
	x := r.Float64() * (share[0] + share[1] + share[2])
	for k, s := range share {
		if x < s {
			return Kind(k)
		}
		x -= s
	}
	return Cache
}

// hostsFor is the fleet's size: half again the hosts the largest
// dimension's volume needs, plus a rack, rounded up to whole racks, and at
// least as many as the largest group needs racks.
func hostsFor(f *Fleet) int {
	var sum [D]float64
	for _, g := range f.Guests {
		for k := range D {
			sum[k] += g.Demand[k]
		}
	}
	need := 0.0
	for k := range D {
		need = math.Max(need, sum[k]/HostOffer[k])
	}
	n := int(math.Ceil(need*1.5)) + RackSize
	n = max(n, 3*RackSize)
	return (n + RackSize - 1) / RackSize * RackSize
}

// Problem is the fleet as a placement problem: Hosts empty hosts named
// h0000… in racks of RackSize (zone = rack), the guests in arrival order,
// each group an anti-affinity group, each guest's appetite its kind's
// dominant dimension, and policy as given (berth's default is pack with a
// same-appetite penalty of 0.25).
func (f *Fleet) Problem(policy placement.Policy) *placement.Problem {
	p := &placement.Problem{DimNames: slices.Clone(DimNames), Policy: policy}
	for h := range f.Hosts {
		p.HostNames = append(p.HostNames, fmt.Sprintf("h%04d", h))
		p.Offered = append(p.Offered, HostOffer[:]...)
		p.Rack = append(p.Rack, int32(h/RackSize))
		p.Zone = append(p.Zone, int32(h/RackSize))
	}
	for _, g := range f.Groups {
		p.Groups = append(p.Groups, placement.Group{Name: g.Name, Scope: g.Scope})
	}
	for _, g := range f.Guests {
		p.GuestNames = append(p.GuestNames, g.Name)
		p.Demand = append(p.Demand, g.Demand[:]...)
		p.Appetite = append(p.Appetite, g.Kind.appetite())
		p.Group = append(p.Group, g.Group)
	}
	return p
}

// DefaultPolicy is berth's default placement policy: pack, with the soft
// same-appetite rule at a penalty of 0.25.
func DefaultPolicy() placement.Policy {
	return placement.Policy{
		Objective:    placement.ObjectivePack,
		SameAppetite: placement.AppetiteRule{Penalty: 0.25},
	}
}
