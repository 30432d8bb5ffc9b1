package bench

import (
	"cmp"
	"math"
	"slices"

	"github.com/berth-dev/berth/placement"
)

// Baselines for `berth bench rebalance`: what berth's move planner is
// compared with, each named after the tool it imitates and written from
// that tool's published method, on the same placement problem and under
// the same hard rules as berth (capacity within the offer, anti-affinity
// groups, the hard same-appetite limit, kept guests, excluded hosts).
// They decide final states only: they do not schedule waves.

// BaselineResult is where a baseline leaves the guests and what it cost.
type BaselineResult struct {
	Final []int32 // host of each existing guest after
	Moves int     // guests whose host changed
	Bytes float64 // their MoveProblem.Cost
	Freed int     // hosts with guests before and none after
	// Peak is the largest dominant utilisation of any host after (max
	// over dimensions of used/offered).
	Peak float64
}

// WatcherConsolidate imitates OpenStack Watcher's VM workload
// consolidation (strategy vm_workload_consolidation, its consolidation
// phase): hosts are taken least loaded first; each guest of a host goes to
// the most loaded host in use where it fits; a host is emptied only if all
// of its guests find a place (all or nothing per host), and a host that
// received guests is not emptied afterwards. Load is a host's mean
// utilisation over the dimensions. maxMoves > 0 stops it before the first
// host whose guests would take it past that many migrations.
func WatcherConsolidate(mp *placement.MoveProblem, maxMoves int) BaselineResult {
	b := newBaseFleet(mp)
	recv := make([]bool, b.h)
	order := b.inUse()
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(b.fill(x), b.fill(y)) })
	emptied := make([]bool, b.h)
	moves := 0
	for _, s := range order {
		guests := b.guestsOn(s)
		if recv[s] || len(guests) == 0 || !b.allMovable(guests) {
			continue
		}
		if maxMoves > 0 && moves+len(guests) > maxMoves {
			break
		}
		dests := b.inUse()
		slices.SortStableFunc(dests, func(x, y int) int { return cmp.Compare(b.fill(y), b.fill(x)) })
		var done []int
		ok := true
		for _, e := range guests {
			t := -1
			for _, h := range dests {
				if h != s && !emptied[h] && b.fits(e, h) {
					t = h
					break
				}
			}
			if t < 0 {
				ok = false
				break
			}
			b.move(e, t)
			done = append(done, e)
		}
		if !ok {
			for _, e := range done {
				b.move(e, s)
			}
			continue
		}
		for _, e := range done {
			recv[b.at[e]] = true
		}
		emptied[s] = true
		moves += len(guests)
	}
	return b.result()
}

// HbalGreedy imitates Ganeti's hbal: it repeats the single move (one guest
// to one other host) that most lowers the cluster score, and stops when no
// move lowers it or after maxMoves moves (0 = no limit). The score is
// hbal's core: the standard deviation of the hosts' utilisation, summed
// over the dimensions (hbal weighs CPU, memory and disk ratios alike),
// over every open host.
func HbalGreedy(mp *placement.MoveProblem, maxMoves int) BaselineResult {
	b := newBaseFleet(mp)
	n := 0
	for h := range b.h {
		if !b.closed(h) {
			n++
		}
	}
	if n == 0 {
		return b.result()
	}
	// s1[k] = Σ u, s2[k] = Σ u² over open hosts; score = Σ_k sd_k.
	s1, s2 := make([]float64, b.d), make([]float64, b.d)
	for h := range b.h {
		if b.closed(h) {
			continue
		}
		for k := range b.d {
			u := b.util(h, k)
			s1[k] += u
			s2[k] += u * u
		}
	}
	sd := func(a, q float64) float64 {
		m := a / float64(n)
		return math.Sqrt(max(0, q/float64(n)-m*m))
	}
	score := func(a, q []float64) float64 {
		s := 0.0
		for k := range a {
			s += sd(a[k], q[k])
		}
		return s
	}
	moved := 0
	a2, q2 := make([]float64, b.d), make([]float64, b.d)
	for maxMoves <= 0 || moved < maxMoves {
		cur := score(s1, s2)
		bestE, bestT, bestScore := -1, -1, cur-1e-12
		for e := range b.at {
			s := int(b.at[e])
			if !b.movable(e) {
				continue
			}
			for t := range b.h {
				if t == s || b.closed(t) || !b.fits(e, t) {
					continue
				}
				for k := range b.d {
					us, ut := b.util(s, k), b.util(t, k)
					ds, dt := utilShare(b.dem(e, k), b.off(s, k)), utilShare(b.dem(e, k), b.off(t, k))
					a2[k] = s1[k] - ds + dt
					q2[k] = s2[k] - us*us + (us-ds)*(us-ds) - ut*ut + (ut+dt)*(ut+dt)
				}
				if v := score(a2, q2); v < bestScore {
					bestE, bestT, bestScore = e, t, v
				}
			}
		}
		if bestE < 0 {
			break
		}
		s := int(b.at[bestE])
		for k := range b.d {
			us, ut := b.util(s, k), b.util(bestT, k)
			s1[k] -= us + ut
			s2[k] -= us*us + ut*ut
		}
		b.move(bestE, bestT)
		for k := range b.d {
			us, ut := b.util(s, k), b.util(bestT, k)
			s1[k] += us + ut
			s2[k] += us*us + ut*ut
		}
		moved++
	}
	return b.result()
}

