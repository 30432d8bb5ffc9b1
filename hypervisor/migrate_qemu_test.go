package hypervisor_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/hypervisor/hvtest"
)

// TestMigration moves tiny QEMU guests between two real libvirt daemons
// (hvtest.StartTwoHosts): live, offline, aborted, timed out, cut off, and
// locates them in every state. The subtests share the two daemons.
func TestMigration(t *testing.T) {
	k := hvtest.StartTwoHosts(t)
	t.Run("preflight", func(t *testing.T) { testPreflight(t, k) })
	t.Run("live", func(t *testing.T) { testLiveMigration(t, k) })
	t.Run("refused", func(t *testing.T) { testMigrationRefused(t, k) })
	t.Run("offline", func(t *testing.T) { testOfflineMove(t, k) })
	t.Run("abort", func(t *testing.T) { testMigrationAbort(t, k) })
	t.Run("timeout", func(t *testing.T) { testMigrationTimeout(t, k) })
	t.Run("locate", func(t *testing.T) { testLocate(t, k) })
	t.Run("cut", func(t *testing.T) { testMigrationCut(t, k) })
	t.Run("peer-cut", func(t *testing.T) { testMigrationPeerCut(t, k) })
}

// kitOptions are the options every migration between the kit's daemons
// needs (loopback only), plus extra.
func kitOptions(o hypervisor.MigrateOptions) hypervisor.MigrateOptions {
	o.MigrationURI, o.ListenAddress = hvtest.MigrationURI, hvtest.MigrationListen
	return o
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// mustBeAt checks where the guest is, as LocateMove says, and returns the
// two sightings.
func mustBeAt(t *testing.T, ctx context.Context, g hvtest.Guest, src, dst *hvtest.SessionHost, want hypervisor.MoveState) [2]hypervisor.Sighting {
	t.Helper()
	got, s := hypervisor.LocateMove(ctx, g.UUID, src.Conn, dst.Conn)
	if got != want {
		t.Fatalf("guest %s: %v, want %v\nsource: %+v\ndestination: %+v", g.Name, got, want, s[0], s[1])
	}
	return s
}

// testPreflight checks moves between the real daemons: an idle guest
// passes everything (the destination's free memory is the machine's); the
// busy guest's boot disk is outside every storage pool, which berth
// cannot check.
func testPreflight(t *testing.T, k *hvtest.TwoHosts) {
	ctx := testCtx(t, 2*time.Minute)
	idle := k.IdleGuest(t, k.A, "preflight")
	busy := k.BusyGuest(t, k.A, "preflight-busy")
	for _, tc := range []struct {
		g       hvtest.Guest
		warning string // the one finding not a pass, "" for none
	}{
		{idle, ""},
		{busy, "vda (" + busy.Disk + ") is in no storage pool of the destination: berth cannot tell whether it is there"},
	} {
		p := hypervisor.PreflightMove(ctx, tc.g.UUID, k.A.Conn, k.B.Conn, kitOptions(hypervisor.MigrateOptions{}))
		var notPass []hypervisor.Finding
		for _, f := range p {
			if f.Verdict != hypervisor.Pass {
				notPass = append(notPass, f)
			}
		}
		switch {
		case len(p) != 8:
			t.Errorf("%s: %d findings, want 8 (2 reachable, guest, 2 room, 2 migration-uri, storage): %+v", tc.g.Name, len(p), p)
		case tc.warning == "" && len(notPass) != 0,
			tc.warning != "" && (len(notPass) != 1 || notPass[0].Verdict != hypervisor.Warn || !strings.Contains(notPass[0].Detail, tc.warning)):
			t.Errorf("%s: findings other than pass: %+v, want %q", tc.g.Name, notPass, tc.warning)
		}
	}
}

// testLiveMigration migrates a running guest and finds it running on the
// destination, defined there with the same UUID and the plan recorded (its
// profile and group kept), and gone from the source.
func testLiveMigration(t *testing.T, k *hvtest.TwoHosts) {
	ctx := testCtx(t, 3*time.Minute)
	g := k.IdleGuest(t, k.A, "live")
	if err := k.A.Conn.SetGuestMetadata(ctx, g.Name, hypervisor.GuestMetadata{Profile: "web", Group: "front"}); err != nil {
		t.Fatal(err)
	}
	res, err := k.A.Conn.Migrate(ctx, g.UUID, k.B.Conn, kitOptions(hypervisor.MigrateOptions{PlanID: "plan-live"}))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("migrated %s in %v (libvirt's call %v, its job %v, downtime %v, %d bytes)", res.Name, res.Wall, res.Call, res.Job, res.Downtime, res.DataProcessed)
	if res.Name != g.Name || res.UUID != g.UUID || res.Job <= 0 || res.Call < res.Job || res.Wall < res.Call || res.DataProcessed == 0 {
		t.Errorf("result %+v", res)
	}
	s := mustBeAt(t, ctx, g, k.A, k.B, hypervisor.MoveOnDestination)
	want := hypervisor.GuestMetadata{PlanID: "plan-live", Profile: "web", Group: "front"}
	if d := s[1]; d.Name != g.Name || d.State != "running" || !d.Persistent || d.Metadata == nil || *d.Metadata != want {
		t.Errorf("on the destination: %+v, metadata %+v; want running, defined, metadata %+v", d, d.Metadata, want)
	}
}

// testMigrationRefused: what cannot be migrated is refused before libvirt
// is asked, with the guest and both hosts named.
func testMigrationRefused(t *testing.T, k *hvtest.TwoHosts) {
	ctx := testCtx(t, 2*time.Minute)
	off := k.IdleGuest(t, k.A, "refused")
	if err := k.A.Conn.DestroyDomain(ctx, off.Name); err != nil {
		t.Fatal(err)
	}
	const missing = "00000000-0000-4000-8000-00000000beef"
	for _, tc := range []struct {
		name, uuid string
		state      hypervisor.MoveState
		wantText   string
	}{
		{"shut off", off.UUID, hypervisor.MoveOnSource, "the guest is shutoff, not running: move it offline"},
		{"missing", missing, hypervisor.MoveNowhere, "the guest is nowhere, not on its source only"},
	} {
		_, err := k.A.Conn.Migrate(ctx, tc.uuid, k.B.Conn, kitOptions(hypervisor.MigrateOptions{}))
		var me *hypervisor.MoveError
		if !errors.As(err, &me) || me.State != tc.state || !strings.Contains(err.Error(), tc.wantText) ||
			!strings.Contains(err.Error(), k.A.URI) || !strings.Contains(err.Error(), k.B.URI) {
			t.Errorf("%s: Migrate error %v, want a MoveError %v saying %q and naming both hosts", tc.name, err, tc.state, tc.wantText)
		}
	}
	mustBeAt(t, ctx, off, k.A, k.B, hypervisor.MoveOnSource)
}

// testOfflineMove moves a shut-off guest; a half-done move (defined on
// both) is finished by a second call; a move that is done is refused.
func testOfflineMove(t *testing.T, k *hvtest.TwoHosts) {
	ctx := testCtx(t, 2*time.Minute)
	g := k.IdleGuest(t, k.A, "offline")
	if err := k.A.Conn.DestroyDomain(ctx, g.Name); err != nil {
		t.Fatal(err)
	}
	if err := k.A.Conn.MoveOffline(ctx, g.UUID, k.B.Conn, "plan-off"); err != nil {
		t.Fatal(err)
	}
	s := mustBeAt(t, ctx, g, k.A, k.B, hypervisor.MoveOnDestination)
	if d := s[1]; d.State != "shutoff" || !d.Persistent || d.Metadata == nil || d.Metadata.PlanID != "plan-off" {
		t.Errorf("on the destination: %+v (metadata %+v), want defined, shut off, plan-off", d, d.Metadata)
	}
	err := k.A.Conn.MoveOffline(ctx, g.UUID, k.B.Conn, "plan-off")
	var me *hypervisor.MoveError
	if !errors.As(err, &me) || me.State != hypervisor.MoveOnDestination {
		t.Errorf("second MoveOffline: %v, want a refusal: the guest is on its destination", err)
	}

	// Back to A, stopped half-way as if berth had died after defining it
	// on A: the definition copied by hand, B's left in place.
	xml, err := k.B.Conn.Raw().LookupDomainByUUIDString(g.UUID)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := xml.GetXMLDesc(0)
	xml.Free()
	if err != nil {
		t.Fatal(err)
	}
	dom, err := k.A.Conn.Raw().DomainDefineXML(doc)
	if err != nil {
		t.Fatal(err)
	}
	dom.Free()
	mustBeAt(t, ctx, g, k.B, k.A, hypervisor.MoveOnBoth)
	if err := k.B.Conn.MoveOffline(ctx, g.UUID, k.A.Conn, "plan-back"); err != nil {
		t.Fatal(err)
	}
	s = mustBeAt(t, ctx, g, k.B, k.A, hypervisor.MoveOnDestination)
	if s[1].Metadata == nil || s[1].Metadata.PlanID != "plan-back" {
		t.Errorf("metadata after the finished move: %+v", s[1].Metadata)
	}
}

// progressLog collects a migration's progress reports.
type progressLog struct {
	mu      sync.Mutex
	reports []hypervisor.MigrationProgress
}

func (l *progressLog) add(p hypervisor.MigrationProgress) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reports = append(l.reports, p)
	return len(l.reports)
}

