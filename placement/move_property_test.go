package placement

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// genMoveProblem draws a small running fleet: 1–2 dimensions, 2–5 hosts in
// 1–3 racks (some excluded), up to 7 guests put anywhere — so the fleet may
// start broken, as repair needs — in up to two groups (anti-affinity or
// affinity, host or rack scope), a random appetite rule, some kept guests,
// host sets, per-host limits, costs, and now and then a failover reserve.
func genMoveProblem(t *rapid.T) *MoveProblem {
	d := rapid.IntRange(1, 2).Draw(t, "dims")
	h := rapid.IntRange(2, 5).Draw(t, "hosts")
	racks := rapid.IntRange(1, 3).Draw(t, "racks")
	p := &Problem{}
	for k := range d {
		p.DimNames = append(p.DimNames, fmt.Sprintf("d%d", k))
	}
	for i := range h {
		p.HostNames = append(p.HostNames, fmt.Sprintf("h%d", i))
		for range d {
			p.Offered = append(p.Offered, float64(rapid.IntRange(4, 20).Draw(t, "offered")))
		}
		p.Rack = append(p.Rack, int32(rapid.IntRange(0, racks-1).Draw(t, "rack")))
		p.Zone = append(p.Zone, 0)
	}
	if rapid.IntRange(0, 3).Draw(t, "exclusions") == 0 {
		p.Excluded = make([]bool, h)
		p.Excluded[rapid.IntRange(0, h-1).Draw(t, "excluded")] = true
	}
	for k := range rapid.IntRange(0, 2).Draw(t, "groups") {
		p.Groups = append(p.Groups, Group{Name: fmt.Sprintf("g%d", k), Scope: Scope(rapid.IntRange(0, 1).Draw(t, "scope")),
			Together: rapid.IntRange(0, 3).Draw(t, "together") == 0})
	}
	if rapid.IntRange(0, 2).Draw(t, "hard appetite") == 0 {
		p.Policy.SameAppetite = AppetiteRule{Hard: true, MaxPerHost: rapid.IntRange(1, 2).Draw(t, "max per host")}
	}
	p.Policy.Objective = Objective(rapid.IntRange(0, 1).Draw(t, "objective"))
	mp := &MoveProblem{P: p}
	n := rapid.IntRange(0, 7).Draw(t, "guests")
	for range n {
		p.ExistingHost = append(p.ExistingHost, int32(rapid.IntRange(0, h-1).Draw(t, "host")))
		for range d {
			p.ExistingDemand = append(p.ExistingDemand, float64(rapid.IntRange(0, 8).Draw(t, "demand")))
		}
		p.ExistingAppetite = append(p.ExistingAppetite, int8(rapid.IntRange(-1, d-1).Draw(t, "appetite")))
		grp := int32(NoHost)
		if len(p.Groups) > 0 && rapid.Bool().Draw(t, "in group") {
			grp = int32(rapid.IntRange(0, len(p.Groups)-1).Draw(t, "group"))
		}
		p.ExistingGroup = append(p.ExistingGroup, grp)
		mp.Cost = append(mp.Cost, float64(rapid.IntRange(0, 5).Draw(t, "cost")))
	}
	p.GuestNames, p.Demand, p.Appetite, p.Group = []string{}, []float64{}, []int8{}, []int32{}
	if n > 0 && rapid.IntRange(0, 3).Draw(t, "keep") == 0 {
		mp.Keep = make([]bool, n)
		mp.Keep[rapid.IntRange(0, n-1).Draw(t, "kept")] = true
	}
	if n > 0 && rapid.IntRange(0, 3).Draw(t, "selector") == 0 {
		set := HostSet{Name: "some", Hosts: make([]bool, h), Models: []bool{}}
		for i := range set.Hosts {
			set.Hosts[i] = rapid.Bool().Draw(t, "in set")
		}
		p.HostSets = []HostSet{set}
		mp.Eligible = make([]int32, n)
		for i := range mp.Eligible {
			mp.Eligible[i] = int32(rapid.IntRange(-1, 0).Draw(t, "eligible"))
		}
	}
	mp.MaxOut = rapid.IntRange(0, 2).Draw(t, "max out")
	mp.MaxIn = rapid.IntRange(0, 2).Draw(t, "max in")
	if rapid.IntRange(0, 4).Draw(t, "failover") == 0 {
		mp.Failover = rapid.IntRange(1, 2).Draw(t, "failover k")
	}
	if rapid.Bool().Draw(t, "bandwidth") {
		mp.Bandwidth = float64(rapid.IntRange(1, 4).Draw(t, "bandwidth"))
	}
	return mp
}

