package hypervisor

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"libvirt.org/go/libvirt"
)

func TestStateOfMove(t *testing.T) {
	lost := errors.New("connection lost")
	runs := Sighting{Found: true, Persistent: true, Active: true, State: "running"}
	off := Sighting{Found: true, Persistent: true, State: "shutoff"}
	outgoing := Sighting{Found: true, Persistent: true, Active: true, State: "running", Outgoing: true}
	incoming := Sighting{Found: true, Active: true, State: "paused", PausedForMigration: true, Incoming: true}
	// The sending end after the switch-over, until the destination
	// confirms: paused by libvirt, its job ending.
	switchedOver := Sighting{Found: true, Persistent: true, Active: true, State: "paused", PausedForMigration: true}
	paused := Sighting{Found: true, Persistent: true, Active: true, State: "paused"}
	for _, tc := range []struct {
		name     string
		src, dst Sighting
		want     MoveState
	}{
		{"nowhere", Sighting{}, Sighting{}, MoveNowhere},
		{"runs on source", runs, Sighting{}, MoveOnSource},
		{"off on source", off, Sighting{}, MoveOnSource},
		{"runs on destination", Sighting{}, runs, MoveOnDestination},
		{"migrating", outgoing, incoming, MoveInFlight},
		{"migrating, destination not yet there", outgoing, Sighting{}, MoveInFlight},
		{"incoming left without a source job", runs, incoming, MoveInFlight},
		{"switched over, not confirmed", switchedOver, runs, MoveInFlight},
		{"paused by a person on both", paused, paused, MoveRunsOnBoth},
		{"defined on both, runs on source", runs, off, MoveOnBoth},
		{"defined on both, runs on destination", off, runs, MoveOnBoth},
		{"defined on both, runs nowhere", off, off, MoveOnBoth},
		{"runs on both", runs, runs, MoveRunsOnBoth},
		{"source unknown", Sighting{Err: lost}, runs, MoveUnknown},
		{"destination unknown", runs, Sighting{Err: lost}, MoveUnknown},
	} {
		if got := StateOfMove(tc.src, tc.dst); got != tc.want {
			t.Errorf("%s: StateOfMove = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMigrateOptions(t *testing.T) {
	always := libvirt.MIGRATE_LIVE | libvirt.MIGRATE_PEER2PEER | libvirt.MIGRATE_PERSIST_DEST |
		libvirt.MIGRATE_UNDEFINE_SOURCE | libvirt.MIGRATE_ABORT_ON_ERROR
	for _, tc := range []struct {
		name       string
		opts       MigrateOptions
		wantFlags  libvirt.DomainMigrateFlags
		wantParams libvirt.DomainMigrateParameters
	}{
		{"defaults", MigrateOptions{}, always, libvirt.DomainMigrateParameters{}},
		{"copy storage", MigrateOptions{CopyStorage: true}, always | libvirt.MIGRATE_NON_SHARED_DISK, libvirt.DomainMigrateParameters{}},
		{"migration network", MigrateOptions{MigrationURI: "tcp://10.1.0.8", ListenAddress: "10.1.0.8"}, always,
			libvirt.DomainMigrateParameters{URISet: true, URI: "tcp://10.1.0.8", ListenAddressSet: true, ListenAddress: "10.1.0.8"}},
		// libvirt takes MiB/s: 100 MB/s is 95.4 MiB/s, rounded up to 96.
		{"bandwidth rounded up", MigrateOptions{Bandwidth: 100_000_000}, always,
			libvirt.DomainMigrateParameters{BandwidthSet: true, Bandwidth: 96}},
		{"bandwidth exact", MigrateOptions{Bandwidth: 64 << 20}, always,
			libvirt.DomainMigrateParameters{BandwidthSet: true, Bandwidth: 64}},
		{"bandwidth below 1 MiB/s", MigrateOptions{Bandwidth: 1}, always,
			libvirt.DomainMigrateParameters{BandwidthSet: true, Bandwidth: 1}},
	} {
		if got := tc.opts.migrateFlags(); got != tc.wantFlags {
			t.Errorf("%s: flags %#x, want %#x", tc.name, got, tc.wantFlags)
		}
		if diff := cmp.Diff(tc.wantParams, *tc.opts.migrateParams()); diff != "" {
			t.Errorf("%s: params (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestMoveErrorText(t *testing.T) {
	cause := &Error{Kind: KindUnreachable, URI: "qemu+ssh://kvm07/system", Op: "migrate web-1",
		Msg: "End of file while reading data"}
	for _, tc := range []struct {
		state MoveState
		want  string
	}{
		{MoveUnknown, "where the guest is now is not known: locate it before retrying"},
		{MoveOnSource, "the guest is still on its source"},
		{MoveInFlight, "its migration is still in progress"},
		{MoveOnBoth, "the guest is defined on both hosts"},
		{MoveRunsOnBoth, "the guest runs on both hosts: decide which copy to keep"},
	} {
		e := &MoveError{Guest: "web-1", UUID: "u-1", From: "qemu+ssh://kvm07/system", To: "qemu+ssh://kvm08/system", State: tc.state, Err: cause}
		want := "move of guest web-1 from qemu+ssh://kvm07/system to qemu+ssh://kvm08/system: " +
			"migrate web-1 qemu+ssh://kvm07/system: End of file while reading data; " + tc.want
		if e.Error() != want {
			t.Errorf("%v:\n got %s\nwant %s", tc.state, e.Error(), want)
		}
		if KindOf(e) != KindUnreachable {
			t.Errorf("%v: KindOf = %v", tc.state, KindOf(e))
		}
	}
}

// TestLocateTestDriver sights guests on two test-driver hosts.
func TestLocateTestDriver(t *testing.T) {
	a1, a2 := connect(t, testURI(t, "kvm-a1")), connect(t, testURI(t, "kvm-a2"))
	ctx := context.Background()
	const web1, batch7 = "6b1e0c8e-7a3b-4c55-9a01-0000000a1001", "6b1e0c8e-7a3b-4c55-9a01-0000000a2003"
	s := Locate(ctx, web1, a1, a2)
	want := []Sighting{
		{Host: a1.URI(), Found: true, Name: "web-1", State: "running", Persistent: true, Active: true,
			Metadata: &GuestMetadata{PlanID: "plan-2026-11-01", Profile: "web", Group: "front"}},
		{Host: a2.URI()},
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("Locate web-1 (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		uuid     string
		src, dst *Conn
		want     MoveState
	}{
		{web1, a1, a2, MoveOnSource},
		{web1, a2, a1, MoveOnDestination},
		{batch7, a2, a1, MoveOnSource}, // paused is on source too
		{"00000000-0000-4000-8000-000000000000", a1, a2, MoveNowhere},
	} {
		if got, s := LocateMove(ctx, tc.uuid, tc.src, tc.dst); got != tc.want {
			t.Errorf("LocateMove(%s, %s, %s) = %v, want %v (%+v)", tc.uuid, tc.src.URI(), tc.dst.URI(), got, tc.want, s)
		}
	}
	closed := connect(t, testURI(t, "kvm-a1"))
	closed.Close()
	got, s2 := LocateMove(ctx, web1, closed, a2)
	if got != MoveUnknown || KindOf(s2[0].Err) != KindLibvirt || !strings.Contains(s2[0].Err.Error(), "connection is closed") {
		t.Errorf("with a closed source: %v, %+v", got, s2[0])
	}
}

// TestMoveOfflineTestDriver moves a shut-off guest between two
// test-driver hosts, and sees a running one and a moved one refused.
func TestMoveOfflineTestDriver(t *testing.T) {
	a1, a2 := connect(t, testURI(t, "kvm-a1")), connect(t, testURI(t, "kvm-a2"))
	ctx := context.Background()
	const cacheOld, web1 = "6b1e0c8e-7a3b-4c55-9a01-0000000a1004", "6b1e0c8e-7a3b-4c55-9a01-0000000a1001"
	if err := a1.MoveOffline(ctx, cacheOld, a2, "plan-9"); err != nil {
		t.Fatal(err)
	}
	state, s := LocateMove(ctx, cacheOld, a1, a2)
	if state != MoveOnDestination || s[1].Name != "cache-old" || s[1].State != "shutoff" || !s[1].Persistent ||
		s[1].Metadata == nil || *s[1].Metadata != (GuestMetadata{PlanID: "plan-9"}) {
		t.Errorf("after the move: %v, destination %+v (metadata %+v)", state, s[1], s[1].Metadata)
	}
	d, err := a2.LookupDomain(ctx, "cache-old")
	if err != nil || d == nil || d.MemoryMax != 64<<30 || d.VCPUs != 2 {
		t.Errorf("cache-old on kvm-a2: %+v, %v; want its 64 GiB and 2 vCPUs", d, err)
	}
	for _, tc := range []struct {
		name, uuid string
		state      MoveState
		text       string
	}{
		{"moved already", cacheOld, MoveOnDestination, "the guest is on destination, not on its source"},
		{"running", web1, MoveOnSource, "the guest is running and not only defined: migrate it live"},
	} {
		err := a1.MoveOffline(ctx, tc.uuid, a2, "plan-9")
		var me *MoveError
		if !errors.As(err, &me) || me.State != tc.state || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: MoveOffline = %v, want a refusal (%v) saying %q", tc.name, err, tc.state, tc.text)
		}
	}
}

// TestMigrateRefusedByDriver: the test driver cannot migrate; libvirt's
// refusal comes back as a MoveError that found the guest on its source.
func TestMigrateRefusedByDriver(t *testing.T) {
	a1, a2 := connect(t, testURI(t, "kvm-a1")), connect(t, testURI(t, "kvm-a2"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := a1.Migrate(ctx, "6b1e0c8e-7a3b-4c55-9a01-0000000a1001", a2, MigrateOptions{})
	var me *MoveError
	if !errors.As(err, &me) || me.State != MoveOnSource || me.Guest != "web-1" || KindOf(err) != KindLibvirt {
		t.Fatalf("Migrate on the test driver: %v, want libvirt's refusal with web-1 on its source", err)
	}
	t.Log(err)
}

func TestDescribeAbort(t *testing.T) {
	aborted := &Error{Kind: KindLibvirt, URI: "qemu:///a", Op: "migrate web-1", Msg: "operation aborted: job 'migration out' canceled by client"}
	for _, tc := range []struct {
		name  string
		cause error
		want  string
	}{
		{"timeout option", errMigrationTimeout, "aborted after the migration timeout of 10m0s (operation aborted: job 'migration out' canceled by client)"},
		{"caller's deadline", context.DeadlineExceeded, "aborted: the deadline passed (operation aborted: job 'migration out' canceled by client)"},
		{"cancelled", context.Canceled, "aborted: cancelled (operation aborted: job 'migration out' canceled by client)"},
	} {
		err := describeAbort(tc.cause, aborted, 10*time.Minute)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindTimeout || e.Msg != tc.want || e.Op != "migrate web-1" {
			t.Errorf("%s: %+v, want KindTimeout %q", tc.name, err, tc.want)
		}
	}
}
