package placement

import "math"

// imState is the mutable placement the improvement phase searches over:
// the existing hosts plus the hosts the input solution bought, the load on
// each, and which new guests sit where. Every mutation keeps the bookkeeping
// exact, and the indexes of imIndexes current; whether a move is allowed is
// decided by fits, swap and swapAllows.
type imState struct {
	p    *Problem
	D, H int
	nh   int       // hosts: H existing + bought
	off  []float64 // nh*D offered
	used []float64 // nh*D used by existing and new guests
	rack []int32   // nh
	zone []int32   // nh
	// closed hosts take no new guests: excluded ones, and the host the
	// search is emptying.
	closed   []bool
	excluded []bool
	// nFixed counts the guests that cannot leave a host: existing guests,
	// pinned guests and members of affinity (Together) groups.
	nFixed  []int32
	members [][]int32 // movable new guests per host
	host    []int32   // per new guest, NoHost when unplaced
	pos     []int32   // index of the guest in members[host]
	movable []bool
	weight  []float64 // per new guest: how hard it is to place, one of weights
	weights [2][]float64
	// wi is the index of weight in weights; weightGen counts the switches.
	wi, weightGen int

	// simple is true when capacity is the only rule a move can break (no
	// groups, no hard same-appetite limit), which lets the search check
	// moves by arithmetic alone.
	simple   bool
	newHosts []int32         // model of each bought host, for the Eligible rule
	grpCount map[int64]int32 // (group, domain of its scope) → members there
	appCount []int32         // nh*D: guests of each appetite per host
	appMax   int32

	// nInUse and nBought count the hosts holding a guest, and those of
	// them bought.
	nInUse, nBought int

	imIndexes
}

func newImState(p *Problem, s *Solution) *imState {
	d, h := p.D(), p.H()
	nb := len(s.NewHosts)
	nh := h + nb
	st := &imState{
		p: p, D: d, H: h, nh: nh,
		off:       make([]float64, nh*d),
		used:      make([]float64, nh*d),
		rack:      make([]int32, nh),
		zone:      make([]int32, nh),
		closed:    make([]bool, nh),
		excluded:  make([]bool, nh),
		nFixed:    make([]int32, nh),
		members:   carve(nh, s.Host),
		host:      make([]int32, p.G()),
		pos:       make([]int32, p.G()),
		movable:   make([]bool, p.G()),
		grpCount:  map[int64]int32{},
		imIndexes: newIndexes(nh, d, s.Host),
	}
	copy(st.off, p.Offered)
	copy(st.rack, p.Rack)
	copy(st.zone, p.Zone)
	maxRack, maxZone := p.domainBase()
	for i := range h {
		if p.Excluded != nil && p.Excluded[i] {
			st.excluded[i], st.closed[i] = true, true
		}
	}
	for i, m := range s.NewHosts {
		hi := h + i
		md := p.Models[m]
		copy(st.off[hi*d:], md.Offered)
		st.rack[hi], st.zone[hi] = md.Rack, md.Zone
		if md.Rack < 0 {
			st.rack[hi] = maxRack + 1 + int32(i)
		}
		if md.Zone < 0 {
			st.zone[hi] = maxZone + 1 + int32(i)
		}
	}
	rule := p.Policy.SameAppetite
	st.simple = len(p.Groups) == 0 && !(rule.Hard && rule.MaxPerHost > 0) && p.Eligible == nil
	st.newHosts = s.NewHosts
	if rule.Hard && rule.MaxPerHost > 0 {
		st.appCount = make([]int32, nh*d)
		st.appMax = int32(rule.MaxPerHost)
	}
	for e, x := range p.ExistingHost {
		for k := range d {
			st.used[int(x)*d+k] += p.ExistingDemand[e*d+k]
		}
		st.nFixed[x]++
		st.count(int(x), p.ExistingGroup[e], p.ExistingAppetite[e], +1)
	}
	for g := range p.G() {
		st.host[g] = NoHost
		// Pinned guests and members of affinity groups stay as they
		// are, placed or not: moving one member alone could split its
		// group.
		fixed := p.Pin != nil && p.Pin[g] != NoHost
		if grp := p.Group[g]; grp != NoHost && p.Groups[grp].Together {
			fixed = true
		}
		st.movable[g] = !fixed
		x := s.Host[g]
		if x == NoHost {
			continue
		}
		st.add(g, int(x))
	}
	st.reweight()
	st.nInUse, st.nBought = 0, 0 // the existing guests bypassed add
	for h := range nh {
		if st.inUse(h) {
			st.nInUse++
			if h >= st.H {
				st.nBought++
			}
		}
	}
	st.room = newRoomTable(st)
	st.changed = st.changed[:0]
	return st
}

// normaliser is the largest offer per dimension over hosts and models, so
// that sizes of different units can be added.
func (st *imState) normaliser() []float64 {
	d := st.D
	norm := make([]float64, d)
	for i := range st.nh {
		for k := range d {
			norm[k] = math.Max(norm[k], st.off[i*d+k])
		}
	}
	for _, m := range st.p.Models {
		for k := range d {
			norm[k] = math.Max(norm[k], m.Offered[k])
		}
	}
	for k := range norm {
		if norm[k] <= 0 {
			norm[k] = 1
		}
	}
	return norm
}

func (st *imState) domain(grp int32, h int) int64 {
	var dom int32
	switch st.p.Groups[grp].Scope {
	case ScopeHost:
		dom = int32(h)
	case ScopeRack:
		dom = st.rack[h]
	default:
		dom = st.zone[h]
	}
	return int64(grp)<<32 | int64(uint32(dom))
}

