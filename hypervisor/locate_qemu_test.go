package hypervisor_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/hypervisor/hvtest"
)

// testLocate puts guests in every state a move can leave them in and
// checks what LocateMove says.
func testLocate(t *testing.T, k *hvtest.TwoHosts) {
	ctx := testCtx(t, 3*time.Minute)
	g := k.IdleGuest(t, k.A, "locate")
	nowhere := hvtest.Guest{Name: "nowhere", UUID: "00000000-0000-4000-8000-0000000000aa"}

	mustBeAt(t, ctx, nowhere, k.A, k.B, hypervisor.MoveNowhere)
	s := mustBeAt(t, ctx, g, k.A, k.B, hypervisor.MoveOnSource)
	if !s[0].Runs() || !s[0].Persistent || s[0].Outgoing || s[0].Name != g.Name || s[0].Host != k.A.URI {
		t.Errorf("running on A: %+v", s[0])
	}
	// The same hosts seen the other way round: the guest is on the
	// destination of a move from B to A.
	mustBeAt(t, ctx, g, k.B, k.A, hypervisor.MoveOnDestination)

	// Defined on B too (shut off there), as after an offline move that
	// did not get to undefine the source.
	raw, err := k.A.Conn.Raw().LookupDomainByUUIDString(g.UUID)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := raw.GetXMLDesc(0)
	raw.Free()
	if err != nil {
		t.Fatal(err)
	}
	onB, err := k.B.Conn.Raw().DomainDefineXML(doc)
	if err != nil {
		t.Fatal(err)
	}
	defer onB.Free()
	s = mustBeAt(t, ctx, g, k.A, k.B, hypervisor.MoveOnBoth)
	if !s[0].Runs() || s[1].Runs() || !s[1].Persistent || s[1].State != "shutoff" {
		t.Errorf("on both: source %+v, destination %+v; want it running on the source only", s[0], s[1])
	}
	// Started on B as well: two copies run, which a move never does.
	if err := onB.Create(); err != nil {
		t.Fatal(err)
	}
	mustBeAt(t, ctx, g, k.A, k.B, hypervisor.MoveRunsOnBoth)

	// A host that cannot be asked: nothing is known.
	closed, err := hypervisor.Connect(ctx, k.A.URI)
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	state, s := hypervisor.LocateMove(ctx, g.UUID, closed, k.B.Conn)
	if state != hypervisor.MoveUnknown || s[0].Err == nil || !strings.Contains(s[0].Err.Error(), k.A.URI) || s[1].Err != nil {
		t.Errorf("with the source's connection closed: %v, %+v", state, s)
	}

	// In flight: a busy guest's migration, crawling at 1 MiB/s, seen
	// from its progress callback (through a connection of its own: calls
	// on the migrating one wait for the migration); then cancelled.
	busy := k.BusyGuest(t, k.A, "inflight")
	onlooker, err := hypervisor.Connect(ctx, k.A.URI)
	if err != nil {
		t.Fatal(err)
	}
	defer onlooker.Close()
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var log progressLog
	var inFlight hypervisor.MoveState
	var seen [2]hypervisor.Sighting
	k.A.Conn.Migrate(mctx, busy.UUID, k.B.Conn, kitOptions(hypervisor.MigrateOptions{
		Bandwidth: 1 << 20, ProgressInterval: 250 * time.Millisecond, Timeout: 2 * time.Minute,
		Progress: func(p hypervisor.MigrationProgress) {
			log.add(p)
			if log.moving(2) {
				inFlight, seen = hypervisor.LocateMove(ctx, busy.UUID, onlooker, k.B.Conn)
				cancel()
			}
		},
	}))
	if inFlight != hypervisor.MoveInFlight || !seen[0].Outgoing || !seen[0].Runs() || !seen[1].Incoming || seen[1].Runs() {
		t.Errorf("during the migration: %v\nsource %+v\ndestination %+v\nwant in flight: outgoing on the source, incoming on the destination", inFlight, seen[0], seen[1])
	}
	mustBeAt(t, ctx, busy, k.A, k.B, hypervisor.MoveOnSource)
}

