package placement

import (
	"math"
	"slices"
)

// Solve places the new guests of p.
//
// The construction is a pipeline of small stages, each in its own file:
//
//  1. Validate the problem, so the hot loops need no checks.
//  2. Place pinned guests on their hosts unconditionally (an operator's
//     forced move; Check reports any rule it breaks).
//  3. With Options.Warm, keep every previous assignment that still holds
//     (warm.go), so a re-plan after one edit only places what changed.
//  4. Order the remaining guests (order.go): tightest groups and guests
//     restricted to few hosts first, then hardest first per appetite with
//     the appetites taking turns (dominant normalised demand, group
//     members together).
//  5. Place each on the best feasible host by the strategy (strategy.go,
//     score_*.go), found through the host index (index.go, at most
//     Options.Candidates hosts scored) among the hosts in use; under
//     ObjectivePack, only when none fits, open an empty existing host; then
//     buy one from the models (buy.go: fewest, then smallest); else leave
//     the guest unplaced.
//  6. Give guests that failed one more try when hosts were bought after
//     they failed, so that every unplaced guest is refused by every host of
//     the solution (Explain says why).
//     Steps 2 to 6 run twice, with the guests in that order and in their
//     own order (tight ones still first), and the construction that
//     places more guests on fewer hosts is kept; then the least full
//     hosts are emptied into the others where their guests all fit
//     (close.go). Both only under ObjectivePack, and not with
//     Options.Warm.
//  7. When guests are still unplaced, try to place them by moving others
//     (complete.go: ejection chains, then constructions in other orders
//     and with other strategies); nothing to do when all are placed.
//  8. Run the improvement phase when Options.Iterations or Deadline ask for
//     it, and score the guests it moved.
//
// Ties are broken by a seed-derived key, never by map iteration: same
// problem, options and seed ⇒ identical Solution. docs/algorithms.md
// describes each stage with a worked example.
func Solve(p *Problem, opt Options) (*Solution, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	strat, name, err := lookupStrategy(opt.Strategy)
	if err != nil {
		return nil, err
	}
	sol := construction(p, opt, strat, name, mixedOrder)
	if opt.Warm == nil && p.Policy.Objective == ObjectivePack {
		// Best of two: the same rule in the guests' own (arrival) order
		// often closes the last host that the interleaved order leaves
		// half full, and the other way round (docs/algorithms.md).
		orders := []func(*Problem, []int32, []float64, uint64) []int32{arrivalOrder}
		if p.G() <= smallConstruction {
			orders = append(orders, order)
			for i := range shuffledConstructions {
				orders = append(orders, shuffledOrder(uint64(i)))
			}
		}
		for _, by := range orders {
			if alt := construction(p, opt, strat, name, by); betterConstruction(p, alt, sol) {
				sol = alt
			}
		}
		if closed := closeHosts(p, sol); closed != sol {
			fillTerms(p, closed, strat)
			sol = closed
		}
	}
	if opt.Warm == nil && placedCount(sol) < len(sol.Host) {
		sv := newSolver(p, opt, strat)
		sv.placePins()
		sol = complete(p, sol, opt, strat, name, order(p, sv.unpinned(), sv.ref, opt.Seed))
	}
	return refine(p, sol, opt, strat, name), nil
}

// placedCount is how many new guests s places.
func placedCount(s *Solution) int {
	n := 0
	for _, h := range s.Host {
		if h != NoHost {
			n++
		}
	}
	return n
}

// smallConstruction is the most new guests for which the construction also
// tries the plain hardest-first order (a few milliseconds at 1,000 guests).
const smallConstruction = 1000

// shuffledConstructions is how many more constructions a small problem
// gets, each with the non-urgent guests in a seeded random order.
var shuffledConstructions = 4

// construction is stages 2 to 6 with the guests in the order orderBy gives.
func construction(p *Problem, opt Options, strat strategy, name string, orderBy func(*Problem, []int32, []float64, uint64) []int32) *Solution {
	sv := newSolver(p, opt, strat)
	sv.placePins()
	queue := orderBy(p, sv.unpinned(), sv.ref, opt.Seed)
	if opt.Warm != nil {
		sv.warm(opt.Warm, queue)
	}
	sv.buildIndex(queue)
	sv.construct(queue)
	return sv.solution(name)
}

