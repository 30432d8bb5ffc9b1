package placement

import "fmt"

// mHost and mGuest describe a fleet for move tests in one line each.
type mHost struct {
	off  []float64
	rack int32
}

type mGuest struct {
	host  int32
	dem   []float64
	group int32   // NoHost = none
	app   int8    // -1 = none
	cost  float64 // bytes; 0 = 1
}

// g is a guest on host h of demand dem, in no group, no appetite, cost 1.
func g(h int32, dem ...float64) mGuest { return mGuest{host: h, dem: dem, group: NoHost, app: -1} }

// inGroup puts the guest in group k.
func (x mGuest) inGroup(k int32) mGuest { x.group = k; return x }

// costs sets the guest's migration bytes.
func (x mGuest) costs(b float64) mGuest { x.cost = b; return x }

// moveFixture builds a move problem: one dimension per offer entry, hosts
// h0, h1, … in their racks (zone 0), guests e0, e1, … where they are.
func moveFixture(hosts []mHost, guests []mGuest, groups ...Group) *MoveProblem {
	d := len(hosts[0].off)
	p := &Problem{Groups: groups}
	for k := range d {
		p.DimNames = append(p.DimNames, fmt.Sprintf("d%d", k))
	}
	for i, h := range hosts {
		p.HostNames = append(p.HostNames, fmt.Sprintf("h%d", i))
		p.Offered = append(p.Offered, h.off...)
		p.Rack = append(p.Rack, h.rack)
		p.Zone = append(p.Zone, 0)
	}
	mp := &MoveProblem{P: p}
	for _, x := range guests {
		p.ExistingHost = append(p.ExistingHost, x.host)
		p.ExistingDemand = append(p.ExistingDemand, x.dem...)
		p.ExistingAppetite = append(p.ExistingAppetite, x.app)
		p.ExistingGroup = append(p.ExistingGroup, x.group)
		c := x.cost
		if c == 0 {
			c = 1
		}
		mp.Cost = append(mp.Cost, c)
	}
	p.GuestNames, p.Demand, p.Appetite, p.Group = []string{}, []float64{}, []int8{}, []int32{}
	return mp
}

// hosts10 is n hosts offering 10 in one dimension, each in its own rack.
func hosts10(n int) []mHost {
	var hs []mHost
	for i := range n {
		hs = append(hs, mHost{off: []float64{10}, rack: int32(i)})
	}
	return hs
}
