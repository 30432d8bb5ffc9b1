package main

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/history"
)

type fixedAllowance struct{ reserved, perGuest inventory.Vector }

func (f fixedAllowance) Reserved(*inventory.Host) inventory.Vector { return f.reserved }
func (f fixedAllowance) PerGuest(*inventory.Host) inventory.Vector { return f.perGuest }

// TestCheckHosts: a host whose node metrics show more use than its
// guests, its reserve and their overhead explain is warned about; one
// they explain is not; a host without node metrics is not checked.
func TestCheckHosts(t *testing.T) {
	const gib = 1 << 30
	obs := inventory.Vector{inventory.CPU: 1, inventory.Memory: 8 * gib}
	hosts := []inventory.Host{
		{Name: "kvm1", Capacity: inventory.Vector{inventory.CPU: 32, inventory.Memory: 64 * gib}, Guests: []inventory.Guest{
			{Name: "a", State: "running", Observed: &obs},
			{Name: "b", State: "running", Allocation: inventory.Vector{inventory.CPU: 2, inventory.Memory: 8 * gib}},
			{Name: "off", State: "shutoff", Allocation: inventory.Vector{inventory.CPU: 8, inventory.Memory: 32 * gib}},
		}},
		{Name: "kvm2", Facts: &inventory.HostFacts{Hostname: "kvm2.example.com"}, Capacity: inventory.Vector{inventory.CPU: 32, inventory.Memory: 64 * gib}},
		{Name: "kvm3"},
	}
	nodes := []history.NodeUse{
		{Instance: "10.0.0.1:9100", Nodename: "kvm1", Quantile: inventory.Vector{inventory.CPU: 3.2, inventory.Memory: 24 * gib}, Has: [4]bool{true, true}},
		{Instance: "10.0.0.2:9100", Nodename: "kvm2.example.com", Quantile: inventory.Vector{inventory.CPU: 0.5, inventory.Memory: 2 * gib}, Has: [4]bool{true, true}},
	}
	allow := fixedAllowance{reserved: inventory.Vector{inventory.CPU: 0.5, inventory.Memory: 4 * gib}, perGuest: inventory.Vector{inventory.Memory: 256 << 20}}
	checks := checkHosts(hosts, nodes, 0.95, allow)
	if len(checks) != 2 || checks[0].Host != "kvm1" || checks[1].Host != "kvm2" {
		t.Fatalf("checks = %+v, want kvm1 and kvm2", checks)
	}
	// kvm1: 24 GiB used, guests 16 GiB (a observed, b allocated; off holds
	// nothing), reserved 4 GiB, overhead 2 × 256 MiB: 3.5 GiB unexplained.
	// cpu: 3.2 − 3 − 0.5 < 0: explained.
	mem := checks[0].Dimensions[1]
	if mem.Guests != 16*gib || mem.Overhead != 512<<20 || mem.Unexplained != 3.5*gib {
		t.Errorf("kvm1 memory %+v, want guests 16 GiB, overhead 512 MiB, unexplained 3.5 GiB", mem)
	}
	if cpu := checks[0].Dimensions[0]; cpu.Unexplained != 0 {
		t.Errorf("kvm1 cpu %+v, want nothing unexplained", cpu)
	}
	w := checks[0].Warning
	for _, s := range []string{"host kvm1 uses more than berth plans for (p95 of node metrics of 10.0.0.1:9100): memory 24 GiB, of which its guests (2) 16 GiB, reserved 4.0 GiB and overhead 512 MiB explain 21 GiB: 3.5 GiB unexplained;",
		"set more reserved capacity or per-guest overhead"} {
		if !strings.Contains(w, s) {
			t.Errorf("warning %q lacks %q", w, s)
		}
	}
	if checks[1].Warning != "" {
		t.Errorf("kvm2 warned: %s", checks[1].Warning)
	}
}