func drawMoveOptions(t *rapid.T, mp *MoveProblem) (Goal, MoveOptions) {
	goal := Goal(rapid.IntRange(0, 3).Draw(t, "goal"))
	opt := MoveOptions{Seed: rapid.Uint64().Draw(t, "seed"),
		Strategy:   rapid.SampledFrom(Strategies()).Draw(t, "strategy"),
		Candidates: rapid.SampledFrom([]int{0, 1, -1}).Draw(t, "candidates")}
	if goal == GoalDrain {
		h := mp.P.H()
		opt.Drain = []int32{int32(rapid.IntRange(0, h-1).Draw(t, "drain"))}
		if o := int32(rapid.IntRange(0, h-1).Draw(t, "drain 2")); o != opt.Drain[0] && rapid.Bool().Draw(t, "two") {
			opt.Drain = append(opt.Drain, o)
		}
	}
	if rapid.IntRange(0, 3).Draw(t, "budget") == 0 {
		opt.MaxMoves = rapid.IntRange(1, 4).Draw(t, "max moves")
	}
	if rapid.IntRange(0, 4).Draw(t, "bytes budget") == 0 {
		opt.MaxBytes = float64(rapid.IntRange(1, 10).Draw(t, "max bytes"))
	}
	return goal, opt
}

// TestMoveProperties plans every goal on random small fleets and holds each
// plan to its promises: the referee finds nothing wrong at any step, the
// same seed gives the same plan, and against brute force over every final
// state — the plan is never better than the optimum, a proven plan is the
// optimum, the exact search proves every fleet this small unless something
// is stuck, and the lower bounds are below the optimum.
func TestMoveProperties(t *testing.T) {
	rounds := 10
	if testing.Short() {
		rounds = 1
	}
	for r := range rounds {
		t.Run(fmt.Sprint(r), func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				mp := genMoveProblem(t)
				goal, opt := drawMoveOptions(t, mp)
				pl, err := Rebalance(mp, goal, opt)
				if err != nil {
					t.Fatal(err)
				}
				if bad := CheckMoves(mp, opt, pl); len(bad) > 0 {
					t.Fatalf("referee: %v\nplan %+v", bad, pl)
				}
				again, err := Rebalance(mp, goal, opt)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(pl, again); diff != "" {
					t.Fatalf("same seed, different plan (-first +second):\n%s", diff)
				}
				checkAgainstBruteForce(t, mp, goal, opt, pl)
				// The problems handed to FailoverCheck and Explain are
				// valid, or they would answer "holds" and nothing.
				for _, skip := range []int{-1, mp.E() - 1} {
					if err := derive(mp, pl.Final, nil, make([]bool, mp.P.H()), skip).Validate(); err != nil {
						t.Fatalf("derived problem: %v", err)
					}
				}
			})
		})
	}
}

