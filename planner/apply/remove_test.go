package apply

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/live"
	"github.com/berth-dev/berth/planner"
	"github.com/google/go-cmp/cmp"
)

// removalPlan plans demand "cache" (tiny) with count n on a copy of
// kvm-remove1, which runs cache-1 … cache-3 made by berth from that entry.
func removalPlan(t *testing.T, n int) (*planner.Plan, *hypervisor.Conn, string) {
	t.Helper()
	_, uri := copyHostFile(t, "kvm-remove1")
	uris := map[string]string{"kvm-remove1": uri}
	p := planOn(t, uris, []inventory.Demand{{Name: "cache", Profile: "tiny", Count: n}}, nil)
	return p, connectTest(t, uri), filepath.Join(t.TempDir(), "plan.json.journal")
}

// TestApplyRemovals (issue 11.6): a lowered count's surplus guests are
// refused without AllowRemovals (nothing changes), and with it each is
// shut down and undefined, its volume kept; the journal has every step,
// and a second run finds the work done.
func TestApplyRemovals(t *testing.T) {
	p, conn, journal := removalPlan(t, 1)
	if p.Creates() != 0 || p.Removals() != 2 {
		t.Fatalf("plan: %d creates, %d removals; want 0 and 2 (cache-2, cache-3)", p.Creates(), p.Removals())
	}
	conns := map[string]*hypervisor.Conn{"kvm-remove1": conn}
	before := []string{"cache-1", "cache-2", "cache-3", "legacy"}

	opt := testOptions(t, conns, journal)
	_, err := applyPlan(t, p, opt)
	var refused *RemovalsNotAllowedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "cache-2 on kvm-remove1, cache-3 on kvm-remove1") || !strings.Contains(err.Error(), "--allow-removals") {
		t.Fatalf("without AllowRemovals: err = %v, want the removals refused, naming them", err)
	}
	if diff := cmp.Diff(before, domainNames(t, conn)); diff != "" {
		t.Errorf("a refused apply changed the domains (-want +got):\n%s", diff)
	}

	// A dry run shows the removals, then refuses as the real run would.
	dry := opt
	dry.DryRun = true
	a, err := Prepare(context.Background(), p, dry)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	var drySum bytes.Buffer
	a.Summary(&drySum)
	if a.Refused == nil || !strings.Contains(drySum.String(), "- cache-2") || !strings.Contains(drySum.String(), "[needs --allow-removals]") {
		t.Errorf("dry run without AllowRemovals: Refused %v; summary should list cache-2 as needing --allow-removals:\n%s", a.Refused, drySum.String())
	}
	if _, err := a.Run(context.Background()); !errors.As(err, &refused) {
		t.Errorf("running a dry run's refused plan: err = %v, want the removals refused", err)
	}

	opt.AllowRemovals = true
	a, err = Prepare(context.Background(), p, opt)
	if err != nil {
		t.Fatal(err)
	}
	// The host that only loses guests is locked like one that gains them.
	other := opt
	other.Journal = filepath.Join(t.TempDir(), "other.journal")
	if b, err := Prepare(context.Background(), p, other); err == nil || !strings.Contains(err.Error(), "is being changed by another berth apply") {
		if b != nil {
			b.Close()
		}
		t.Errorf("a second apply on the host: err = %v, want the host lock refusing it", err)
	}
	var sum bytes.Buffer
	a.Summary(&sum)
	for _, want := range []string{"2 guests to remove", "- cache-2", "- cache-3", "volumes kept"} {
		if !strings.Contains(sum.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.String())
		}
	}
	rep, err := a.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]Outcome{"cache-2": OutcomeDone, "cache-3": OutcomeDone}, outcomes(rep)); diff != "" {
		t.Fatalf("outcomes (-want +got):\n%s", diff)
	}
	for _, r := range rep.Results {
		if !strings.Contains(r.Detail, "shut down") || !strings.Contains(r.Detail, "undefined") || !strings.Contains(r.Detail, "kept: berth-pool/"+r.Action.Guest+".qcow2") {
			t.Errorf("%s: detail %q, want shut down, undefined, volume kept", r.Action.Guest, r.Detail)
		}
	}
	if diff := cmp.Diff([]string{"cache-1", "legacy"}, domainNames(t, conn)); diff != "" {
		t.Errorf("domains after (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"cache-1.qcow2", "cache-2.qcow2", "cache-3.qcow2"}, volumes(t, conn, "berth-pool")); diff != "" {
		t.Errorf("volumes after (-want +got): kept without DeleteVolumes\n%s", diff)
	}
	recs, err := ReadJournalFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, strings.TrimSpace(r.Guest+" "+string(r.Step)+" "+r.Event))
	}
	want := []string{"begin",
		"cache-2 stop started", "cache-2 stop finished", "cache-2 remove started", "cache-2 remove finished",
		"cache-3 stop started", "cache-3 stop finished", "cache-3 remove started", "cache-3 remove finished",
		"end"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}

	// Again, with the journal: nothing left to do.
	rep = mustApply(t, p, opt)
	if diff := cmp.Diff(map[string]Outcome{"cache-2": OutcomeSkipped, "cache-3": OutcomeSkipped}, outcomes(rep)); diff != "" {
		t.Errorf("second run outcomes (-want +got):\n%s", diff)
	}
	if rep.Changed() {
		t.Errorf("the second run changed a host")
	}
}

