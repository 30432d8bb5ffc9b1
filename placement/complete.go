package placement

import (
	"cmp"
	"slices"
)

// Completion: when the construction leaves guests unplaced although the
// fleet could hold them after a re-arrangement, Solve's last stage before
// the improvement phase tries to place them (see docs/algorithms.md,
// "Completion"). It costs one pass over the solution when the construction
// placed everything.
//
// Two tools, cheapest first:
//
//  1. Ejection chains (repair): an unplaced guest u goes on a host h after
//     one or two movable guests of h (and, for an anti-affinity group of
//     rack or zone scope, the member that blocks h's domain) are taken
//     off; each guest taken off is placed again the same way, one level
//     shallower (Glover's ejection chains, as used for bin packing by
//     Buljubašić & Vasquez 2016). Every state on the way keeps every hard
//     rule; a chain that fails is undone.
//  2. Restarts: the construction is run again with the guests that failed
//     moved to the front of the queue (squeaky wheel: Joslin & Clements
//     1999), once with each strategy, each result repaired as in 1; the
//     best by the objective order (fewer unplaced, fewer bought, fewer
//     hosts in use) is kept.
//
// Both are bounded by a count of rule checks, not by time, so the result is
// reproducible; the restarts run only when the hosts' free room covers the
// unplaced demand in every dimension. Guests that fit on no host even with every movable guest
// taken off (hopeless: too big, or refused by a rule no move changes) are
// not tried at all, so a fleet that is simply too small costs nothing more.

// completeWork bounds the rule checks of one repair, over all its chains.
const completeWork = 400_000

// completeRestartWork bounds the restarts: they run while guests × hosts of the
// problem, times the constructions so far, stays below it.
const completeRestartWork = 20_000_000

// complete is Solve's completion stage: sol is the construction (queue its
// order); it returns sol when nothing is unplaced or nothing could be
// placed, else a better solution with Terms filled in.
func complete(p *Problem, sol *Solution, opt Options, strat strategy, name string, queue []int32) *Solution {
	if !anyHopeful(p, sol) {
		return sol
	}
	best := repairUnplaced(p, sol, strat)
	if countUnplaced(best) == 0 {
		return best
	}
	failed := unplacedOf(best)
	if !roomForAll(p, best, failed) {
		// Short of capacity: no order places them all; the chains
		// placed what moves could.
		return best
	}
	bestCost := costOf(p, best)
	names := Strategies()
	// the asked-for strategy first, then the others in name order
	slices.SortStableFunc(names, func(a, b string) int {
		return cmp.Compare(b2i(b == name), b2i(a == name)) // int32 0/1, improve_swap.go
	})
	work := 0
	for _, sn := range names {
		work += p.G() * (p.H() + 1)
		if work > completeRestartWork {
			break
		}
		s := strategies[sn]
		q := squeaky(p, queue, failed)
		cand := reconstruct(p, opt, s, name, q)
		cand = repairUnplaced(p, cand, strat)
		if sn != name {
			// Explain scores with the solution's strategy: rescore.
			clear(cand.Terms)
			fillTerms(p, cand, strat)
		}
		if c := costOf(p, cand); c.less(bestCost) {
			best, bestCost = cand, c
			if c.unplaced == 0 {
				break
			}
		}
		// the guests that failed in any round go first in the next
		for _, g := range unplacedOf(cand) {
			if !slices.Contains(failed, g) {
				failed = append(failed, g)
			}
		}
	}
	return best
}

// reconstruct runs the construction again on queue q.
func reconstruct(p *Problem, opt Options, s strategy, name string, q []int32) *Solution {
	sv := newSolver(p, opt, s)
	sv.placePins()
	sv.buildIndex(q)
	sv.construct(q)
	return sv.solution(name)
}

