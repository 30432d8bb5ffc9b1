package placement

import "math"

// Solve places the new guests of p.
//
// The construction is a pipeline of small stages, each in its own file:
//
//  1. Validate the problem, so the hot loops need no checks.
//  2. Place pinned guests on their hosts unconditionally (an operator's
//     forced move; Check reports any rule it breaks).
//  3. With Options.Warm, keep every previous assignment that still holds
//     (warm.go), so a re-plan after one edit only places what changed.
//  4. Order the remaining guests hardest first (order.go).
//  5. Place each on the best feasible host by the strategy (strategy.go,
//     score_*.go), found through the host index (index.go) among the hosts
//     in use; under ObjectivePack, only when none fits, open an empty
//     existing host; then buy one from the models (buy.go); else leave the
//     guest unplaced (Explain says why).
//  6. Run the improvement phase when Options.Iterations or Deadline ask for
//     it.
//
// Same problem, options and seed ⇒ identical Solution.
func Solve(p *Problem, opt Options) (*Solution, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	strat, name, err := lookupStrategy(opt.Strategy)
	if err != nil {
		return nil, err
	}
	sv := newSolver(p, opt, strat)
	sv.placePins()
	queue := order(p, sv.unpinned(), sv.ref, opt.Seed)
	if opt.Warm != nil {
		sv.warm(opt.Warm, queue)
	}
	sv.buildIndex(len(queue))
	sv.construct(queue)
	sol := sv.solution(name)
	if opt.Iterations > 0 || opt.Deadline > 0 {
		sol = Improve(p, sol, opt)
	}
	return sol, nil
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

	// primary holds the hosts a guest goes to first: under ObjectivePack
	// the hosts in use, under ObjectiveSpread every host that takes guests.
	// secondary (pack only) holds the empty existing hosts, opened when
	// nothing in primary fits. Excluded hosts are in neither.
	primary, secondary *index
	inSecondary        []bool

	terms []Terms
	rem   []float64 // Σ demand of the guests not yet handled, per dimension
	// grpRem is, per Together group of host scope, the demand of its
	// members not yet placed (len Groups*D, nil when there is no such
	// group): the first member must go where all of them fit.
	grpRem []float64

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

// buildIndex loads the host index from the state as pins and warm start
// left it; room is kept for one bought host per guest still to place.
func (sv *solver) buildIndex(toPlace int) {
	st, p, d := sv.st, sv.p, sv.st.d
	hosts := st.n + toPlace
	sv.primary = newIndex(hosts, d, sv.ref)
	if sv.pack {
		sv.secondary = newIndex(hosts, d, sv.ref)
		sv.inSecondary = make([]bool, hosts)
	}
	for h := range st.n {
		if st.excluded(h) {
			continue
		}
		sv.refresh(h)
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

// refresh puts host h's current free room into the index it belongs to.
// The room includes the capacity slack, so the index never prunes a host
// that fitsCapacity would accept.
func (sv *solver) refresh(h int) {
	st, d := sv.st, sv.st.d
	for k := range d {
		o := st.offered[h*d+k]
		sv.free[k] = o*(1+capEps) - st.used[h*d+k]
	}
	if sv.pack && st.guests[h] == 0 {
		sv.secondary.set(h, sv.free)
		sv.inSecondary[h] = true
		return
	}
	if sv.pack && sv.inSecondary[h] {
		sv.secondary.clear(h)
		sv.inSecondary[h] = false
	}
	sv.primary.set(h, sv.free)
}

// construct places the queued guests that are still unplaced, in order.
func (sv *solver) construct(queue []int32) {
	st, d := sv.st, sv.st.d
	for _, g32 := range queue {
		g := int(g32)
		if st.host[g] != NoHost {
			continue
		}
		h, t := sv.choose(g)
		if h >= 0 {
			sv.put(g, h, t)
		}
		for k, x := range sv.p.Demand[g*d : g*d+d] {
			sv.rem[k] -= x
		}
		sv.doneWithGroupMember(g)
	}
}

// choose picks guest g's host: the best of the hosts in primary, else of
// the empty ones in secondary, else a bought one; −1 when nothing fits.
func (sv *solver) choose(g int) (int, Terms) {
	if h, t := sv.search(sv.primary, g); h >= 0 {
		return h, t
	}
	if sv.secondary != nil {
		if h, t := sv.search(sv.secondary, g); h >= 0 {
			return h, t
		}
	}
	return sv.buyFor(g)
}

// search walks idx for hosts with room for g, keeps those that pass every
// rule, scores up to sv.k of them and returns the best (ties: seed order).
func (sv *solver) search(idx *index, g int) (int, Terms) {
	st, d := sv.st, sv.st.d
	dem := sv.p.Demand[g*d : g*d+d]
	idx.start(&sv.cur, !sv.pack)
	best, fallback := -1, -1
	var bt Terms
	found := 0
	for h := idx.next(&sv.cur, dem); h >= 0; h = idx.next(&sv.cur, dem) {
		if !st.fitsCapacity(g, h) || !st.rulesAllow(g, h) {
			continue
		}
		if !sv.roomForGroup(g, h) {
			if fallback < 0 {
				fallback = h
			}
			continue
		}
		st.view(&sv.view, g, h)
		t := sv.strat.score(&sv.view)
		if best < 0 || t.Total > bt.Total || (t.Total == bt.Total && mix(sv.seed, h) < mix(sv.seed, best)) {
			best, bt = h, t
		}
		found++
		if sv.strat.first || (sv.k > 0 && found >= sv.k) {
			break
		}
	}
	if best < 0 && fallback >= 0 {
		best = fallback
		st.view(&sv.view, g, best)
		bt = sv.strat.score(&sv.view)
	}
	return best, bt
}

// roomForGroup: the first member of a Together group of host scope only
// goes where every member still to place fits, so the group is not split
// by its own first pick.
func (sv *solver) roomForGroup(g, h int) bool {
	if sv.grpRem == nil {
		return true
	}
	p, st, d := sv.p, sv.st, sv.st.d
	k := p.Group[g]
	if k < 0 || !p.Groups[k].Together || p.Groups[k].Scope != ScopeHost || len(st.members[k]) > 0 {
		return true
	}
	for j := range d {
		if !within(st.used[h*d+j]+sv.grpRem[int(k)*d+j], st.offered[h*d+j]) {
			return false
		}
	}
	return true
}

func (sv *solver) doneWithGroupMember(g int) {
	if sv.grpRem == nil {
		return
	}
	d := sv.st.d
	if k := sv.p.Group[g]; k >= 0 {
		for j, x := range sv.p.Demand[g*d : g*d+d] {
			sv.grpRem[int(k)*d+j] -= x
		}
	}
}

// put places g on h with the terms that chose it and updates the index.
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