func checkAgainstBruteForce(t *rapid.T, mp *MoveProblem, goal Goal, opt MoveOptions, pl *MovePlan) {
	bf := bruteForce(mp, goal, opt)
	got, ok := bf.keyOf(pl.Final)
	if !ok && (goal != GoalRepair && goal != GoalDrain || len(pl.Stuck) == 0 && len(pl.Remaining) == 0) {
		t.Fatalf("the plan's final state %v breaks the final-state rule or misses the goal", pl.Final)
	}
	if !bf.found {
		if pl.Proven {
			t.Fatalf("proven, but no final state reaches the goal")
		}
		return
	}
	if ok && got.less(bf.best) {
		t.Fatalf("plan key %v beats the brute-force optimum %v: the oracle is wrong", got, bf.best)
	}
	if pl.Proven && mp.Failover == 0 && (!ok || bf.best.less(got)) {
		t.Fatalf("proven plan has key %v, optimum %v (final %v, best %v)", got, bf.best, pl.Final, bf.bestAt)
	}
	if !pl.Proven && len(pl.Stuck) == 0 && len(pl.Remaining) == 0 && mp.Failover == 0 {
		t.Fatalf("a fleet this small should be proven; key %v, optimum %v", got, bf.best)
	}
	// Lower bounds: no final state reaching the plan's outcome moves fewer.
	if ok {
		if n := bf.fewestFor(goal, got); n < pl.Bounds.Moves {
			t.Fatalf("%v: Bounds.Moves %d, but a final state reaching the same outcome moves %d\nplan %+v", goal, pl.Bounds.Moves, n, pl)
		}
	}
	if goal == GoalConsolidate && bf.fewestHosts < pl.Bounds.HostsInUse {
		t.Fatalf("Bounds.HostsInUse %d, but a final state uses %d hosts", pl.Bounds.HostsInUse, bf.fewestHosts)
	}
}

// brute enumerates every final state of a move problem, written apart from
// the planners: each movable guest on each host it may end on, the
// final-state rule checked from scratch.
type brute struct {
	mp          *MoveProblem
	goal        Goal
	opt         MoveOptions
	found       bool
	best        exactKey
	bestAt      []int32
	all         []bfState
	fewestHosts int
}

type bfState struct {
	key    exactKey
	freed  int
	peak   float64
	moves  int
	bytesN float64
}

func bruteForce(mp *MoveProblem, goal Goal, opt MoveOptions) *brute {
	p := mp.P
	bf := &brute{mp: mp, goal: goal, opt: opt, best: worstKey, fewestHosts: math.MaxInt}
	e := len(p.ExistingHost)
	at := append([]int32(nil), p.ExistingHost...)
	var rec func(i int)
	rec = func(i int) {
		if i == e {
			bf.visit(at)
			return
		}
		for h := range p.H() {
			if bf.mayEnd(i, int32(h)) {
				at[i] = int32(h)
				rec(i + 1)
			}
		}
		at[i] = p.ExistingHost[i]
	}
	rec(0)
	return bf
}

// mayEnd: guest i may end on host h — its start, or a host it may move to.
func (bf *brute) mayEnd(i int, h int32) bool {
	mp, p := bf.mp, bf.mp.P
	s := p.ExistingHost[i]
	if h == s {
		return true
	}
	if mp.Keep != nil && mp.Keep[i] {
		return false
	}
	if p.Excluded != nil && p.Excluded[h] {
		return false
	}
	if bf.goal == GoalDrain {
		for _, x := range bf.opt.Drain {
			if x == h {
				return false
			}
		}
	}
	if mp.Eligible != nil && mp.Eligible[i] >= 0 && !p.HostSets[mp.Eligible[i]].Hosts[h] {
		return false
	}
	if k := p.ExistingGroup[i]; k >= 0 && p.Groups[k].Together {
		home := bfHome(p, k)
		return bfDom(p, k, h) == bfDom(p, k, s) && p.Groups[k].Scope != ScopeHost || bfDom(p, k, h) == home
	}
	return true
}

func bfDom(p *Problem, k, h int32) int32 {
	if p.Groups[k].Scope == ScopeRack {
		return p.Rack[h]
	}
	return h
}