// squeaky is queue with the failed guests moved to the front, then the
// other members of their groups (so that a failed member of an affinity
// group picks the group's domain), then the rest, each part in queue order.
func squeaky(p *Problem, queue, failed []int32) []int32 {
	front := make([]bool, p.G())
	grp := make(map[int32]bool)
	for _, g := range failed {
		front[g] = true
		if k := p.Group[g]; k >= 0 {
			grp[k] = true
		}
	}
	out := make([]int32, 0, len(queue))
	for _, g := range queue {
		if front[g] {
			out = append(out, g)
		}
	}
	for _, g := range queue {
		if !front[g] && p.Group[g] >= 0 && grp[p.Group[g]] {
			out = append(out, g)
		}
	}
	for _, g := range queue {
		if !(front[g] || (p.Group[g] >= 0 && grp[p.Group[g]])) {
			out = append(out, g)
		}
	}
	return out
}

func countUnplaced(s *Solution) int {
	n := 0
	for _, x := range s.Host {
		if x == NoHost {
			n++
		}
	}
	return n
}

func unplacedOf(s *Solution) []int32 {
	var out []int32
	for g, x := range s.Host {
		if x == NoHost {
			out = append(out, int32(g))
		}
	}
	return out
}

// costOf is the objective order of s: unplaced, bought, hosts in use.
func costOf(p *Problem, s *Solution) imCost {
	m := Evaluate(p, s)
	return imCost{unplaced: m.Unplaced, bought: m.NewHosts, used: m.HostsUsed}
}

// anyHopeful reports whether some unplaced, unpinned guest of s might be
// placed by moving new guests: some open host offers it room in every
// dimension once only the guests that cannot move (existing, pinned) are
// counted, and no such guest's rule refuses it.
func anyHopeful(p *Problem, s *Solution) bool {
	var fixed *state
	d := p.D()
	for g, x := range s.Host {
		if x != NoHost || (p.Pin != nil && p.Pin[g] != NoHost) {
			continue
		}
		if fixed == nil {
			fixed = newState(p, len(s.NewHosts))
			for _, m := range s.NewHosts {
				fixed.buy(int(m))
			}
			for pg, pin := range p.Pin {
				if pin != NoHost {
					fixed.place(pg, int(pin))
				}
			}
		}
		for h := range fixed.n {
			if fixed.excluded(h) || !fixed.eligible(g, h) {
				continue
			}
			ok := true
			for k := range d {
				if !within(fixed.used[h*d+k]+p.Demand[g*d+k], fixed.offered[h*d+k]) {
					ok = false
					break
				}
			}
			if ok && fixed.rulesAllow(g, h) {
				return true
			}
		}
	}
	return false
}

// repairUnplaced places what it can of s's unplaced guests by ejection
// chains (see the top of this file); it returns s when it places none.
func repairUnplaced(p *Problem, s *Solution, strat strategy) *Solution {
	if countUnplaced(s) == 0 {
		return s
	}
	st := newImState(p, s)
	c := newCompleter(st, completeWork)
	if !c.run() {
		return s
	}
	out := st.solution(s)
	fillTerms(p, out, strat)
	return out
}

// completer is one repair run over an imState.
type completer struct {
	st   *imState
	work int // rule checks left
	// log journals every add (h ≥ 0) and removal (from h) so a failed
	// chain can be undone.
	log []journalOp
	// inChain marks the guests already moved by the chain being built:
	// they are not taken off again.
	inChain []bool
	// groupMembers lists the new guests of each group.
	groupMembers [][]int32
	pinned       []bool
	// together lists the unpinned members of affinity groups.
	together []int32
}

type journalOp struct {
	g, h int32
	add  bool
}

func newCompleter(st *imState, work int) *completer {
	p := st.p
	c := &completer{st: st, work: work, inChain: make([]bool, p.G()),
		groupMembers: make([][]int32, len(p.Groups)), pinned: make([]bool, p.G())}
	for g, k := range p.Group {
		if k >= 0 {
			c.groupMembers[k] = append(c.groupMembers[k], int32(g))
		}
	}
	for g := range p.G() {
		c.pinned[g] = p.Pin != nil && p.Pin[g] != NoHost
		if k := p.Group[g]; k >= 0 && p.Groups[k].Together && !c.pinned[g] {
			c.together = append(c.together, int32(g))
		}
	}
	return c
}

