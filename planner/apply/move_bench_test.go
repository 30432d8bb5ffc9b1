package apply

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor/hvtest"
	"github.com/berth-dev/berth/planner"
)

// BenchmarkApplyMoves applies a two-wave plan of six tiny idle guests
// (drain one host of the two-host kit, three migrations out of and into a
// host at a time), back and forth: ns/op is the wall time of one apply of
// the plan (its planning left out). It also reports, per migration,
// libvirt's migrate call and berth's overhead beyond it: apply's own time
// for the move (its checks in Migrate, the journal, the metadata) plus its
// share of the checks before each wave.
//
//	go test -tags libvirt_dlopen ./planner/apply -run '^$' -bench ApplyMoves -benchtime 4x
func BenchmarkApplyMoves(b *testing.B) {
	k := hvtest.StartTwoHosts(b)
	for i := 1; i <= 6; i++ {
		k.IdleGuest(b, k.A, fmt.Sprintf("bench-%d", i))
	}
	uris := kitURIs(k)
	from := "a"
	var call, overhead time.Duration
	moves := 0
	for b.Loop() {
		b.StopTimer()
		p := benchDrainPlan(b, uris, from)
		opt := kitOptions(nil, uris, filepath.Join(b.TempDir(), "plan.json.journal"))
		a, err := Prepare(context.Background(), p, opt)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := a.Run(context.Background())
		if err != nil || !rep.Complete() {
			b.Fatalf("apply: %v\n%s", err, renderText(rep))
		}
		for _, s := range rep.Moves.Stats {
			call += s.Call
			overhead += s.Wall - s.Call
		}
		for _, w := range rep.Moves.Waves {
			overhead += w.Checked
		}
		moves += len(rep.Moves.Stats)
		from = map[string]string{"a": "b", "b": "a"}[from]
	}
	b.ReportMetric(float64(call.Milliseconds())/float64(moves), "libvirt-call-ms/migration")
	b.ReportMetric(float64(overhead.Milliseconds())/float64(moves), "overhead-ms/migration")
}

// benchDrainPlan is drainPlan for a benchmark: drain host from, three
// migrations per host at a time.
func benchDrainPlan(b *testing.B, uris map[string]string, from string) *planner.Plan {
	return drainPlanTB(b, uris, planner.StorageLocal, from, 3)
}
