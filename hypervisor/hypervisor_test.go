package hypervisor

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// testURI is the test-driver URI of a host file in testdata/libvirt.
func testURI(t testing.TB, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "testdata", "libvirt", name+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	return "test://" + p
}

func connect(t testing.TB, uri string) *Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Connect(ctx, uri)
	if err != nil {
		t.Fatalf("Connect(%s): %v", uri, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestHostFactsTestDriver(t *testing.T) {
	c := connect(t, testURI(t, "kvm-a1"))
	got, err := c.HostFacts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hostname, _ := os.Hostname()
	want := &HostFacts{
		Hostname: hostname, Arch: "x86_64", CPUModel: "x86_64", MHz: 2600,
		CPUs: 64, NUMACells: 2, Sockets: 2, Cores: 16, Threads: 2,
		MemoryTotal:    256 << 30,
		LibvirtVersion: got.LibvirtVersion, Hypervisor: "TEST", HypervisorVersion: "0.0.2",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("HostFacts (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(got.LibvirtVersion, "9.") && !strings.HasPrefix(got.LibvirtVersion, "1") {
		t.Errorf("LibvirtVersion = %q", got.LibvirtVersion)
	}
}

func TestDomainsTestDriver(t *testing.T) {
	c := connect(t, testURI(t, "kvm-a1"))
	got, err := c.Domains(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	const gi = 1 << 30
	front := &GuestMetadata{PlanID: "plan-2026-11-01", Profile: "web", Group: "front"}
	want := []Domain{
		{Name: "web-1", UUID: "6b1e0c8e-7a3b-4c55-9a01-0000000a1001", ID: 1, State: "running", Persistent: true,
			VCPUs: 8, MaxVCPUs: 8, MemoryMax: 8 * gi, MemoryCurrent: 8 * gi,
			Disks:      []Disk{{Device: "disk", Type: "file", Target: "vda", Bus: "virtio", Source: "/var/lib/libvirt/images/web-1.qcow2", Format: "qcow2"}},
			Interfaces: []Interface{{Type: "bridge", Source: "br0", MAC: "52:54:00:a1:00:01", Model: "virtio", Target: "testnet0"}},
			Metadata:   front},
		{Name: "web-2", UUID: "6b1e0c8e-7a3b-4c55-9a01-0000000a1002", ID: 2, State: "running", Persistent: true,
			VCPUs: 4, MaxVCPUs: 8, MemoryMax: 8 * gi, MemoryCurrent: 8 * gi,
			Disks:      []Disk{{Device: "disk", Type: "file", Target: "vda", Bus: "virtio", Source: "/var/lib/libvirt/images/web-2.qcow2", Format: "qcow2"}},
			Interfaces: []Interface{{Type: "bridge", Source: "br0", MAC: "52:54:00:a1:00:02", Model: "virtio", Target: "testnet0"}},
			Metadata:   front},
		{Name: "db-orders-1", UUID: "6b1e0c8e-7a3b-4c55-9a01-0000000a1003", ID: 3, State: "running", Persistent: true,
			VCPUs: 4, MaxVCPUs: 4, MemoryMax: 32 * gi, MemoryCurrent: 24 * gi,
			Disks: []Disk{
				{Device: "disk", Type: "block", Target: "vda", Bus: "virtio", Source: "/dev/vg0/db-orders-1", Format: "raw"},
				{Device: "disk", Type: "file", Target: "vdb", Bus: "virtio", Source: "/var/lib/libvirt/images/db-orders-1-data.img", Format: "raw"},
			},
			Interfaces: []Interface{{Type: "network", Source: "default", MAC: "52:54:00:a1:00:03", Model: "virtio", Target: "testnet0"}}},
		{Name: "cache-old", UUID: "6b1e0c8e-7a3b-4c55-9a01-0000000a1004", ID: -1, State: "shutoff", Persistent: true,
			VCPUs: 2, MaxVCPUs: 2, MemoryMax: 64 * gi, MemoryCurrent: 64 * gi},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Domains (-want +got):\n%s", diff)
	}
}

func TestConnectDefault(t *testing.T) {
	c := connect(t, "test:///default")
	doms, err := c.Domains(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(doms) != 1 || doms[0].Name != "test" || doms[0].State != "running" {
		t.Errorf("test:///default domains = %+v, want the one running domain \"test\"", doms)
	}
	f, err := c.HostFacts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if f.CPUs != 16 || f.MemoryTotal != 3<<30 {
		t.Errorf("test:///default facts = %+v", f)
	}
}

func TestConnectFaults(t *testing.T) {
	dir := t.TempDir()
	badUUID := filepath.Join(dir, "bad-uuid.xml")
	if err := os.WriteFile(badUUID, []byte(`<node><cpu><mhz>1</mhz><model>x</model><nodes>1</nodes><sockets>1</sockets>`+
		`<cores>1</cores><threads>1</threads></cpu><memory>1048576</memory><domain type='test'><name>a</name>`+
		`<uuid>not-a-uuid</uuid><memory>1024</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain></node>`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		uri  string
		kind Kind
		text string
	}{
		{"missing file", "test://" + filepath.Join(dir, "nope.xml"), KindHostFile, "nope.xml does not exist"},
		{"invalid file", testURI(t, "invalid"), KindHostFile, "invalid.xml:7: Premature end of data in tag node line 3"},
		{"malformed URI", "qemu+ssh://[bad", KindBadURI, "Unable to parse URI"},
		{"bad domain in file", "test://" + badUUID, KindHostFile, "malformed uuid element"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := Connect(ctx, tc.uri)
			if err == nil {
				c.Close()
				t.Fatalf("Connect(%s) = nil error", tc.uri)
			}
			t.Logf("%s: %v", tc.kind, err)
			if k := KindOf(err); k != tc.kind {
				t.Errorf("KindOf(%v) = %s, want %s", err, k, tc.kind)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %q does not mention %q", err, tc.text)
			}
		})
	}
}

func TestConnectTimeout(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Connect(ctx, "test:///default")
	if KindOf(err) != KindTimeout {
		t.Errorf("Connect with ended context: %v, want kind timeout", err)
	}
}

func TestNoLibraryMessage(t *testing.T) {
	// What the libvirt_dlopen build reports when dlopen fails.
	err := wrap(libvirt.Error{Code: libvirt.ERR_INTERNAL_ERROR, Domain: libvirt.FROM_NONE,
		Message: "libvirt.so.0: cannot open shared object file: No such file or directory"}, "qemu:///system", "connect")
	if KindOf(err) != KindNoLibrary {
		t.Errorf("kind = %s, want %s", KindOf(err), KindNoLibrary)
	}
	if err.Error() != NoLibraryMessage {
		t.Errorf("text = %q", err)
	}
	if !errors.Is(err, libvirt.Error{Code: libvirt.ERR_INTERNAL_ERROR}) && errors.Unwrap(err) == nil {
		t.Error("error does not unwrap to the libvirt error")
	}
}

func TestGuestMetadataRoundTrip(t *testing.T) {
	m := GuestMetadata{PlanID: "p<1>", Profile: "db", Group: "pg & co"}
	got, err := ParseGuestMetadata(`<other:x xmlns:other="urn:o"><berth:guest xmlns:berth="urn:not-berth"/></other:x>` + m.String())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&m, got, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".XMLName" }, cmp.Ignore())); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	none, err := ParseGuestMetadata(`<other:x xmlns:other="urn:o"/>`)
	if err != nil || none != nil {
		t.Errorf("ParseGuestMetadata without berth element = %v, %v; want nil, nil", none, err)
	}

	d := libvirtxml.Domain{Metadata: &libvirtxml.DomainMetadata{XML: `<other:x xmlns:other="urn:o">keep</other:x>` + GuestMetadata{PlanID: "old"}.String()}}
	if err := AddMetadata(&d, m); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(d.Metadata.XML, "old") || !strings.Contains(d.Metadata.XML, "keep") {
		t.Errorf("AddMetadata: %s", d.Metadata.XML)
	}
}

func TestSetGuestMetadata(t *testing.T) {
	c := connect(t, testURI(t, "kvm-a2"))
	ctx := context.Background()
	m := GuestMetadata{PlanID: "plan-x", Profile: "cache", Group: "sessions"}
	if err := c.SetGuestMetadata(ctx, "redis-sessions", m); err != nil {
		t.Fatal(err)
	}
	doms, err := c.Domains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range doms {
		if d.Name == "redis-sessions" {
			if d.Metadata == nil || d.Metadata.PlanID != "plan-x" || d.Metadata.Profile != "cache" || d.Metadata.Group != "sessions" {
				t.Errorf("metadata after SetGuestMetadata = %+v", d.Metadata)
			}
			return
		}
	}
	t.Error("redis-sessions not found")
}

func FuzzParseGuestMetadata(f *testing.F) {
	f.Add(GuestMetadata{PlanID: "p", Profile: "web", Group: "g"}.String())
	f.Add(`<a xmlns="urn:x"><b/></a>`)
	f.Add(`<berth:guest xmlns:berth="https://berth.dev/xmlns/guest/1"><berth:plan>`)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseGuestMetadata(s)
		if err != nil || m == nil {
			return
		}
		again, err := ParseGuestMetadata(m.String())
		if err != nil || again == nil || again.PlanID != m.PlanID || again.Profile != m.Profile || again.Group != m.Group {
			t.Fatalf("re-parse of %q: %+v, %v", m.String(), again, err)
		}
	})
}