// bfHome is the domain holding most of group k at the start, ties to the
// domain of its lowest-numbered member.
func bfHome(p *Problem, k int32) int32 {
	count := map[int32]int{}
	for e, g := range p.ExistingGroup {
		if g == k {
			count[bfDom(p, k, p.ExistingHost[e])]++
		}
	}
	home, best := int32(NoHost), 0
	for e, g := range p.ExistingGroup {
		if g == k {
			if dm := bfDom(p, k, p.ExistingHost[e]); count[dm] > best {
				home, best = dm, count[dm]
			}
		}
	}
	return home
}

func (bf *brute) visit(at []int32) {
	key, ok := bf.keyOf(at)
	if !ok {
		return
	}
	used := map[int32]bool{}
	for _, h := range at {
		used[h] = true
	}
	bf.fewestHosts = min(bf.fewestHosts, len(used))
	st := bfState{key: key}
	st.moves, st.bytesN = bf.movesOf(at)
	st.freed, st.peak = bf.freedOf(at), bf.peakOf(at)
	bf.all = append(bf.all, st)
	if key.less(bf.best) {
		bf.found, bf.best, bf.bestAt = true, key, append([]int32(nil), at...)
	}
}

func (bf *brute) movesOf(at []int32) (int, float64) {
	n, b := 0, 0.0
	for e, h := range at {
		if h != bf.mp.P.ExistingHost[e] {
			n++
			b += bf.mp.Cost[e]
		}
	}
	return n, b
}

func (bf *brute) freedOf(at []int32) int {
	p := bf.mp.P
	n := 0
	for h := range p.H() {
		was, is := false, false
		for e := range at {
			was = was || p.ExistingHost[e] == int32(h)
			is = is || at[e] == int32(h)
		}
		if was && !is {
			n++
		}
	}
	return n
}

func (bf *brute) load(at []int32) []float64 {
	p := bf.mp.P
	d := p.D()
	load := make([]float64, p.H()*d)
	for e, h := range at {
		for k := range d {
			load[int(h)*d+k] += p.ExistingDemand[e*d+k]
		}
	}
	return load
}

func (bf *brute) peakOf(at []int32) float64 {
	p := bf.mp.P
	d := p.D()
	load := bf.load(at)
	peak := 0.0
	for i, u := range load {
		if o := p.Offered[i]; o > 0 {
			peak = math.Max(peak, u/o)
		}
	}
	_ = d
	return peak
}

// keyOf is the goal's key of final state at (as the planners define it),
// and whether at keeps the final-state rule, the budget and the goal.
func (bf *brute) keyOf(at []int32) (exactKey, bool) {
	p := bf.mp.P
	d := p.D()
	if len(at) != len(p.ExistingHost) {
		return worstKey, false
	}
	moves, bytes := bf.movesOf(at)
	if (bf.opt.MaxMoves > 0 && moves > bf.opt.MaxMoves) || (bf.opt.MaxBytes > 0 && bytes > bf.opt.MaxBytes*(1+1e-9)) {
		return worstKey, false
	}
	load := bf.load(at)
	apps := make([]int, p.H()*d)
	for e, h := range at {
		if a := p.ExistingAppetite[e]; a >= 0 {
			apps[int(h)*d+int(a)]++
		}
	}
	rule := p.Policy.SameAppetite
	sameDom := func(k int32, e int) int {
		n := 0
		for o, g := range p.ExistingGroup {
			if g == k && bfDom(p, k, at[o]) == bfDom(p, k, at[e]) {
				n++
			}
		}
		return n
	}
	for e, h := range at {
		if h == p.ExistingHost[e] {
			continue
		}
		if !bf.mayEnd(e, h) {
			return worstKey, false
		}
		for k := range d {
			if load[int(h)*d+k] > p.Offered[int(h)*d+k]*(1+1e-9) {
				return worstKey, false
			}
		}
		if a := p.ExistingAppetite[e]; a >= 0 && rule.Hard && rule.MaxPerHost > 0 && apps[int(h)*d+int(a)] > rule.MaxPerHost {
			return worstKey, false
		}
		if k := p.ExistingGroup[e]; k >= 0 && !p.Groups[k].Together && sameDom(k, e) > 1 {
			return worstKey, false
		}
	}
	n := float64(moves)
	switch bf.goal {
	case GoalConsolidate:
		return exactKey{-float64(bf.freedOf(at)), n, bytes}, true
	case GoalBalance:
		return exactKey{bf.peakOf(at), n, bytes}, true
	case GoalDrain:
		for _, x := range bf.opt.Drain {
			for _, h := range at {
				if h == x {
					return worstKey, false
				}
			}
		}
	case GoalRepair:
		for i, u := range load {
			if u > p.Offered[i]*(1+1e-9) {
				return worstKey, false
			}
		}
		for i, c := range apps {
			if rule.Hard && rule.MaxPerHost > 0 && c > rule.MaxPerHost {
				_ = i
				return worstKey, false
			}
		}
		for e, k := range p.ExistingGroup {
			if k < 0 {
				continue
			}
			if p.Groups[k].Together && bfDom(p, k, at[e]) != bfHome(p, k) {
				return worstKey, false
			}
			if !p.Groups[k].Together && sameDom(k, e) > 1 {
				return worstKey, false
			}
		}
	}
	return exactKey{n, bytes, 0}, true
}

