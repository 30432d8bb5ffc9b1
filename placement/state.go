package placement

// capEps is the relative slack of every capacity comparison: a host holds a
// load when used ≤ offered·(1+capEps). It absorbs float rounding of sums taken
// in different orders (the solver adds guests one by one, Check adds them
// again from scratch); it is far below any real unit (1e-9 of a host).
const capEps = 1e-9

// within reports whether a load of used fits an offer, with capEps slack.
func within(used, offered float64) bool { return used <= offered*(1+capEps) }

// state is the placement being built: the existing hosts plus the hosts
// bought so far, what each one carries, and the group and appetite
// bookkeeping the hard rules need. All per-host data is flat, indexed
// [host*D + dim]; nothing in it is a map, so iteration order is fixed.
type state struct {
	p *Problem
	d int // dimensions
	h int // existing hosts
	n int // hosts now: existing + bought

	offered []float64 // n*d
	used    []float64 // n*d, existing and placed new guests
	guests  []int32   // n, guests (existing + new) on each host
	app     []int32   // n*d, guests of each appetite on each host
	rack    []int32   // n
	zone    []int32   // n

	newHosts []int32 // model of each bought host
	bought   []int   // per model, how many were bought

	host []int32 // per new guest: its host or NoHost

	// members[k] lists the domain (of group k's scope) of every member of
	// group k placed so far, existing first, with repetition. Groups are
	// replica sets (a handful of members), so a linear scan beats any index.
	members [][]int32
	// taken[k], for a group of more than bigGroup members, is a bitset over
	// the domains its members occupy, so the anti-affinity test stays O(1)
	// for a service with thousands of replicas.
	taken [][]uint64

	maxRack, maxZone int32 // Problem.domainBase: bought hosts number from here

	weight []float64 // scarcity(p), computed when first needed
}

// newState loads the existing hosts and guests; skip (a new guest index or
// -1) is left out of everything, which Explain uses to look at a guest "as if
// it were moved".
func newState(p *Problem, extra int) *state {
	d, h := p.D(), p.H()
	st := &state{
		p: p, d: d, h: h, n: h,
		offered: make([]float64, h*d, (h+extra)*d),
		used:    make([]float64, h*d, (h+extra)*d),
		guests:  make([]int32, h, h+extra),
		app:     make([]int32, h*d, (h+extra)*d),
		rack:    make([]int32, h, h+extra),
		zone:    make([]int32, h, h+extra),
		bought:  make([]int, len(p.Models)),
		host:    make([]int32, p.G()),
		members: make([][]int32, len(p.Groups)),
		taken:   make([][]uint64, len(p.Groups)),
	}
	copy(st.offered, p.Offered)
	copy(st.rack, p.Rack)
	copy(st.zone, p.Zone)
	st.maxRack, st.maxZone = p.domainBase()
	for g := range st.host {
		st.host[g] = NoHost
	}
	for e, x := range p.ExistingHost {
		hx := int(x)
		for k := range d {
			st.used[hx*d+k] += p.ExistingDemand[e*d+k]
		}
		st.guests[hx]++
		if a := p.ExistingAppetite[e]; a >= 0 {
			st.app[hx*d+int(a)]++
		}
		if k := p.ExistingGroup[e]; k >= 0 {
			st.join(k, st.domain(hx, p.Groups[k].Scope))
		}
	}
	return st
}

// buy opens a host of model m and returns its index. A model without a rack
// (zone) gets the id base+1+i (Problem.domainBase) for the i-th bought host, the convention
// every part of the package shares.
func (st *state) buy(m int) int {
	md := &st.p.Models[m]
	i := len(st.newHosts)
	st.offered = append(st.offered, md.Offered...)
	for range st.d {
		st.used = append(st.used, 0)
		st.app = append(st.app, 0)
	}
	st.guests = append(st.guests, 0)
	r, z := md.Rack, md.Zone
	if r < 0 {
		r = st.maxRack + 1 + int32(i)
	}
	if z < 0 {
		z = st.maxZone + 1 + int32(i)
	}
	st.rack = append(st.rack, r)
	st.zone = append(st.zone, z)
	st.newHosts = append(st.newHosts, int32(m))
	st.bought[m]++
	st.n++
	return st.n - 1
}

