package planner_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"pgregory.net/rapid"
)

// TestReplanAfterApplyFits (issue 11.4): a plan gives and charges a new
// guest what apply creates, whole vCPUs, so a fleet on which the plan's
// guests were created, read back as the inventory reads them (vCPUs and
// memory as libvirt holds them), is planned again without being over
// capacity. Before, a 500m request was charged 0.515 CPU and created with
// 1 vCPU, and the next plan said "over capacity in cpu: 7.21 used of 7.2".
func TestReplanAfterApplyFits(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var b strings.Builder
		b.WriteString("apiVersion: berth/v1\nname: fractions\nhosts:\n")
		hosts := rapid.IntRange(1, 3).Draw(t, "hosts")
		for i := range hosts {
			fmt.Fprintf(&b, "  - {name: h%d, capacity: {cpu: %d, memory: 64Gi, iops: 100k, net: 100Gbps}}\n", i, rapid.IntRange(5, 16).Draw(t, "cpus"))
		}
		b.WriteString("demand:\n")
		for i := range rapid.IntRange(1, 3).Draw(t, "entries") {
			milli := rapid.IntRange(50, 4000).Draw(t, "millicores")
			fmt.Fprintf(&b, "  - {name: d%d, profile: web, count: %d, request: {cpu: %dm, memory: 512Mi}}\n", i, rapid.IntRange(1, 12).Draw(t, "count"), milli)
		}
		sc, err := inventory.ParseScenario("fractions.yaml", []byte(b.String()))
		if err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
		plan, err := planner.New(sc).Plan()
		if err != nil {
			t.Fatal(err)
		}
		// Apply: every create becomes a guest with whole vCPUs.
		after := sc.Clone()
		after.Demand = nil
		for _, a := range plan.Actions {
			if a.Op != planner.OpCreate {
				continue
			}
			if got, want := a.Allocation[inventory.CPU], math.Ceil(a.Allocation[inventory.CPU]); got != want || got < 1 {
				t.Fatalf("%s is planned with %g vCPUs; apply creates whole vCPUs", a.Guest, got)
			}
			for i := range after.Hosts {
				h := &after.Hosts[i]
				if h.Name == a.Host {
					alloc := a.Allocation
					alloc[inventory.CPU] = float64(inventory.WholeVCPUs(alloc[inventory.CPU]))
					h.Guests = append(h.Guests, inventory.Guest{Name: a.Guest, Profile: a.Profile, Allocation: alloc, State: "running"})
				}
			}
		}
		again, err := planner.New(after).Plan()
		if err != nil {
			t.Fatal(err)
		}
		if again.Metrics.Violations != 0 {
			t.Fatalf("re-planning after apply: %v\nscenario:\n%s", again.Warnings, b.String())
		}
	})
}

// TestCreated pins what a request is created (and planned) as.
func TestCreated(t *testing.T) {
	for _, tc := range []struct{ cpu, want float64 }{
		{0.5, 1}, {0.001, 1}, {0, 1}, {1, 1}, {1.0000000001, 1}, {2.25, 3}, {8, 8},
	} {
		got := inventory.Created(inventory.Vector{inventory.CPU: tc.cpu})[inventory.CPU]
		if got != tc.want || inventory.WholeVCPUs(tc.cpu) != int(tc.want) {
			t.Errorf("Created(cpu %g) = %g vCPUs, WholeVCPUs = %d; want %g", tc.cpu, got, inventory.WholeVCPUs(tc.cpu), tc.want)
		}
	}
}