// fewestFor is the fewest moves of any final state whose outcome is at
// least the plan's: as many hosts freed (consolidate), a peak as low
// (balance), the goal reached (repair, drain).
func (bf *brute) fewestFor(goal Goal, got exactKey) int {
	best := math.MaxInt
	for _, s := range bf.all {
		switch goal {
		case GoalConsolidate:
			if float64(-s.freed) > got[0] {
				continue
			}
		case GoalBalance:
			if s.peak > got[0]+1e-9 {
				continue
			}
		}
		best = min(best, s.moves)
	}
	return best
}

// TestWaveProperties plans rolling maintenance on random small fleets: every
// wave's drain passes the referee from where the wave starts and empties
// its hosts, every host to maintain is in exactly one wave or undrainable,
// the same seed gives the same plan, and every wave meets the condition the
// lower bound rests on (its hosts offer no more than the fleet's spare).
func TestWaveProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		mp := genMoveProblem(t)
		mp.Failover = 0 // maintenance plans without the reserve here
		opt := WaveOptions{MaxHostsPerWave: rapid.IntRange(0, 3).Draw(t, "max hosts"),
			Move: MoveOptions{Seed: rapid.Uint64().Draw(t, "seed")}}
		pl, err := PlanWaves(mp, opt)
		if err != nil {
			t.Fatal(err)
		}
		again, err := PlanWaves(mp, opt)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(pl, again); diff != "" {
			t.Fatalf("same seed, different waves (-first +second):\n%s", diff)
		}
		p := mp.P
		in := map[int32]int{}
		for _, h := range pl.Undrainable {
			in[h]++
		}
		for i, w := range pl.Waves {
			if opt.MaxHostsPerWave > 0 && len(w.Hosts) > opt.MaxHostsPerWave {
				t.Fatalf("wave %d has %d hosts, max %d", i, len(w.Hosts), opt.MaxHostsPerWave)
			}
			if bad := CheckMoves(mp.WaveProblem(&w), MoveOptions{}, w.Drain); len(bad) > 0 {
				t.Fatalf("wave %d: referee %v", i, bad)
			}
			for _, h := range w.Hosts {
				in[h]++
				for e, x := range w.Drain.Final {
					if x == h {
						t.Fatalf("wave %d: guest %d left on drained host %d", i, e, h)
					}
				}
			}
			if !overloaded(p) {
				d := p.D()
				for k := range d {
					spare, offer := 0.0, 0.0
					for h := range p.H() {
						if p.Excluded == nil || !p.Excluded[h] {
							spare += p.Offered[h*d+k]
						}
					}
					for e, h := range p.ExistingHost {
						if p.Excluded == nil || !p.Excluded[h] {
							spare -= p.ExistingDemand[e*d+k]
						}
					}
					for _, h := range w.Hosts {
						offer += p.Offered[int(h)*d+k]
					}
					if offer > spare*(1+1e-9)+1e-9 {
						t.Fatalf("wave %d offers %v in dim %d, the spare is %v: the bound's premise fails", i, offer, k, spare)
					}
				}
			}
		}
		for h := range p.H() {
			want := 1
			if p.Excluded != nil && p.Excluded[h] {
				want = 0
			}
			if in[int32(h)] != want {
				t.Fatalf("host %d is in %d waves (or undrainable), want %d", h, in[int32(h)], want)
			}
		}
		if len(pl.Waves) < pl.LowerBound {
			t.Fatalf("%d waves beat the lower bound %d", len(pl.Waves), pl.LowerBound)
		}
	})
}

