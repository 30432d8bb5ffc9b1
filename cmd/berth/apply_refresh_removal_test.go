package main

import (
	"testing"

	"github.com/berth-dev/berth/planner"
	"github.com/google/go-cmp/cmp"
)

// TestPlanDiffRemovals: the difference a refresh shows names the guests
// one plan removes and the other does not.
func TestPlanDiffRemovals(t *testing.T) {
	old := &planner.Plan{Actions: []planner.Action{
		{Op: planner.OpRemove, Guest: "cache-2", Host: "kvm-a1"},
		{Op: planner.OpRemove, Guest: "cache-3", Host: "kvm-a1"},
	}}
	fresh := &planner.Plan{Actions: []planner.Action{
		{Op: planner.OpRemove, Guest: "cache-3", Host: "kvm-a1"},
		{Op: planner.OpRemove, Guest: "web-4", Host: "kvm-a2"},
	}}
	want := []string{
		"- web-4 removed from kvm-a2 (not in the reviewed plan)",
		"= cache-2 (on kvm-a1): not removed by the refreshed plan",
	}
	if diff := cmp.Diff(want, planDiff(old, fresh)); diff != "" {
		t.Errorf("planDiff (-want +got):\n%s", diff)
	}
}