// count updates the group and appetite bookkeeping of host h by delta.
func (st *imState) count(h int, grp int32, app int8, delta int32) {
	if grp != NoHost {
		st.grpCount[st.domain(grp, h)] += delta
	}
	if st.appCount != nil && app >= 0 && int(app) < st.D {
		st.appCount[h*st.D+int(app)] += delta
	}
}

// add puts new guest g on host h (no checks).
func (st *imState) add(g, h int) {
	d := st.D
	if !st.inUse(h) {
		st.nInUse++
		if h >= st.H {
			st.nBought++
		}
	}
	for k := range d {
		st.used[h*d+k] += st.p.Demand[g*d+k]
	}
	st.host[g] = int32(h)
	if st.movable[g] {
		st.pos[g] = int32(len(st.members[h]))
		st.members[h] = append(st.members[h], int32(g))
	} else {
		st.nFixed[h]++
	}
	st.count(h, st.p.Group[g], st.p.Appetite[g], +1)
	st.touch(h)
}

// remove takes movable guest g off its host (no checks).
func (st *imState) remove(g int) {
	h := int(st.host[g])
	d := st.D
	for k := range d {
		st.used[h*d+k] -= st.p.Demand[g*d+k]
	}
	m := st.members[h]
	i := st.pos[g]
	last := m[len(m)-1]
	m[i] = last
	st.pos[last] = i
	st.members[h] = m[:len(m)-1]
	st.host[g] = NoHost
	if !st.inUse(h) {
		st.nInUse--
		if h >= st.H {
			st.nBought--
		}
	}
	st.count(h, st.p.Group[g], st.p.Appetite[g], -1)
	st.touch(h)
}

// inUse reports whether host h holds any guest.
func (st *imState) inUse(h int) bool { return st.nFixed[h] > 0 || len(st.members[h]) > 0 }

// fits reports whether new guest g may go on host h now: the host is open,
// has room in every dimension, and no group, hard appetite or host-set
// (Eligible) rule breaks.
func (st *imState) fits(g, h int) bool {
	return !st.closed[h] && st.fitsCapacity(g, h) && (st.simple || st.rulesAllow(g, h))
}

// fitsCapacity reports whether new guest g has room on host h in every
// dimension, whatever the rules say.
func (st *imState) fitsCapacity(g, h int) bool {
	d := st.D
	dem := st.p.Demand[g*d : g*d+d]
	used := st.used[h*d : h*d+d]
	off := st.off[h*d : h*d+d]
	for k, x := range dem {
		if used[k]+x > off[k] {
			return false
		}
	}
	return true
}

// rulesLocal reports whether every rule that can refuse new guest g on a
// host depends on that host alone (its own guests, load and flags), not on
// its rack or zone: then a host where g found no room keeps having none
// until touch sees it change.
func (st *imState) rulesLocal(g int) bool {
	grp := st.p.Group[g]
	return st.simple || grp == NoHost || st.p.Groups[grp].Together || st.p.Groups[grp].Scope == ScopeHost
}

func (st *imState) rulesAllow(g, h int) bool {
	if !eligibleOn(st.p, g, h, st.newHosts) {
		return false
	}
	if grp := st.p.Group[g]; grp != NoHost && !st.p.Groups[grp].Together {
		if st.grpCount[st.domain(grp, h)] > 0 {
			return false
		}
	}
	if st.appCount != nil {
		if a := st.p.Appetite[g]; a >= 0 && int(a) < st.D && st.appCount[h*st.D+int(a)] >= st.appMax {
			return false
		}
	}
	return true
}

// swap moves the guests out (on host h) off it and the unplaced guests in
// onto it, if every rule allows; otherwise it changes nothing and returns
// false.
func (st *imState) swap(h int, out, in []int32) bool {
	for _, g := range out {
		st.remove(int(g))
	}
	for i, g := range in {
		if !st.fits(int(g), h) {
			for _, x := range in[:i] {
				st.remove(int(x))
			}
			for _, x := range out {
				st.add(int(x), h)
			}
			return false
		}
		st.add(int(g), h)
	}
	return true
}

// hostsInUse counts hosts holding a guest, and how many of them are bought.
func (st *imState) hostsInUse() (used, bought int) { return st.nInUse, st.nBought }

// fill is host h's mean utilisation over the dimensions, 0..1.
func (st *imState) fill(h int) float64 {
	d := st.D
	f := 0.0
	for k := range d {
		if o := st.off[h*d+k]; o > 0 {
			f += st.used[h*d+k] / o
		}
	}
	return f / float64(d)
}

// solution builds a Solution from the state, dropping bought hosts left
// empty and keeping the others in their original order.
func (st *imState) solution(in *Solution) *Solution {
	cp := *in // keeps fields the improvement does not touch
	out := &cp
	out.Host, out.NewHosts, out.Terms = make([]int32, len(st.host)), nil, nil
	remap := make([]int32, st.nh)
	for i := range st.H {
		remap[i] = int32(i)
	}
	for i, m := range in.NewHosts {
		hi := st.H + i
		if st.inUse(hi) {
			remap[hi] = int32(st.H + len(out.NewHosts))
			out.NewHosts = append(out.NewHosts, m)
		} else {
			remap[hi] = NoHost
		}
	}
	for g, x := range st.host {
		out.Host[g] = NoHost
		if x != NoHost {
			out.Host[g] = remap[x]
		}
	}
	// Terms stay with guests that did not move: they still explain the
	// host; a moved guest's host was chosen by the search, not a score.
	if len(in.Terms) == len(in.Host) {
		out.Terms = make([]Terms, len(in.Terms))
		for g := range out.Host {
			if x := in.Host[g]; x != NoHost && remap[x] == out.Host[g] && st.host[g] == x {
				out.Terms[g] = in.Terms[g]
			}
		}
	}
	return out
}