// betterConstruction reports whether a places more guests than b, or as
// many on fewer hosts.
func betterConstruction(p *Problem, a, b *Solution) bool {
	ua, ha := placedAndHosts(p, a)
	ub, hb := placedAndHosts(p, b)
	if ua != ub {
		return ua > ub
	}
	return ha < hb
}

// placedAndHosts counts the placed guests of s and the hosts in use after
// it (holding an existing or a new guest).
func placedAndHosts(p *Problem, s *Solution) (placed, hosts int) {
	seen := make(map[int32]bool)
	for _, h := range p.ExistingHost {
		seen[h] = true
	}
	for _, h := range s.Host {
		if h != NoHost {
			placed++
			seen[h] = true
		}
	}
	return placed, len(seen)
}

// Refine is the last stage of Solve: the improvement phase when
// opt.Iterations or opt.Deadline ask for it, and the score terms of the
// guests it moved. For a construction made by Solve with no improvement
// asked, Refine(p, it, opt) is what Solve(p, opt) returns, so a caller can
// show the construction first and the improved solution when it is ready.
// sol is never modified; it is returned when nothing better was found.
func Refine(p *Problem, sol *Solution, opt Options) (*Solution, error) {
	strat, name, err := lookupStrategy(opt.Strategy)
	if err != nil {
		return nil, err
	}
	return refine(p, sol, opt, strat, name), nil
}

func refine(p *Problem, sol *Solution, opt Options, strat strategy, name string) *Solution {
	if opt.Iterations <= 0 && opt.Deadline <= 0 {
		return sol
	}
	better := Improve(p, sol, opt)
	if better == sol {
		return sol
	}
	better.Strategy = name
	fillTerms(p, better, strat)
	return better
}

// Clone is a deep copy of s.
func (s *Solution) Clone() *Solution {
	return &Solution{Host: slices.Clone(s.Host), NewHosts: slices.Clone(s.NewHosts), Terms: slices.Clone(s.Terms), Strategy: s.Strategy}
}

// fillTerms scores, for every placed guest whose Terms are zero (a guest
// the improvement phase moved), its host as if the guest arrived last.
func fillTerms(p *Problem, sol *Solution, strat strategy) {
	if len(sol.Terms) != len(sol.Host) {
		sol.Terms = make([]Terms, len(sol.Host))
	}
	var st *state
	var v hostView
	d := p.D()
	for g, h := range sol.Host {
		if h == NoHost || sol.Terms[g] != (Terms{}) {
			continue
		}
		if st == nil {
			st = stateOf(p, sol, -1)
		}
		x := int(h)
		a := p.Appetite[g]
		for k := range d {
			st.used[x*d+k] -= p.Demand[g*d+k]
		}
		st.guests[x]--
		if a >= 0 {
			st.app[x*d+int(a)]--
		}
		st.view(&v, g, x)
		sol.Terms[g] = strat.score(&v)
		for k := range d {
			st.used[x*d+k] += p.Demand[g*d+k]
		}
		st.guests[x]++
		if a >= 0 {
			st.app[x*d+int(a)]++
		}
	}
}

// solver is one construction run.
type solver struct {
	p     *Problem
	st    *state
	strat strategy
	k     int // feasible hosts scored per guest; ≤ 0 = all
	seed  uint64
	pack  bool
	ref   []float64 // reference offer per dimension (order.go)

	// The primary hosts are those a guest goes to first: under
	// ObjectivePack the hosts in use, under ObjectiveSpread every host that
	// takes guests. The secondary ones (pack only) are the empty existing
	// hosts, opened when no primary host fits. Excluded hosts are in
	// neither. Both are index trees (index.go), walked in host index order
	// (roomiest subtree first under ObjectiveSpread).
	primary, secondary *index
	inSecondary        []bool
	// budget bounds the tree nodes one search visits once a host fits.
	budget int

	// sufMin[i*D+k] is the smallest demand in dimension k of queue[i:]: a
	// host that cannot hold it holds no guest still to come and leaves the
	// grid for good.
	sufMin []float64
	pos    int // queue position of the guest being placed

	terms []Terms
	rem   []float64 // Σ demand of the guests not yet handled, per dimension
	// grpRem is, per Together group of host scope, the demand of its
	// members not yet placed (len Groups*D, nil when there is no such
	// group): the first member must go where all of them fit.
	grpRem []float64

	// fellBack: the last search returned a fallback host (search.go).
	fellBack bool

	view  hostView
	cur   cursor
	free  []float64
	zeros []float64 // the load of a host about to be bought
}

