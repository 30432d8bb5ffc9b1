package placement

import (
	"math"
	"slices"
)

// want is one move a goal asks for: guest e to host to, for why.
type want struct {
	e, to int32
	why   Reason
}

// scheduler turns the moves a goal wants into waves that are safe at every
// step. It replays the fleet from the start:
//
//  1. Fill a wave: take the wanted moves in the goal's order and start each
//     one whose source and destination are under their per-host limits
//     and whose destination passes the destination rule (fleet.fits) with
//     everything already started in this wave counted on both of its
//     hosts. A move that does not fit now waits for a later wave.
//  2. With a failover reserve to keep, keep the longest prefix of the
//     wave whose in-flight state and after-state leave no more guests
//     homeless than before the wave.
//  3. End the wave: every started guest leaves its source.
//  4. When nothing can start, the remaining moves wait on each other (A
//     needs B's room, B needs A's): send one of them to a third host with
//     room first (a hop; it goes on to its destination later). With no
//     third host, or no budget for one, report what is left as stuck.
//
// Every state a wave can pass through, whichever of its migrations ends
// first, carries at most the load, appetite counts and group members of
// its in-flight state (a finished migration only removes the guest from
// its source), so checking the in-flight state checks them all.
type scheduler struct {
	mp  *MoveProblem
	opt MoveOptions
	f   *moveFleet
	ch  *chooser
	// gone marks the hosts the plan empties on purpose: no restarts there.
	gone []bool

	moves  []Move
	waves  []WaveCost
	stuck  []Stuck
	bytes  float64
	hopped []bool
	base   int // homeless guests before the current wave

	outN, inN []int32
	// inWave[e] is the number (from 1) of the last wave guest e started
	// in, so that a guest wanted twice never migrates twice at once.
	inWave []int32
	wave   int32
}

func newScheduler(mp *MoveProblem, opt MoveOptions, closed, gone []bool) (*scheduler, error) {
	f := newFleet(mp)
	copy(f.closed, closed)
	n, tier := packTiers(f)
	ch, err := newChooser(f, opt, n, tier)
	if err != nil {
		return nil, err
	}
	s := &scheduler{mp: mp, opt: opt, f: f, ch: ch, gone: gone,
		hopped: make([]bool, mp.E()), inWave: make([]int32, mp.E()), outN: make([]int32, f.h), inN: make([]int32, f.h)}
	s.base = homeless(mp, f.at, nil, gone)
	return s, nil
}

// run schedules the wanted moves in order.
func (s *scheduler) run(wants []want) {
	pending := slices.Clone(wants)
	pending = s.overBudget(pending)
	for len(pending) > 0 {
		started := s.fill(pending)
		if s.mp.Failover > 0 && len(started) > 0 {
			started = s.keepReserve(pending, started)
			if len(started) == 0 {
				s.stick(pending, StuckFailover)
				return
			}
		}
		if len(started) == 0 {
			hop, ok := s.hop(pending)
			if !ok {
				s.stick(pending, StuckCycle)
				return
			}
			s.endWave([]want{hop})
			continue
		}
		wave := make([]want, len(started))
		for i, j := range started {
			wave[i] = pending[j]
		}
		s.endWave(wave)
		pending = removeIndices(pending, started)
	}
}

// overBudget drops, from the end, the wanted moves beyond MaxMoves and
// MaxBytes (the goals plan within the budget; this is the guard).
func (s *scheduler) overBudget(pending []want) []want {
	n, b := 0, 0.0
	for i, w := range pending {
		n++
		b += s.mp.Cost[w.e]
		if (s.opt.MaxMoves > 0 && n > s.opt.MaxMoves) || (s.opt.MaxBytes > 0 && b > s.opt.MaxBytes*(1+capEps)) {
			for _, x := range pending[i:] {
				s.stuck = append(s.stuck, Stuck{Guest: x.e, From: s.f.at[x.e], Kind: x.why.Kind, Why: StuckBudget})
			}
			return pending[:i]
		}
	}
	return pending
}

