package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/hypervisor/hvtest"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/live"
	"github.com/berth-dev/berth/planner"
	"github.com/google/go-cmp/cmp"
)

// runBound is how long one run of apply may take here: the tiny guests
// start in well under a second each, a lost connection must be noticed at
// once, and a silent one after two step timeouts (the call in flight, then
// the rollback's look-up), not one per guest.
const runBound = 60 * time.Second

// TestApplyDisconnect applies a plan of two tiny QEMU guests on the real
// libvirtd through a relay that cuts berth's connection in the middle of
// the first guest's create, at one of these moments:
//
//   - volume-reply: libvirtd has created the volume; berth never hears so;
//   - define-call: the volume is made; the define never reaches libvirtd;
//   - define-reply: libvirtd has defined the domain; berth never hears so;
//   - silent: as define-call, but the network goes quiet instead of
//     closing: nothing is forwarded any more, and the step timeout ends
//     the call.
//
// The rollback cannot reach libvirtd either. The run must end with a
// report, within a bound: the first guest interrupted, its error saying
// the connection was lost (or got no answer) during which call, its detail
// what may be left on the host and what to do, the second guest not
// attempted because the host stopped answering, exit 4, and a journal that
// records the step whose answer was lost as lost (the host may have done
// it). Applying again through a relay that does not cut resumes: both
// guests exist once, running, with this plan's metadata, with their
// volumes and no other; a third run changes nothing.
func TestApplyDisconnect(t *testing.T) {
	conn := hvtest.Daemon(t) // skips under -short, fails if no daemon can be had
	const (
		stepTimeout   = 30 * time.Second // ample for a tiny guest on a busy CI host
		silentTimeout = 4 * time.Second  // the step timeout of the silent run
	)
	volumeReply := func(p hvtest.Packet) bool { return p.IsReply(hvtest.ProcStorageVolCreateXML, 1) }
	defineCall := func(p hvtest.Packet) bool { return p.IsCall(hvtest.ProcDomainDefineXMLFlags, 1) }
	defineReply := func(p hvtest.Packet) bool { return p.IsReply(hvtest.ProcDomainDefineXMLFlags, 1) }
	// What the journal of the first run says between begin and end,
	// "guest step event" (g1 = the first guest).
	volumeLost := []string{"g1 volume started", "g1 volume lost"}
	defineLost := []string{"g1 volume started", "g1 volume finished", "g1 define started", "g1 define lost"}
	// In the texts below, {g1} is the first guest's name, {pool} the
	// pool's and {uri} the relay's URI.
	cuts := []struct {
		name    string
		when    func(hvtest.Packet) bool
		act     hvtest.Cut
		timeout time.Duration // the step timeout of the first run
		// What libvirtd holds of the first guest right after the cut.
		volume, domain bool
		// How the first guest's error starts, and what its detail says
		// may be left on the host.
		error, left string
		journal     []string
		step        Step // the step whose answer was lost
		// What the second run says it did for the first guest.
		resumed string
	}{
		{"volume-reply", volumeReply, hvtest.CutBefore, stepTimeout, true, false,
			"connection lost during create volume {pool}/{g1}.qcow2 {uri}: ", "volume {pool}/{g1}.qcow2", volumeLost, StepVolume,
			"resumed: volume {pool}/{g1}.qcow2 made again (an earlier run left it half-done), defined, started"},
		{"define-call", defineCall, hvtest.CutBefore, stepTimeout, true, false,
			"connection lost during define domain {g1} {uri}: ", "domain {g1}, volume {pool}/{g1}.qcow2", defineLost, StepDefine,
			"resumed: defined, started"},
		{"define-reply", defineReply, hvtest.CutBefore, stepTimeout, true, true,
			"connection lost during define domain {g1} {uri}: ", "domain {g1}, volume {pool}/{g1}.qcow2", defineLost, StepDefine,
			"resumed: started"},
		{"silent", defineCall, hvtest.Stall, silentTimeout, true, false,
			"no answer to define domain {g1} {uri} within " + silentTimeout.String(), "domain {g1}, volume {pool}/{g1}.qcow2", defineLost, StepDefine,
			"resumed: defined, started"},
	}
	for _, cut := range cuts {
		// One after the other: each subtest's guests would make the
		// others' plans stale.
		t.Run(cut.name, func(t *testing.T) {
			ctx := context.Background()
			prefix := fmt.Sprintf("berth-test-%d-cut-%s", os.Getpid(), cut.name)
			pool := testPool(t, conn, prefix+"-pool")
			names := []string{prefix + "-1", prefix + "-2"}
			t.Cleanup(func() {
				// Both powered off at once: a destroy waits about 1.5 s
				// for QEMU to exit.
				var wg sync.WaitGroup
				for _, n := range names {
					wg.Go(func() { conn.DestroyDomain(context.Background(), n) })
				}
				wg.Wait()
				removeGuests(t, conn, pool, names)
			})
			uris := map[string]string{"local": hvtest.SystemURI}
			demand := []inventory.Demand{{Name: prefix, Profile: "tiny", Count: 2}}
			journal := filepath.Join(t.TempDir(), "plan.json.journal")
			opt := Options{
				// The hosts are re-read directly; only apply's own
				// connection goes through the relay.
				ReadFleet: ReadURIs(func(h planner.HostPlan) string { return uris[h.Name] }, nil, live.ReadOptions{}),
				Templates: Templates{"tiny": GuestTemplate{Template: hypervisor.Template{
					DomainType: "qemu", Machine: "pc", Pool: pool, VolumeSize: 16 * mib,
				}, Start: true}},
				Journal:     journal,
				LockDir:     t.TempDir(), // not /run/berth: other worktrees' tests share this host
				StepTimeout: cut.timeout,
				Progress:    testWriter{t},
			}
			through := func(r *hvtest.Relay) Connector {
				return ConnectURIs(func(planner.HostPlan) string { return r.URI() })
			}

			// Run 1, cut half-way through the first guest.
			relay := hvtest.StartRelay(t, hvtest.CutAt(cut.when, cut.act))
			opt.Connect = through(relay)
			fill := strings.NewReplacer("{g1}", names[0], "{pool}", pool, "{uri}", relay.URI()).Replace
			var p *planner.Plan
			var a *Apply
			for attempt := 1; a == nil; attempt++ {
				p = planOn(t, uris, demand, nil)
				var err error
				a, err = Prepare(ctx, p, opt)
				var stale *StaleError
				switch {
				case errors.As(err, &stale) && attempt < 3:
					t.Logf("another test changed the host meanwhile, planning again: %v", err)
				case errors.As(err, &stale):
					a = prepareForced(t, p, opt)
				case err != nil:
					t.Fatal(err)
				}
			}
			if got := createdGuests(p); !cmp.Equal(got, names) {
				t.Fatalf("the plan creates %v, want %v", got, names)
			}
			t0 := time.Now()
			rep := runWithin(t, a)
			if cut.act == hvtest.Stall && time.Since(t0) < 2*cut.timeout {
				t.Errorf("the silent run ended after %v, before two step timeouts of %v", time.Since(t0), cut.timeout)
			}
			if n := len(relay.Cuts()); n != 1 {
				t.Fatalf("connection cut %d times, want once: %+v", n, relay.Cuts())
			}
			first, second := rep.Results[indexOf(rep, names[0])], rep.Results[indexOf(rep, names[1])]
			wantError := fill(cut.error)
			detail := "host local stopped answering; may be left on it: " + fill(cut.left) + "; run apply again to resume: it checks what is on the host"
			if first.Outcome != OutcomeInterrupted || !first.Changed || !strings.HasPrefix(first.Error, wantError) || first.Detail != detail {
				t.Errorf("%s: %s (changed %v)\n error %q\ndetail %q\nwant interrupted, changed,\n error %q…\ndetail %q",
					names[0], first.Outcome, first.Changed, first.Error, first.Detail, wantError, detail)
			}
			if second.Outcome != OutcomeNotAttempted || second.Detail != "host local stopped answering" || second.Changed {
				t.Errorf("%s: %+v, want not attempted: host local stopped answering", names[1], second)
			}
			if code := applyExitCode(rep); code != 4 {
				t.Errorf("exit code %d, want 4 (partially applied)", code)
			}
			var text strings.Builder
			rep.Render(&text)
			t.Log(text.String())
			if !strings.Contains(text.String(), "Run the same berth apply again to resume") {
				t.Errorf("the report does not say what to do:\n%s", text.String())
			}

			// The journal records each step up to the one whose answer
			// was lost, and no rollback (libvirtd could not be reached).
			recs, err := ReadJournalFile(journal)
			if err != nil {
				t.Fatalf("journal: %v", err)
			}
			var got []string
			for _, r := range recs {
				g := strings.NewReplacer(names[0], "g1", names[1], "g2").Replace(r.Guest)
				got = append(got, strings.TrimSpace(g+" "+string(r.Step)+" "+r.Event))
			}
			want := append(append([]string{EventBegin}, cut.journal...), EventEnd)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("journal of run 1 (-want +got):\n%s", diff)
			}
			if last := recs[max(len(recs)-2, 0)]; last.Step != cut.step || !strings.Contains(last.Error, names[0]) {
				t.Errorf("the lost step's record: %+v, want step %s with the call's error", last, cut.step)
			}

			// What libvirtd holds now, seen directly.
			if has := slices.Contains(volumes(t, conn, pool), names[0]+".qcow2"); has != cut.volume {
				t.Errorf("after the cut, volume of %s exists: %v, want %v", names[0], has, cut.volume)
			}
			if d, err := conn.LookupDomain(ctx, names[0]); err != nil || (d != nil) != cut.domain {
				t.Errorf("after the cut, domain %s: %+v (%v), want it to exist: %v", names[0], d, err, cut.domain)
			}

			// Run 2, through a relay that does not cut: resumed.
			opt.Connect, opt.StepTimeout = through(hvtest.StartRelay(t, nil)), stepTimeout
			rep = runWithin(t, prepareForced(t, p, opt))
			gotDetail := map[string]string{}
			for _, r := range rep.Results {
				if r.Action.Guest == names[0] || r.Action.Guest == names[1] {
					gotDetail[r.Action.Guest] = string(r.Outcome) + ": " + r.Detail + r.Error
				}
			}
			wantDetail := map[string]string{
				names[0]: "done: " + fill(cut.resumed),
				names[1]: fmt.Sprintf("done: volume %s/%s.qcow2 created, defined, started", pool, names[1]),
			}
			if diff := cmp.Diff(wantDetail, gotDetail); diff != "" {
				t.Errorf("resumed run (-want +got):\n%s", diff)
			}
			if code := applyExitCode(rep); code != 0 {
				t.Errorf("resumed run: exit code %d, want 0", code)
			}
			checkPlanned(t, conn, p, pool, names)

			// Run 3: nothing to do.
			rep = runWithin(t, prepareForced(t, p, opt))
			if diff := cmp.Diff(map[string]Outcome{names[0]: OutcomeSkipped, names[1]: OutcomeSkipped}, outcomes(rep)); diff != "" {
				t.Errorf("third run (-want +got):\n%s", diff)
			}
			if rep.Changed() || applyExitCode(rep) != 0 {
				t.Errorf("third run: changed %v, exit %d; want a no-op", rep.Changed(), applyExitCode(rep))
			}
			checkPlanned(t, conn, p, pool, names)
		})
	}
}