// overloaded reports whether some open host starts over its offer.
func overloaded(p *Problem) bool {
	d := p.D()
	used := make([]float64, p.H()*d)
	for e, h := range p.ExistingHost {
		for k := range d {
			used[int(h)*d+k] += p.ExistingDemand[e*d+k]
		}
	}
	for i, u := range used {
		if h := i / d; (p.Excluded == nil || !p.Excluded[h]) && u > p.Offered[i]*(1+1e-9) {
			return true
		}
	}
	return false
}

// TestMakeRoomProperties adds new guests to random fleets: the moves pass
// the referee within the budget, the placement after them passes the
// independent checker of the solver's property tests (when the placement
// with nothing moved does), it is never worse
// than placing with nothing moved, and the same seed gives the same plan.
func TestMakeRoomProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		mp := genMoveProblem(t)
		p := mp.P
		d := p.D()
		for i := range rapid.IntRange(1, 4).Draw(t, "new guests") {
			p.GuestNames = append(p.GuestNames, fmt.Sprintf("n%d", i))
			for range d {
				p.Demand = append(p.Demand, float64(rapid.IntRange(0, 10).Draw(t, "new demand")))
			}
			p.Appetite = append(p.Appetite, int8(rapid.IntRange(-1, d-1).Draw(t, "new appetite")))
			grp := int32(NoHost)
			if len(p.Groups) > 0 && rapid.Bool().Draw(t, "new in group") {
				grp = int32(rapid.IntRange(0, len(p.Groups)-1).Draw(t, "new group"))
			}
			p.Group = append(p.Group, grp)
		}
		if rapid.Bool().Draw(t, "models") {
			p.Models = []Model{{Name: "m", Offered: slices.Repeat([]float64{12}, d), Rack: -1, Zone: -1}}
			for i := range p.HostSets {
				p.HostSets[i].Models = []bool{true}
			}
		}
		budget := rapid.IntRange(1, 3).Draw(t, "budget")
		opt := Options{Seed: rapid.Uint64().Draw(t, "seed")}
		rp, err := MakeRoom(mp, opt, budget)
		if err != nil {
			t.Fatal(err)
		}
		if bad := CheckMoves(mp, MoveOptions{MaxMoves: budget}, rp.Moves); len(bad) > 0 {
			t.Fatalf("referee: %v", bad)
		}
		// A fleet that starts broken stays broken where nothing moves:
		// the promise is about fleets the checker passes with nothing
		// moved.
		if len(verify(p, rp.Without)) == 0 {
			if bad := verify(rp.AfterMoves(p), rp.With); len(bad) > 0 {
				t.Fatalf("independent checker on the placement after the moves: %v", bad)
			}
		}
		if rp.Better != roomBetter(rp.With, rp.Without) || (!rp.Better && len(rp.Moves.Moves) > 0) {
			t.Fatalf("better %v with %d moves: moves are kept only when they help", rp.Better, len(rp.Moves.Moves))
		}
		again, err := MakeRoom(mp, opt, budget)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(rp, again); diff != "" {
			t.Fatalf("same seed, different plan (-first +second):\n%s", diff)
		}
	})
}