func newSolver(p *Problem, opt Options, strat strategy) *solver {
	k := opt.Candidates
	if k == 0 {
		k = DefaultCandidates
	}
	sv := &solver{
		p:     p,
		strat: strat,
		k:     k,
		seed:  opt.Seed,
		pack:  p.Policy.Objective != ObjectiveSpread,
		ref:   reference(p),
		terms: make([]Terms, p.G()),
		free:  make([]float64, p.D()),
		zeros: make([]float64, p.D()),
	}
	extra := p.G()
	if opt.Warm != nil {
		extra += len(opt.Warm.NewHosts)
	}
	sv.st = newState(p, min(extra, 1024))
	return sv
}

// placePins places every pinned guest on its host, whatever the rules say.
func (sv *solver) placePins() {
	p := sv.p
	if p.Pin == nil {
		return
	}
	for g, h := range p.Pin {
		if h == NoHost {
			continue
		}
		sv.st.view(&sv.view, g, int(h))
		sv.terms[g] = sv.strat.score(&sv.view)
		sv.st.place(g, int(h))
	}
}

// unpinned lists the guests still to place.
func (sv *solver) unpinned() []int32 {
	gs := make([]int32, 0, sv.p.G())
	for g := range sv.p.G() {
		if sv.st.host[g] == NoHost {
			gs = append(gs, int32(g))
		}
	}
	return gs
}

// buildIndex loads the host grids (or trees) from the state as pins and
// warm start left it; room is kept for one bought host per guest still to
// place.
func (sv *solver) buildIndex(queue []int32) {
	st, p, d := sv.st, sv.p, sv.st.d
	hosts := st.n + len(queue)
	sv.primary = newIndex(hosts, d, sv.ref)
	if sv.pack {
		sv.secondary = newIndex(hosts, d, sv.ref)
	}
	sv.inSecondary = make([]bool, hosts)
	sv.budget = 8*sv.k + 64
	sv.sufMin = make([]float64, (len(queue)+1)*d)
	for k := range d {
		sv.sufMin[len(queue)*d+k] = math.Inf(1)
	}
	for i := len(queue) - 1; i >= 0; i-- {
		g := int(queue[i])
		for k := range d {
			sv.sufMin[i*d+k] = min(sv.sufMin[(i+1)*d+k], p.Demand[g*d+k])
		}
	}
	for h := range st.n {
		if !st.excluded(h) {
			sv.refresh(h)
		}
	}
	for _, grp := range p.Groups {
		if grp.Together && grp.Scope == ScopeHost {
			sv.grpRem = make([]float64, len(p.Groups)*d)
			break
		}
	}
	sv.rem = make([]float64, d)
	for g := range p.G() {
		if st.host[g] != NoHost {
			continue
		}
		dem := p.Demand[g*d : g*d+d]
		for k, x := range dem {
			sv.rem[k] += x
		}
		if sv.grpRem != nil {
			if k := p.Group[g]; k >= 0 {
				for j, x := range dem {
					sv.grpRem[int(k)*d+j] += x
				}
			}
		}
	}
}

