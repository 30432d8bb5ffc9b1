package placement

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// StepRule names a promise of a move plan that CheckMoves found broken.
type StepRule uint8

const (
	StepMove         StepRule = iota // a move names an unknown guest or host, or the guest is not on From
	StepKept                         // a kept guest moves
	StepClosed                       // a move goes to an excluded host or one the plan empties
	StepSelector                     // a move goes to a host outside the guest's host set
	StepTwice                        // a guest migrates twice in one wave
	StepLimit                        // a host runs more migrations at once than MaxOut / MaxIn
	StepCapacity                     // a host receiving a guest is over its offer in flight
	StepAppetite                     // a host receiving a guest is over the hard appetite limit in flight
	StepAntiAffinity                 // a guest arrives in a domain holding another member of its group
	StepAffinity                     // an affinity member moves out of its domain, not to its group's home
	StepFailover                     // a state leaves more guests homeless than before its wave
	StepBudget                       // the plan exceeds MaxMoves or MaxBytes
	StepTotals                       // a cost, wave total, Final or Freed disagrees with the moves
)

func (r StepRule) String() string {
	names := [...]string{"move", "kept", "closed host", "selector", "twice in a wave", "per-host limit",
		"capacity", "same-appetite", "anti-affinity", "affinity", "failover", "budget", "totals"}
	if int(r) < len(names) {
		return names[r]
	}
	return fmt.Sprintf("step(%d)", uint8(r))
}

// StepViolation is one broken promise: in wave Wave (−1: the plan as a
// whole), at move Move (an index into MovePlan.Moves, −1: none), on Host
// for Guest (NoHost when not about one), in Dim or Group where it applies.
type StepViolation struct {
	Rule  StepRule
	Wave  int32
	Move  int
	Host  int32
	Guest int32
	Dim   int
	Group int32
}

func (v StepViolation) String() string {
	return fmt.Sprintf("%v: wave %d move %d host %d guest %d dim %d group %d", v.Rule, v.Wave, v.Move, v.Host, v.Guest, v.Dim, v.Group)
}

// CheckMoves is the referee of a move plan: it replays pl wave by wave from
// mp's fleet and checks every intermediate state, sharing no code with the
// planners (not fleet, not state, not FailoverCheck). In each wave every
// migration holds its guest on both hosts, so the state checked is the
// wave's in-flight state, which bounds every state the wave passes
// through whatever order its migrations end in. A host that receives a
// guest in a wave must then be within its offer in every dimension and
// within the hard appetite limit for the arriving appetite; an arriving
// anti-affinity member must find no other member in its domain; an
// affinity member moves only within its domain or to its group's home (the
// domain holding most members at the start, ties to the lowest member).
// Hosts that receive nothing may keep what was wrong before: a plan never
// makes a rule worse where it adds nothing. With mp.Failover, no in-flight
// or between-waves state leaves more guests homeless than the state
// before the wave. Moves respect Keep, exclusions, the hosts the plan
// empties (pl.Leaving), host sets, per-host limits and opt's budget; costs,
// totals, Final and Freed agree with the moves.
func CheckMoves(mp *MoveProblem, opt MoveOptions, pl *MovePlan) []StepViolation {
	if pl == nil || mp.Validate() != nil {
		return nil
	}
	r := newReferee(mp, pl)
	var out []StepViolation
	bad := func(v StepViolation) { out = append(out, v) }
	prevWave := int32(-1)
	for i := 0; i < len(pl.Moves); {
		w := pl.Moves[i].Wave
		if w != prevWave+1 {
			bad(StepViolation{Rule: StepTotals, Wave: w, Move: i, Host: NoHost, Guest: NoHost, Group: NoHost})
		}
		j := i
		for j < len(pl.Moves) && pl.Moves[j].Wave == w {
			j++
		}
		out = append(out, r.wave(w, i, pl.Moves[i:j])...)
		prevWave, i = w, j
	}
	out = append(out, r.totals(opt)...)
	slices.SortStableFunc(out, func(a, b StepViolation) int { return cmp.Compare(a.Wave, b.Wave) })
	return out
}

type referee struct {
	mp      *MoveProblem
	pl      *MovePlan
	d, h    int
	at      []int32
	gone    []bool
	home    []int32
	ref     []float64
	before  int       // homeless before the current wave
	members [][]int32 // existing guests of each group
}

