package common

import (
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

// TestMoveModeCommand: the command line that re-makes a mode's plan names
// the move command and its flags, only those that differ from the
// defaults, and amounts in the form the flags read back.
func TestMoveModeCommand(t *testing.T) {
	for _, tc := range []struct {
		mode MoveMode
		want string
	}{
		{MoveMode{Goal: planner.GoalConsolidate}, "berth rebalance -f s.yaml --goal consolidate"},
		{MoveMode{Goal: planner.GoalRepair, Options: planner.MoveOptions{MaxMoves: 4, MaxBytes: 512 << 30, MaxOut: 2, KeepFailover: true}},
			"berth rebalance -f s.yaml --goal repair --max-moves 4 --max-bytes 512Gi --max-out 2 --keep-failover"},
		{MoveMode{Goal: planner.GoalDrain, Drain: []string{"kvm07", "kvm08"}, Options: planner.MoveOptions{Bandwidth: 25e9 / 8, MaxIn: 3}},
			"berth drain kvm07 kvm08 -f s.yaml --bandwidth 25Gbps --max-in 3"},
		{MoveMode{Goal: planner.GoalWaves, Options: planner.MoveOptions{MaxHostsPerWave: 2, MaxMoves: 9}}, "berth waves -f s.yaml --max-hosts-per-wave 2"},
		{MoveMode{Goal: planner.GoalRoom, Options: planner.MoveOptions{MaxMoves: 2, Bandwidth: planner.DefaultBandwidth}}, "berth plan -f s.yaml --allow-moves 2"},
	} {
		if got := tc.mode.Command("s.yaml"); got != tc.want {
			t.Errorf("Command = %q\nwant      %q", got, tc.want)
		}
	}
	if b, err := inventory.ParseQuantity(inventory.Memory, BytesFlag(96<<30)); err != nil || b != 96<<30 {
		t.Errorf("BytesFlag(96 GiB) = %q reads back as %v, %v", BytesFlag(96<<30), b, err)
	}
}

// TestMoveModeOf: the mode a plan records its moves with; nil for a plan
// without moves.
func TestMoveModeOf(t *testing.T) {
	if MoveModeOf(&planner.Plan{}) != nil {
		t.Error("a plan without moves has a move mode")
	}
	p := &planner.Plan{Moves: &planner.MoveSummary{Goal: "drain", Drain: []string{"kvm07"},
		Limits: planner.MoveLimits{MaxOut: 2, MaxIn: 1, Bandwidth: 1e9, MaxMoves: 3, Failover: 1}}}
	m := MoveModeOf(p)
	want := planner.MoveOptions{MaxMoves: 3, MaxOut: 2, MaxIn: 1, Bandwidth: 1e9, KeepFailover: true}
	if m == nil || m.Goal != planner.GoalDrain || len(m.Drain) != 1 || m.Drain[0] != "kvm07" || m.Options != want {
		t.Errorf("MoveModeOf = %+v, want drain kvm07 with %+v", m, want)
	}
	if m.Name() != "drain kvm07" {
		t.Errorf("Name = %q", m.Name())
	}
}