// fill starts every pending move that fits now, in order, and returns
// their indices in pending.
func (s *scheduler) fill(pending []want) []int {
	f := s.f
	clear(s.outN)
	clear(s.inN)
	s.wave++
	mo, mi := int32(s.mp.maxOut()), int32(s.mp.maxIn())
	var started []int
	for i, w := range pending {
		e, t := int(w.e), int(w.to)
		src := f.at[e]
		if s.outN[src] >= mo || s.inN[t] >= mi || s.inWave[e] == s.wave {
			continue
		}
		if !f.fits(e, t) {
			continue
		}
		f.arrive(e, t)
		s.outN[src]++
		s.inN[t]++
		s.inWave[e] = s.wave
		started = append(started, i)
	}
	return started
}

// keepReserve keeps the longest prefix of the started moves under which
// the failover reserve is no worse than before the wave, in flight and
// after, and takes the others back. The prefix is found by bisection,
// which assumes that fewer migrations weaken the reserve no more; the
// prefix returned is always one that was checked (or empty).
func (s *scheduler) keepReserve(pending []want, started []int) []int {
	ok := func(n int) bool {
		fl := make([]flight, n)
		after := s.f.snapshot()
		for i, j := range started[:n] {
			fl[i] = flight{pending[j].e, pending[j].to}
			after[pending[j].e] = pending[j].to
		}
		return homeless(s.mp, s.f.at, fl, s.gone) <= s.base && homeless(s.mp, after, nil, s.gone) <= s.base
	}
	lo, hi := 0, len(started)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if ok(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		// The first move alone weakens the reserve: try each alone.
		for i := 1; i < len(started); i++ {
			started[0], started[i] = started[i], started[0]
			if ok(1) {
				lo = 1
				break
			}
		}
	}
	for _, j := range started[lo:] {
		s.f.unarrive(int(pending[j].e), int(pending[j].to))
	}
	kept := slices.Clone(started[:lo])
	slices.Sort(kept)
	return kept
}

// endWave records the started moves of one wave and lets their guests
// leave their sources.
func (s *scheduler) endWave(wave []want) {
	f := s.f
	w := int32(len(s.waves))
	var cost WaveCost
	for _, x := range wave {
		e := int(x.e)
		b := s.mp.Cost[e]
		m := Move{Guest: x.e, From: f.at[e], To: x.to, Wave: w, Bytes: b, Reason: x.why}
		if s.mp.Bandwidth > 0 {
			m.Seconds = b / s.mp.Bandwidth
		}
		f.depart(e, int(x.to))
		s.moves = append(s.moves, m)
		cost.Moves++
		cost.Bytes += b
		cost.Seconds = math.Max(cost.Seconds, m.Seconds)
		s.bytes += b
	}
	s.waves = append(s.waves, cost)
	if s.mp.Failover > 0 {
		s.base = homeless(s.mp, f.at, nil, s.gone)
	}
}

// hop breaks a deadlock: the first pending move whose source another
// pending move waits for goes to a third host with room, then on to its
// destination in a later wave. A guest hops at most once; a hop needs the
// budget for itself on top of what is pending.
func (s *scheduler) hop(pending []want) (want, bool) {
	f := s.f
	n, b := len(s.moves)+len(pending), s.bytes
	for _, w := range pending {
		b += s.mp.Cost[w.e]
	}
	waitedOn := map[int32]bool{}
	for _, o := range pending {
		for _, g := range s.waiting(o, pending) {
			waitedOn[g] = true
		}
	}
	for _, w := range pending {
		e := int(w.e)
		if s.hopped[e] || !waitedOn[w.e] {
			continue
		}
		if (s.opt.MaxMoves > 0 && n+1 > s.opt.MaxMoves) || (s.opt.MaxBytes > 0 && b+s.mp.Cost[e] > s.opt.MaxBytes*(1+capEps)) {
			continue
		}
		h := s.ch.best(e, int(w.to))
		if h < 0 {
			continue
		}
		f.arrive(e, h)
		if s.mp.Failover > 0 {
			fl := []flight{{w.e, int32(h)}}
			after := f.snapshot()
			after[e] = int32(h)
			if homeless(s.mp, f.at, fl, s.gone) > s.base || homeless(s.mp, after, nil, s.gone) > s.base {
				f.unarrive(e, h)
				continue
			}
		}
		s.hopped[e] = true
		return want{e: w.e, to: int32(h), why: Reason{Kind: MoveHop, Host: w.to, Group: NoHost, Guest: NoHost}}, true
	}
	return want{}, false
}

