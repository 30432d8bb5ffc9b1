package bench

import (
	"fmt"
	"math/rand/v2"

	"github.com/berth-dev/berth/placement"
)

// DriftedFleet is a fleet that drifted under churn, built at the placement
// level until scenarios/fleetgen lands (the same arguments give the same
// fleet): hosts of three shapes (cpu, memory
// GiB, IOPS, net Mbps) in racks of 40 and 4 zones; web, db and cache guests
// (a tenth of arrivals as replica sets of three: web apart by host, db by
// rack) arrive and are placed least-allocated, the way kube-scheduler's
// default spreads them; departures take whole replica sets at random; the
// load rises to about 70% of memory and falls back to perGuest guests per
// host on average. The result is spread thin: the fleet consolidation
// starts from. Costs are memory bytes, plus a db guest's 20 GiB of local
// disk (its storage is not shared).
func DriftedFleet(hosts int, perHost float64, seed uint64) *placement.MoveProblem {
	r := rand.New(rand.NewPCG(seed, 11))
	const d = 4
	shapes := [][d]float64{
		{64, 512, 20000, 10000},
		{96, 384, 10000, 10000},
		{48, 768, 40000, 25000},
	}
	p := &placement.Problem{DimNames: []string{"cpu", "memory", "iops", "net"}}
	for i := range hosts {
		p.HostNames = append(p.HostNames, fmt.Sprintf("h%04d", i))
		s := shapes[i%len(shapes)]
		p.Offered = append(p.Offered, s[:]...)
		p.Rack = append(p.Rack, int32(i/40))
		p.Zone = append(p.Zone, int32(i%4))
	}
	type guest struct {
		dem   [d]float64
		app   int8
		group int32
		disk  float64
		host  int32
	}
	var live []guest
	used := make([]float64, hosts*d)
	// taken[group] lists the domains its members hold.
	var taken [][]int32
	domain := func(k int32, h int) int32 {
		if p.Groups[k].Scope == placement.ScopeRack {
			return p.Rack[h]
		}
		return int32(h)
	}
	// place puts g on the feasible host least allocated after placing.
	place := func(g *guest) bool {
		best, bestFill := -1, 2.0
		for h := range hosts {
			fill, ok := 0.0, true
			for k := range d {
				u := used[h*d+k] + g.dem[k]
				if u > p.Offered[h*d+k] {
					ok = false
					break
				}
				fill += u / p.Offered[h*d+k] / d
			}
			if !ok || fill >= bestFill {
				continue
			}
			if g.group >= 0 {
				for _, x := range taken[g.group] {
					if x == domain(g.group, h) {
						ok = false
					}
				}
			}
			if ok {
				best, bestFill = h, fill
			}
		}
		if best < 0 {
			return false
		}
		g.host = int32(best)
		for k := range d {
			used[best*d+k] += g.dem[k]
		}
		if g.group >= 0 {
			taken[g.group] = append(taken[g.group], domain(g.group, best))
		}
		return true
	}
	role := func() ([d]float64, int8, float64) {
		switch r.IntN(3) {
		case 0: // web
			return [d]float64{4 + 4*r.Float64(), 8 + 8*r.Float64(), 100 + 200*r.Float64(), 200 + 300*r.Float64()}, 0, 0
		case 1: // db
			return [d]float64{2 + 2*r.Float64(), 16 + 16*r.Float64(), 2000 + 2000*r.Float64(), 100 + 200*r.Float64()}, 2, 20
		default: // cache
			return [d]float64{1 + r.Float64(), 32 + 16*r.Float64(), 50 + 50*r.Float64(), 300 + 300*r.Float64()}, 1, 0
		}
	}
	arrive := func() {
		dem, app, disk := role()
		n, grp := 1, int32(placement.NoHost)
		if r.IntN(10) == 0 && app != 1 {
			n, grp = 3, int32(len(p.Groups))
			scope := placement.ScopeHost
			if app == 2 {
				scope = placement.ScopeRack
			}
			p.Groups = append(p.Groups, placement.Group{Name: fmt.Sprintf("set%d", grp), Scope: scope})
			taken = append(taken, nil)
		}
		for range n {
			g := guest{dem: dem, app: app, group: grp, disk: disk}
			if place(&g) {
				live = append(live, g)
			}
		}
	}
	depart := func() {
		if len(live) == 0 {
			return
		}
		gone := live[r.IntN(len(live))]
		kept := live[:0]
		for _, g := range live {
			same := g.host == gone.host && g.dem == gone.dem
			if same || (gone.group >= 0 && g.group == gone.group) {
				for k := range d {
					used[int(g.host)*d+k] -= g.dem[k]
				}
				continue
			}
			kept = append(kept, g)
		}
		live = kept
		if gone.group >= 0 {
			taken[gone.group] = nil
		}
	}
	peak := int(float64(hosts) * perHost * 1.6)
	target := int(float64(hosts) * perHost)
	for tries := 0; len(live) < peak && tries < 4*peak; tries++ {
		arrive()
		if r.IntN(4) == 0 {
			depart()
		}
	}
	for len(live) > target {
		depart()
		if r.IntN(3) == 0 {
			arrive()
		}
	}
	mp := &placement.MoveProblem{P: p}
	for _, g := range live {
		p.ExistingHost = append(p.ExistingHost, g.host)
		p.ExistingDemand = append(p.ExistingDemand, g.dem[:]...)
		p.ExistingAppetite = append(p.ExistingAppetite, g.app)
		p.ExistingGroup = append(p.ExistingGroup, g.group)
		mp.Cost = append(mp.Cost, (g.dem[1]+g.disk)*(1<<30))
	}
	p.GuestNames, p.Demand, p.Appetite, p.Group = []string{}, []float64{}, []int8{}, []int32{}
	p.Policy.SameAppetite = placement.AppetiteRule{Penalty: 0.25}
	mp.Bandwidth = 1 << 30 // 1 GiB/s per migration
	return mp
}
