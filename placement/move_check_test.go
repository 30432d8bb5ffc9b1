package placement

import (
	"slices"
	"testing"
)

// handPlan builds a plan from hand-written moves with every total right,
// so that the referee has only what the moves do to object to.
func handPlan(mp *MoveProblem, ms []Move) *MovePlan {
	pl := &MovePlan{Moves: ms, Final: slices.Clone(mp.P.ExistingHost), Freed: []int32{}}
	for i := range ms {
		m := &pl.Moves[i]
		m.Bytes = mp.Cost[m.Guest]
		for len(pl.Waves) <= int(m.Wave) {
			pl.Waves = append(pl.Waves, WaveCost{})
		}
		pl.Waves[m.Wave].Moves++
		pl.Waves[m.Wave].Bytes += m.Bytes
		pl.Bytes += m.Bytes
		pl.Final[m.Guest] = m.To
	}
	for h := range mp.P.H() {
		if slices.Contains(mp.P.ExistingHost, int32(h)) && !slices.Contains(pl.Final, int32(h)) {
			pl.Freed = append(pl.Freed, int32(h))
		}
	}
	return pl
}

// TestCheckMovesCatches feeds the referee plans that each break one promise
// and a control plan that breaks none.
func TestCheckMovesCatches(t *testing.T) {
	apart := Group{Name: "web", Scope: ScopeHost}
	pair := Group{Name: "pair", Scope: ScopeRack, Together: true}
	m := func(e, from, to, wave int32) Move { return Move{Guest: e, From: from, To: to, Wave: wave} }
	tests := []struct {
		name  string
		mp    func() *MoveProblem
		moves []Move
		opt   MoveOptions
		tweak func(*MovePlan)
		want  []StepRule
	}{
		{
			name:  "control: one move, all well",
			mp:    func() *MoveProblem { return moveFixture(hosts10(2), []mGuest{g(0, 5)}) },
			moves: []Move{m(0, 0, 1, 0)},
		},
		{
			// Both 6s arrive on h2 in the same wave: 12 in flight.
			name: "capacity in flight",
			mp: func() *MoveProblem {
				mp := moveFixture(hosts10(3), []mGuest{g(0, 6), g(1, 6)})
				mp.MaxIn = 2
				return mp
			},
			moves: []Move{m(0, 0, 2, 0), m(1, 1, 2, 0)},
			want:  []StepRule{StepCapacity, StepCapacity},
		},
		{
			// A swap in one wave: each host holds 12 while both run.
			name:  "swap in one wave",
			mp:    func() *MoveProblem { return moveFixture(hosts10(2), []mGuest{g(0, 6), g(1, 6)}) },
			moves: []Move{m(0, 0, 1, 0), m(1, 1, 0, 0)},
			want:  []StepRule{StepCapacity, StepCapacity},
		},
		{
			name:  "wrong source",
			mp:    func() *MoveProblem { return moveFixture(hosts10(3), []mGuest{g(0, 1)}) },
			moves: []Move{m(0, 1, 2, 0)},
			// The move is not replayed, so Final and Freed disagree too.
			want: []StepRule{StepMove, StepTotals, StepTotals},
		},
		{
			name: "kept guest",
			mp: func() *MoveProblem {
				mp := moveFixture(hosts10(2), []mGuest{g(0, 1)})
				mp.Keep = []bool{true}
				return mp
			},
			moves: []Move{m(0, 0, 1, 0)},
			want:  []StepRule{StepKept},
		},
		{
			name: "excluded destination",
			mp: func() *MoveProblem {
				mp := moveFixture(hosts10(2), []mGuest{g(0, 1)})
				mp.P.Excluded = []bool{false, true}
				return mp
			},
			moves: []Move{m(0, 0, 1, 0)},
			want:  []StepRule{StepClosed},
		},
		{
			name: "replica arrives next to another",
			mp: func() *MoveProblem {
				return moveFixture(hosts10(2), []mGuest{g(0, 1).inGroup(0), g(1, 1).inGroup(0)}, apart)
			},
			moves: []Move{m(0, 0, 1, 0)},
			want:  []StepRule{StepAntiAffinity},
		},
		{
			// The pair lives in rack 0 (h0, h1); h2 is rack 2.
			name: "affinity member leaves its domain",
			mp: func() *MoveProblem {
				hs := hosts10(3)
				hs[1].rack = 0
				return moveFixture(hs, []mGuest{g(0, 1).inGroup(0), g(1, 1).inGroup(0)}, pair)
			},
			moves: []Move{m(0, 0, 2, 0)},
			want:  []StepRule{StepAffinity},
		},
		{
			name:  "two out of one host at once",
			mp:    func() *MoveProblem { return moveFixture(hosts10(3), []mGuest{g(0, 1), g(0, 1)}) },
			moves: []Move{m(0, 0, 1, 0), m(1, 0, 2, 0)},
			want:  []StepRule{StepLimit},
		},
		{
			name:  "one guest twice in a wave",
			mp:    func() *MoveProblem { return moveFixture(hosts10(3), []mGuest{g(0, 1)}) },
			moves: []Move{m(0, 0, 1, 0), m(0, 0, 2, 0)},
			want:  []StepRule{StepTwice, StepTotals}, // Final follows the last line
		},
		{
			name: "same-appetite limit",
			mp: func() *MoveProblem {
				mp := moveFixture(hosts10(2), []mGuest{g(0, 1), g(1, 1)})
				mp.P.ExistingAppetite = []int8{0, 0}
				mp.P.Policy.SameAppetite = AppetiteRule{Hard: true, MaxPerHost: 1}
				return mp
			},
			moves: []Move{m(0, 0, 1, 0)},
			want:  []StepRule{StepAppetite},
		},
		{
			// h0 and h1 (10 each) carry 4 each, h2 offers 3: either may
			// fail and restart on the other. Before and after moving h1's
			// guest to h0 that holds, but in flight h0 carries 8 and h1
			// still 4: failing h0 restarts one 4 on h1 (8) and the other
			// finds no room (h1 has 2 left, h2 3).
			name: "failover weakened in flight",
			mp: func() *MoveProblem {
				mp := moveFixture([]mHost{{off: []float64{10}}, {off: []float64{10}, rack: 1}, {off: []float64{3}, rack: 2}},
					[]mGuest{g(0, 4), g(1, 4)})
				mp.Failover = 1
				return mp
			},
			moves: []Move{m(1, 1, 0, 0)},
			want:  []StepRule{StepFailover},
		},
		{
			name:  "over the move budget",
			mp:    func() *MoveProblem { return moveFixture(hosts10(3), []mGuest{g(0, 1), g(1, 1)}) },
			moves: []Move{m(0, 0, 2, 0), m(1, 1, 2, 1)},
			opt:   MoveOptions{MaxMoves: 1},
			want:  []StepRule{StepBudget},
		},
		{
			name:  "wrong bytes",
			mp:    func() *MoveProblem { return moveFixture(hosts10(2), []mGuest{g(0, 1)}) },
			moves: []Move{m(0, 0, 1, 0)},
			tweak: func(pl *MovePlan) { pl.Moves[0].Bytes = 99 },
			// The move, its wave's total and the plan's.
			want: []StepRule{StepTotals, StepTotals, StepTotals},
		},
		{
			name:  "freed host missing",
			mp:    func() *MoveProblem { return moveFixture(hosts10(2), []mGuest{g(0, 1)}) },
			moves: []Move{m(0, 0, 1, 0)},
			tweak: func(pl *MovePlan) { pl.Freed = []int32{} },
			want:  []StepRule{StepTotals},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mp := tc.mp()
			pl := handPlan(mp, tc.moves)
			if tc.tweak != nil {
				tc.tweak(pl)
			}
			var got []StepRule
			for _, v := range CheckMoves(mp, tc.opt, pl) {
				got = append(got, v.Rule)
			}
			slices.Sort(got)
			slices.Sort(tc.want)
			if !slices.Equal(got, tc.want) {
				t.Errorf("referee found %v, want %v", got, tc.want)
			}
		})
	}
}