// TestNoLibrary runs this test binary again with libvirt.so.0 hidden (a
// bind mount of /dev/null in a private mount namespace) and checks the
// one-sentence error. It needs root and unshare(1).
func TestNoLibrary(t *testing.T) {
	if os.Getenv("BERTH_TEST_NO_LIBVIRT") == "1" {
		_, err := Check()
		t.Logf("libvirt says: %s", err.(*Error).Msg)
		if KindOf(err) != KindNoLibrary || err.Error() != NoLibraryMessage {
			t.Fatalf("Check() = %v, want %q", err, NoLibraryMessage)
		}
		_, err = Connect(context.Background(), "test:///default")
		if KindOf(err) != KindNoLibrary || err.Error() != NoLibraryMessage {
			t.Fatalf("Connect() = %v, want %q", err, NoLibraryMessage)
		}
		return
	}
	if _, err := Check(); err != nil {
		t.Fatal(err)
	}
	lib := loadedLibvirt(t)
	unshare, err := exec.LookPath("unshare")
	if err != nil || os.Geteuid() != 0 {
		t.Skipf("hiding %s needs root and unshare(1)", lib)
	}
	cmd := exec.Command(unshare, "-m", "sh", "-c", `mount --bind /dev/null "$1" && exec "$2" -test.run='^TestNoLibrary$' -test.v`, "sh", lib, os.Args[0])
	cmd.Env = append(os.Environ(), "BERTH_TEST_NO_LIBVIRT=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("without libvirt.so.0: %v\n%s", err, out)
	}
	t.Logf("with %s hidden:\n%s", lib, out)
}

