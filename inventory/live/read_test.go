package live

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const gi = 1 << 30

// hostFile is the absolute path of a test-driver host file in
// testdata/libvirt.
func hostFile(t testing.TB, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "libvirt", name+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func testURI(t testing.TB, name string) string { return "test://" + hostFile(t, name) }

// libvirtVersion is the version of the libvirt library in use, as the test
// driver reports it.
func libvirtVersion(t testing.TB) string {
	t.Helper()
	c, err := hypervisor.Connect(context.Background(), "test:///default")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f, err := c.HostFacts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return f.LibvirtVersion
}

var ignoreElapsed = cmpopts.IgnoreFields(HostStatus{}, "Elapsed")

func TestReadFleetTestDriver(t *testing.T) {
	hostname, _ := os.Hostname()
	lv := libvirtVersion(t)
	sources := []Source{
		{URI: testURI(t, "kvm-a1"), Labels: map[string]string{"rack": "r1"}, Class: "fast"},
		{Name: "kvm-a2", URI: testURI(t, "kvm-a2"), Labels: map[string]string{"rack": "r2", "zone": "z2"}, IOPS: 5000, Net: 1e9, Class: "fast"},
		{URI: testURI(t, "kvm-b1")},
	}
	opt := ReadOptions{
		Concurrency: 2,
		Classes: map[string]HostClass{
			"fast": {IOPS: 20000, Net: 10e9, Labels: map[string]string{"zone": "z1", "disk": "nvme"}},
		},
		RolePatterns: []NamePattern{
			{Pattern: regexp.MustCompile(`^db-`), Profile: "db"},
			{Pattern: regexp.MustCompile(`^(redis|memcached)-`), Profile: "cache"},
			{Pattern: regexp.MustCompile(`^web-`), Profile: "not-used-metadata-wins"},
		},
		GuestIOPS: 100,
		GuestNet:  100e6,
	}
	var progress []Progress
	opt.Progress = func(p Progress) { progress = append(progress, p) }
	fleet, err := ReadFleet(context.Background(), sources, opt)
	if err != nil {
		t.Fatal(err)
	}
	io := func(cpu, mem float64) inventory.Vector {
		return inventory.Vector{inventory.CPU: cpu, inventory.Memory: mem, inventory.IOPS: 100, inventory.Net: 100e6}
	}
	facts := func(mhz, cpus, cells, sockets, cores, threads int) *inventory.HostFacts {
		return &inventory.HostFacts{Hostname: hostname, CPUModel: "x86_64", Sockets: sockets, Cores: cores, Threads: threads,
			NUMACells: cells, CPUs: cpus, MHz: mhz, LibvirtVersion: lv, HypervisorVersion: "TEST 0.0.2"}
	}
	want := []inventory.Host{
		{
			Name: "kvm-a1", URI: sources[0].URI,
			// Class labels, then the source's own.
			Labels:   map[string]string{"rack": "r1", "zone": "z1", "disk": "nvme"},
			Capacity: inventory.Vector{inventory.CPU: 64, inventory.Memory: 256 * gi, inventory.IOPS: 20000, inventory.Net: 10e9},
			// 2 cells × 1 socket × 16 cores × 2 threads.
			Facts: facts(2600, 64, 2, 2, 16, 2),
			Guests: []inventory.Guest{
				{Name: "web-1", Profile: "web", RoleSource: inventory.RoleMetadata, Group: "front", PlanID: "plan-2026-11-01",
					UUID: "6b1e0c8e-7a3b-4c55-9a01-0000000a1001", State: "running", Allocation: io(8, 8*gi)},
				// vcpu current='4' of 8: the allocation is what it runs with.
				{Name: "web-2", Profile: "web", RoleSource: inventory.RoleMetadata, Group: "front", PlanID: "plan-2026-11-01",
					UUID: "6b1e0c8e-7a3b-4c55-9a01-0000000a1002", State: "running", Allocation: io(4, 8*gi)},
				// currentMemory 24 GiB of 32: the allocation is the maximum.
				{Name: "db-orders-1", Profile: "db", RoleSource: inventory.RolePattern,
					UUID: "6b1e0c8e-7a3b-4c55-9a01-0000000a1003", State: "running", Allocation: io(4, 32*gi)},
				{Name: "cache-old", UUID: "6b1e0c8e-7a3b-4c55-9a01-0000000a1004", State: "shutoff", Allocation: io(2, 64*gi)},
			},
		},
		{
			Name: "kvm-a2", URI: sources[1].URI,
			Labels:   map[string]string{"rack": "r2", "zone": "z2", "disk": "nvme"},
			Capacity: inventory.Vector{inventory.CPU: 16, inventory.Memory: 64 * gi, inventory.IOPS: 5000, inventory.Net: 1e9},
			Facts:    facts(3000, 16, 1, 1, 8, 2),
			Guests: []inventory.Guest{
				{Name: "pg-main-2", Profile: "db", RoleSource: inventory.RoleMetadata, Group: "pg-main", PlanID: "plan-2026-11-01",
					UUID: "6b1e0c8e-7a3b-4c55-9a01-0000000a2001", State: "running", Allocation: io(4, 16*gi)},
				{Name: "redis-sessions", Profile: "cache", RoleSource: inventory.RolePattern,
					UUID: "6b1e0c8e-7a3b-4c55-9a01-0000000a2002", State: "running", Allocation: io(2, 24*gi)},
				{Name: "batch-7", UUID: "6b1e0c8e-7a3b-4c55-9a01-0000000a2003", State: "paused", Allocation: io(2, 4*gi)},
			},
		},
		{
			Name: "kvm-b1", URI: sources[2].URI,
			Capacity: inventory.Vector{inventory.CPU: 48, inventory.Memory: 512 * gi},
			// 4 cells × 1 socket × 12 cores × 1 thread.
			Facts: facts(2100, 48, 4, 4, 12, 1),
		},
	}
	if diff := cmp.Diff(want, fleet.Hosts); diff != "" {
		t.Errorf("hosts (-want +got):\n%s", diff)
	}
	wantStatus := []HostStatus{
		{Name: "kvm-a1", URI: sources[0].URI, Guests: 4},
		{Name: "kvm-a2", URI: sources[1].URI, Guests: 3},
		{Name: "kvm-b1", URI: sources[2].URI, Guests: 0},
	}
	if diff := cmp.Diff(wantStatus, fleet.Status, ignoreElapsed); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	if len(progress) != 3 || progress[2].Done != 3 || progress[2].Total != 3 {
		t.Errorf("progress = %+v, want 3 calls ending at 3/3", progress)
	}
}

func TestReadFleetDefault(t *testing.T) {
	hostname, _ := os.Hostname()
	fleet, err := ReadFleet(context.Background(), []Source{{URI: "test:///default"}}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []inventory.Host{{
		// No name, no URI host, no file: the host's own hostname.
		Name: hostname, URI: "test:///default",
		Capacity: inventory.Vector{inventory.CPU: 16, inventory.Memory: 3 * gi},
		Facts: &inventory.HostFacts{Hostname: hostname, CPUModel: "i686", Sockets: 4, Cores: 2, Threads: 2, NUMACells: 2,
			CPUs: 16, MHz: 1400, LibvirtVersion: libvirtVersion(t), HypervisorVersion: "TEST 0.0.2",
			// What the default test host reports (virNodeGetFreeMemory, bytes).
			FreeMemory: 3145728},
		Guests: []inventory.Guest{{Name: "test", UUID: "6695eb01-f6a4-8304-79aa-97f2502e193f", State: "running",
			Allocation: inventory.Vector{inventory.CPU: 2, inventory.Memory: 8 * gi}}},
	}}
	if diff := cmp.Diff(want, fleet.Hosts); diff != "" {
		t.Errorf("test:///default (-want +got):\n%s", diff)
	}
}

// fleetFiles writes n test-driver host files (copies of kvm-a2 with
// distinct guest UUIDs) and returns their sources.
func fleetFiles(t testing.TB, n int) []Source {
	t.Helper()
	tmpl, err := os.ReadFile(hostFile(t, "kvm-a2"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sources := make([]Source, n)
	for i := range n {
		data := strings.ReplaceAll(string(tmpl), "6b1e0c8e-7a3b-4c55-9a01-0000000a2", fmt.Sprintf("6b1e0c8e-7a3b-4c55-9a01-%09d", i))
		p := filepath.Join(dir, fmt.Sprintf("kvm-%04d.xml", i))
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		sources[i] = Source{URI: "test://" + p}
	}
	return sources
}

func TestReadFleetMany(t *testing.T) {
	const n = 200
	sources := fleetFiles(t, n)
	calls, last := 0, 0
	fleet, err := ReadFleet(context.Background(), sources, ReadOptions{
		Concurrency: 32,
		Strict:      true,
		Progress: func(p Progress) {
			calls++
			if p.Done != last+1 || p.Total != n {
				t.Errorf("progress %d/%d after %d", p.Done, p.Total, last)
			}
			last = p.Done
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(fleet.Hosts) != n || len(fleet.Status) != n || calls != n {
		t.Fatalf("read %d hosts, %d statuses, %d progress calls; want %d each", len(fleet.Hosts), len(fleet.Status), calls, n)
	}
	guests := 0
	for i, h := range fleet.Hosts {
		if want := fmt.Sprintf("kvm-%04d", i); h.Name != want {
			t.Errorf("host %d is %s, want %s (source order)", i, h.Name, want)
		}
		guests += len(h.Guests)
	}
	if guests != 3*n {
		t.Errorf("%d guests, want %d", guests, 3*n)
	}
	t.Logf("%d hosts in %v", n, fleet.Elapsed)
}

// BenchmarkReadFleet500 reads 500 test-driver hosts (allocations only),
// 16 at a time.
func BenchmarkReadFleet500(b *testing.B) {
	sources := fleetFiles(b, 500)
	for b.Loop() {
		fleet, err := ReadFleet(context.Background(), sources, ReadOptions{Strict: true})
		if err != nil {
			b.Fatal(err)
		}
		if len(fleet.Hosts) != 500 {
			b.Fatalf("%d hosts", len(fleet.Hosts))
		}
	}
}

// blackHole accepts TCP connections and never answers: a libvirt daemon
// that hangs.
func blackHole(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 100)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for {
			select {
			case c := <-conns:
				c.Close()
			default:
				return
			}
		}
	})
	return l.Addr().String()
}

// closedPort is a local TCP port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestReadFleetFaults(t *testing.T) {
	missing := "test://" + filepath.Join(t.TempDir(), "gone.xml")
	sources := []Source{
		{URI: testURI(t, "kvm-a1")},
		{Name: "missing", URI: missing},
		{Name: "malformed", URI: "qemu+ssh://[bad"},
		{URI: testURI(t, "invalid")},
		{Name: "refused", URI: "qemu+tcp://admin:s3cret@" + closedPort(t) + "/system"},
		{Name: "hangs", URI: "qemu+tcp://" + blackHole(t) + "/system"},
		{Name: "nxdomain", URI: "qemu+tcp://no-such-host.invalid/system"},
		{URI: testURI(t, "kvm-b1")},
	}
	opt := ReadOptions{Timeout: time.Second}
	fleet, err := ReadFleet(context.Background(), sources, opt)
	if err != nil {
		t.Fatalf("non-strict read: %v", err)
	}
	if got := []string{fleet.Hosts[0].Name, fleet.Hosts[1].Name}; len(fleet.Hosts) != 2 || got[0] != "kvm-a1" || got[1] != "kvm-b1" {
		t.Fatalf("hosts read: %d, want kvm-a1 and kvm-b1", len(fleet.Hosts))
	}
	want := []struct {
		reason hypervisor.Kind
		text   string
		alt    hypervisor.Kind // also accepted
	}{
		{"", "", ""},
		{hypervisor.KindHostFile, "connect: test-driver host file " + strings.TrimPrefix(missing, "test://") + " does not exist", ""},
		{hypervisor.KindBadURI, "connect: internal error: Unable to parse URI qemu+ssh://[bad", ""},
		{hypervisor.KindHostFile, "connect: " + hostFile(t, "invalid") + ":7: Premature end of data in tag node line 3", ""},
		{hypervisor.KindUnreachable, "Connection refused", ""},
		{hypervisor.KindTimeout, "connect: no answer within 1s", ""},
		// A resolver that does not answer in a second makes it a timeout.
		{hypervisor.KindDNS, "", hypervisor.KindTimeout},
		{"", "", ""},
	}
	for i, w := range want {
		st := fleet.Status[i]
		t.Logf("%-10s %-12s %s", st.Name, st.Reason, st.Error)
		if (st.Reason != w.reason && (w.alt == "" || st.Reason != w.alt)) || !strings.Contains(st.Error, w.text) || (w.reason == "") != (st.Error == "") {
			t.Errorf("source %d (%s): reason %q error %q; want %q containing %q", i, st.Name, st.Reason, st.Error, w.reason, w.text)
		}
		if strings.Contains(st.URI+st.Error, "s3cret") {
			t.Errorf("source %d: password shown: %s %s", i, st.URI, st.Error)
		}
	}
	if fleet.Status[4].URI != "qemu+tcp://admin:xxxxx@"+strings.TrimPrefix(strings.TrimSuffix(sources[4].URI, "/system"), "qemu+tcp://admin:s3cret@")+"/system" {
		t.Errorf("masked URI = %s", fleet.Status[4].URI)
	}
	if fleet.Status[5].Elapsed > 3*time.Second {
		t.Errorf("timeout took %v", fleet.Status[5].Elapsed)
	}

	opt.Strict = true
	fleet, err = ReadFleet(context.Background(), sources, opt)
	var fe *FailedHostsError
	if !errors.As(err, &fe) || len(fe.Failed) != 6 || fleet == nil || len(fleet.Hosts) != 2 {
		t.Fatalf("strict read: %v", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("strict error shows the password: %v", err)
	}
}

func TestReadFleetDuplicateNames(t *testing.T) {
	_, err := ReadFleet(context.Background(), []Source{
		{URI: testURI(t, "kvm-a1")},
		{URI: testURI(t, "kvm-b1")},
		{URI: "test:///other/dir/kvm-a1.xml"},
	}, ReadOptions{})
	var de *DuplicateHostError
	if !errors.As(err, &de) || de.First != 0 || de.Second != 2 {
		t.Fatalf("err = %v, want a duplicate of sources 1 and 3", err)
	}
	if !strings.Contains(err.Error(), `hosts 1 (`+testURI(t, "kvm-a1")+`) and 3 (test:///other/dir/kvm-a1.xml) are both named "kvm-a1"`) {
		t.Errorf("message: %v", err)
	}

	// Named by their hostname only once read.
	fleet, err := ReadFleet(context.Background(), []Source{{URI: "test:///default"}, {URI: "test:///default"}}, ReadOptions{})
	if !errors.As(err, &de) || fleet == nil {
		t.Fatalf("err = %v, want a duplicate of two test:///default", err)
	}
}

func TestReadFleetUnknownClass(t *testing.T) {
	_, err := ReadFleet(context.Background(), []Source{{URI: "test:///default", Class: "gpu"}}, ReadOptions{})
	if err == nil || !strings.Contains(err.Error(), `unknown host class "gpu"`) {
		t.Errorf("err = %v", err)
	}
}

func TestReadFleetSampleTestDriver(t *testing.T) {
	// The test driver reports only state in its domain stats: sampling
	// works, but no guest gets an observed use.
	fleet, err := ReadFleet(context.Background(), []Source{{URI: testURI(t, "kvm-a2")}},
		ReadOptions{Sample: 50 * time.Millisecond, Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range fleet.Hosts[0].Guests {
		if g.Observed != nil {
			t.Errorf("%s: observed %v from the test driver", g.Name, *g.Observed)
		}
	}
}

func TestFleetScenarioMasksURI(t *testing.T) {
	f := &Fleet{Hosts: []inventory.Host{{Name: "kvm07", URI: "qemu+ssh://root:s3cret@kvm07/system"}}}
	s := f.Scenario("snap")
	if s.Hosts[0].URI != "qemu+ssh://root:xxxxx@kvm07/system" || f.Hosts[0].URI != "qemu+ssh://root:s3cret@kvm07/system" {
		t.Errorf("snapshot URI %q, fleet URI %q", s.Hosts[0].URI, f.Hosts[0].URI)
	}
	if s.APIVersion != inventory.APIVersion || len(s.Profiles) != 3 {
		t.Errorf("snapshot %+v", s)
	}
}

func TestFleetSnapshotRoundTrip(t *testing.T) {
	fleet, err := ReadFleet(context.Background(), []Source{
		{URI: testURI(t, "kvm-a1"), IOPS: 20000, Net: 10e9, Labels: map[string]string{"rack": "r1"}},
		{URI: testURI(t, "kvm-a2"), IOPS: 5000, Net: 1e9},
	}, ReadOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if u := fleet.UnknownCapacity(); len(u) != 0 {
		t.Errorf("UnknownCapacity = %v", u)
	}
	var b strings.Builder
	if err := inventory.WriteScenario(&b, fleet.Scenario("snap")); err != nil {
		t.Fatal(err)
	}
	back, err := inventory.ParseScenario("snap.yaml", []byte(b.String()))
	if err != nil {
		t.Fatalf("snapshot does not parse: %v\n%s", err, b.String())
	}
	if diff := cmp.Diff(fleet.Hosts, back.Hosts, cmpopts.IgnoreFields(inventory.Host{}, "Pos"), cmpopts.IgnoreFields(inventory.Guest{}, "Pos"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("hosts after snapshot round trip (-read +parsed):\n%s", diff)
	}
}

// TestFleetSnapshotCustomProfile: guests that berth created from a demand
// file's own profile carry its name in their metadata; a snapshot of them
// defines it, so it can be planned on by itself (issue 12.11: `unknown
// profile "rel-tiny"`).
func TestFleetSnapshotCustomProfile(t *testing.T) {
	const gi = 1 << 30
	tiny := inventory.Vector{inventory.CPU: 1, inventory.Memory: 0.0625 * gi}
	f := &Fleet{Hosts: []inventory.Host{{
		Name:     "kvm07",
		Capacity: inventory.Vector{inventory.CPU: 8, inventory.Memory: 32 * gi, inventory.IOPS: 1000, inventory.Net: 1e9},
		Guests: []inventory.Guest{
			{Name: "rel-tiny-1", Profile: "rel-tiny", RoleSource: inventory.RoleMetadata, Group: "rel", Allocation: tiny, State: "running"},
			{Name: "rel-tiny-2", Profile: "rel-tiny", RoleSource: inventory.RoleMetadata,
				Allocation: inventory.Vector{inventory.CPU: 2, inventory.Memory: 0.0625 * gi}, State: "running"},
			{Name: "web-9", Profile: "web", RoleSource: inventory.RolePattern, Allocation: tiny, State: "running"},
		},
	}}}
	var b strings.Builder
	if err := inventory.WriteScenario(&b, f.Scenario("snap")); err != nil {
		t.Fatal(err)
	}
	back, err := inventory.ParseScenario("snap.yaml", []byte(b.String()))
	if err != nil {
		t.Fatalf("snapshot does not parse: %v\n%s", err, b.String())
	}
	p, ok := back.Profile("rel-tiny")
	if !ok || p.Request != tiny || p.HasAppetite {
		t.Errorf("profile rel-tiny in the snapshot: %+v (found %v)\n%s", p, ok, b.String())
	}
	if diff := cmp.Diff(f.Hosts, back.Hosts, cmpopts.IgnoreFields(inventory.Host{}, "Pos"), cmpopts.IgnoreFields(inventory.Guest{}, "Pos"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("hosts after snapshot round trip (-read +parsed):\n%s", diff)
	}
}