// createdGuests lists the guests p creates, in plan order.
func createdGuests(p *planner.Plan) []string {
	var out []string
	for _, act := range p.Actions {
		if act.Op == planner.OpCreate {
			out = append(out, act.Guest)
		}
	}
	return out
}

// runWithin runs a and fails the test when it takes longer than runBound
// or returns no report.
func runWithin(t *testing.T, a *Apply) *Report {
	t.Helper()
	type result struct {
		rep *Report
		err error
	}
	done := make(chan result, 1)
	t0 := time.Now()
	go func() {
		rep, err := a.Run(context.Background())
		done <- result{rep, err}
	}()
	select {
	case r := <-done:
		if r.err != nil || r.rep == nil {
			t.Fatalf("Run: report %v, error %v", r.rep, r.err)
		}
		t.Logf("run %d took %v", r.rep.Run, time.Since(t0).Round(time.Millisecond))
		return r.rep
	case <-time.After(runBound):
		t.Fatalf("apply still running after %v", runBound)
	}
	return nil
}

// prepareForced prepares the same plan again; when other tests' guests
// made it stale, with Force (the resume is what is tested here).
func prepareForced(t *testing.T, p *planner.Plan, opt Options) *Apply {
	t.Helper()
	a, err := Prepare(context.Background(), p, opt)
	var stale *StaleError
	if errors.As(err, &stale) {
		t.Logf("another test changed the host meanwhile; applying with Force: %v", err)
		opt.Force = true
		a, err = Prepare(context.Background(), p, opt)
	}
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// applyExitCode is the exit code berth apply gives for rep (as
// cmd/berth's applyExit decides it): 0 complete, 4 partially applied,
// 1 nothing done.
func applyExitCode(rep *Report) int {
	switch {
	case rep.Complete():
		return 0
	case rep.Changed() || rep.Count(OutcomeDone)+rep.Count(OutcomeSkipped) > 0:
		return 4
	}
	return 1
}

// checkPlanned checks, directly on libvirtd, that the guests named are the
// only ones of their prefix, each once, running, with p's metadata, and
// that the pool holds their volumes and nothing else.
func checkPlanned(t *testing.T, conn *hypervisor.Conn, p *planner.Plan, pool string, names []string) {
	t.Helper()
	prefix := strings.TrimSuffix(names[0], "-1")
	ds, err := conn.Domains(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ds {
		if !strings.HasPrefix(d.Name, prefix) {
			continue
		}
		got = append(got, d.Name)
		if m := d.Metadata; m == nil || m.PlanID != p.ID || m.Profile != "tiny" || d.State != "running" {
			t.Errorf("%s: %s, metadata %+v; want running, plan %s, profile tiny", d.Name, d.State, m, p.ID)
		}
	}
	slices.Sort(got)
	if diff := cmp.Diff(names, got); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{names[0] + ".qcow2", names[1] + ".qcow2"}, volumes(t, conn, pool)); diff != "" {
		t.Errorf("volumes in %s (-want +got):\n%s", pool, diff)
	}
}