func newReferee(mp *MoveProblem, pl *MovePlan) *referee {
	p := mp.P
	r := &referee{mp: mp, pl: pl, d: len(p.DimNames), h: len(p.HostNames), at: append([]int32(nil), p.ExistingHost...)}
	r.gone = make([]bool, r.h)
	for h := range r.h {
		r.gone[h] = p.Excluded != nil && p.Excluded[h]
	}
	for _, h := range pl.Leaving {
		if h >= 0 && int(h) < r.h {
			r.gone[h] = true
		}
	}
	r.members = make([][]int32, len(p.Groups))
	for e, k := range p.ExistingGroup {
		if k >= 0 {
			r.members[k] = append(r.members[k], int32(e))
		}
	}
	// Each affinity group's home: the domain with most members, ties to
	// the domain of the lowest-numbered member.
	r.home = make([]int32, len(p.Groups))
	for k := range p.Groups {
		r.home[k] = NoHost
		if !p.Groups[k].Together {
			continue
		}
		bestN, bestFirst := 0, 0
		for e := range p.ExistingGroup {
			if int(p.ExistingGroup[e]) != k {
				continue
			}
			dom := r.dom(int32(k), p.ExistingHost[e])
			n, first := 0, -1
			for o := range p.ExistingGroup {
				if int(p.ExistingGroup[o]) == k && r.dom(int32(k), p.ExistingHost[o]) == dom {
					n++
					if first < 0 {
						first = o
					}
				}
			}
			if r.home[k] == NoHost || n > bestN || (n == bestN && first < bestFirst) {
				r.home[k], bestN, bestFirst = dom, n, first
			}
		}
	}
	if mp.Failover > 0 {
		r.ref = r.reference()
		r.before = r.homeless(r.at, nil)
	}
	return r
}

func (r *referee) dom(k int32, h int32) int32 {
	switch r.mp.P.Groups[k].Scope {
	case ScopeRack:
		return r.mp.P.Rack[h]
	case ScopeZone:
		return r.mp.P.Zone[h]
	}
	return h
}

// wave checks one wave (moves, starting at index first of the plan) and
// applies it.
func (r *referee) wave(w int32, first int, moves []Move) []StepViolation {
	out, ok := r.moveRules(w, first, moves)
	var valid []Move
	for i, m := range moves {
		if ok[i] {
			valid = append(valid, m)
		}
	}
	out = append(out, r.inFlight(w, first, moves, ok, valid)...)
	if r.mp.Failover > 0 {
		inFlight := r.homeless(r.at, valid)
		after := append([]int32(nil), r.at...)
		for _, m := range valid {
			after[m.Guest] = m.To
		}
		if n := r.homeless(after, nil); inFlight > r.before || n > r.before {
			out = append(out, StepViolation{Rule: StepFailover, Wave: w, Move: -1, Host: NoHost, Guest: NoHost, Group: NoHost})
		}
	}
	for _, m := range valid {
		r.at[m.Guest] = m.To
	}
	if r.mp.Failover > 0 {
		r.before = r.homeless(r.at, nil)
	}
	return out
}

// moveRules checks each move of a wave on its own: it names a guest on
// From and another host, once per wave; the guest is not kept; the
// destination is open, in the guest's host set; the per-host limits hold.
// ok marks the moves that can be replayed.
func (r *referee) moveRules(w int32, first int, moves []Move) ([]StepViolation, []bool) {
	mp, p := r.mp, r.mp.P
	var out []StepViolation
	bad := func(rule StepRule, i int, host, guest int32) {
		out = append(out, StepViolation{Rule: rule, Wave: w, Move: first + i, Host: host, Guest: guest, Group: NoHost})
	}
	seen := map[int32]bool{}
	outN, inN := map[int32]int{}, map[int32]int{}
	ok := make([]bool, len(moves))
	for i, m := range moves {
		e := m.Guest
		if e < 0 || int(e) >= len(r.at) || m.To < 0 || int(m.To) >= r.h || m.From != r.at[e] || m.From == m.To {
			bad(StepMove, i, m.To, e)
			continue
		}
		if seen[e] {
			bad(StepTwice, i, m.To, e)
			continue
		}
		seen[e] = true
		if mp.Keep != nil && mp.Keep[e] {
			bad(StepKept, i, m.From, e)
		}
		if r.gone[m.To] {
			bad(StepClosed, i, m.To, e)
		}
		if mp.Eligible != nil && mp.Eligible[e] >= 0 && !p.HostSets[mp.Eligible[e]].Hosts[m.To] {
			bad(StepSelector, i, m.To, e)
		}
		outN[m.From]++
		inN[m.To]++
		if outN[m.From] > max(1, mp.MaxOut) {
			bad(StepLimit, i, m.From, e)
		}
		if inN[m.To] > max(1, mp.MaxIn) {
			bad(StepLimit, i, m.To, e)
		}
		ok[i] = true
	}
	return out, ok
}

