package apply

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
	"github.com/google/go-cmp/cmp"
)

// TestApplyResumesAfterCrashAtEveryStep interrupts apply before each
// journal record in turn (as if the process died there: between a step's
// start and its libvirt call, between the call and its finish, inside a
// rollback), then runs it again, and proves for every index that the end
// state is the one an uninterrupted apply reaches: every guest exactly once,
// defined with this plan's metadata and running, every volume it needs and
// no other, the failing guest rolled back, and no step the journal records
// as finished started again.
func TestApplyResumesAfterCrashAtEveryStep(t *testing.T) {
	uris := map[string]string{"kvm-apply1": applyHostURI(t, "kvm-apply1"), "kvm-apply2": applyHostURI(t, "kvm-apply2")}
	p := planOn(t, uris, []inventory.Demand{
		{Name: "web", Profile: "tiny", Count: 3},
		{Name: "bad", Profile: "broken", Count: 1},
	}, map[string]string{"web-1": "kvm-apply1", "web-2": "kvm-apply1", "bad-1": "kvm-apply1", "web-3": "kvm-apply2"})

	want := map[string]Outcome{"web-1": OutcomeDone, "web-2": OutcomeDone, "web-3": OutcomeDone, "bad-1": OutcomeFailed}
	wantDomains := map[string][]string{
		"kvm-apply1": {"legacy", "other-plan-1", "web-1", "web-2"},
		"kvm-apply2": {"app-old", "web-3"},
	}
	wantVolumes := map[string][]string{
		"kvm-apply1": {"base-debian.qcow2", "squatter-1.qcow2", "web-1.qcow2", "web-2.qcow2"},
		"kvm-apply2": {"base-debian.qcow2", "web-3.qcow2"},
	}

	// An uninterrupted run, to count the journal records.
	conns := fresh(t, uris)
	journal := filepath.Join(t.TempDir(), "plan.json.journal")
	rep := mustApply(t, p, quiet(testOptions(t, conns, journal)))
	if diff := cmp.Diff(want, outcomes(rep)); diff != "" {
		t.Fatalf("uninterrupted outcomes (-want +got):\n%s", diff)
	}
	recs, err := ReadJournalFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	n := len(recs)
	if n < 20 {
		t.Fatalf("only %d journal records", n)
	}

	for k := 1; k <= n; k++ {
		t.Run(fmt.Sprintf("crash before record %d of %d", k, n), func(t *testing.T) {
			conns := fresh(t, uris)
			journal := filepath.Join(t.TempDir(), "plan.json.journal")
			opt := quiet(testOptions(t, conns, journal))
			opt.crashAt = k
			if _, err := applyPlan(t, p, opt); !errors.Is(err, errCrashed) {
				t.Fatalf("crashing run: err = %v, want the injected crash", err)
			}
			first, err := ReadJournalFile(journal)
			if err != nil {
				t.Fatal(err)
			}
			if len(first) != k-1 {
				t.Fatalf("the crashing run wrote %d records, want %d", len(first), k-1)
			}

			rep := mustApply(t, p, quiet(testOptions(t, conns, journal)))

			for g, o := range outcomes(rep) {
				ok := o == want[g] || (want[g] == OutcomeDone && o == OutcomeSkipped)
				if !ok {
					t.Errorf("%s: %s (%s %s), want %s", g, o, rep.Results[indexOf(rep, g)].Error, rep.Results[indexOf(rep, g)].Detail, want[g])
				}
			}
			for h, c := range conns {
				if diff := cmp.Diff(wantDomains[h], domainNames(t, c)); diff != "" {
					t.Errorf("%s domains (-want +got):\n%s", h, diff)
				}
				if diff := cmp.Diff(wantVolumes[h], volumes(t, c, "berth-pool")); diff != "" {
					t.Errorf("%s volumes (-want +got):\n%s", h, diff)
				}
				for _, name := range wantDomains[h] {
					d, err := c.LookupDomain(t.Context(), name)
					if err != nil || d == nil {
						t.Fatalf("%s: %v", name, err)
					}
					if d.Metadata != nil && d.Metadata.PlanID == p.ID && d.State != "running" {
						t.Errorf("%s is %s, want running", name, d.State)
					}
				}
			}
			all, err := ReadJournalFile(journal)
			if err != nil {
				t.Fatal(err)
			}
			finished := map[string]bool{}
			for _, r := range all {
				key := fmt.Sprint(r.Action, r.Step)
				switch {
				case r.Run == 1 && r.Event == EventFinished:
					finished[key] = true
				case r.Run == 1 && r.Step != "" && r.Event != EventStarted:
					delete(finished, key) // failed: the step may be retried
				case r.Run == 2 && r.Event == EventStarted && finished[key] && p.Actions[r.Action].Profile != "broken":
					t.Errorf("run 2 started %s %s again, which run 1 finished", r.Guest, r.Step)
				}
			}
		})
	}
}

