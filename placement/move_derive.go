package placement

import "slices"

// flight is a migration under way: guest e counts on its source and on to.
type flight struct{ e, to int32 }

// derive builds a Problem of the fleet in one state, so that the package's
// own checks (FailoverCheck, Explain) can judge it: the existing guests at
// the hosts in at, then one more existing guest per flight, a copy of the
// migrating guest on its destination (sorted by guest, so that the order is
// canonical). Hosts in gone are excluded on top of p's exclusions. Guest
// skip (≥ 0) is left out of the existing guests and becomes the only new
// guest, for Explain; −1 = none. The result shares p's read-only slices
// where it can (models included, which host sets refer to).
func derive(mp *MoveProblem, at []int32, flights []flight, gone []bool, skip int) *Problem {
	p := mp.P
	d := p.D()
	q := &Problem{
		DimNames: p.DimNames, HostNames: p.HostNames, Offered: p.Offered,
		Rack: p.Rack, Zone: p.Zone, Groups: p.Groups, HostSets: p.HostSets,
		Models: p.Models, Policy: p.Policy,
	}
	if gone != nil || p.Excluded != nil {
		q.Excluded = make([]bool, p.H())
		for h := range q.Excluded {
			q.Excluded[h] = (p.Excluded != nil && p.Excluded[h]) || (gone != nil && gone[h])
		}
	}
	n := len(at) + len(flights)
	q.ExistingHost = make([]int32, 0, n)
	q.ExistingDemand = make([]float64, 0, n*d)
	q.ExistingAppetite = make([]int8, 0, n)
	q.ExistingGroup = make([]int32, 0, n)
	put := func(e int, h int32) {
		q.ExistingHost = append(q.ExistingHost, h)
		q.ExistingDemand = append(q.ExistingDemand, p.ExistingDemand[e*d:e*d+d]...)
		q.ExistingAppetite = append(q.ExistingAppetite, p.ExistingAppetite[e])
		q.ExistingGroup = append(q.ExistingGroup, p.ExistingGroup[e])
	}
	for e, h := range at {
		if e != skip {
			put(e, h)
		}
	}
	fl := slices.Clone(flights)
	slices.SortFunc(fl, func(a, b flight) int { return int(a.e) - int(b.e) })
	for _, x := range fl {
		put(int(x.e), x.to)
	}
	if skip >= 0 {
		q.GuestNames = []string{"moving"}
		q.Demand = slices.Clone(p.ExistingDemand[skip*d : skip*d+d])
		q.Appetite = []int8{p.ExistingAppetite[skip]}
		q.Group = []int32{p.ExistingGroup[skip]}
		if mp.Eligible != nil {
			q.Eligible = []int32{mp.Eligible[skip]}
		}
	} else {
		q.GuestNames, q.Demand, q.Appetite, q.Group = []string{}, []float64{}, []int8{}, []int32{}
	}
	return q
}

// homeless is how many guests the failover check for mp.Failover failed
// hosts leaves without a host in this state (0 when it holds).
func homeless(mp *MoveProblem, at []int32, flights []flight, gone []bool) int {
	if mp.Failover <= 0 {
		return 0
	}
	q := derive(mp, at, flights, gone, -1)
	fo := FailoverCheck(q, &Solution{Host: []int32{}, NewHosts: []int32{}}, mp.Failover)
	if fo.Holds {
		return 0
	}
	return fo.Homeless
}

// explainExisting ranks every host for existing guest e as Explain does for
// an unplaced new guest, in the fleet as f has it (e left out of it), hosts
// closed in f counting as excluded.
func explainExisting(f *moveFleet, e int, strategy string) []Candidate {
	q := derive(f.mp, f.at, nil, f.closed, e)
	return Explain(q, &Solution{Host: []int32{NoHost}, NewHosts: []int32{}, Terms: make([]Terms, 1), Strategy: strategy}, 0)
}