// canBuy reports whether model m may still be bought.
func (st *state) canBuy(m int) bool {
	mx := st.p.Models[m].Max
	return mx == 0 || st.bought[m] < mx
}

// domain is host h's failure domain at scope s.
func (st *state) domain(h int, s Scope) int32 {
	switch s {
	case ScopeRack:
		return st.rack[h]
	case ScopeZone:
		return st.zone[h]
	}
	return int32(h)
}

// place puts new guest g on host h, whatever the rules say.
func (st *state) place(g, h int) {
	p, d := st.p, st.d
	for k := range d {
		st.used[h*d+k] += p.Demand[g*d+k]
	}
	st.guests[h]++
	if a := p.Appetite[g]; a >= 0 {
		st.app[h*d+int(a)]++
	}
	if k := p.Group[g]; k >= 0 {
		st.join(k, st.domain(h, p.Groups[k].Scope))
	}
	st.host[g] = int32(h)
}

// bigGroup is the member count above which a group's domains are also kept
// in a bitset.
const bigGroup = 32

// join records a member of group k in domain dom.
func (st *state) join(k int32, dom int32) {
	st.members[k] = append(st.members[k], dom)
	ms := st.members[k]
	switch {
	case len(ms) > bigGroup && st.taken[k] == nil:
		for _, m := range ms {
			st.taken[k] = setBit(st.taken[k], m)
		}
	case st.taken[k] != nil:
		st.taken[k] = setBit(st.taken[k], dom)
	}
}

func setBit(bs []uint64, i int32) []uint64 {
	w := int(i) / 64
	for len(bs) <= w {
		bs = append(bs, 0)
	}
	bs[w] |= 1 << (uint(i) % 64)
	return bs
}

func hasBit(bs []uint64, i int32) bool {
	w := int(i) / 64
	return w < len(bs) && bs[w]&(1<<(uint(i)%64)) != 0
}

// excluded reports whether host h takes no new guests.
func (st *state) excluded(h int) bool {
	return h < st.h && st.p.Excluded != nil && st.p.Excluded[h]
}

// fitsCapacity reports whether g's demand fits h's free room in every
// dimension.
func (st *state) fitsCapacity(g, h int) bool {
	d := st.d
	dem := st.p.Demand[g*d : g*d+d]
	off := st.offered[h*d : h*d+d]
	used := st.used[h*d : h*d+d]
	for k, x := range dem {
		if !within(used[k]+x, off[k]) {
			return false
		}
	}
	return true
}

// rulesAllow checks the hard rules other than capacity and exclusion: the
// same-appetite limit and the group rules.
func (st *state) rulesAllow(g, h int) bool {
	p := st.p
	if !st.eligible(g, h) {
		return false
	}
	if r := p.Policy.SameAppetite; r.Hard && r.MaxPerHost > 0 {
		if a := p.Appetite[g]; a >= 0 && st.app[h*st.d+int(a)] >= int32(r.MaxPerHost) {
			return false
		}
	}
	return st.groupAllows(g, h, st.rack[h], st.zone[h])
}

// groupAllows checks g's group rule on a host h in the given rack and zone
// (h may be a host about to be bought).
func (st *state) groupAllows(g, h int, rack, zone int32) bool {
	p := st.p
	if k := p.Group[g]; k >= 0 {
		grp := &p.Groups[k]
		dom := int32(h)
		switch grp.Scope {
		case ScopeRack:
			dom = rack
		case ScopeZone:
			dom = zone
		}
		ms := st.members[k]
		if grp.Together {
			return len(ms) == 0 || ms[0] == dom
		}
		if bs := st.taken[k]; bs != nil {
			return !hasBit(bs, dom)
		}
		for _, m := range ms {
			if m == dom {
				return false
			}
		}
	}
	return true
}