// refresh files host h's current free room where it belongs. The room
// includes the capacity slack, so no structure prunes a host that
// fitsCapacity would accept.
func (sv *solver) refresh(h int) {
	st, d := sv.st, sv.st.d
	for k := range d {
		o := st.offered[h*d+k]
		sv.free[k] = o*(1+capEps) - st.used[h*d+k]
	}
	empty := sv.pack && st.guests[h] == 0
	switch {
	case empty:
		sv.secondary.set(h, sv.free)
	case sv.inSecondary[h]:
		sv.secondary.clear(h)
		fallthrough
	default:
		if sv.dead(h) {
			sv.primary.clear(h)
		} else {
			sv.primary.set(h, sv.free)
		}
	}
	sv.inSecondary[h] = empty
}

// dead reports whether host h (with sv.free filled) cannot hold the
// smallest demand still to come in some dimension.
func (sv *solver) dead(h int) bool {
	d := sv.st.d
	m := sv.sufMin[sv.pos*d : sv.pos*d+d]
	for k, x := range m {
		if sv.free[k] < x {
			return true
		}
	}
	return false
}

// construct places the queued guests that are still unplaced, in order.
//
// A guest that fits nowhere may fit on a host bought later for another
// guest (same rack as its Together group, say), so when hosts were bought
// after the first failure the failed guests get one more try, on the hosts
// as they are then and without buying: a guest that fails again is refused
// by every host of the solution, as Explain shows.
func (sv *solver) construct(queue []int32) {
	st, d := sv.st, sv.st.d
	boughtAtFailure := -1
	for i, g32 := range queue {
		g := int(g32)
		if st.host[g] != NoHost {
			continue
		}
		sv.pos = i
		h, t := sv.choose(g)
		if h >= 0 {
			sv.pos = i + 1 // the host's future is what comes after g
			sv.put(g, h, t)
		} else if boughtAtFailure < 0 {
			boughtAtFailure = len(st.newHosts)
		}
		for k, x := range sv.p.Demand[g*d : g*d+d] {
			sv.rem[k] -= x
		}
		sv.doneWithGroupMember(g)
	}
	if boughtAtFailure < 0 || len(st.newHosts) == boughtAtFailure {
		return
	}
	// Refile every host against the whole queue's smallest demand: a host
	// left out as dead for the guests after some position may still hold
	// an earlier one.
	sv.pos = 0
	for h := range st.n {
		if !st.excluded(h) {
			sv.refresh(h)
		}
	}
	for _, g32 := range queue {
		g := int(g32)
		if st.host[g] != NoHost {
			continue
		}
		h, t := sv.search(sv.primary, g)
		if h < 0 && sv.secondary != nil {
			h, t = sv.search(sv.secondary, g)
		}
		if h >= 0 {
			sv.put(g, h, t)
		}
	}
}

// put places g on h with the terms that chose it and refiles h.
func (sv *solver) put(g, h int, t Terms) {
	sv.st.place(g, h)
	sv.terms[g] = t
	sv.refresh(h)
}

// solution builds the Solution, leaving out bought hosts that ended empty.
func (sv *solver) solution(name string) *Solution {
	st := sv.st
	sol := &Solution{
		Host:     st.host,
		Terms:    sv.terms,
		Strategy: name,
	}
	remap := make([]int32, len(st.newHosts))
	for i, m := range st.newHosts {
		if st.guests[st.h+i] == 0 {
			remap[i] = NoHost
			continue
		}
		remap[i] = int32(st.h + len(sol.NewHosts))
		sol.NewHosts = append(sol.NewHosts, m)
	}
	if len(sol.NewHosts) != len(st.newHosts) {
		for g, h := range sol.Host {
			if int(h) >= st.h {
				sol.Host[g] = remap[int(h)-st.h]
			}
		}
	}
	if sol.NewHosts == nil {
		sol.NewHosts = []int32{}
	}
	return sol
}

// ceilNeed is the volume bound of hosts of shape off needed for demand
// rem: ⌈max_k rem_k/off_k⌉ (+Inf when off lacks a dimension rem needs).
func ceilNeed(rem, off []float64) float64 {
	n := 0.0
	for k, x := range rem {
		if x <= 0 {
			continue
		}
		if off[k] <= 0 {
			return math.Inf(1)
		}
		n = max(n, x/off[k])
	}
	return math.Ceil(n - capEps)
}
