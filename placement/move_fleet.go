package placement

// moveFleet is the running fleet the move planners change: where each existing
// guest is, and what each host carries. A guest in flight (a live migration
// under way) is counted on its source and its destination: arrive adds it
// to the destination, depart takes it off the source when the migration
// ends. Outside a schedule the two follow each other at once (move).
//
// Group members are counted once per domain even when a migration inside
// one domain puts them on two of its hosts: anti-affinity is about distinct
// guests sharing a domain.
type moveFleet struct {
	mp   *MoveProblem
	p    *Problem
	d, h int

	at     []int32   // per existing guest: its host (the source while in flight)
	used   []float64 // h*d
	guests []int32   // per host: guests there, arrivals in flight included
	app    []int32   // h*d: guests of each appetite, arrivals included
	// grp counts distinct group members per (group, domain of its scope).
	grp map[int64]int32
	// on[h] lists the guests whose host is h (departures in flight
	// included, arrivals not); pos[e] is e's index in on[at[e]].
	on  [][]int32
	pos []int32

	closed []bool // hosts that take no guest: excluded, drained, being freed
	// home is, per Together group, the domain holding most of its members
	// at the start (Check's rule); a member may move only within its
	// domain or into its group's home.
	home []int32

	// hook, when set, hears of every host whose load changed.
	hook func(h int)
}

func newFleet(mp *MoveProblem) *moveFleet {
	p := mp.P
	d, h := p.D(), p.H()
	f := &moveFleet{
		mp: mp, p: p, d: d, h: h,
		at:     make([]int32, mp.E()),
		used:   make([]float64, h*d),
		guests: make([]int32, h),
		app:    make([]int32, h*d),
		grp:    map[int64]int32{},
		on:     make([][]int32, h),
		pos:    make([]int32, mp.E()),
		closed: make([]bool, h),
	}
	for i := range h {
		f.closed[i] = p.Excluded != nil && p.Excluded[i]
	}
	for e, x := range p.ExistingHost {
		f.at[e] = x
		f.pos[e] = int32(len(f.on[x]))
		f.on[x] = append(f.on[x], int32(e))
		f.add(e, int(x), +1)
		if k := p.ExistingGroup[e]; k >= 0 {
			f.grp[f.key(k, int(x))]++
		}
	}
	f.home = togetherHomes(p)
	return f
}

// togetherHomes is, per group, the domain holding most of its members (ties:
// the domain of the lowest-numbered member), or NoHost for anti-affinity
// groups and groups with no member — Check's rule for affinity.
func togetherHomes(p *Problem) []int32 {
	home := make([]int32, len(p.Groups))
	for k := range home {
		home[k] = NoHost
	}
	counts := map[int64]int{}
	first := map[int64]int{}
	best := make([]int, len(p.Groups))
	bestFirst := make([]int, len(p.Groups))
	for e, k := range p.ExistingGroup {
		if k < 0 || !p.Groups[k].Together {
			continue
		}
		dom := domainAt(p, p.Groups[k].Scope, int(p.ExistingHost[e]))
		key := int64(k)<<32 | int64(uint32(dom))
		if _, ok := first[key]; !ok {
			first[key] = e
		}
		counts[key]++
	}
	for e, k := range p.ExistingGroup {
		if k < 0 || !p.Groups[k].Together {
			continue
		}
		dom := domainAt(p, p.Groups[k].Scope, int(p.ExistingHost[e]))
		key := int64(k)<<32 | int64(uint32(dom))
		n, fst := counts[key], first[key]
		if home[k] == NoHost || n > best[k] || (n == best[k] && fst < bestFirst[k]) {
			home[k], best[k], bestFirst[k] = dom, n, fst
		}
	}
	return home
}

// domainAt is host h's domain at scope s in p.
func domainAt(p *Problem, s Scope, h int) int32 {
	switch s {
	case ScopeRack:
		return p.Rack[h]
	case ScopeZone:
		return p.Zone[h]
	}
	return int32(h)
}

func (f *moveFleet) dom(k int32, h int) int32 { return domainAt(f.p, f.p.Groups[k].Scope, h) }

func (f *moveFleet) key(k int32, h int) int64 {
	return int64(k)<<32 | int64(uint32(f.dom(k, h)))
}

func (f *moveFleet) demand(e int) []float64 {
	return f.p.ExistingDemand[e*f.d : e*f.d+f.d]
}

// add counts guest e's load and appetite on host h (sign ±1).
func (f *moveFleet) add(e, h int, sign int32) {
	d := f.d
	for k, x := range f.demand(e) {
		f.used[h*d+k] += float64(sign) * x
	}
	f.guests[h] += sign
	if a := f.p.ExistingAppetite[e]; a >= 0 {
		f.app[h*d+int(a)] += sign
	}
	if f.hook != nil {
		f.hook(h)
	}
}