// loadedLibvirt is the path of the libvirt.so.0 this process loaded.
func loadedLibvirt(t *testing.T) string {
	data, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.Index(line, "/"); i >= 0 && strings.HasSuffix(line, "/libvirt.so.0") || strings.Contains(line, "/libvirt.so.0.") {
			return strings.TrimSpace(line[strings.Index(line, "/"):])
		}
	}
	t.Fatal("libvirt.so.0 is not mapped")
	return ""
}

func FuzzParseDomainXML(f *testing.F) {
	for _, name := range []string{"kvm-a1", "kvm-a2"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "libvirt", name+".xml"))
		if err != nil {
			f.Fatal(err)
		}
		s := string(data)
		// Each <domain> element of the host file is a seed.
		for {
			i := strings.Index(s, "<domain ")
			j := strings.Index(s, "</domain>")
			if i < 0 || j < i {
				break
			}
			f.Add(s[i : j+len("</domain>")])
			s = s[j+len("</domain>"):]
		}
	}
	f.Add(`<domain type='kvm'><name>x</name><memory unit='bytes'>1</memory><vcpu current='0'>0</vcpu><metadata><berth:guest xmlns:berth='https://berth.dev/xmlns/guest/1'/></metadata></domain>`)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDomainXML(s)
		if err != nil {
			return
		}
		if d.VCPUs < 0 || d.MaxVCPUs < 0 || d.ID != -1 {
			t.Fatalf("ParseDomainXML(%q) = %+v", s, d)
		}
	})
}