// fresh connects to every host anew: each test-driver connection starts
// from the host file's state.
func fresh(t *testing.T, uris map[string]string) map[string]*hypervisor.Conn {
	out := map[string]*hypervisor.Conn{}
	for h, u := range uris {
		out[h] = connectTest(t, u)
	}
	return out
}

// quiet is o without progress lines and without the checks before the
// run: bad-1's template is meant to fail at run time, and be rolled back.
func quiet(o Options) Options {
	o.Progress = nil
	o.skipHostChecks = true
	return o
}

func indexOf(rep *Report, guest string) int {
	return slices.IndexFunc(rep.Results, func(r ActionResult) bool { return r.Action.Guest == guest })
}

// TestApplyInterruptFinishesTheStep: an interrupt (Ctrl-C) lets the step in
// flight finish and be journaled, then stops; the report says what was
// interrupted and what was not attempted; the next run completes it.
func TestApplyInterruptFinishesTheStep(t *testing.T) {
	uri := applyHostURI(t, "kvm-apply1")
	p := planOn(t, map[string]string{"kvm-apply1": uri}, []inventory.Demand{{Name: "web", Profile: "tiny", Count: 2}}, nil)
	conns := map[string]*hypervisor.Conn{"kvm-apply1": connectTest(t, uri)}
	journal := filepath.Join(t.TempDir(), "plan.json.journal")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt := testOptions(t, conns, journal)
	opt.Progress = cancelOn{"web-1: defined", cancel}
	var last ProgressEvent // one host: the events come from one goroutine
	opt.Watch = func(e ProgressEvent) { last = e }
	a, err := Prepare(ctx, p, opt)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := a.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rep.Results {
		got[r.Action.Guest] = string(r.Outcome) + ": " + r.Detail
	}
	want := map[string]string{
		"web-1": "interrupted: volume berth-pool/web-1.qcow2 created, defined; stopped between steps; run apply again to resume",
		"web-2": "not attempted: apply was interrupted first",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("interrupted run (-want +got):\n%s", diff)
	}
	if !rep.Changed() || rep.Complete() {
		t.Errorf("Changed %v Complete %v, want true false", rep.Changed(), rep.Complete())
	}
	// A live display is told the same: one interrupted, none done.
	wantLast := ProgressEvent{Host: "kvm-apply1", Text: "stopped: apply was interrupted", Total: 2, Interrupted: 1, Finished: true}
	if diff := cmp.Diff(wantLast, last); diff != "" {
		t.Errorf("the display's last event (-want +got):\n%s", diff)
	}
	rep = mustApply(t, p, testOptions(t, conns, journal))
	got = map[string]string{}
	for _, r := range rep.Results {
		got[r.Action.Guest] = string(r.Outcome) + ": " + r.Detail
	}
	want = map[string]string{
		"web-1": "done: resumed: started",
		"web-2": "done: volume berth-pool/web-2.qcow2 created, defined, started",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resumed run (-want +got):\n%s", diff)
	}
}

// cancelOn cancels when a progress line contains its text.
type cancelOn struct {
	text   string
	cancel func()
}

func (c cancelOn) Write(b []byte) (int, error) {
	if strings.Contains(string(b), c.text) {
		c.cancel()
	}
	return len(b), nil
}