// moving reports whether the last n reports show data being sent.
func (l *progressLog) moving(n int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.reports
	return len(r) >= n && r[len(r)-n].DataProcessed > 0 && r[len(r)-1].DataProcessed > r[len(r)-n].DataProcessed
}

// testMigrationAbort migrates a busy guest at 1 MiB/s (it never
// converges), watches the progress reports grow, cancels, and finds the
// guest still running on its source.
func testMigrationAbort(t *testing.T, k *hvtest.TwoHosts) {
	ctx := testCtx(t, 3*time.Minute)
	g := k.BusyGuest(t, k.A, "abort")
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var log progressLog
	_, err := k.A.Conn.Migrate(mctx, g.UUID, k.B.Conn, kitOptions(hypervisor.MigrateOptions{
		Bandwidth: 1 << 20, ProgressInterval: 250 * time.Millisecond, Timeout: 2 * time.Minute,
		Progress: func(p hypervisor.MigrationProgress) {
			log.add(p)
			if log.moving(3) {
				cancel()
			}
		},
	}))
	var me *hypervisor.MoveError
	if !errors.As(err, &me) || me.State != hypervisor.MoveOnSource || hypervisor.KindOf(err) != hypervisor.KindTimeout ||
		!strings.Contains(err.Error(), "aborted: cancelled") {
		t.Fatalf("Migrate cancelled: %v, want an abort (KindTimeout, cancelled) with the guest on its source", err)
	}
	t.Logf("%v", err)
	// Before the destination's QEMU runs, libvirt reports no data yet.
	var last hypervisor.MigrationProgress
	for i, p := range log.reports {
		if p.DataProcessed < last.DataProcessed || p.Elapsed < last.Elapsed || p.Name != g.Name || p.UUID != g.UUID ||
			(p.DataTotal != 0 && p.DataTotal < hvtest.GuestMemory) {
			t.Errorf("progress report %d: %+v after %+v", i, p, last)
		}
		last = p
	}
	t.Logf("%d progress reports, the last: %+v", len(log.reports), log.reports[len(log.reports)-1])
	s := mustBeAt(t, ctx, g, k.A, k.B, hypervisor.MoveOnSource)
	if !s[0].Runs() || !s[0].Persistent {
		t.Errorf("on the source after the abort: %+v, want running and defined", s[0])
	}
}

// testMigrationTimeout: a migration that does not end within
// MigrateOptions.Timeout is aborted, and says so.
func testMigrationTimeout(t *testing.T, k *hvtest.TwoHosts) {
	ctx := testCtx(t, 3*time.Minute)
	g := k.BusyGuest(t, k.A, "timeout")
	_, err := k.A.Conn.Migrate(ctx, g.UUID, k.B.Conn, kitOptions(hypervisor.MigrateOptions{Bandwidth: 1 << 20, Timeout: 8 * time.Second}))
	var me *hypervisor.MoveError
	if !errors.As(err, &me) || me.State != hypervisor.MoveOnSource || hypervisor.KindOf(err) != hypervisor.KindTimeout ||
		!strings.Contains(err.Error(), "aborted after the migration timeout of 8s") || !strings.Contains(err.Error(), g.Name) {
		t.Fatalf("Migrate with a timeout: %v, want an abort after the timeout naming %s, guest on its source", err, g.Name)
	}
	mustBeAt(t, ctx, g, k.A, k.B, hypervisor.MoveOnSource)
}
