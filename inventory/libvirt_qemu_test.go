package inventory

import (
	"context"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor/hvtest"
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
	if h.Facts == nil || h.Facts.HypervisorVersion == "" || h.Capacity[CPU] < 1 || h.Capacity[Memory] <= 0 {
		t.Errorf("host %s: capacity %v facts %+v", h.Name, h.Capacity, h.Facts)
	}
	if h.Facts.CPUUsed <= 0 || h.Facts.CPUUsed > h.Capacity[CPU] {
		t.Errorf("host CPU used %v of %v", h.Facts.CPUUsed, h.Capacity[CPU])
	}
	var guest *Guest
	for i := range h.Guests {
		if h.Guests[i].UUID == g.UUID {
			guest = &h.Guests[i]
		}
	}
	if guest == nil {
		t.Fatalf("guest %s not in the inventory of %s", g.Name, h.Name)
	}
	if want := (Vector{CPU: 1, Memory: 64 << 20, IOPS: 50}); guest.Allocation != want || guest.State != "running" {
		t.Errorf("%s: state %s allocation %v, want %v", g.Name, guest.State, guest.Allocation, want)
	}
	o := guest.Observed
	if o == nil {
		t.Fatalf("%s has no observed use", g.Name)
	}
	t.Logf("%s observed: %.3f cores, %.0f MiB, %.1f IOPS, %.0f bit/s; role %q (%s)", g.Name,
		o[CPU], o[Memory]/(1<<20), o[IOPS], o[Net], guest.Profile, guest.RoleSource)
	// A 64 MiB guest's QEMU holds some of it and more for itself; TCG
	// spends CPU booting the BIOS.
	if o[CPU] <= 0 || o[CPU] > 2 || o[Memory] < 8<<20 || o[Memory] > 1<<30 || o[IOPS] < 0 || o[Net] != 0 {
		t.Errorf("%s observed %v", g.Name, *o)
	}
	if p, ok := ClassifyAppetite(*o, h.Capacity, BuiltInProfiles()); guest.Profile != p || (ok && guest.RoleSource != RoleInferred) {
		t.Errorf("%s role %q (%s), classifier says %q", g.Name, guest.Profile, guest.RoleSource, p)
	}
}