// run tries every unplaced, unpinned guest, hardest first, with chains of
// depth 1, then 2, up to maxChainDepth; it reports whether any was placed.
func (c *completer) run() bool {
	st := c.st
	var pool []int32
	for g, x := range st.host {
		if x == NoHost && !c.pinned[g] {
			pool = append(pool, int32(g))
		}
	}
	slices.SortStableFunc(pool, func(a, b int32) int { return cmpDesc(st.weights[0][a], st.weights[0][b]) })
	placed := false
	// Depth 1 first: no pool guest fits anywhere as things are (the
	// construction, or the insertion before the improvement phase,
	// offered each every host).
	for depth := 1; depth <= maxChainDepth && len(pool) > 0 && c.work > 0; depth++ {
		rest := pool[:0]
		for _, g := range pool {
			mark := len(c.log)
			if c.place(g, depth) {
				placed = true
				c.log = c.log[:0]
				continue
			}
			c.undo(mark)
			rest = append(rest, g)
		}
		pool = rest
	}
	// A chain that placed one guest may have left room for one that
	// failed before it: every guest still out is refused by every host.
	for again := placed; again; {
		again = false
		rest := pool[:0]
		for _, g := range pool {
			if c.direct(int(g)) {
				placed, again = true, true
				continue
			}
			rest = append(rest, g)
		}
		pool = rest
	}
	c.log = c.log[:0]
	return placed
}

func (c *completer) add(g, h int) {
	c.st.add(g, h)
	c.log = append(c.log, journalOp{int32(g), int32(h), true})
}

func (c *completer) remove(g int) { c.unaddLogged(g) }

// ejectable lists the new guests on h a chain may take off: the movable
// ones and the unpinned members of affinity groups (which go back only
// where their group is, as allowed checks).
func (c *completer) ejectable(h int) []int32 {
	st := c.st
	out := slices.Clone(st.members[h])
	if st.nFixed[h] > 0 {
		for _, g := range c.together {
			if int(st.host[g]) == h {
				out = append(out, g)
			}
		}
	}
	return out
}

// undo reverts the journal down to mark.
func (c *completer) undo(mark int) {
	for i := len(c.log) - 1; i >= mark; i-- {
		o := c.log[i]
		if o.add {
			c.unadd(int(o.g))
		} else {
			c.st.add(int(o.g), int(o.h))
		}
	}
	c.log = c.log[:mark]
}