// eligible reports whether host h (existing or bought) is in g's host set.
func (st *state) eligible(g, h int) bool {
	return eligibleOn(st.p, g, h, st.newHosts)
}

// eligibleOn is the Eligible rule for host h of a solution whose bought
// hosts have the models newHosts; Check and the improvement phase share it.
func eligibleOn(p *Problem, g, h int, newHosts []int32) bool {
	if p.Eligible == nil || p.Eligible[g] < 0 {
		return true
	}
	set := &p.HostSets[p.Eligible[g]]
	if h < p.H() {
		return set.Hosts[h]
	}
	i := h - p.H()
	return i < len(newHosts) && newHosts[i] >= 0 && int(newHosts[i]) < len(set.Models) && set.Models[newHosts[i]]
}

// feasible is every hard rule: not excluded, capacity, appetite, groups.
func (st *state) feasible(g, h int) bool {
	return !st.excluded(h) && st.fitsCapacity(g, h) && st.rulesAllow(g, h)
}

// refusals appends every reason host h refuses guest g to out.
func (st *state) refusals(g, h int, out []Refusal) []Refusal {
	p, d := st.p, st.d
	h32 := int32(h)
	if p.Pin != nil && p.Pin[g] != NoHost && int(p.Pin[g]) != h {
		out = append(out, Refusal{Host: h32, Rule: RulePinned, Group: NoHost})
	}
	if st.excluded(h) {
		out = append(out, Refusal{Host: h32, Rule: RuleExcluded, Group: NoHost})
	}
	if !st.eligible(g, h) {
		out = append(out, Refusal{Host: h32, Rule: RuleSelector, Group: NoHost})
	}
	for k := range d {
		x, u, o := p.Demand[g*d+k], st.used[h*d+k], st.offered[h*d+k]
		if !within(u+x, o) {
			out = append(out, Refusal{Host: h32, Rule: RuleCapacity, Dim: k, Group: NoHost, Requested: x, Free: o - u})
		}
	}
	if r := p.Policy.SameAppetite; r.Hard && r.MaxPerHost > 0 {
		if a := p.Appetite[g]; a >= 0 && st.app[h*d+int(a)] >= int32(r.MaxPerHost) {
			out = append(out, Refusal{Host: h32, Rule: RuleAppetite, Dim: int(a), Group: NoHost,
				Requested: 1, Free: float64(int32(r.MaxPerHost) - st.app[h*d+int(a)])})
		}
	}
	if k := p.Group[g]; k >= 0 {
		grp := &p.Groups[k]
		dom := st.domain(h, grp.Scope)
		ms := st.members[k]
		if grp.Together {
			if len(ms) > 0 && ms[0] != dom {
				out = append(out, Refusal{Host: h32, Rule: RuleAffinity, Group: k})
			}
		} else {
			for _, m := range ms {
				if m == dom {
					out = append(out, Refusal{Host: h32, Rule: RuleAntiAffinity, Group: k})
					break
				}
			}
		}
	}
	return out
}

// view fills v with what a strategy needs to score guest g on host h.
func (st *state) view(v *hostView, g, h int) {
	d, p := st.d, st.p
	v.Demand = p.Demand[g*d : g*d+d]
	v.Used = st.used[h*d : h*d+d]
	v.Offered = st.offered[h*d : h*d+d]
	v.InUse = st.guests[h] > 0
	v.Stacked = 0
	if a := p.Appetite[g]; a >= 0 {
		v.Stacked = int(st.app[h*d+int(a)])
	}
	v.Penalty = p.Policy.SameAppetite.Penalty
	v.Objective = p.Policy.Objective
	if st.weight == nil {
		st.weight = scarcity(p)
	}
	v.Weight = st.weight
}
