package apply

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/google/go-cmp/cmp"
)

// TestApplyWatchEvents applies on two hosts, one of which cannot be
// reached, and checks the events a live display gets: every host announced
// before any work, counts that only go up and reach the host's total,
// outcomes on the actions' events, and one Finished event, the last, per
// host.
func TestApplyWatchEvents(t *testing.T) {
	uris := map[string]string{"kvm-apply1": applyHostURI(t, "kvm-apply1"), "kvm-apply2": applyHostURI(t, "kvm-apply2")}
	p := planOn(t, uris, []inventory.Demand{{Name: "web", Profile: "tiny", Count: 3}},
		map[string]string{"web-1": "kvm-apply1", "web-2": "kvm-apply1", "web-3": "kvm-apply2"})
	conns := fresh(t, uris)
	opt := testOptions(t, conns, filepath.Join(t.TempDir(), "j"))
	opt.skipHostChecks = true // kvm-apply2 goes away after the checks
	missing := "test://" + filepath.Join(t.TempDir(), "gone.xml")
	opt.Connect = func(ctx context.Context, h planner.HostPlan) (Hypervisor, func(), error) {
		if h.Name == "kvm-apply2" {
			return ConnectURIs(func(planner.HostPlan) string { return missing })(ctx, h)
		}
		return sharedConns(conns)(ctx, h)
	}
	var mu sync.Mutex
	var events []ProgressEvent
	opt.Watch = func(e ProgressEvent) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}
	mustApply(t, p, opt)

	if len(events) < 4 {
		t.Fatalf("only %d events: %+v", len(events), events)
	}
	for i, host := range []string{"kvm-apply1", "kvm-apply2"} {
		if e := events[i]; e.Host != host || e.Text != "waiting" || e.Done != 0 {
			t.Errorf("event %d is %+v, want %s waiting with 0 done before any work", i, e, host)
		}
	}
	type last struct {
		Done, Total, Failed int
		Text                string
	}
	finishedOf := func(e ProgressEvent) int { return e.Done + e.Failed + e.Interrupted }
	got := map[string]last{}
	outcomes := map[string]Outcome{}
	byHost := map[string][]ProgressEvent{}
	for _, e := range events {
		byHost[e.Host] = append(byHost[e.Host], e)
		if e.Outcome != "" {
			outcomes[e.Guest] = e.Outcome
		}
	}
	for host, es := range byHost {
		for i, e := range es {
			if i > 0 && finishedOf(e) < finishedOf(es[i-1]) {
				t.Errorf("%s: finished actions went down from %+v to %+v", host, es[i-1], e)
			}
			if e.Finished != (i == len(es)-1) {
				t.Errorf("%s: event %d of %d has Finished=%v: %+v", host, i+1, len(es), e.Finished, e)
			}
		}
		e := es[len(es)-1]
		got[host] = last{e.Done, e.Total, e.Failed, e.Text}
	}
	want := map[string]last{
		"kvm-apply1": {Done: 2, Total: 2, Failed: 0, Text: "finished"},
		"kvm-apply2": {Done: 0, Total: 1, Failed: 1, Text: got["kvm-apply2"].Text},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("each host's last event (-want +got):\n%s", diff)
	}
	if txt := got["kvm-apply2"].Text; !strings.HasPrefix(txt, "cannot connect: ") {
		t.Errorf("the unreachable host ends with %q, want the connect error", txt)
	}
	wantOutcomes := map[string]Outcome{"web-1": OutcomeDone, "web-2": OutcomeDone, "web-3": OutcomeFailed}
	if diff := cmp.Diff(wantOutcomes, outcomes); diff != "" {
		t.Errorf("outcomes in the events (-want +got):\n%s", diff)
	}
}