// baseFleet is the baselines' own bookkeeping of a running fleet.
type baseFleet struct {
	mp   *placement.MoveProblem
	p    *placement.Problem
	d, h int
	at   []int32
	used []float64
	app  []int
	// grp counts group members per (group, domain).
	grp map[[2]int32]int
}

func newBaseFleet(mp *placement.MoveProblem) *baseFleet {
	p := mp.P
	b := &baseFleet{mp: mp, p: p, d: len(p.DimNames), h: len(p.HostNames), at: slices.Clone(p.ExistingHost), grp: map[[2]int32]int{}}
	b.used = make([]float64, b.h*b.d)
	b.app = make([]int, b.h*b.d)
	for e, h := range b.at {
		b.add(e, int(h), 1)
	}
	return b
}

func (b *baseFleet) dem(e, k int) float64 { return b.p.ExistingDemand[e*b.d+k] }
func (b *baseFleet) off(h, k int) float64 { return b.p.Offered[h*b.d+k] }
func (b *baseFleet) util(h, k int) float64 {
	return utilShare(b.used[h*b.d+k], b.off(h, k))
}

func utilShare(x, c float64) float64 {
	if c <= 0 {
		return 0
	}
	return x / c
}

func (b *baseFleet) domain(k int32, h int) int32 {
	switch b.p.Groups[k].Scope {
	case placement.ScopeRack:
		return b.p.Rack[h]
	case placement.ScopeZone:
		return b.p.Zone[h]
	}
	return int32(h)
}

func (b *baseFleet) add(e, h, sign int) {
	for k := range b.d {
		b.used[h*b.d+k] += float64(sign) * b.dem(e, k)
	}
	if a := b.p.ExistingAppetite[e]; a >= 0 {
		b.app[h*b.d+int(a)] += sign
	}
	if k := b.p.ExistingGroup[e]; k >= 0 {
		b.grp[[2]int32{k, b.domain(k, h)}] += sign
	}
}

func (b *baseFleet) move(e, t int) {
	b.add(e, int(b.at[e]), -1)
	b.add(e, t, 1)
	b.at[e] = int32(t)
}

func (b *baseFleet) closed(h int) bool { return b.p.Excluded != nil && b.p.Excluded[h] }

// movable: not kept and in no affinity group (the baselines keep groups
// that must stay together where they are).
func (b *baseFleet) movable(e int) bool {
	if b.mp.Keep != nil && b.mp.Keep[e] {
		return false
	}
	k := b.p.ExistingGroup[e]
	return k < 0 || !b.p.Groups[k].Together
}

func (b *baseFleet) allMovable(guests []int) bool {
	for _, e := range guests {
		if !b.movable(e) {
			return false
		}
	}
	return true
}

// fits: guest e may go to host t — open, in its host set, room in every
// dimension, under the hard appetite limit, no other member of its
// anti-affinity group in t's domain.
func (b *baseFleet) fits(e, t int) bool {
	if b.closed(t) || int(b.at[e]) == t {
		return false
	}
	if el := b.mp.Eligible; el != nil && el[e] >= 0 && !b.p.HostSets[el[e]].Hosts[t] {
		return false
	}
	for k := range b.d {
		if b.used[t*b.d+k]+b.dem(e, k) > b.off(t, k)*(1+1e-9) {
			return false
		}
	}
	r := b.p.Policy.SameAppetite
	if a := b.p.ExistingAppetite[e]; a >= 0 && r.Hard && r.MaxPerHost > 0 && b.app[t*b.d+int(a)] >= r.MaxPerHost {
		return false
	}
	if k := b.p.ExistingGroup[e]; k >= 0 {
		n := b.grp[[2]int32{k, b.domain(k, t)}]
		if b.domain(k, t) == b.domain(k, int(b.at[e])) {
			n--
		}
		if n > 0 {
			return false
		}
	}
	return true
}

// fill is host h's mean utilisation over the dimensions it offers.
func (b *baseFleet) fill(h int) float64 {
	s, n := 0.0, 0
	for k := range b.d {
		if b.off(h, k) > 0 {
			s += b.util(h, k)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return s / float64(n)
}

func (b *baseFleet) inUse() []int {
	count := make([]int, b.h)
	for _, h := range b.at {
		count[h]++
	}
	var out []int
	for h, c := range count {
		if c > 0 && !b.closed(h) {
			out = append(out, h)
		}
	}
	return out
}

func (b *baseFleet) guestsOn(h int) []int {
	var out []int
	for e, x := range b.at {
		if int(x) == h {
			out = append(out, e)
		}
	}
	return out
}

func (b *baseFleet) result() BaselineResult {
	r := BaselineResult{Final: slices.Clone(b.at)}
	before, after := make([]bool, b.h), make([]bool, b.h)
	for e, h := range b.at {
		before[b.p.ExistingHost[e]] = true
		after[h] = true
		if h != b.p.ExistingHost[e] {
			r.Moves++
			r.Bytes += b.mp.Cost[e]
		}
	}
	for h := range b.h {
		if before[h] && !after[h] {
			r.Freed++
		}
		for k := range b.d {
			r.Peak = math.Max(r.Peak, b.util(h, k))
		}
	}
	return r
}
