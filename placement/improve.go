package placement

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Improve is berth's improvement phase: an anytime local search that tries
// to empty hosts the construction opened, so that fewer hosts are in use
// and fewer are bought. It runs until opt.Iterations search steps have been
// taken (reproducible) or opt.Deadline has passed (wall clock), whichever
// comes first, and stops early when LowerBound(p) is reached.
//
// The method is bin elimination with a consistent-neighbourhood tabu
// search, after Buljubašić & Vasquez (2016): pick the least-filled host
// that can be emptied, take its movable guests off into a pool S, close it,
// and repair: put pool guests on open hosts where they fit, else swap up to
// two guests of a host with up to two pool guests so that the pool gets
// lighter (the pool's total normalised size falls), with a tabu list that
// stops a guest from going straight back to the host it left. Every
// intermediate state keeps every hard rule on every host; only the pool is
// unplaced. When the pool empties the host is gone; when a repair runs out
// of steps, the state before it is restored and another host is tried.
// See docs/algorithms.md, "Improvement".
//
// Pinned guests and members of affinity groups never move; excluded hosts
// take no guests; anti-affinity at every scope (counting existing members)
// and the hard same-appetite limit are checked on every move. Improve never
// returns a solution worse than s under the objective order: fewer unplaced
// guests, fewer bought hosts, fewer hosts in use, less stranded capacity,
// smaller soft-rule penalty. It returns s itself when it finds nothing
// better, and never modifies s.
func Improve(p *Problem, s *Solution, opt Options) *Solution {
	if s == nil || len(s.Host) != p.G() || (opt.Iterations <= 0 && opt.Deadline <= 0) {
		return s
	}
	for _, m := range s.NewHosts {
		if m < 0 || int(m) >= len(p.Models) {
			return s
		}
	}
	for _, x := range s.Host {
		if x < NoHost || int(x) >= p.H()+len(s.NewHosts) {
			return s
		}
	}
	st := newImState(p, s)
	before := st.cost()
	se := newSearch(st, opt, LowerBound(p))
	se.run()
	if !se.changed || !st.cost().less(before) {
		return s
	}
	return st.solution(s)
}

// imCost is the objective, compared lexicographically.
type imCost struct {
	unplaced, bought, used int
	stranded, soft         float64
}

func (a imCost) less(b imCost) bool {
	switch {
	case a.unplaced != b.unplaced:
		return a.unplaced < b.unplaced
	case a.bought != b.bought:
		return a.bought < b.bought
	case a.used != b.used:
		return a.used < b.used
	case math.Abs(a.stranded-b.stranded) > 1e-9:
		return a.stranded < b.stranded
	}
	return a.soft < b.soft-1e-9
}

// cost evaluates the state. Stranded capacity on a host is the room left in
// each dimension below the host's tightest one: Σ_k (u_max − u_k)·off_k/N_k
// over hosts in use, with u the utilisation and N_k the normaliser, divided
// by D — capacity that is free but unusable once the tightest dimension is
// full. The soft term is the same-appetite penalty: Penalty for each guest
// beyond the first of one appetite on a host.
func (st *imState) cost() imCost {
	var c imCost
	for g, x := range st.host {
		if x == NoHost && (st.p.Pin == nil || st.p.Pin[g] == NoHost || true) {
			c.unplaced++
		}
	}
	c.used, c.bought = st.hostsInUse()
	d := st.D
	norm := st.normaliser()
	for h := range st.nh {
		if !st.inUse(h) {
			continue
		}
		umax := 0.0
		for k := range d {
			if o := st.off[h*d+k]; o > 0 {
				umax = math.Max(umax, st.used[h*d+k]/o)
			}
		}
		for k := range d {
			if o := st.off[h*d+k]; o > 0 {
				c.stranded += (umax - st.used[h*d+k]/o) * o / norm[k] / float64(d)
			}
		}
	}
	if pen := st.p.Policy.SameAppetite.Penalty; pen > 0 {
		per := make([]int, st.nh*d)
		for e, x := range st.p.ExistingHost {
			if a := st.p.ExistingAppetite[e]; a >= 0 && int(a) < d {
				per[int(x)*d+int(a)]++
			}
		}
		for g, x := range st.host {
			if a := st.p.Appetite[g]; x != NoHost && a >= 0 && int(a) < d {
				per[int(x)*d+int(a)]++
			}
		}
		for _, n := range per {
			if n > 1 {
				c.soft += float64(n-1) * pen
			}
		}
	}
	return c
}

// search is one run of the improvement phase.
type search struct {
	st       *imState
	rng      *rand.Rand
	lb       int
	iters    int // steps taken
	maxIters int
	deadline time.Time
	changed  bool
	stopped  bool

	// tabu: guest g may not return to host tabuHost[g] before step
	// tabuUntil[g].
	tabuHost  []int32
	tabuUntil []int
	// scratch
	free  []float64
	pairs []pair
	recv  []int32
}

type pair struct {
	a, b int32 // b = NoHost for a single guest
	w    float64
}