// waiting lists the pending moves (other than w) whose departure would
// give w's destination room or its domain back: moves out of w.to, and
// moves of w's anti-affinity group out of w.to's domain.
func (s *scheduler) waiting(w want, pending []want) []int32 {
	f := s.f
	var out []int32
	k := f.p.ExistingGroup[w.e]
	anti := k >= 0 && !f.p.Groups[k].Together
	for _, o := range pending {
		if o.e == w.e {
			continue
		}
		src := int(f.at[o.e])
		if src == int(w.to) || (anti && f.p.ExistingGroup[o.e] == k && f.dom(k, src) == f.dom(k, int(w.to))) {
			out = append(out, o.e)
		}
	}
	return out
}

// stick reports every pending move as stuck.
func (s *scheduler) stick(pending []want, why StuckWhy) {
	for _, w := range pending {
		st := Stuck{Guest: w.e, From: s.f.at[w.e], Kind: w.why.Kind, Why: why}
		if why == StuckCycle {
			st.Waiting = s.waiting(w, pending)
			if len(st.Waiting) == 0 {
				st.Why = StuckNoHost
			}
			st.Candidates = explainExisting(s.f, int(w.e), s.opt.Strategy)
		}
		s.stuck = append(s.stuck, st)
	}
}

// removeIndices returns xs without the elements at the sorted indices idx.
func removeIndices[T any](xs []T, idx []int) []T {
	out := xs[:0]
	j := 0
	for i, x := range xs {
		if j < len(idx) && idx[j] == i {
			j++
			continue
		}
		out = append(out, x)
	}
	return out
}

// plan builds the MovePlan of what was scheduled.
func (s *scheduler) plan(goal Goal, leaving []int32) *MovePlan {
	s.ch.detach()
	mp, f := s.mp, s.f
	pl := &MovePlan{Goal: goal, Moves: s.moves, Waves: s.waves, Final: f.snapshot(), Stuck: s.stuck,
		Leaving: slices.Sorted(slices.Values(leaving))}
	if pl.Moves == nil {
		pl.Moves = []Move{}
	}
	if pl.Waves == nil {
		pl.Waves = []WaveCost{}
	}
	for _, w := range s.waves {
		pl.Bytes += w.Bytes
		pl.Seconds += w.Seconds
	}
	before := make([]int32, f.h)
	for _, h := range mp.P.ExistingHost {
		before[h]++
	}
	for h := range f.h {
		if before[h] > 0 && f.guests[h] == 0 {
			pl.Freed = append(pl.Freed, int32(h))
		}
	}
	if pl.Freed == nil {
		pl.Freed = []int32{}
	}
	pl.PeakBefore = newFleet(mp).peak()
	pl.PeakAfter = f.peak()
	pl.Bounds.Waves = waveBound(mp, pl.Moves)
	return pl
}

// waveBound is the waves the per-host limits alone need for moves: max over
// hosts of ⌈out/MaxOut⌉ and ⌈in/MaxIn⌉.
func waveBound(mp *MoveProblem, moves []Move) int {
	out := map[int32]int{}
	in := map[int32]int{}
	lb := 0
	for _, m := range moves {
		out[m.From]++
		in[m.To]++
		lb = max(lb, (out[m.From]+mp.maxOut()-1)/mp.maxOut(), (in[m.To]+mp.maxIn()-1)/mp.maxIn())
	}
	return lb
}