// movable reports whether guest e may ever move.
func (f *moveFleet) movable(e int) bool {
	if f.mp.kept(e) {
		return false
	}
	if k := f.p.ExistingGroup[e]; k >= 0 && f.p.Groups[k].Together && f.p.Groups[k].Scope == ScopeHost {
		// A member of a host-scope affinity group can only move to
		// another host, which splits the group while it is in flight;
		// it moves only to its group's home host (repair).
		return f.home[k] != f.at[e]
	}
	return true
}

// eligible reports whether host t is in guest e's host set.
func (f *moveFleet) eligible(e, t int) bool {
	mp := f.mp
	if mp.Eligible == nil || mp.Eligible[e] < 0 {
		return true
	}
	return f.p.HostSets[mp.Eligible[e]].Hosts[t]
}

// fits is the destination rule: guest e may start a migration to host t
// now, with everything in flight counted. Host t is open and eligible, has
// room in every dimension, stays under the hard same-appetite limit, holds
// no other member of e's anti-affinity group in its domain, and, for an
// affinity group, is in e's own domain or in the group's home.
func (f *moveFleet) fits(e, t int) bool {
	if f.closed[t] || int(f.at[e]) == t || !f.eligible(e, t) {
		return false
	}
	return f.roomFor(e, t) && f.rulesAllow(e, t)
}

// roomFor is the capacity part of fits.
func (f *moveFleet) roomFor(e, t int) bool {
	d := f.d
	off := f.p.Offered[t*d : t*d+d]
	used := f.used[t*d : t*d+d]
	for k, x := range f.demand(e) {
		if !within(used[k]+x, off[k]) {
			return false
		}
	}
	return true
}

// rulesAllow is the appetite and group part of fits.
func (f *moveFleet) rulesAllow(e, t int) bool {
	p := f.p
	if r := p.Policy.SameAppetite; r.Hard && r.MaxPerHost > 0 {
		if a := p.ExistingAppetite[e]; a >= 0 && f.app[t*f.d+int(a)] >= int32(r.MaxPerHost) {
			return false
		}
	}
	k := p.ExistingGroup[e]
	if k < 0 {
		return true
	}
	s := int(f.at[e])
	same := f.dom(k, t) == f.dom(k, s)
	if p.Groups[k].Together {
		return same || f.dom(k, t) == f.home[k]
	}
	n := f.grp[f.key(k, t)]
	if same {
		n-- // e itself
	}
	return n == 0
}

// arrive starts e's migration to t: e now also counts on t.
func (f *moveFleet) arrive(e, t int) {
	f.add(e, t, +1)
	if k := f.p.ExistingGroup[e]; k >= 0 && f.dom(k, t) != f.dom(k, int(f.at[e])) {
		f.grp[f.key(k, t)]++
	}
}

// unarrive takes back an arrive that has not departed.
func (f *moveFleet) unarrive(e, t int) {
	f.add(e, t, -1)
	if k := f.p.ExistingGroup[e]; k >= 0 && f.dom(k, t) != f.dom(k, int(f.at[e])) {
		f.grp[f.key(k, t)]--
	}
}

// depart ends e's migration to t: e leaves its source.
func (f *moveFleet) depart(e, t int) {
	s := int(f.at[e])
	f.add(e, s, -1)
	if k := f.p.ExistingGroup[e]; k >= 0 && f.dom(k, t) != f.dom(k, s) {
		f.grp[f.key(k, s)]--
	}
	// Unlink e from on[s], link it on t.
	m := f.on[s]
	i := f.pos[e]
	last := m[len(m)-1]
	m[i] = last
	f.pos[last] = i
	f.on[s] = m[:len(m)-1]
	f.at[e] = int32(t)
	f.pos[e] = int32(len(f.on[t]))
	f.on[t] = append(f.on[t], int32(e))
}

// move puts e on t at once (no flight), whatever the rules say.
func (f *moveFleet) move(e, t int) {
	if int(f.at[e]) == t {
		return
	}
	f.arrive(e, t)
	f.depart(e, t)
}

// load is host h's dominant utilisation: max over dimensions of
// used/offered (dimensions the host does not offer left out), 0..1 when
// within its offer.
func (f *moveFleet) load(h int) float64 {
	d := f.d
	u := 0.0
	for k := range d {
		u = max(u, frac(f.used[h*d+k], f.p.Offered[h*d+k]))
	}
	return u
}

// peak is the largest load of any host.
func (f *moveFleet) peak() float64 {
	m := 0.0
	for h := range f.h {
		m = max(m, f.load(h))
	}
	return m
}

// snapshot is a copy of where every guest is.
func (f *moveFleet) snapshot() []int32 { return append([]int32(nil), f.at...) }

// restore moves every guest back to where snap has it.
func (f *moveFleet) restore(snap []int32) {
	for e, x := range snap {
		if f.at[e] != x {
			f.move(e, int(x))
		}
	}
}