func newSearch(st *imState, opt Options, lb int) *search {
	se := &search{
		st:        st,
		rng:       rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15)),
		lb:        lb,
		maxIters:  opt.Iterations,
		tabuHost:  make([]int32, len(st.host)),
		tabuUntil: make([]int, len(st.host)),
		free:      make([]float64, st.D),
	}
	if se.maxIters <= 0 {
		se.maxIters = math.MaxInt
	}
	if opt.Deadline > 0 {
		se.deadline = time.Now().Add(opt.Deadline)
	}
	for i := range se.tabuHost {
		se.tabuHost[i] = NoHost
	}
	return se
}

// tick counts one search step and reports whether the budget is spent.
func (se *search) tick() bool {
	se.iters++
	if se.iters >= se.maxIters {
		se.stopped = true
	}
	if !se.deadline.IsZero() && se.iters&15 == 0 && time.Now().After(se.deadline) {
		se.stopped = true
	}
	return se.stopped
}

func (se *search) run() {
	st := se.st
	// Guests the construction left unplaced get a host where one fits.
	var pool []int32
	for g, x := range st.host {
		if x == NoHost && st.movable[g] {
			pool = append(pool, int32(g))
		}
	}
	if len(pool) > 0 {
		pool = se.insert(pool, true)
		se.changed = true
	}
	if len(pool) > 0 {
		// Not everything is placed: emptying hosts would fight the
		// placing. Leave the rest as the construction explained it.
		return
	}
	failed := make([]int, st.nh) // failed attempts per host
	budget := 200 + 20*len(st.host)
	for !se.stopped {
		used, _ := st.hostsInUse()
		if used <= se.lb {
			return
		}
		t := se.pickTarget(failed)
		if t < 0 {
			return
		}
		snap := slices.Clone(st.host)
		pool = pool[:0]
		pool = append(pool, st.members[t]...)
		for _, g := range pool {
			st.remove(int(g))
		}
		st.closed[t] = true
		ok := se.repair(pool, se.iters+budget<<min(failed[t], 4))
		st.closed[t] = st.excluded[t]
		if ok {
			se.changed = true
			clear(failed)
			continue
		}
		failed[t]++
		se.restore(snap)
	}
}

// pickTarget chooses the host to empty: among hosts in use whose every
// guest may move, the one with the smallest fill, adjusted for how often it
// has failed; bought hosts first, since emptying one also saves buying it.
func (se *search) pickTarget(failed []int) int {
	st := se.st
	best, bestKey := -1, math.Inf(1)
	for h := range st.nh {
		if st.nFixed[h] > 0 || len(st.members[h]) == 0 || st.excluded[h] {
			continue
		}
		key := st.fill(h) + float64(failed[h])*0.25 + se.rng.Float64()*0.05
		if h < st.H {
			key += 10
		}
		if key < bestKey {
			best, bestKey = h, key
		}
	}
	return best
}

func (se *search) restore(snap []int32) {
	st := se.st
	for g, x := range st.host {
		if x != NoHost && st.movable[g] && snap[g] != x {
			st.remove(g)
		}
	}
	for g, x := range snap {
		if x != NoHost && st.host[g] == NoHost {
			st.add(g, int(x))
		}
	}
}

