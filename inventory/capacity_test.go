package inventory_test

import (
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/google/go-cmp/cmp"
)

// TestRunningCharge pins what a guest already on a host is charged, case
// by case, with the arithmetic in each comment.
func TestRunningCharge(t *testing.T) {
	const gi = 1 << 30
	alloc := inventory.Vector{inventory.CPU: 2, inventory.Memory: 4 * gi}
	ignore := inventory.DefaultPolicy()
	ignore.Shutoff = inventory.ShutoffIgnore
	legacy := inventory.DefaultPolicy()
	legacy.Shutoff = "" // a plan made before the rule: count
	for _, tc := range []struct {
		name  string
		pol   inventory.Policy
		state string
		want  inventory.Vector
	}{
		// 2 × 1.03 = 2.06 vCPUs; 4 GiB × 1.1 = 4.4 GiB
		{"running", inventory.DefaultPolicy(), "running", inventory.Vector{inventory.CPU: 2.06, inventory.Memory: 4.4 * gi}},
		{"shut off, counted", inventory.DefaultPolicy(), "shutoff", inventory.Vector{inventory.CPU: 2.06, inventory.Memory: 4.4 * gi}},
		{"shut off, rule not written", legacy, "shutoff", inventory.Vector{inventory.CPU: 2.06, inventory.Memory: 4.4 * gi}},
		{"shut off, ignored", ignore, "shutoff", inventory.Vector{}},
		{"crashed, ignored", ignore, "crashed", inventory.Vector{}},
		{"paused, ignore counts it", ignore, "paused", inventory.Vector{inventory.CPU: 2.06, inventory.Memory: 4.4 * gi}},
		{"no state (a scenario's guest) runs", ignore, "", inventory.Vector{inventory.CPU: 2.06, inventory.Memory: 4.4 * gi}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := inventory.Guest{Name: "g", Allocation: alloc, State: tc.state}
			if diff := cmp.Diff(tc.want, tc.pol.RunningCharge(&g)); diff != "" {
				t.Errorf("RunningCharge (-want +got):\n%s", diff)
			}
		})
	}
}
