package apply

import (
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/google/go-cmp/cmp"
)

// TestHostChanges: a host is stale only when something the plan depends on
// changed — its CPUs and memory, its guests and their allocations, the
// labels the config gives it — and never for what drifts on a live host
// (free memory, page cache, observed use, a guest's state).
func TestHostChanges(t *testing.T) {
	planned := inventory.Host{
		Name:     "kvm-a1",
		Labels:   map[string]string{"rack": "r1", "ssd": "true"},
		Capacity: inventory.Vector{inventory.CPU: 16, inventory.Memory: 64 << 30},
		Facts:    &inventory.HostFacts{FreeMemory: 40 << 30},
		Guests: []inventory.Guest{{Name: "app-1", State: "running",
			Allocation: inventory.Vector{inventory.CPU: 2, inventory.Memory: 4 << 30}}},
	}
	h := planner.HostPlan{Name: "kvm-a1", Rack: "r1", Labels: map[string]string{"ssd": "true"},
		Existing: []string{"app-1"}, Fingerprint: planner.HostFingerprint(&planned)}
	p := &planner.Plan{ID: "abc", Hosts: []planner.HostPlan{h}, Actions: []planner.Action{
		{Op: planner.OpKeep, Guest: "app-1", Host: "kvm-a1", Allocation: planned.Guests[0].Allocation},
		{Op: planner.OpCreate, Guest: "web-1", Host: "kvm-a1"},
	}}
	cases := []struct {
		name   string
		change func(h *inventory.Host)
		want   []string
	}{
		{"nothing", func(*inventory.Host) {}, nil},
		{"free memory and page cache drift", func(h *inventory.Host) { h.Facts = &inventory.HostFacts{FreeMemory: 3 << 30} }, nil},
		{"observed use and guest state drift", func(h *inventory.Host) {
			h.Guests[0].State = "paused"
			h.Guests[0].Observed = &inventory.Vector{inventory.CPU: 1.7}
		}, nil},
		{"labels only the scenario gave", func(h *inventory.Host) { h.Labels = nil }, nil},
		{"the plan's own guest", func(h *inventory.Host) {
			h.Guests = append(h.Guests, inventory.Guest{Name: "web-1", PlanID: "abc", Allocation: inventory.Vector{inventory.CPU: 1}})
		}, nil},
		{"a rack label changed", func(h *inventory.Host) { h.Labels = map[string]string{"rack": "r2", "ssd": "true"} },
			[]string{"label rack changed from r1 to r2"}},
		{"a label added", func(h *inventory.Host) { h.Labels = map[string]string{"rack": "r1", "ssd": "true", "gpu": "a100"} },
			[]string{"label gpu=a100 was added"}},
		{"a guest added", func(h *inventory.Host) {
			h.Guests = append(h.Guests, inventory.Guest{Name: "intruder", Allocation: inventory.Vector{inventory.CPU: 1}})
		},
			[]string{"guest intruder was added"}},
		{"an allocation changed", func(h *inventory.Host) { h.Guests[0].Allocation[inventory.Memory] = 8 << 30 },
			[]string{"guest app-1's allocation changed from cpu 2 · memory 4.0 GiB · iops 0 · net 0 bps to cpu 2 · memory 8.0 GiB · iops 0 · net 0 bps"}},
		{"memory changed", func(h *inventory.Host) { h.Capacity[inventory.Memory] = 32 << 30 },
			[]string{"its CPUs or memory changed (now 16 CPUs, 32 GiB)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := planned
			now.Labels = map[string]string{"rack": "r1", "ssd": "true"}
			now.Guests = []inventory.Guest{planned.Guests[0]}
			tc.change(&now)
			if diff := cmp.Diff(tc.want, HostChanges(p, h, &now)); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}
