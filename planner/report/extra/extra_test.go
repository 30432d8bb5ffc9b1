package extra

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

// TestReadsTheMovesOfAPlan: the migrations come from the plan's move
// actions, by wave and in the plan's order within one, with the reason's
// sentence; the freed hosts from its move summary. A plan written by berth
// rebalance once failed here, because its "moves" is a summary, not a list.
func TestReadsTheMovesOfAPlan(t *testing.T) {
	gib := float64(1 << 30)
	move := func(guest, from, to string, wave int, bytes float64, text string) planner.Action {
		return planner.Action{Op: planner.OpMove, Guest: guest, Host: to,
			Move: &planner.MoveStep{From: from, Wave: wave, Bytes: bytes, Seconds: bytes / gib,
				Reason: planner.MoveReason{Kind: "consolidate", Text: text}}}
	}
	p := &planner.Plan{
		Actions: []planner.Action{
			{Op: planner.OpCreate, Guest: "new-1", Host: "kvm03"},
			move("db-2", "kvm01", "kvm03", 2, 16*gib, "empties kvm01 so it can be freed"),
			move("web-1", "kvm01", "kvm02", 1, 8*gib, ""),
			{Op: planner.OpKeep, Guest: "web-9", Host: "kvm02"},
			move("web-2", "kvm02", "kvm03", 1, 8*gib, "makes room"),
		},
		Moves: &planner.MoveSummary{Goal: "consolidate", Freed: []string{"kvm01"}},
	}
	want := Extras{
		Moves: []Move{
			{Guest: "web-1", From: "kvm01", To: "kvm02", Wave: 1, Bytes: 8 * gib, Seconds: 8, Reason: "consolidate"},
			{Guest: "web-2", From: "kvm02", To: "kvm03", Wave: 1, Bytes: 8 * gib, Seconds: 8, Reason: "makes room"},
			{Guest: "db-2", From: "kvm01", To: "kvm03", Wave: 2, Bytes: 16 * gib, Seconds: 16, Reason: "empties kvm01 so it can be freed"},
		},
		Freed: []string{"kvm01"},
	}
	got, err := Of(p)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if b := got.BytesMoved(); b != 32*gib {
		t.Errorf("BytesMoved = %v, want 32 GiB", b)
	}
}

// TestReadsHistoryByName: hosts that carry a "history" field give their
// samples, whatever the field's Go type; hosts without samples are left out.
func TestReadsHistoryByName(t *testing.T) {
	type sample struct {
		Time string           `json:"time"`
		Use  inventory.Vector `json:"use"`
	}
	type host struct {
		Name    string   `json:"name"`
		History []sample `json:"history,omitempty"`
	}
	type plan struct {
		Hosts []host `json:"hosts"`
	}
	p := plan{Hosts: []host{
		{Name: "kvm01", History: []sample{{"t0", inventory.Vector{1, 2, 3, 4}}, {"t1", inventory.Vector{2, 3, 4, 5}}}},
		{Name: "kvm02"},
	}}
	got, err := historyOf(reflect.ValueOf(p))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]Sample{"kvm01": {{"t0", inventory.Vector{1, 2, 3, 4}}, {"t1", inventory.Vector{2, 3, 4, 5}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if h, err := historyOf(reflect.ValueOf(struct{ Hosts []struct{ Name string } }{})); err != nil || h != nil {
		t.Errorf("a plan without history gave %v, %v", h, err)
	}
}