// insert places pool guests, heaviest first, each on the open host in use
// (or, when open is true, any open host) where it leaves the least room;
// it returns the guests that fit nowhere.
func (se *search) insert(pool []int32, open bool) []int32 {
	st := se.st
	slices.SortFunc(pool, func(a, b int32) int { return cmpDesc(st.weight[a], st.weight[b]) })
	rest := pool[:0]
	for _, g := range pool {
		best, bestLeft := -1, math.Inf(1)
		for h := range st.nh {
			if !open && !st.inUse(h) {
				continue
			}
			if !st.fits(int(g), h) {
				continue
			}
			left := 1 - st.fill(h)
			if !st.inUse(h) {
				left += 2 // opening a host is the last resort
			}
			if left < bestLeft {
				best, bestLeft = h, left
			}
		}
		if best < 0 {
			rest = append(rest, g)
			continue
		}
		st.add(int(g), best)
	}
	return rest
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// repair empties pool into the open hosts in use, by insertions and tabu
// swaps, until the pool is empty (true) or step limit is reached (false).
func (se *search) repair(pool []int32, limit int) bool {
	st := se.st
	bestW := math.Inf(1)
	for {
		pool = se.insert(pool, false)
		if len(pool) == 0 {
			return true
		}
		if se.iters >= limit || se.tick() {
			return false
		}
		w := 0.0
		for _, g := range pool {
			w += st.weight[g]
		}
		bestW = math.Min(bestW, w)
		h, out, in, ok := se.bestSwap(pool, w, bestW)
		if !ok {
			// Nothing moves: kick a random guest of a random host in
			// use into the pool.
			h = se.randomHost()
			if h < 0 {
				return false
			}
			m := st.members[h]
			g := m[se.rng.IntN(len(m))]
			st.remove(int(g))
			se.makeTabu(g, h)
			pool = append(pool, g)
			continue
		}
		if !st.swap(h, out, in) {
			continue // a rule refused it; bestSwap checks rules, so rare
		}
		for _, g := range out {
			se.makeTabu(g, h)
		}
		pool = slices.DeleteFunc(pool, func(g int32) bool { return st.host[g] != NoHost })
		pool = append(pool, out...)
	}
}

func (se *search) makeTabu(g int32, h int) {
	se.tabuHost[g] = int32(h)
	se.tabuUntil[g] = se.iters + 5 + se.rng.IntN(10)
}

func (se *search) tabu(g int32, h int) bool {
	return se.tabuHost[g] == int32(h) && se.iters < se.tabuUntil[g]
}

func (se *search) randomHost() int {
	st := se.st
	se.recv = se.recv[:0]
	for h := range st.nh {
		if !st.closed[h] && len(st.members[h]) > 0 {
			se.recv = append(se.recv, int32(h))
		}
	}
	if len(se.recv) == 0 {
		return -1
	}
	return int(se.recv[se.rng.IntN(len(se.recv))])
}

// bestSwap finds the swap of up to two guests on one open host in use with
// one or two pool guests that lowers the pool's weight most (or raises it
// least): a tabu search step. A move that puts a guest back on the host it
// just left is tabu unless it makes the pool lighter than ever before in
// this repair (aspiration).
func (se *search) bestSwap(pool []int32, w, bestW float64) (h int, out, in []int32, ok bool) {
	st := se.st
	d := st.D
	// Pool singles and pairs, heaviest first, so the scan for one host
	// can stop at the first that fits.
	se.pairs = se.pairs[:0]
	for i, a := range pool {
		se.pairs = append(se.pairs, pair{a, NoHost, st.weight[a]})
		if len(pool) <= 40 {
			for _, b := range pool[i+1:] {
				se.pairs = append(se.pairs, pair{a, b, st.weight[a] + st.weight[b]})
			}
		}
	}
	slices.SortFunc(se.pairs, func(x, y pair) int { return cmpDesc(x.w, y.w) })

	se.recv = se.recv[:0]
	for x := range st.nh {
		if !st.closed[x] && len(st.members[x]) > 0 {
			se.recv = append(se.recv, int32(x))
		}
	}
	se.rng.Shuffle(len(se.recv), func(i, j int) { se.recv[i], se.recv[j] = se.recv[j], se.recv[i] })

	bestDelta := math.Inf(-1)
	var bestOut [2]int32
	var bestIn pair
	nOut := 0
	free := se.free
	dem := st.p.Demand
	try := func(x int, o1, o2 int32, wOut float64) {
		// free = room on x once o1 (and o2) leave
		for k := range d {
			f := st.off[x*d+k] - st.used[x*d+k] + dem[int(o1)*d+k]
			if o2 != NoHost {
				f += dem[int(o2)*d+k]
			}
			free[k] = f
		}
		for _, pr := range se.pairs {
			delta := pr.w - wOut
			if delta <= bestDelta {
				return // sorted: nothing better follows
			}
			if !fitsIn(dem, d, pr, free) {
				continue
			}
			if (se.tabu(pr.a, x) || (pr.b != NoHost && se.tabu(pr.b, x))) && w-delta >= bestW-1e-12 {
				continue
			}
			if !st.simple && !se.rulesAllowSwap(x, o1, o2, pr) {
				continue
			}
			bestDelta = delta
			h, bestOut, bestIn = x, [2]int32{o1, o2}, pr
			nOut = 1
			if o2 != NoHost {
				nOut = 2
			}
			return
		}
	}
	for _, x32 := range se.recv {
		x := int(x32)
		m := st.members[x]
		for i, o1 := range m {
			try(x, o1, NoHost, st.weight[o1])
			if len(m) > 24 {
				continue
			}
			for _, o2 := range m[i+1:] {
				try(x, o1, o2, st.weight[o1]+st.weight[o2])
			}
		}
	}
	if math.IsInf(bestDelta, -1) {
		return 0, nil, nil, false
	}
	out = bestOut[:nOut]
	in = []int32{bestIn.a}
	if bestIn.b != NoHost {
		in = append(in, bestIn.b)
	}
	return h, slices.Clone(out), in, true
}

func fitsIn(dem []float64, d int, pr pair, free []float64) bool {
	a := dem[int(pr.a)*d : int(pr.a)*d+d]
	if pr.b == NoHost {
		for k, x := range a {
			if x > free[k] {
				return false
			}
		}
		return true
	}
	b := dem[int(pr.b)*d : int(pr.b)*d+d]
	for k, x := range a {
		if x+b[k] > free[k] {
			return false
		}
	}
	return true
}

// rulesAllowSwap checks the group and appetite rules of a swap by applying
// it and undoing it.
func (se *search) rulesAllowSwap(x int, o1, o2 int32, pr pair) bool {
	out := []int32{o1}
	if o2 != NoHost {
		out = append(out, o2)
	}
	in := []int32{pr.a}
	if pr.b != NoHost {
		in = append(in, pr.b)
	}
	st := se.st
	if !st.swap(x, out, in) {
		return false
	}
	for _, g := range in {
		st.remove(int(g))
	}
	for _, g := range out {
		st.add(int(g), x)
	}
	return true
}