// TestApplyRemovalsDeleteVolumes: with DeleteVolumes the removed guests'
// pool volumes go too; the kept guest's stays.
func TestApplyRemovalsDeleteVolumes(t *testing.T) {
	p, conn, journal := removalPlan(t, 1)
	opt := testOptions(t, map[string]*hypervisor.Conn{"kvm-remove1": conn}, journal)
	opt.AllowRemovals, opt.DeleteVolumes = true, true
	rep := mustApply(t, p, opt)
	if !rep.Complete() {
		t.Fatalf("report not complete: %+v", rep.Results)
	}
	if diff := cmp.Diff([]string{"cache-1.qcow2"}, volumes(t, conn, "berth-pool")); diff != "" {
		t.Errorf("volumes after (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"cache-1", "legacy"}, domainNames(t, conn)); diff != "" {
		t.Errorf("domains after (-want +got):\n%s", diff)
	}
}

// TestApplyRemovalRefusesAnotherDomain: a domain of the removed guest's
// name that berth did not make from that entry is left alone.
func TestApplyRemovalRefusesAnotherDomain(t *testing.T) {
	p, conn, journal := removalPlan(t, 1)
	for i, act := range p.Actions {
		if act.Op == planner.OpRemove && act.Guest == "cache-3" {
			p.Actions[i].Profile = "db" // the plan says db; the domain says tiny
		}
	}
	opt := testOptions(t, map[string]*hypervisor.Conn{"kvm-remove1": conn}, journal)
	opt.AllowRemovals, opt.Force = true, true // the edited plan's ID no longer matches; the check is the point
	rep := mustApply(t, p, opt)
	got := outcomes(rep)
	if got["cache-2"] != OutcomeDone || got["cache-3"] != OutcomeFailed {
		t.Fatalf("outcomes %v: want cache-2 done, cache-3 failed", got)
	}
	if diff := cmp.Diff([]string{"cache-1", "cache-3", "legacy"}, domainNames(t, conn)); diff != "" {
		t.Errorf("domains after (-want +got):\n%s", diff)
	}
}

// TestResumedRemovalIsNotStale: once an earlier run removed a guest, the
// host lacks it; that is the plan's own work, not a change.
func TestResumedRemovalIsNotStale(t *testing.T) {
	p, _, _ := removalPlan(t, 2)
	var h planner.HostPlan
	for _, hp := range p.Hosts {
		if hp.Name == "kvm-remove1" {
			h = hp
		}
	}
	if len(h.Removed) != 1 || h.Removed[0] != "cache-3" {
		t.Fatalf("host removes %v, want [cache-3]", h.Removed)
	}
	live := &inventory.Host{Name: h.Name}
	for _, act := range p.Actions {
		if act.Host == h.Name && act.Op == planner.OpKeep {
			live.Guests = append(live.Guests, inventory.Guest{Name: act.Guest, Allocation: act.Allocation})
		}
	}
	// The capacity the plan saw: the fingerprint covers it.
	fleet := readFleet(t, map[string]string{h.Name: applyHostURI(t, "kvm-remove1")})
	live.Capacity = fleet.Hosts[0].Capacity
	if ch := HostChanges(p, h, live); len(ch) != 0 {
		t.Errorf("a host without the guest the plan removes looks changed: %v", ch)
	}
	live.Guests = live.Guests[1:]
	if ch := HostChanges(p, h, live); len(ch) == 0 {
		t.Errorf("a host that lost a guest the plan keeps does not look changed")
	}
}

// TestRemovalResumesAfterCrash: apply dies before each journal record of a
// run that removes two guests with their volumes; the next run finishes
// the job, whatever was done, and ends with the same hosts as a run that
// was never interrupted.
func TestRemovalResumesAfterCrash(t *testing.T) {
	p, conn, journal := removalPlan(t, 1)
	opt := quiet(testOptions(t, map[string]*hypervisor.Conn{"kvm-remove1": conn}, journal))
	opt.AllowRemovals, opt.DeleteVolumes = true, true
	mustApply(t, p, opt)
	recs, err := ReadJournalFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	n := len(recs) // begin, 3 steps × 2 records × 2 guests, end
	if n != 14 {
		t.Fatalf("an uninterrupted run wrote %d records, want 14", n)
	}
	for k := 1; k <= n; k++ {
		t.Run(fmt.Sprintf("crash before record %d of %d", k, n), func(t *testing.T) {
			_, uri := copyHostFile(t, "kvm-remove1")
			conn := connectTest(t, uri)
			journal := filepath.Join(t.TempDir(), "plan.json.journal")
			opt := quiet(testOptions(t, map[string]*hypervisor.Conn{"kvm-remove1": conn}, journal))
			opt.AllowRemovals, opt.DeleteVolumes = true, true
			opt.ReadFleet = ReadURIs(func(planner.HostPlan) string { return uri }, nil, live.ReadOptions{})
			opt.crashAt = k
			if _, err := applyPlan(t, p, opt); !errors.Is(err, errCrashed) {
				t.Fatalf("crashing run: err = %v, want the injected crash", err)
			}
			opt.crashAt = 0
			rep := mustApply(t, p, opt)
			if !rep.Complete() {
				t.Errorf("the resumed run did not finish: %+v", rep.Results)
			}
			if diff := cmp.Diff([]string{"cache-1", "legacy"}, domainNames(t, conn)); diff != "" {
				t.Errorf("domains (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"cache-1.qcow2"}, volumes(t, conn, "berth-pool")); diff != "" {
				t.Errorf("volumes (-want +got):\n%s", diff)
			}
		})
	}
}
