package placement

// chooser picks a moving guest's destination the way the construction
// picks a new guest's host: through the host index (index.go), scoring at
// most K feasible hosts with the strategy (the leftover rule by default)
// and taking the best, ties by a seed-derived key. Hosts are filed in
// tiers tried in order — e.g. hosts in use before empty ones — and a host
// in no tier is never offered.
type chooser struct {
	f     *moveFleet
	strat strategy
	k     int
	seed  uint64
	// tier says which tier host h belongs to now (−1: none); it is asked
	// again whenever the host's load changes.
	tier  func(h int) int
	tiers []*index
	in    []int8 // current tier per host, −1 none

	view hostView
	cur  cursor
	free []float64
	dem  []float64
}

func newChooser(f *moveFleet, opt MoveOptions, ntiers int, tier func(h int) int) (*chooser, error) {
	strat, _, err := lookupStrategy(opt.Strategy)
	if err != nil {
		return nil, err
	}
	k := opt.Candidates
	if k == 0 {
		k = DefaultCandidates
	}
	c := &chooser{f: f, strat: strat, k: k, seed: opt.Seed, tier: tier,
		in: make([]int8, f.h), free: make([]float64, f.d), dem: make([]float64, f.d)}
	ref := reference(f.p)
	for range ntiers {
		c.tiers = append(c.tiers, newIndex(f.h, f.d, ref))
	}
	for h := range f.h {
		c.in[h] = -1
		c.refresh(h)
	}
	f.hook = c.refresh
	return c, nil
}

// refresh files host h in its tier with its free room now.
func (c *chooser) refresh(h int) {
	f, d := c.f, c.f.d
	t := -1
	if !f.closed[h] {
		t = c.tier(h)
	}
	if old := c.in[h]; old >= 0 && int(old) != t {
		c.tiers[old].clear(h)
	}
	c.in[h] = int8(t)
	if t < 0 {
		return
	}
	for k := range d {
		c.free[k] = f.p.Offered[h*d+k]*(1+capEps) - f.used[h*d+k]
	}
	c.tiers[t].set(h, c.free)
}

// best is the destination for guest e: the best-scored feasible host of
// the first tier that has one, other than avoid; −1 when none.
func (c *chooser) best(e, avoid int) int {
	for _, idx := range c.tiers {
		if h := c.search(idx, e, avoid); h >= 0 {
			return h
		}
	}
	return -1
}

func (c *chooser) search(idx *index, e, avoid int) int {
	f := c.f
	dem := f.demand(e)
	idx.start(&c.cur, f.p.Policy.Objective == ObjectiveSpread)
	if !c.strat.first {
		c.cur.flip = mix(c.seed, e) | 1
	}
	best, found := -1, 0
	var bestTotal float64
	budget := 8*c.k + 64
	for h := idx.next(&c.cur, dem); h >= 0; h = idx.next(&c.cur, dem) {
		if h != avoid && f.fits(e, h) {
			t := c.score(e, h)
			if best < 0 || t > bestTotal || (t == bestTotal && mix(c.seed, h) < mix(c.seed, best)) {
				best, bestTotal = h, t
			}
			found++
			if c.strat.first || (c.k > 0 && found >= c.k) {
				break
			}
		}
		if c.k > 0 && best >= 0 && c.cur.visits >= budget {
			break
		}
	}
	return best
}

// score is the strategy's Total for guest e on host h.
func (c *chooser) score(e, h int) float64 {
	f, d := c.f, c.f.d
	v := &c.view
	v.Demand = f.demand(e)
	v.Used = f.used[h*d : h*d+d]
	v.Offered = f.p.Offered[h*d : h*d+d]
	v.InUse = f.guests[h] > 0
	v.Stacked = 0
	if a := f.p.ExistingAppetite[e]; a >= 0 {
		v.Stacked = int(f.app[h*d+int(a)])
	}
	v.Penalty = f.p.Policy.SameAppetite.Penalty
	v.Objective = f.p.Policy.Objective
	return c.strat.score(v).Total
}

// detach stops the chooser from hearing of the fleet's changes.
func (c *chooser) detach() { c.f.hook = nil }

// packTiers is the usual filing: under ObjectivePack hosts in use first,
// then empty ones; under ObjectiveSpread every open host at once.
func packTiers(f *moveFleet) (int, func(h int) int) {
	if f.p.Policy.Objective == ObjectiveSpread {
		return 1, func(int) int { return 0 }
	}
	return 2, func(h int) int {
		if f.guests[h] > 0 {
			return 0
		}
		return 1
	}
}
