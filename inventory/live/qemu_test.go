package live

import (
	"context"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor/hvtest"
	"github.com/berth-dev/berth/inventory"
)

// TestReadFleetQEMUSample samples a real tiny guest on the local libvirtd
// (started by hvtest when needed) and finds its observed use in the
// inventory: CPU time as cores, memory held, disk requests as IOPS.
func TestReadFleetQEMUSample(t *testing.T) {
	c := hvtest.Daemon(t)
	g := hvtest.TinyGuest(t, c, "inventory")
	fleet, err := ReadFleet(context.Background(), []Source{{Name: "local", URI: hvtest.SystemURI, IOPS: 10000, Net: 1e9}},
		ReadOptions{Sample: 1500 * time.Millisecond, Strict: true, GuestIOPS: 50})
	if err != nil {
		t.Fatal(err)
	}
	h := fleet.Hosts[0]
	if h.Facts == nil || h.Facts.HypervisorVersion == "" || h.Capacity[inventory.CPU] < 1 || h.Capacity[inventory.Memory] <= 0 {
		t.Errorf("host %s: capacity %v facts %+v", h.Name, h.Capacity, h.Facts)
	}
	if h.Facts.CPUUsed <= 0 || h.Facts.CPUUsed > h.Capacity[inventory.CPU] {
		t.Errorf("host CPU used %v of %v", h.Facts.CPUUsed, h.Capacity[inventory.CPU])
	}
	var guest *inventory.Guest
	for i := range h.Guests {
		if h.Guests[i].UUID == g.UUID {
			guest = &h.Guests[i]
		}
	}
	if guest == nil {
		t.Fatalf("guest %s not in the inventory of %s", g.Name, h.Name)
	}
	if want := (inventory.Vector{inventory.CPU: 1, inventory.Memory: 64 << 20, inventory.IOPS: 50}); guest.Allocation != want || guest.State != "running" {
		t.Errorf("%s: state %s allocation %v, want %v", g.Name, guest.State, guest.Allocation, want)
	}
	o := guest.Observed
	if o == nil {
		t.Fatalf("%s has no observed use", g.Name)
	}
	t.Logf("%s observed: %.3f cores, %.0f MiB, %.1f IOPS, %.0f bit/s; role %q (%s)", g.Name,
		o[inventory.CPU], o[inventory.Memory]/(1<<20), o[inventory.IOPS], o[inventory.Net], guest.Profile, guest.RoleSource)
	// A 64 MiB guest's QEMU holds some of it and more for itself; TCG
	// spends CPU booting the BIOS.
	if o[inventory.CPU] <= 0 || o[inventory.CPU] > 2 || o[inventory.Memory] < 8<<20 || o[inventory.Memory] > 1<<30 || o[inventory.IOPS] < 0 || o[inventory.Net] != 0 {
		t.Errorf("%s observed %v", g.Name, *o)
	}
	if p, ok := inventory.ClassifyAppetite(*o, h.Capacity, inventory.BuiltInProfiles()); guest.Profile != p || (ok && guest.RoleSource != inventory.RoleInferred) {
		t.Errorf("%s role %q (%s), classifier says %q", g.Name, guest.Profile, guest.RoleSource, p)
	}
}
