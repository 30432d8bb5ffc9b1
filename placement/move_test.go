package placement

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// mv is a move as the tests compare them: guest, from, to, wave, kind and
// the host of its reason.
type mv struct {
	Guest, From, To, Wave int32
	Kind                  MoveKind
	Host                  int32
}

func moves(pl *MovePlan) []mv {
	out := []mv{}
	for _, m := range pl.Moves {
		out = append(out, mv{m.Guest, m.From, m.To, m.Wave, m.Reason.Kind, m.Reason.Host})
	}
	return out
}

// mustCheck fails the test when the referee finds anything wrong.
func mustCheck(t *testing.T, mp *MoveProblem, opt MoveOptions, pl *MovePlan) {
	t.Helper()
	if bad := CheckMoves(mp, opt, pl); len(bad) > 0 {
		t.Fatalf("referee: %v", bad)
	}
}

func TestScheduleCycles(t *testing.T) {
	apart := []Group{{Name: "db", Scope: ScopeRack}}
	tests := []struct {
		name   string
		mp     *MoveProblem
		wants  []want
		moves  []mv
		stuck  []StuckWhy
		waitOn [][]int32
	}{
		{
			// A (6) on h0 must go to h1 and B (6) on h1 to h0: neither
			// has room while the other is there. A stops on h2 first.
			name:  "swap through a third host",
			mp:    moveFixture(hosts10(3), []mGuest{g(0, 6), g(1, 6)}),
			wants: []want{{e: 0, to: 1}, {e: 1, to: 0}},
			moves: []mv{{0, 0, 2, 0, MoveHop, 1}, {1, 1, 0, 1, MoveRepair, 0}, {0, 2, 1, 2, MoveRepair, 0}},
		},
		{
			name:   "swap with no third host",
			mp:     moveFixture(hosts10(2), []mGuest{g(0, 6), g(1, 6)}),
			wants:  []want{{e: 0, to: 1}, {e: 1, to: 0}},
			moves:  []mv{},
			stuck:  []StuckWhy{StuckCycle, StuckCycle},
			waitOn: [][]int32{{1}, {0}},
		},
		{
			name:   "third host too small",
			mp:     moveFixture([]mHost{{off: []float64{10}}, {off: []float64{10}, rack: 1}, {off: []float64{5}, rack: 2}}, []mGuest{g(0, 6), g(1, 6)}),
			wants:  []want{{e: 0, to: 1}, {e: 1, to: 0}},
			moves:  []mv{},
			stuck:  []StuckWhy{StuckCycle, StuckCycle},
			waitOn: [][]int32{{1}, {0}},
		},
		{
			// Replicas apart by rack swap racks: in flight each counts
			// in both racks, so neither may start while the other is
			// in its destination rack; one goes through rack 2.
			name:  "anti-affinity swap across racks",
			mp:    moveFixture(hosts10(3), []mGuest{g(0, 1).inGroup(0), g(1, 1).inGroup(0)}, apart...),
			wants: []want{{e: 0, to: 1}, {e: 1, to: 0}},
			moves: []mv{{0, 0, 2, 0, MoveHop, 1}, {1, 1, 0, 1, MoveRepair, 0}, {0, 2, 1, 2, MoveRepair, 0}},
		},
		{
			// Three guests in a ring, each host full: one hop opens it.
			name:  "ring of three",
			mp:    moveFixture(hosts10(4), []mGuest{g(0, 6), g(1, 6), g(2, 6)}),
			wants: []want{{e: 0, to: 1}, {e: 1, to: 2}, {e: 2, to: 0}},
			moves: []mv{{0, 0, 3, 0, MoveHop, 1}, {2, 2, 0, 1, MoveRepair, 0}, {1, 1, 2, 2, MoveRepair, 0}, {0, 3, 1, 3, MoveRepair, 0}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.wants {
				tc.wants[i].why = Reason{Kind: MoveRepair, Group: NoHost, Guest: NoHost}
			}
			s, err := newScheduler(tc.mp, MoveOptions{}, newFleet(tc.mp).closed, make([]bool, tc.mp.P.H()))
			if err != nil {
				t.Fatal(err)
			}
			s.run(tc.wants)
			pl := s.plan(GoalRepair, nil)
			mustCheck(t, tc.mp, MoveOptions{}, pl)
			if diff := cmp.Diff(tc.moves, moves(pl)); diff != "" {
				t.Errorf("moves (-want +got):\n%s", diff)
			}
			var why []StuckWhy
			var wait [][]int32
			for _, st := range pl.Stuck {
				why = append(why, st.Why)
				wait = append(wait, st.Waiting)
				if len(st.Candidates) != tc.mp.P.H() {
					t.Errorf("guest %d: %d candidates, want one per host", st.Guest, len(st.Candidates))
				}
			}
			if diff := cmp.Diff(tc.stuck, why); diff != "" {
				t.Errorf("stuck (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.waitOn, wait); diff != "" {
				t.Errorf("waiting on (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConsolidate(t *testing.T) {
	// h0 carries one guest of 5 (1 byte); h1 one of 2 (10 bytes); h2 two
	// of 1 (1 byte each). Freeing two hosts takes two moves at best: h0's
	// and h1's guests onto h2 (1+1+5+2 = 9 of 10).
	fleet := func() *MoveProblem {
		return moveFixture(hosts10(3), []mGuest{g(0, 5), g(1, 2).costs(10), g(2, 1), g(2, 1)})
	}
	tests := []struct {
		name  string
		mp    *MoveProblem
		opt   MoveOptions
		freed []int32
		moves int
	}{
		{name: "two hosts in two moves", mp: fleet(), freed: []int32{0, 1}, moves: 2},
		// One move frees one host; h0's guest costs 1 byte, h1's 10.
		{name: "max moves 1", mp: fleet(), opt: MoveOptions{MaxMoves: 1}, freed: []int32{0}, moves: 1},
		// Three bytes cannot move h1's guest: h0 and h2 go to h1
		// (2+5+1+1 = 9) for 1+2 bytes.
		{name: "max bytes 3", mp: fleet(), opt: MoveOptions{MaxBytes: 3}, freed: []int32{0, 2}, moves: 3},
		{name: "kept guest stays", mp: func() *MoveProblem {
			mp := fleet()
			mp.Keep = []bool{false, true, false, false}
			return mp
		}(), freed: []int32{0, 2}, moves: 3},
		// Freeing h1 too would leave nowhere to restart h0's 9 if h0
		// failed: with the reserve asked for, only h2 is freed.
		{name: "failover reserve", mp: func() *MoveProblem {
			mp := moveFixture(hosts10(3), []mGuest{g(0, 4), g(1, 4), g(2, 2)})
			mp.Failover = 1
			return mp
		}(), freed: []int32{2}, moves: 1},
		// An excluded host takes nothing but may be emptied.
		{name: "excluded host empties", mp: func() *MoveProblem {
			mp := fleet()
			mp.P.Excluded = []bool{false, true, false}
			return mp
		}(), freed: []int32{0, 1}, moves: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pl, err := Rebalance(tc.mp, GoalConsolidate, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			mustCheck(t, tc.mp, tc.opt, pl)
			if diff := cmp.Diff(tc.freed, pl.Freed); diff != "" {
				t.Errorf("freed (-want +got):\n%s", diff)
			}
			if len(pl.Moves) != tc.moves {
				t.Errorf("%d moves, want %d: %v", len(pl.Moves), tc.moves, moves(pl))
			}
			if !pl.Proven {
				t.Errorf("a fleet this small should be proven fewest")
			}
			for _, m := range pl.Moves {
				if tc.mp.kept(int(m.Guest)) {
					t.Errorf("kept guest %d moved", m.Guest)
				}
			}
		})
	}
}

func TestDrain(t *testing.T) {
	t.Run("a guest no host takes", func(t *testing.T) {
		// h0's guest of 6 fits on neither h1 nor h2 (4 each).
		mp := moveFixture([]mHost{{off: []float64{10}}, {off: []float64{4}, rack: 1}, {off: []float64{4}, rack: 2}}, []mGuest{g(0, 6), g(0, 1)})
		pl, err := Rebalance(mp, GoalDrain, MoveOptions{Drain: []int32{0}})
		if err != nil {
			t.Fatal(err)
		}
		mustCheck(t, mp, MoveOptions{Drain: []int32{0}}, pl)
		if len(pl.Moves) != 1 || pl.Moves[0].Guest != 1 {
			t.Errorf("moves %v, want the small guest to move", moves(pl))
		}
		if len(pl.Stuck) != 1 || pl.Stuck[0].Guest != 0 || pl.Stuck[0].Why != StuckNoHost {
			t.Fatalf("stuck %+v, want guest 0 with no host", pl.Stuck)
		}
		// The why-not matrix: h0 is being drained (excluded), h1 has 3
		// free once the small guest arrived, h2 has 4; each is short.
		got := map[int32]string{}
		for _, c := range pl.Stuck[0].Candidates {
			var rs []string
			for _, r := range c.Refusals {
				rs = append(rs, r.Rule.String())
				if r.Rule == RuleCapacity && r.Requested != 6 {
					t.Errorf("host %d: requested %v, want 6", c.Host, r.Requested)
				}
			}
			got[c.Host] = strings.Join(rs, ",")
		}
		want := map[int32]string{0: "excluded", 1: "capacity", 2: "capacity"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("refusals (-want +got):\n%s", diff)
		}
	})
	t.Run("kept and affinity", func(t *testing.T) {
		together := []Group{{Name: "pair", Scope: ScopeHost, Together: true}}
		mp := moveFixture(hosts10(2), []mGuest{g(0, 1), g(0, 1).inGroup(0), g(0, 1).inGroup(0)}, together...)
		mp.Keep = []bool{true, false, false}
		pl, err := Rebalance(mp, GoalDrain, MoveOptions{Drain: []int32{0}})
		if err != nil {
			t.Fatal(err)
		}
		mustCheck(t, mp, MoveOptions{}, pl)
		var why []StuckWhy
		for _, st := range pl.Stuck {
			why = append(why, st.Why)
		}
		if diff := cmp.Diff([]StuckWhy{StuckKept, StuckAffinity, StuckAffinity}, why); diff != "" {
			t.Errorf("stuck (-want +got):\n%s", diff)
		}
	})
	t.Run("one guest makes room", func(t *testing.T) {
		// G (6) fits nowhere: h1 holds x (5), h2 offers only 5. x moves
		// to h2 first, then G takes its place.
		mp := moveFixture([]mHost{{off: []float64{10}}, {off: []float64{10}, rack: 1}, {off: []float64{5}, rack: 2}}, []mGuest{g(0, 6), g(1, 5)})
		pl, err := Rebalance(mp, GoalDrain, MoveOptions{Drain: []int32{0}})
		if err != nil {
			t.Fatal(err)
		}
		mustCheck(t, mp, MoveOptions{}, pl)
		want := []mv{{1, 1, 2, 0, MoveDrain, 0}, {0, 0, 1, 1, MoveDrain, 0}}
		if diff := cmp.Diff(want, moves(pl)); diff != "" {
			t.Errorf("moves (-want +got):\n%s", diff)
		}
		if pl.Bounds.Moves != 1 || !pl.Proven {
			t.Errorf("bound %d proven %v: want 1 (the guest drained) and proven (2 moves needed)", pl.Bounds.Moves, pl.Proven)
		}
	})
}

func TestRepair(t *testing.T) {
	apart := []Group{{Name: "web", Scope: ScopeHost}}
	tests := []struct {
		name      string
		mp        *MoveProblem
		moves     []mv
		rule      Rule
		remaining int
	}{
		{
			// h0 carries 6+3+3 = 12 of 10: moving the 6 is one move,
			// the two 3s would be two.
			name:  "over capacity",
			mp:    moveFixture(hosts10(2), []mGuest{g(0, 6), g(0, 3), g(0, 3)}),
			moves: []mv{{0, 0, 1, 0, MoveRepair, 0}},
			rule:  RuleCapacity,
		},
		{
			name:  "replicas on one host",
			mp:    moveFixture(hosts10(2), []mGuest{g(0, 1).inGroup(0), g(0, 1).inGroup(0)}, apart...),
			moves: []mv{{1, 0, 1, 0, MoveRepair, 0}},
			rule:  RuleAntiAffinity,
		},
		{
			name: "same appetite over the hard limit",
			mp: func() *MoveProblem {
				mp := moveFixture(hosts10(2), []mGuest{g(0, 1).costs(2), g(0, 1)})
				mp.P.ExistingAppetite = []int8{0, 0}
				mp.P.Policy.SameAppetite = AppetiteRule{Hard: true, MaxPerHost: 1}
				return mp
			}(),
			moves: []mv{{1, 0, 1, 0, MoveRepair, 0}}, // the cheaper one
			rule:  RuleAppetite,
		},
		{
			name:      "nowhere to go",
			mp:        moveFixture(hosts10(1), []mGuest{g(0, 6), g(0, 6)}),
			moves:     []mv{},
			remaining: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pl, err := Rebalance(tc.mp, GoalRepair, MoveOptions{})
			if err != nil {
				t.Fatal(err)
			}
			mustCheck(t, tc.mp, MoveOptions{}, pl)
			if diff := cmp.Diff(tc.moves, moves(pl)); diff != "" {
				t.Errorf("moves (-want +got):\n%s", diff)
			}
			for _, m := range pl.Moves {
				if m.Reason.Rule != tc.rule {
					t.Errorf("move of %d repairs %v, want %v", m.Guest, m.Reason.Rule, tc.rule)
				}
			}
			if len(pl.Remaining) != tc.remaining {
				t.Errorf("remaining %v, want %d", pl.Remaining, tc.remaining)
			}
			if tc.remaining == 0 && (!pl.Proven || pl.Bounds.Moves != len(pl.Moves)) {
				t.Errorf("proven %v, bound %d: one move is fewest and the bound says so", pl.Proven, pl.Bounds.Moves)
			}
		})
	}
}

func TestBalance(t *testing.T) {
	// h0 at 0.8 (4+4), h1 and h2 at 0.2 (2 each): 12 on 30 is 0.4 at
	// best, reached in two moves — a 4 to h1 and h1's 2 to h2 — where
	// one move gets to 0.6 only.
	mp := moveFixture(hosts10(3), []mGuest{g(0, 4), g(0, 4), g(1, 2), g(2, 2)})
	pl, err := Rebalance(mp, GoalBalance, MoveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, mp, MoveOptions{}, pl)
	if len(pl.Moves) != 2 || pl.PeakBefore != 0.8 || pl.PeakAfter != 0.4 || !pl.Proven {
		t.Errorf("moves %v, peak %v → %v, proven %v; want two moves, 0.8 → 0.4, proven", moves(pl), pl.PeakBefore, pl.PeakAfter, pl.Proven)
	}
	// With one move allowed, 0.6 is the best.
	pl, err = Rebalance(mp, GoalBalance, MoveOptions{MaxMoves: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Moves) != 1 || pl.PeakAfter != 0.6 {
		t.Errorf("one move: %v, peak %v; want 0.6", moves(pl), pl.PeakAfter)
	}
}

func TestPlanWaves(t *testing.T) {
	// Four hosts of 10 carrying 5 each: the spare (20) holds two hosts'
	// guests at a time, so two waves; one host per wave makes four.
	fleet := moveFixture(hosts10(4), []mGuest{g(0, 5), g(1, 5), g(2, 5), g(3, 5)})
	for _, tc := range []struct {
		max, waves, bound int
	}{{0, 2, 2}, {1, 4, 4}, {3, 2, 2}} {
		mp := fleet
		pl, err := PlanWaves(mp, WaveOptions{MaxHostsPerWave: tc.max})
		if err != nil {
			t.Fatal(err)
		}
		if len(pl.Waves) != tc.waves || pl.LowerBound != tc.bound {
			t.Errorf("max %d: %d waves (bound %d), want %d (bound %d)", tc.max, len(pl.Waves), pl.LowerBound, tc.waves, tc.bound)
		}
		seen := map[int32]bool{}
		for i, w := range pl.Waves {
			mustCheck(t, mp.WaveProblem(&w), MoveOptions{}, w.Drain)
			for _, h := range w.Hosts {
				seen[h] = true
				for e, x := range w.Drain.Final {
					if x == h {
						t.Errorf("wave %d: guest %d still on drained host %d", i, e, h)
					}
				}
			}
		}
		if len(seen) != 4 {
			t.Errorf("max %d: %d hosts in waves, want all 4", tc.max, len(seen))
		}
	}
	t.Run("undrainable", func(t *testing.T) {
		mp := moveFixture([]mHost{{off: []float64{10}}, {off: []float64{5}, rack: 1}}, []mGuest{g(0, 9)})
		pl, err := PlanWaves(mp, WaveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int32{0}, pl.Undrainable); diff != "" {
			t.Errorf("undrainable (-want +got):\n%s", diff)
		}
		if len(pl.Stuck) != 1 || len(pl.Stuck[0].Candidates) != 2 {
			t.Errorf("stuck %+v, want guest 0 with a reason per host", pl.Stuck)
		}
	})
}

func TestMakeRoom(t *testing.T) {
	// h0 holds x (6), h1 holds y (4); the new guest n (7) fits on
	// neither. Moving y to h0 (6+4 = 10) leaves h1 to n.
	mp := moveFixture(hosts10(2), []mGuest{g(0, 6), g(1, 4)})
	p := mp.P
	p.GuestNames, p.Demand, p.Appetite, p.Group = []string{"n"}, []float64{7}, []int8{-1}, []int32{NoHost}
	rp, err := MakeRoom(mp, Options{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, mp, MoveOptions{MaxMoves: 1}, rp.Moves)
	if rp.Without.Host[0] != NoHost || !rp.Better || rp.With.Host[0] != 1 {
		t.Fatalf("without %v with %v better %v: want unplaced, then on h1", rp.Without.Host, rp.With.Host, rp.Better)
	}
	want := []mv{{1, 1, 0, 0, MoveRoom, 1}}
	if diff := cmp.Diff(want, moves(rp.Moves)); diff != "" {
		t.Errorf("moves (-want +got):\n%s", diff)
	}
	if rp.Moves.Moves[0].Reason.Guest != 0 {
		t.Errorf("room made for guest %d, want 0", rp.Moves.Moves[0].Reason.Guest)
	}
	if v := Check(rp.AfterMoves(p), rp.With); len(v) > 0 {
		t.Errorf("the placement after the moves breaks %v", v)
	}

	t.Run("nothing to gain", func(t *testing.T) {
		p.Demand = []float64{3}
		rp, err := MakeRoom(mp, Options{}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(rp.Moves.Moves) != 0 || rp.Better || rp.With != rp.Without {
			t.Errorf("moves %v better %v: a guest that fits needs no moves", moves(rp.Moves), rp.Better)
		}
	})
}

func TestMoveBadInput(t *testing.T) {
	ok := func() *MoveProblem { return moveFixture(hosts10(2), []mGuest{g(0, 1)}) }
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"cost length", func() error {
			mp := ok()
			mp.Cost = nil
			_, err := Rebalance(mp, GoalRepair, MoveOptions{})
			return err
		}, "len(Cost) = 0, want 1"},
		{"negative cost", func() error {
			mp := ok()
			mp.Cost[0] = -1
			_, err := Rebalance(mp, GoalRepair, MoveOptions{})
			return err
		}, "Cost[0] = -1"},
		{"keep length", func() error {
			mp := ok()
			mp.Keep = []bool{true, false}
			_, err := Rebalance(mp, GoalRepair, MoveOptions{})
			return err
		}, "len(Keep) = 2, want 1"},
		{"unknown drain host", func() error { _, err := Rebalance(ok(), GoalDrain, MoveOptions{Drain: []int32{7}}); return err }, "drain host 7 out of range"},
		{"drain twice", func() error { _, err := Rebalance(ok(), GoalDrain, MoveOptions{Drain: []int32{1, 1}}); return err }, "drain host h1 named twice"},
		{"drain nothing", func() error { _, err := Rebalance(ok(), GoalDrain, MoveOptions{}); return err }, "drain names no host"},
		{"negative budget", func() error { _, err := Rebalance(ok(), GoalConsolidate, MoveOptions{MaxMoves: -1}); return err }, "MaxMoves = -1"},
		{"unknown strategy", func() error { _, err := Rebalance(ok(), GoalBalance, MoveOptions{Strategy: "magic"}); return err }, `unknown strategy "magic"`},
		{"room budget 0", func() error { _, err := MakeRoom(ok(), Options{}, 0); return err }, "a move budget of 0 moves nothing"},
		{"negative wave size", func() error { _, err := PlanWaves(ok(), WaveOptions{MaxHostsPerWave: -2}); return err }, "MaxHostsPerWave = -2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// TestDeadlineStillSafe: a deadline that has passed before planning starts
// cuts the searches short, never the safety: every goal still returns a
// plan the referee passes.
func TestDeadlineStillSafe(t *testing.T) {
	var guests []mGuest
	for i := range 60 {
		guests = append(guests, g(int32(i%20), float64(1+i%4)).inGroup(int32(i%3)))
	}
	groups := []Group{{Name: "a", Scope: ScopeHost}, {Name: "b", Scope: ScopeRack}, {Name: "c", Scope: ScopeHost}}
	hosts := hosts10(20)
	for i := range hosts {
		hosts[i].rack = int32(i % 5)
	}
	mp := moveFixture(hosts, guests, groups...)
	for _, goal := range []Goal{GoalConsolidate, GoalRepair, GoalBalance, GoalDrain} {
		opt := MoveOptions{Deadline: time.Nanosecond, Drain: []int32{3}}
		if goal != GoalDrain {
			opt.Drain = nil
		}
		pl, err := Rebalance(mp, goal, opt)
		if err != nil {
			t.Fatal(err)
		}
		mustCheck(t, mp, opt, pl)
	}
	wp, err := PlanWaves(mp, WaveOptions{Move: MoveOptions{Deadline: time.Nanosecond}})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range wp.Waves {
		mustCheck(t, mp.WaveProblem(&w), MoveOptions{}, w.Drain)
	}
}