// testMigrationCut cuts berth's connections to the source in the middle
// of a migration (through the fault relay): Migrate reports a lost
// connection and an unknown outcome; the peer-to-peer migration goes on
// without berth, and LocateMove on fresh connections finds the guest where
// it ended up, on its destination.
func testMigrationCut(t *testing.T, k *hvtest.TwoHosts) {
	ctx := testCtx(t, 3*time.Minute)
	g := k.IdleGuest(t, k.A, "cut")
	relay := k.A.Relay(t, nil)
	c, err := hypervisor.Connect(ctx, relay.URI())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var log progressLog
	_, err = c.Migrate(ctx, g.UUID, k.B.Conn, kitOptions(hypervisor.MigrateOptions{
		ProgressInterval: 100 * time.Millisecond,
		Progress: func(p hypervisor.MigrationProgress) {
			if log.add(p) == 2 {
				relay.CutNow()
			}
		},
	}))
	var me *hypervisor.MoveError
	if !errors.As(err, &me) || me.State != hypervisor.MoveUnknown || hypervisor.KindOf(err) != hypervisor.KindUnreachable ||
		!strings.Contains(err.Error(), "locate it before retrying") || !strings.Contains(err.Error(), g.Name) ||
		strings.Contains(err.Error(), "the source lost its connection") {
		t.Fatalf("Migrate cut off: %v, want berth's lost connection (KindUnreachable) with the outcome unknown", err)
	}
	t.Logf("%v", err)
	state := waitSettled(t, ctx, g, k.A, k.B)
	if state != hypervisor.MoveOnDestination {
		t.Fatalf("after the cut the migration ended with the guest %v, want on destination", state)
	}
	s := mustBeAt(t, ctx, g, k.A, k.B, hypervisor.MoveOnDestination)
	if !s[1].Runs() || !s[1].Persistent {
		t.Errorf("on the destination: %+v, want running and defined", s[1])
	}
}

// testMigrationPeerCut cuts the source daemon's own connection to the
// destination's (the peer-to-peer control connection, through a relay
// given as the destination URI) when it asks the destination to prepare:
// libvirt fails the migration, the guest keeps running on its source, and
// the destination keeps nothing.
func testMigrationPeerCut(t *testing.T, k *hvtest.TwoHosts) {
	ctx := testCtx(t, 3*time.Minute)
	g := k.IdleGuest(t, k.A, "peercut")
	relay := k.B.Relay(t, hvtest.CutAt(func(p hvtest.Packet) bool {
		return p.IsCall(hvtest.ProcMigratePrepare3, 1)
	}, hvtest.CutBefore))
	_, err := k.A.Conn.Migrate(ctx, g.UUID, k.B.Conn, kitOptions(hypervisor.MigrateOptions{DestURI: relay.URI()}))
	var me *hypervisor.MoveError
	if !errors.As(err, &me) || me.State != hypervisor.MoveOnSource || hypervisor.KindOf(err) != hypervisor.KindUnreachable ||
		!strings.Contains(err.Error(), "the source lost its connection to the destination") {
		t.Fatalf("Migrate with the hosts cut apart: %v, want the source's lost connection, with the guest on its source", err)
	}
	t.Logf("%v", err)
	if len(relay.Cuts()) != 1 {
		t.Errorf("relay cuts: %+v, want one", relay.Cuts())
	}
	s := mustBeAt(t, ctx, g, k.A, k.B, hypervisor.MoveOnSource)
	if !s[0].Runs() || !s[0].Persistent {
		t.Errorf("on the source: %+v, want running and defined", s[0])
	}
}

// waitSettled polls LocateMove until the guest is on one host only: no
// longer in flight, nor defined on both (libvirt stops the source's copy,
// then undefines it, a moment after the destination runs the guest).
func waitSettled(t *testing.T, ctx context.Context, g hvtest.Guest, src, dst *hvtest.SessionHost) hypervisor.MoveState {
	t.Helper()
	for {
		state, s := hypervisor.LocateMove(ctx, g.UUID, src.Conn, dst.Conn)
		if state != hypervisor.MoveInFlight && state != hypervisor.MoveOnBoth {
			return state
		}
		select {
		case <-ctx.Done():
			t.Fatalf("guest %s still %v: %+v", g.Name, state, s)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
