package placement

// reserveWork bounds Reserve: failover checks × (hosts + guests).
const reserveWork = 20_000_000

// Reserve places the new guests of s so that the failover check for k
// failed hosts holds — the reserve as a placement constraint rather than
// a report — or, when no arrangement it finds does, so that it leaves
// fewer guests without a host. It returns s itself when s holds already
// or nothing better is found, and never modifies s.
//
// Two steps, each kept only when it lowers the objective (unplaced guests,
// then guests left homeless summed over the failing host sets, then
// bought hosts, then hosts in use):
//
//  1. The spread construction as another start: it leaves room on every
//     host, which is what restarts need.
//  2. A descent over single moves of new guests that are neither pinned
//     nor in an affinity group — the guests the check leaves homeless
//     first, then those on failing hosts, then the rest (room made on a
//     host that never fails may be what a rack-bound replica needs) — each
//     to another host that takes it under every rule; the first move that
//     lowers the homeless count is taken, until none does.
//
// Each candidate costs one FailoverCheck, so Reserve stops after
// reserveWork/(hosts+guests) of them: it is for plans whose check fails,
// never run when it holds.
func Reserve(p *Problem, s *Solution, k int, opt Options) *Solution {
	if k <= 0 || s == nil || len(s.Host) != p.G() || p.validated() != nil {
		return s
	}
	fo := FailoverCheck(p, s, k)
	if fo.Holds {
		return s
	}
	strat, name, err := lookupStrategy(s.Strategy)
	if err != nil {
		strat, name, _ = lookupStrategy("")
	}
	best, bestCost := s, reserveCostOf(p, s, fo)
	q := *p
	q.sealedAs = nil
	q.Policy.Objective = ObjectiveSpread
	if sp, err := Solve(&q, Options{Strategy: "spread", Seed: opt.Seed, Candidates: opt.Candidates}); err == nil {
		sp.Strategy = name
		clear(sp.Terms)
		fillTerms(p, sp, strat)
		if c := reserveCostOf(p, sp, FailoverCheck(p, sp, k)); c.less(bestCost) {
			best, bestCost = sp, c
		}
	}
	if bestCost.homeless == 0 {
		return best
	}
	if d := descend(p, best, k, bestCost); d != nil {
		best = d
		fillTerms(p, best, strat)
	}
	return best
}

// reserveCost is Reserve's objective, compared lexicographically.
type reserveCost struct {
	unplaced, homeless, bought, used int
}

func (a reserveCost) less(b reserveCost) bool {
	switch {
	case a.unplaced != b.unplaced:
		return a.unplaced < b.unplaced
	case a.homeless != b.homeless:
		return a.homeless < b.homeless
	case a.bought != b.bought:
		return a.bought < b.bought
	}
	return a.used < b.used
}

func reserveCostOf(p *Problem, s *Solution, fo Failover) reserveCost {
	m := Evaluate(p, s)
	return reserveCost{unplaced: m.Unplaced, homeless: homelessOf(fo), bought: m.NewHosts, used: m.HostsUsed}
}

// homelessOf sums the guests left without a host over the failing sets.
func homelessOf(fo Failover) int {
	n := 0
	for _, l := range fo.Losses {
		n += len(l.Guests)
	}
	return n
}

// descend is Reserve's step 2 from s; nil when no move helps.
func descend(p *Problem, s *Solution, k int, cost reserveCost) *Solution {
	st := newImState(p, s)
	cur := s.Clone()
	evals := reserveWork / (p.H() + len(s.NewHosts) + p.G() + 1)
	improved := false
	for evals > 0 {
		fo := FailoverCheck(p, cur, k)
		// candidates: new guests lost, then new guests on failing hosts
		var cands []int32
		seen := make(map[int32]bool)
		for _, l := range fo.Losses {
			for _, i := range l.Guests {
				if i >= 0 && st.movable[i] && !seen[i] {
					seen[i] = true
					cands = append(cands, i)
				}
			}
		}
		for _, l := range fo.Losses {
			for _, h := range l.FailedHosts {
				for _, g := range st.members[h] {
					if !seen[g] {
						seen[g] = true
						cands = append(cands, g)
					}
				}
			}
		}
		// then the others, host by host: room made elsewhere is what a
		// rack- or zone-bound replica may need
		for h := range st.nh {
			for _, g := range st.members[h] {
				if !seen[g] {
					seen[g] = true
					cands = append(cands, g)
				}
			}
		}
		moved := false
		for _, g := range cands {
			from := int(st.host[g])
			if from == NoHost {
				continue
			}
			for h := range st.nh {
				if evals <= 0 {
					break
				}
				if h == from {
					continue
				}
				st.remove(int(g))
				if !st.fits(int(g), h) {
					st.add(int(g), from)
					continue
				}
				st.add(int(g), h)
				cur.Host[g] = int32(h)
				evals--
				c := reserveCostOf(p, cur, FailoverCheck(p, cur, k))
				if c.less(cost) {
					cost, moved, improved = c, true, true
					break
				}
				st.remove(int(g))
				st.add(int(g), from)
				cur.Host[g] = int32(from)
			}
			if moved || evals <= 0 {
				break
			}
		}
		if !moved || cost.homeless == 0 {
			break
		}
	}
	if !improved {
		return nil
	}
	return st.solution(s) // moved guests' Terms zeroed, for fillTerms
}