// inFlight checks the wave's in-flight state — every guest where it is,
// every migrating guest also on its destination — where guests arrive:
// capacity, the appetite limit, anti-affinity, affinity.
func (r *referee) inFlight(w int32, first int, moves []Move, ok []bool, valid []Move) []StepViolation {
	p, d := r.mp.P, r.d
	var out []StepViolation
	bad := func(rule StepRule, i int, host, guest int32, dim int, group int32) {
		out = append(out, StepViolation{Rule: rule, Wave: w, Move: first + i, Host: host, Guest: guest, Dim: dim, Group: group})
	}
	load := make([]float64, r.h*d)
	apps := make([]int, r.h*d)
	put := func(e, h int32) {
		for k := range d {
			load[int(h)*d+k] += p.ExistingDemand[int(e)*d+k]
		}
		if a := p.ExistingAppetite[e]; a >= 0 {
			apps[int(h)*d+int(a)]++
		}
	}
	for e, h := range r.at {
		put(int32(e), h)
	}
	arriving := map[int32]int32{}
	for _, m := range valid {
		put(m.Guest, m.To)
		arriving[m.Guest] = m.To
	}
	rule := p.Policy.SameAppetite
	for i, m := range moves {
		if !ok[i] {
			continue
		}
		e, t := m.Guest, int(m.To)
		for k := range d {
			if load[t*d+k] > p.Offered[t*d+k]*(1+1e-9) {
				bad(StepCapacity, i, m.To, e, k, NoHost)
			}
		}
		if a := p.ExistingAppetite[e]; a >= 0 && rule.Hard && rule.MaxPerHost > 0 && apps[t*d+int(a)] > rule.MaxPerHost {
			bad(StepAppetite, i, m.To, e, int(a), NoHost)
		}
		k := p.ExistingGroup[e]
		if k < 0 {
			continue
		}
		dest := r.dom(k, m.To)
		if p.Groups[k].Together {
			if dest != r.dom(k, m.From) && dest != r.home[k] {
				bad(StepAffinity, i, m.To, e, 0, k)
			}
			continue
		}
		for _, o := range r.members[k] {
			if o == e {
				continue
			}
			there := r.dom(k, r.at[o]) == dest
			if x, moving := arriving[o]; moving {
				there = there || r.dom(k, x) == dest
			}
			if there {
				bad(StepAntiAffinity, i, m.To, e, 0, k)
				break
			}
		}
	}
	return out
}

// totals checks costs, wave and plan totals, Final, Freed and the budget.
func (r *referee) totals(opt MoveOptions) []StepViolation {
	mp, pl := r.mp, r.pl
	var out []StepViolation
	bad := func(w int32, i int) {
		out = append(out, StepViolation{Rule: StepTotals, Wave: w, Move: i, Host: NoHost, Guest: NoHost, Group: NoHost})
	}
	same := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(a), math.Abs(b)) }
	waves := make([]WaveCost, len(pl.Waves))
	bytes := 0.0
	for i, m := range pl.Moves {
		if m.Guest < 0 || int(m.Guest) >= len(mp.Cost) || m.Wave < 0 || int(m.Wave) >= len(waves) {
			bad(-1, i)
			continue
		}
		secs := 0.0
		if mp.Bandwidth > 0 {
			secs = mp.Cost[m.Guest] / mp.Bandwidth
		}
		if !same(m.Bytes, mp.Cost[m.Guest]) || !same(m.Seconds, secs) {
			bad(m.Wave, i)
		}
		w := &waves[m.Wave]
		w.Moves++
		w.Bytes += m.Bytes
		w.Seconds = max(w.Seconds, m.Seconds)
		bytes += m.Bytes
	}
	secs := 0.0
	for i, w := range waves {
		got := pl.Waves[i]
		if w.Moves == 0 || got.Moves != w.Moves || !same(got.Bytes, w.Bytes) || !same(got.Seconds, w.Seconds) {
			bad(int32(i), -1)
		}
		secs += w.Seconds
	}
	if !same(pl.Bytes, bytes) || !same(pl.Seconds, secs) {
		bad(-1, -1)
	}
	if !slices.Equal(pl.Final, r.at) {
		bad(-1, -1)
	}
	var freed []int32
	for h := range r.h {
		was, is := false, false
		for e := range r.at {
			was = was || mp.P.ExistingHost[e] == int32(h)
			is = is || r.at[e] == int32(h)
		}
		if was && !is {
			freed = append(freed, int32(h))
		}
	}
	if !slices.Equal(freed, pl.Freed) && !(len(freed) == 0 && len(pl.Freed) == 0) {
		bad(-1, -1)
	}
	if (opt.MaxMoves > 0 && len(pl.Moves) > opt.MaxMoves) || (opt.MaxBytes > 0 && bytes > opt.MaxBytes*(1+1e-9)) {
		out = append(out, StepViolation{Rule: StepBudget, Wave: -1, Move: -1, Host: NoHost, Guest: NoHost, Group: NoHost})
	}
	return out
}
