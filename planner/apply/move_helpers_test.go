package apply

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/hypervisor/hvtest"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/live"
	"github.com/berth-dev/berth/planner"
)

// These helpers plan and apply moves between the two real libvirt
// daemons of hvtest.StartTwoHosts, named "a" and "b" in the plans.

// kitURIs names the kit's hosts as the plans do.
func kitURIs(k *hvtest.TwoHosts) map[string]string {
	return map[string]string{"a": k.A.URI, "b": k.B.URI}
}

// kitGuests starts n idle guests on h, named berth-test-PID-PREFIX-i.
func kitGuests(t *testing.T, k *hvtest.TwoHosts, h *hvtest.SessionHost, prefix string, n int) []hvtest.Guest {
	t.Helper()
	var out []hvtest.Guest
	for i := 1; i <= n; i++ {
		out = append(out, k.IdleGuest(t, h, fmt.Sprintf("%s-%d", prefix, i)))
	}
	return out
}

// drainPlan reads the kit's hosts through inventory/live, as berth drain
// -c would (the hosts' storage labelled as given), and plans draining
// host from, at most maxPerHost migrations out of and into a host at a
// time; the plan goes through a plan file, as apply reads it.
func drainPlan(t *testing.T, uris map[string]string, storage string, from string, maxPerHost int) *planner.Plan {
	t.Helper()
	return drainPlanTB(t, uris, storage, from, maxPerHost)
}

func drainPlanTB(t testing.TB, uris map[string]string, storage string, from string, maxPerHost int) *planner.Plan {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var srcs []live.Source
	for _, name := range []string{"a", "b"} {
		srcs = append(srcs, live.Source{Name: name, URI: uris[name], Labels: map[string]string{planner.StorageLabel: storage}})
	}
	fleet, err := live.ReadFleet(ctx, srcs, live.ReadOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	sc := fleet.Scenario("kit")
	// Both daemons run on this 2-CPU machine, with other tests' guests:
	// tiny guests are overcommitted as QEMU allows.
	sc.Policy.Overcommit[inventory.CPU] = 16
	pl := planner.New(sc)
	p, err := pl.Drain([]string{from}, planner.MoveOptions{MaxOut: maxPerHost, MaxIn: maxPerHost})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := planner.WritePlanFile(path, p); err != nil {
		t.Fatal(err)
	}
	if p, err = planner.ReadPlanFile(path); err != nil {
		t.Fatal(err)
	}
	return p
}

// kitOptions are apply options over the kit: hosts reached at uris, the
// migrations' data over loopback (hvtest.MigrationURI).
func kitOptions(t testing.TB, uris map[string]string, journal string) Options {
	uri := func(h planner.HostPlan) string { return uris[h.Name] }
	o := Options{
		Connect:   ConnectURIs(uri),
		ReadFleet: ReadURIs(uri, nil, live.ReadOptions{}),
		Journal:   journal,
		Moves: MoveOptions{
			Route: func(h planner.HostPlan) MoveRoute {
				return MoveRoute{URI: uris[h.Name], MigrationURI: hvtest.MigrationURI, ListenAddress: hvtest.MigrationListen}
			},
			ProgressInterval: 250 * time.Millisecond,
			Settle:           2 * time.Minute,
		},
	}
	if t != nil {
		o.Progress = testWriter{t}
	}
	return o
}

// whereIs says where guest g is between the kit's hosts a and b, as a
// move from a to b sees it.
func whereIs(t *testing.T, k *hvtest.TwoHosts, g hvtest.Guest) (hypervisor.MoveState, [2]hypervisor.Sighting) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return hypervisor.LocateMove(ctx, g.UUID, k.A.Conn, k.B.Conn)
}

// settledOn waits until g is on one host only, and says which.
func settledOn(t *testing.T, k *hvtest.TwoHosts, g hvtest.Guest) (hypervisor.MoveState, [2]hypervisor.Sighting) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		state, s := whereIs(t, k, g)
		if state != hypervisor.MoveInFlight && state != hypervisor.MoveOnBoth || time.Now().After(deadline) {
			return state, s
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// mustRunOn checks that each guest runs on the destination of a move from
// a to b (want MoveOnDestination) or on its source (MoveOnSource), once,
// with the plan recorded when it moved.
func mustRunOn(t *testing.T, k *hvtest.TwoHosts, gs []hvtest.Guest, want hypervisor.MoveState, planID string) {
	t.Helper()
	for _, g := range gs {
		state, s := whereIs(t, k, g)
		if state != want {
			t.Errorf("guest %s is %v, want %v\n  a: %+v\n  b: %+v", g.Name, state, want, s[0], s[1])
			continue
		}
		on := s[0]
		if want == hypervisor.MoveOnDestination {
			on = s[1]
		}
		if !on.Runs() || !on.Persistent {
			t.Errorf("guest %s: %+v, want running and defined", g.Name, on)
		}
		if want == hypervisor.MoveOnDestination && (on.Metadata == nil || on.Metadata.PlanID != planID) {
			t.Errorf("guest %s on its destination: metadata %+v, want plan %s", g.Name, on.Metadata, planID)
		}
	}
}

// moveOutcomes maps each move's guest to its outcome.
func moveOutcomes(rep *Report) map[string]Outcome {
	out := map[string]Outcome{}
	for _, r := range rep.Results {
		if r.Action.Op == planner.OpMove {
			out[r.Action.Guest] = r.Outcome
		}
	}
	return out
}

// allOutcomes is every guest of gs with outcome o.
func allOutcomes(gs []hvtest.Guest, o Outcome) map[string]Outcome {
	out := map[string]Outcome{}
	for _, g := range gs {
		out[g.Name] = o
	}
	return out
}
