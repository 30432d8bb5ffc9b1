package hypervisor_test

import (
	"context"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/hypervisor/hvtest"
)

// TestQEMUSample reads a real tiny QEMU guest through libvirtd: its domain,
// its bulk-stats counters and its use over a short window, and writes and
// reads back berth's metadata on it.
func TestQEMUSample(t *testing.T) {
	c := hvtest.Daemon(t)
	g := hvtest.TinyGuest(t, c, "sample")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	doms, err := c.Domains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var d *hypervisor.Domain
	for i := range doms {
		if doms[i].UUID == g.UUID {
			d = &doms[i]
		}
	}
	if d == nil || d.State != "running" || d.VCPUs != 1 || d.MemoryMax != 64<<20 ||
		len(d.Disks) != 1 || d.Disks[0].Source != g.Disk || d.Disks[0].Format != "qcow2" {
		t.Fatalf("domain %s: %+v", g.Name, d)
	}

	s, err := c.Sample(ctx, 1500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	u, ok := s.Domains[g.UUID]
	if !ok {
		t.Fatalf("no sample for %s: %+v", g.Name, s.Domains)
	}
	t.Logf("%s over %v: %.3f cores, %.1f IOPS, %d bytes held; host CPU busy %.3f", g.Name, s.Window, u.Cores, u.IOPS, u.MemoryUsed, s.Host.CPUBusy)
	if !u.HasCPU || !u.HasBlock || !u.HasMemory || u.MemoryUsed == 0 || u.Cores < 0 || u.IOPS < 0 {
		t.Errorf("use of %s: %+v, want CPU, block and memory figures", g.Name, u)
	}
	if s.Window < time.Second || !s.Host.HasCPU || !s.Host.HasMemory || s.Host.MemoryUsed == 0 {
		t.Errorf("sample: window %v, host %+v", s.Window, s.Host)
	}
	// The BIOS runs and reads the disk looking for something to boot. On
	// a loaded machine TCG may take a while to get there: wait for it (up
	// to a minute) rather than assume how fast the emulation is.
	var dc hypervisor.DomainCounters
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(250 * time.Millisecond) {
		r, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		dc = r.Domains[g.UUID]
		if dc.RdReqs > 0 || time.Now().After(deadline) {
			break
		}
	}
	if dc.CPUTime == 0 || dc.RdReqs == 0 || dc.BalloonCurrent != 64<<20 {
		t.Errorf("counters of %s: %+v", g.Name, dc)
	}

	m := hypervisor.GuestMetadata{PlanID: "plan-t", Profile: "web", Group: "front"}
	if err := c.SetGuestMetadata(ctx, g.Name, m); err != nil {
		t.Fatal(err)
	}
	doms, err = c.Domains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range doms {
		if d.UUID == g.UUID && (d.Metadata == nil || *d.Metadata != m) {
			t.Errorf("metadata after SetGuestMetadata: %+v", d.Metadata)
		}
	}
}
