package hypervisor_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/hypervisor/hvtest"
)

// BenchmarkMigrate live-migrates tiny idle guests between the two-host
// kit's daemons, back and forth: one guest at a time, and a batch of 6
// guests 2 at a time (apply's default of one migration out of and one
// into a host, doubled). Besides ns/op (the wall time of one migration, or
// of the batch) it reports, per migration, libvirt's migrate call (the
// two daemons' whole exchange), the job time the destination measured, and
// berth's overhead (Migrate's wall time minus libvirt's call: its checks
// before and after).
//
//	go test -tags libvirt_dlopen ./hypervisor -run '^$' -bench Migrate -benchtime 5x
func BenchmarkMigrate(b *testing.B) {
	k := hvtest.StartTwoHosts(b)
	for _, bc := range []struct {
		guests, parallel int
	}{{1, 1}, {6, 2}} {
		b.Run(fmt.Sprintf("guests=%d/parallel=%d", bc.guests, bc.parallel), func(b *testing.B) {
			benchMigrateBatch(b, k, bc.guests, bc.parallel)
		})
	}
}

func benchMigrateBatch(b *testing.B, k *hvtest.TwoHosts, guests, parallel int) {
	var uuids []string
	for i := range guests {
		uuids = append(uuids, k.IdleGuest(b, k.A, fmt.Sprintf("bench%d-%d", guests, i)).UUID)
	}
	src, dst := k.A, k.B
	var call, job, overhead time.Duration
	moves := 0
	for b.Loop() {
		results := migrateAll(b, uuids, src, dst, parallel)
		for _, r := range results {
			call += r.Call
			job += r.Job
			overhead += r.Wall - r.Call
		}
		moves += len(results)
		src, dst = dst, src
	}
	b.ReportMetric(float64(call.Milliseconds())/float64(moves), "libvirt-call-ms/migration")
	b.ReportMetric(float64(job.Milliseconds())/float64(moves), "libvirt-job-ms/migration")
	b.ReportMetric(float64(overhead.Milliseconds())/float64(moves), "overhead-ms/migration")
}

// migrateAll moves every guest from src to dst, parallel at a time.
func migrateAll(b *testing.B, uuids []string, src, dst *hvtest.SessionHost, parallel int) []*hypervisor.MigrationResult {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out := make([]*hypervisor.MigrationResult, len(uuids))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, uuid := range uuids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r, err := src.Conn.Migrate(ctx, uuid, dst.Conn, kitOptions(hypervisor.MigrateOptions{}))
			if err != nil {
				b.Error(err)
				return
			}
			out[i] = r
		}()
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	return out
}