// unadd takes g back off its host, movable or not (an unplaced member of
// an affinity group is added as fixed).
func (c *completer) unadd(g int) {
	st := c.st
	if st.movable[g] {
		st.remove(g)
		return
	}
	h := int(st.host[g])
	d := st.D
	for k := range d {
		st.used[h*d+k] -= st.p.Demand[g*d+k]
	}
	st.nFixed[h]--
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

// allowed reports whether g may go on h now: open, room, every rule, and
// for an affinity group the domain its placed members hold.
func (c *completer) allowed(g, h int) bool {
	c.work--
	st := c.st
	if !st.fits(g, h) {
		return false
	}
	return c.togetherOK(g, h)
}

func (c *completer) togetherOK(g, h int) bool {
	st, p := c.st, c.st.p
	k := p.Group[g]
	if k < 0 || !p.Groups[k].Together {
		return true
	}
	dom := st.domain(k, h)
	for e, ek := range p.ExistingGroup {
		if ek == k && st.domain(k, int(p.ExistingHost[e])) != dom {
			return false
		}
	}
	for _, m := range c.groupMembers[k] {
		if x := st.host[m]; int(m) != g && x != NoHost && st.domain(k, int(x)) != dom {
			return false
		}
	}
	return true
}

// direct puts g on the open host with the least room left after it (hosts
// in use before empty ones; ties to the lower index); false when none
// takes it.
func (c *completer) direct(g int) bool {
	st := c.st
	best, bestLeft := -1, 0.0
	for h := range st.nh {
		if !c.allowed(g, h) {
			continue
		}
		left := 1 - st.fill(h)
		if !st.inUse(h) {
			left += 2
		}
		if best < 0 || left < bestLeft {
			best, bestLeft = h, left
		}
	}
	if best < 0 {
		return false
	}
	c.add(g, best)
	return true
}

// place puts g somewhere, directly or, with depth > 0, by taking up to two
// guests off a host (plus the group member that blocks its domain) and
// placing each of them again with depth−1. On false the caller undoes.
func (c *completer) place(g32 int32, depth int) bool {
	g := int(g32)
	if c.direct(g) {
		return true
	}
	if depth == 0 || c.work <= 0 {
		return false
	}
	st := c.st
	c.inChain[g] = true
	defer func() { c.inChain[g] = false }()
	for h := range st.nh {
		if st.closed[h] || !eligibleOn(st.p, g, h, st.newHosts) {
			continue
		}
		base, ok := c.blockers(g, h)
		if !ok {
			continue
		}
		ms := c.ejectable(h)
		try := func(extra ...int32) bool {
			if c.work <= 0 {
				return false
			}
			e := append(base[:len(base):len(base)], extra...)
			for _, x := range e {
				if c.inChain[x] {
					return false
				}
			}
			mark := len(c.log)
			for _, x := range e {
				c.remove(int(x))
			}
			if c.allowed(g, h) {
				c.add(g, h)
				all := true
				for _, x := range e {
					if !c.place(x, depth-1) {
						all = false
						break
					}
				}
				if all {
					return true
				}
			}
			c.undo(mark)
			return false
		}
		if len(base) > 0 && try() {
			return true
		}
		for i, x := range ms {
			if slices.Contains(base, x) {
				continue
			}
			if try(x) {
				return true
			}
			for _, y := range ms[i+1:] {
				if !slices.Contains(base, y) && try(x, y) {
					return true
				}
			}
		}
		if c.work <= 0 {
			return false
		}
	}
	return false
}

// blockers are the new guests whose group rule keeps g off h, all of
// which a chain must take off first: for anti-affinity, the members in h's
// domain; for affinity, the placed members outside it. ok is false when a
// guest that cannot move (existing or pinned) is among them.
func (c *completer) blockers(g, h int) ([]int32, bool) {
	st, p := c.st, c.st.p
	k := p.Group[g]
	if k < 0 {
		return nil, true
	}
	together := p.Groups[k].Together
	dom := st.domain(k, h)
	if !together && st.grpCount[dom] == 0 {
		return nil, true
	}
	if together {
		for e, ek := range p.ExistingGroup {
			if ek == k && st.domain(k, int(p.ExistingHost[e])) != dom {
				return nil, false
			}
		}
	}
	var out []int32
	n := int32(0)
	for _, m := range c.groupMembers[k] {
		x := st.host[m]
		if int(m) == g || x == NoHost || (st.domain(k, int(x)) == dom) == together {
			continue
		}
		if c.pinned[m] {
			return nil, false
		}
		out = append(out, m)
		n++
	}
	if !together && st.grpCount[dom] > n {
		return nil, false // an existing member holds the domain
	}
	return out, true
}

// unaddLogged takes g off its host, movable or not, and journals it.
func (c *completer) unaddLogged(g int) {
	h := c.st.host[g]
	c.unadd(g)
	c.log = append(c.log, journalOp{int32(g), h, false})
}

// maxChainDepth is the longest ejection chain tried: each level may take
// up to two guests (and a group's blockers) off one host. Every level
// multiplies the work, which completeWork bounds.
const maxChainDepth = 5

// roomForAll reports whether the free room of the open hosts of s covers,
// in every dimension, the demand of the guests in out: without it no
// arrangement places them all, and the restarts are not tried.
func roomForAll(p *Problem, s *Solution, out []int32) bool {
	st := stateOf(p, s, -1)
	d := st.d
	need := make([]float64, d)
	for _, g := range out {
		for k := range d {
			need[k] += p.Demand[int(g)*d+k]
		}
	}
	for h := range st.n {
		if st.excluded(h) {
			continue
		}
		for k := range d {
			need[k] -= max(0, st.offered[h*d+k]-st.used[h*d+k])
		}
	}
	for _, x := range need {
		if x > 0 {
			return false
		}
	}
	return true
}
