package hypervisor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// moveTestURI is the test-driver URI of a host file in hypervisor/testdata.
func moveTestURI(t testing.TB, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	return "test://" + p
}

// stubDNS makes lookupHost answer from names for the test.
func stubDNS(t *testing.T, names map[string]string) {
	old := lookupHost
	lookupHost = func(_ context.Context, host string) ([]string, error) {
		if a, ok := names[host]; ok {
			return []string{a}, nil
		}
		return nil, errors.New("no such host")
	}
	t.Cleanup(func() { lookupHost = old })
}

// wantFinding is a finding expected of PreflightMove: its check, its
// verdict and words of its detail.
type wantFinding struct {
	check   PreflightCheck
	verdict Verdict
	detail  string
}

func TestPreflightMove(t *testing.T) {
	hostname, _ := os.Hostname()
	const (
		webLive = "7d0c0000-0000-4000-8000-000000000001"
		local   = "7d0c0000-0000-4000-8000-000000000002"
		big     = "7d0c0000-0000-4000-8000-000000000003"
		cold    = "7d0c0000-0000-4000-8000-000000000004"
		missing = "7d0c0000-0000-4000-8000-0000000000ff"
	)
	reachable := []wantFinding{
		{CheckReachable, Pass, "libvirt 9."},
		{CheckReachable, Pass, "TEST 0.0.2 on " + hostname},
	}
	memoryUnknown := wantFinding{CheckRoom, Warn, "the host does not say how much is free"}
	peerLocal := wantFinding{CheckMigrationURI, Pass, "(no host name to resolve)"}
	for _, tc := range []struct {
		name     string
		uuid     string
		opts     MigrateOptions
		hostAddr string // what the destination's host name resolves to
		want     []wantFinding
	}{
		{"shared storage", webLive, MigrateOptions{}, "10.0.0.8", []wantFinding{
			{CheckGuest, Pass, "guest web-live is running: it moves live"},
			{CheckRoom, Pass, "4 vCPUs on 8 CPUs"}, memoryUnknown, peerLocal,
			{CheckMigrationURI, Pass, "memory goes to the destination's host name " + hostname + " ([10.0.0.8])"},
			{CheckStorage, Pass, "vda (/srv/shared/web-live.qcow2) is on the destination too (pool shared)"},
			{CheckStorage, Pass, "vdb (rbd:rbd/web-live-data) is a network disk"},
		}},
		{"shared storage copied", webLive, MigrateOptions{CopyStorage: true, MigrationURI: "tcp://mig.example"}, "10.0.0.8", []wantFinding{
			{CheckGuest, Pass, "running"}, {CheckRoom, Pass, "4 vCPUs"}, memoryUnknown, peerLocal,
			{CheckMigrationURI, Pass, "memory goes to tcp://mig.example ([10.1.0.8])"},
			{CheckStorage, Warn, "is already on the destination (pool shared): if the storage is shared, do not copy it"},
			{CheckStorage, Pass, "network disk"},
		}},
		{"local storage", local, MigrateOptions{}, "10.0.0.8", []wantFinding{
			{CheckGuest, Pass, "running"}, {CheckRoom, Pass, "2 vCPUs"}, memoryUnknown, peerLocal,
			{CheckMigrationURI, Pass, "host name"},
			{CheckStorage, Warn, "vda (/var/lib/libvirt/images/local.qcow2) is not among the volumes of pool images on the destination"},
		}},
		{"local storage copied", local, MigrateOptions{CopyStorage: true}, "10.0.0.8", []wantFinding{
			{CheckGuest, Pass, "running"}, {CheckRoom, Pass, "2 vCPUs"}, memoryUnknown, peerLocal,
			{CheckMigrationURI, Pass, "host name"},
			{CheckStorage, Pass, "will be copied into pool images of the destination"},
		}},
		{"too big, pool missing", big, MigrateOptions{}, "10.0.0.8", []wantFinding{
			{CheckGuest, Pass, "running"},
			{CheckRoom, Fail, "guest has 12 vCPUs, the host only 8 CPUs"}, memoryUnknown, peerLocal,
			{CheckMigrationURI, Pass, "host name"},
			{CheckStorage, Fail, "vda (fast/big.qcow2) is not on the destination: it has no pool fast"},
		}},
		{"shut off: offline", cold, MigrateOptions{}, "10.0.0.8", []wantFinding{
			{CheckGuest, Pass, "guest cold is shut off: it moves offline"},
			{CheckRoom, Warn, "guest has 12 vCPUs, the host only 8 CPUs"}, memoryUnknown,
			{CheckStorage, Pass, "the guest has no disks"},
		}},
		{"host name on loopback", webLive, MigrateOptions{}, "127.0.1.1", []wantFinding{
			{CheckGuest, Pass, "running"}, {CheckRoom, Pass, "4 vCPUs"}, memoryUnknown, peerLocal,
			{CheckMigrationURI, Fail, "resolves to loopback [127.0.1.1] (the source would send it to itself): set a migration URI"},
			{CheckStorage, Pass, "vda"}, {CheckStorage, Pass, "vdb"},
		}},
		{"migration URI unknown", webLive, MigrateOptions{MigrationURI: "tcp://nowhere.example"}, "10.0.0.8", []wantFinding{
			{CheckGuest, Pass, "running"}, {CheckRoom, Pass, "4 vCPUs"}, memoryUnknown, peerLocal,
			{CheckMigrationURI, Fail, "migration URI tcp://nowhere.example: nowhere.example does not resolve"},
			{CheckStorage, Pass, "vda"}, {CheckStorage, Pass, "vdb"},
		}},
		{"guest missing", missing, MigrateOptions{}, "10.0.0.8", []wantFinding{
			{CheckGuest, Fail, "guest " + missing + " is nowhere, not on this source only"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stubDNS(t, map[string]string{hostname: tc.hostAddr, "mig.example": "10.1.0.8"})
			src, dst := connect(t, moveTestURI(t, "move-src")), connect(t, moveTestURI(t, "move-dst"))
			got := PreflightMove(context.Background(), tc.uuid, src, dst, tc.opts)
			checkFindings(t, got, append(append([]wantFinding{}, reachable...), tc.want...))
			wantOK := true
			for _, w := range tc.want {
				wantOK = wantOK && w.verdict != Fail
			}
			if got.OK() != wantOK {
				t.Errorf("OK() = %v, want %v", got.OK(), wantOK)
			}
		})
	}
}

// TestPreflightUnreachable: a destination that does not answer ends the
// checks after the reachability findings.
func TestPreflightUnreachable(t *testing.T) {
	src, dst := connect(t, moveTestURI(t, "move-src")), connect(t, moveTestURI(t, "move-dst"))
	dst.Close()
	got := PreflightMove(context.Background(), "7d0c0000-0000-4000-8000-000000000001", src, dst, MigrateOptions{})
	checkFindings(t, got, []wantFinding{{CheckReachable, Pass, "libvirt"}, {CheckReachable, Fail, "connection is closed"}})
	if got[1].Host != dst.URI() || got.OK() {
		t.Errorf("findings %+v", got)
	}
}

func TestRoomFindings(t *testing.T) {
	g := &Domain{VCPUs: 4, MemoryMax: 8 << 30}
	for _, tc := range []struct {
		name string
		free uint64
		live bool
		want Verdict
		text string
	}{
		{"fits", 16 << 30, true, Pass, "8.0 GiB of memory, 16 GiB free"},
		{"short, live", 4 << 30, true, Fail, "guest needs 8.0 GiB of memory, the host has 4.0 GiB free"},
		{"short, offline", 4 << 30, false, Warn, "guest needs 8.0 GiB of memory, the host has 4.0 GiB free"},
		{"unknown", 0, true, Warn, "the host does not say how much is free"},
	} {
		got := roomFindings("h", g, &HostFacts{CPUs: 8, MemoryFree: tc.free}, tc.live)
		if len(got) != 2 || got[1].Verdict != tc.want || got[1].Detail != tc.text && !strings.Contains(got[1].Detail, tc.text) {
			t.Errorf("%s: %+v, want memory %s %q", tc.name, got, tc.want, tc.text)
		}
	}
}

func checkFindings(t *testing.T, got Preflight, want []wantFinding) {
	t.Helper()
	var b strings.Builder
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(got):
			fmt.Fprintf(&b, "\n  missing: %s %s %q", want[i].check, want[i].verdict, want[i].detail)
		case i >= len(want):
			fmt.Fprintf(&b, "\n  extra:   %+v", got[i])
		case got[i].Check != want[i].check || got[i].Verdict != want[i].verdict || !strings.Contains(got[i].Detail, want[i].detail):
			fmt.Fprintf(&b, "\n  got:     %s %s %q\n  want:    %s %s %q", got[i].Check, got[i].Verdict, got[i].Detail,
				want[i].check, want[i].verdict, want[i].detail)
		}
	}
	if b.Len() > 0 {
		t.Errorf("findings differ:%s", b.String())
	}
}
