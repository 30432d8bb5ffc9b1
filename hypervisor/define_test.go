package hypervisor

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"libvirt.org/go/libvirtxml"
)

func applyTestURI(t testing.TB) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "testdata", "apply", "kvm-apply1.xml"))
	if err != nil {
		t.Fatal(err)
	}
	return "test://" + p
}

func tinySpec(name string) GuestSpec {
	return GuestSpec{
		Name: name, VCPUs: 2, Memory: 96 << 20,
		Metadata: GuestMetadata{PlanID: "0a1b2c3d4e5f", Profile: "web", Group: "front"},
		Template: Template{DomainType: "test", Pool: "berth-pool", VolumeSize: 16 << 20, Bridge: "br0"},
	}
}

// TestGuestSpecDomain checks the domain berth builds, element by element.
func TestGuestSpecDomain(t *testing.T) {
	s := tinySpec("web-7")
	doc, err := s.DomainXML()
	if err != nil {
		t.Fatal(err)
	}
	var d libvirtxml.Domain
	if err := d.Unmarshal(doc); err != nil {
		t.Fatal(err)
	}
	got, err := ParseDomainXML(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := Domain{Name: "web-7", UUID: d.UUID, ID: -1, VCPUs: 2, MaxVCPUs: 2, MemoryMax: 96 << 20, MemoryCurrent: 96 << 20,
		Disks:      []Disk{{Device: "disk", Type: "volume", Target: "vda", Bus: "virtio", Source: "berth-pool/web-7.qcow2", Format: "qcow2"}},
		Interfaces: []Interface{{Type: "bridge", Source: "br0", Model: "virtio"}},
		Metadata:   &GuestMetadata{PlanID: "0a1b2c3d4e5f", Profile: "web", Group: "front"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("domain (-want +got):\n%s", diff)
	}
	if d.Type != "test" || d.OS.Type.Arch != "x86_64" || d.OS.Type.Type != "hvm" || len(d.UUID) != 36 {
		t.Errorf("type %q arch %q os %q uuid %q", d.Type, d.OS.Type.Arch, d.OS.Type.Type, d.UUID)
	}
	// No pool, no network: no disk, no NIC; the default type is kvm.
	s.Template = Template{}
	d2, err := s.Domain()
	if err != nil {
		t.Fatal(err)
	}
	if d2.Type != "kvm" || len(d2.Devices.Disks) != 0 || len(d2.Devices.Interfaces) != 0 || s.VolumeName() != "" {
		t.Errorf("bare template: type %q, %d disks, %d NICs, volume %q", d2.Type, len(d2.Devices.Disks), len(d2.Devices.Interfaces), s.VolumeName())
	}
}

func TestGuestSpecCheck(t *testing.T) {
	for _, tc := range []struct {
		mutate func(*GuestSpec)
		want   string
	}{
		{func(s *GuestSpec) { s.Name = "a/b" }, `guest name "a/b" cannot name a domain`},
		{func(s *GuestSpec) { s.VCPUs = 0 }, "guest g: 0 vCPUs, want at least 1"},
		{func(s *GuestSpec) { s.Memory = 1000 }, "guest g: 1000 bytes of memory, want at least 1 MiB"},
		{func(s *GuestSpec) { s.Template.VolumeSize = 0 }, "guest g: a volume in pool berth-pool needs a size or a base image"},
		{func(s *GuestSpec) { s.Template.VolumeFormat = "vmdk" }, `guest g: volume format "vmdk", want qcow2 or raw`},
	} {
		s := tinySpec("g")
		tc.mutate(&s)
		if err := s.Check(); err == nil || err.Error() != tc.want {
			t.Errorf("Check() = %v, want %s", err, tc.want)
		}
	}
}

// TestDefineGuestNeverRedefines: a domain of the same name is never
// replaced, even when the caller did not look first.
func TestDefineGuestNeverRedefines(t *testing.T) {
	c := connect(t, applyTestURI(t))
	ctx := context.Background()
	before, err := c.LookupDomain(ctx, "legacy")
	if err != nil || before == nil {
		t.Fatalf("LookupDomain(legacy) = %v, %v", before, err)
	}
	err = c.DefineGuest(ctx, tinySpec("legacy"))
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("DefineGuest over a foreign domain: err = %v, want already exists", err)
	}
	after, _ := c.LookupDomain(ctx, "legacy")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("legacy changed (-before +after):\n%s", diff)
	}
}

// TestGuestLifecycle creates a volume (empty and cloned), defines, starts,
// destroys and undefines a guest through the test driver, and checks that
// the undo calls accept what is already gone.
func TestGuestLifecycle(t *testing.T) {
	c := connect(t, applyTestURI(t))
	ctx := context.Background()
	s := tinySpec("life-1")
	if ok, err := c.VolumeExists(ctx, "berth-pool", s.VolumeName()); ok || err != nil {
		t.Fatalf("VolumeExists before = %v, %v", ok, err)
	}
	if err := c.CreateVolume(ctx, s); err != nil {
		t.Fatal(err)
	}
	clone := tinySpec("life-2")
	clone.Template.BaseImage = "base-debian.qcow2"
	if err := c.CreateVolume(ctx, clone); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{s.VolumeName(), clone.VolumeName()} {
		if ok, err := c.VolumeExists(ctx, "berth-pool", v); !ok || err != nil {
			t.Errorf("VolumeExists(%s) = %v, %v", v, ok, err)
		}
	}
	if _, err := c.VolumeExists(ctx, "no-such-pool", "x"); err == nil || !strings.Contains(err.Error(), "no-such-pool") {
		t.Errorf("VolumeExists in a missing pool: %v", err)
	}
	if err := c.DefineGuest(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := c.StartDomain(ctx, s.Name); err != nil {
		t.Fatal(err)
	}
	if err := c.StartDomain(ctx, s.Name); err != nil {
		t.Errorf("starting a running domain: %v", err)
	}
	d, err := c.LookupDomain(ctx, s.Name)
	if err != nil || d == nil || d.State != "running" || *d.Metadata != s.Metadata {
		t.Fatalf("LookupDomain = %+v, %v", d, err)
	}
	for range 2 { // the second time everything is already gone
		if err := c.DestroyDomain(ctx, s.Name); err != nil {
			t.Error(err)
		}
		if err := c.UndefineDomain(ctx, s.Name); err != nil {
			t.Error(err)
		}
		if err := c.DeleteVolume(ctx, "berth-pool", s.VolumeName()); err != nil {
			t.Error(err)
		}
	}
	if d, err := c.LookupDomain(ctx, s.Name); d != nil || err != nil {
		t.Errorf("after undefine: %+v, %v", d, err)
	}
}
