package main

import (
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/google/go-cmp/cmp"
)

// TestPlanDiff: what the operator is shown before a refreshed plan is
// asked about, guest by guest.
func TestPlanDiff(t *testing.T) {
	create := func(guest, host string, cpu float64) planner.Action {
		return planner.Action{Op: planner.OpCreate, Guest: guest, Host: host, Allocation: inventory.Vector{inventory.CPU: cpu, inventory.Memory: 1 << 30}}
	}
	old := &planner.Plan{Actions: []planner.Action{
		{Op: planner.OpKeep, Guest: "app-1", Host: "kvm-a"},
		create("web-1", "kvm-a", 1), create("web-2", "kvm-a", 1), create("web-3", "kvm-b", 1), create("db-1", "kvm-b", 2),
	}}
	fresh := &planner.Plan{Actions: []planner.Action{
		{Op: planner.OpKeep, Guest: "app-1", Host: "kvm-b"},
		create("web-1", "kvm-a", 1), create("web-2", "kvm-b", 1), create("web-3", "kvm-b", 2), create("web-4", "kvm-a", 1),
	}, Unplaced: []planner.Unplaced{{Guest: "db-1"}}}
	want := []string{
		"~ web-2: kvm-a → kvm-b",
		"~ web-3: cpu 1 · memory 1.0 GiB · iops 0 · net 0 bps → cpu 2 · memory 1.0 GiB · iops 0 · net 0 bps",
		"+ web-4 on kvm-a (not in the reviewed plan)",
		"- db-1 (was on kvm-b): not created by the refreshed plan",
		"! db-1 cannot be placed any more",
	}
	got := planDiff(old, fresh)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("planDiff (-want +got):\n%s", diff)
	}
	if d := planDiff(old, old); len(d) != 0 {
		t.Errorf("a plan differs from itself: %v", d)
	}
}
