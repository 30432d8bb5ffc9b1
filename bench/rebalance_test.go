package bench

import (
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/placement"
)

// driftSizes are the fleets of the comparisons: 200 hosts always, 1,000
// unless -short.
func driftSizes() []int {
	if testing.Short() {
		return []int{200}
	}
	return []int{200, 1000}
}

// TestConsolidateAgainstWatcher holds berth's consolidation to issue 14's
// targets against the Watcher-style baseline on drifted fleets: it frees at
// least as many hosts; with a budget of 10% of the guests it frees at least
// as many as Watcher stopped at the same number of moves; every plan passes
// the referee at every step.
//
// The third target, at most 0.9× Watcher's migrations, is logged, not
// asserted: on these fleets any plan freeing as many hosts as Watcher needs
// at least the guests of that many hosts with fewest guests, which is
// 98% of Watcher's migrations (see docs/rebalance-algorithms.md).
func TestConsolidateAgainstWatcher(t *testing.T) {
	for _, n := range driftSizes() {
		for seed := uint64(1); seed <= 2; seed++ {
			t.Run(fmt.Sprintf("hosts=%d/seed=%d", n, seed), func(t *testing.T) {
				mp := DriftedFleet(n, 8, seed)
				opt := placement.MoveOptions{Seed: 1}
				pl, err := placement.Rebalance(mp, placement.GoalConsolidate, opt)
				if err != nil {
					t.Fatal(err)
				}
				if bad := placement.CheckMoves(mp, opt, pl); len(bad) > 0 {
					t.Fatalf("referee: %v", bad[:min(5, len(bad))])
				}
				w := WatcherConsolidate(mp, 0)
				if len(pl.Freed) < w.Freed {
					t.Errorf("berth frees %d hosts, Watcher %d", len(pl.Freed), w.Freed)
				}
				t.Logf("berth frees %d hosts with %d migrations, Watcher %d with %d (ratio %.3f); freeing %d needs at least %d (%.3f of Watcher's)",
					len(pl.Freed), len(pl.Moves), w.Freed, w.Moves, float64(len(pl.Moves))/float64(w.Moves),
					w.Freed, fewestToFree(mp, w.Freed), float64(fewestToFree(mp, w.Freed))/float64(w.Moves))

				budget := mp.E() / 10
				bopt := placement.MoveOptions{Seed: 1, MaxMoves: budget}
				bp, err := placement.Rebalance(mp, placement.GoalConsolidate, bopt)
				if err != nil {
					t.Fatal(err)
				}
				if bad := placement.CheckMoves(mp, bopt, bp); len(bad) > 0 {
					t.Fatalf("referee with a budget: %v", bad[:min(5, len(bad))])
				}
				wb := WatcherConsolidate(mp, budget)
				if len(bp.Freed) < wb.Freed {
					t.Errorf("with %d moves berth frees %d hosts, Watcher %d", budget, len(bp.Freed), wb.Freed)
				}
				t.Logf("max %d moves: berth frees %d (%d moves), Watcher %d (%d moves)", budget, len(bp.Freed), len(bp.Moves), wb.Freed, wb.Moves)
			})
		}
	}
}

// fewestToFree is the migration lower bound for freeing n hosts: the
// guests of the n hosts with fewest guests.
func fewestToFree(mp *placement.MoveProblem, n int) int {
	count := make([]int, mp.P.H())
	for _, h := range mp.P.ExistingHost {
		count[h]++
	}
	slices.Sort(count)
	lb := 0
	for _, c := range count {
		if n == 0 {
			break
		}
		if c > 0 {
			lb += c
			n--
		}
	}
	return lb
}

// TestBalanceAgainstHbal compares berth's balance with the hbal-style
// greedy on a drifted fleet of 100 hosts (the greedy looks at every guest
// and host per move): berth ends with a peak no higher, with fewer moves.
func TestBalanceAgainstHbal(t *testing.T) {
	mp := DriftedFleet(100, 8, 1)
	opt := placement.MoveOptions{Seed: 1}
	pl, err := placement.Rebalance(mp, placement.GoalBalance, opt)
	if err != nil {
		t.Fatal(err)
	}
	if bad := placement.CheckMoves(mp, opt, pl); len(bad) > 0 {
		t.Fatalf("referee: %v", bad[:min(5, len(bad))])
	}
	h := HbalGreedy(mp, 0)
	t.Logf("peak %.3f → berth %.3f in %d moves, hbal-style %.3f in %d", pl.PeakBefore, pl.PeakAfter, len(pl.Moves), h.Peak, h.Moves)
	if pl.PeakAfter > h.Peak+1e-9 || len(pl.Moves) > h.Moves {
		t.Errorf("berth: peak %.3f in %d moves; hbal-style: %.3f in %d", pl.PeakAfter, len(pl.Moves), h.Peak, h.Moves)
	}
}

// TestWavesOnDriftedFleets plans rolling maintenance: every host in a
// wave, every wave's drain passes the referee, and the waves are compared
// with the lower bound.
func TestWavesOnDriftedFleets(t *testing.T) {
	for _, max := range []int{0, 20} {
		mp := DriftedFleet(200, 8, 1)
		pl, err := placement.PlanWaves(mp, placement.WaveOptions{MaxHostsPerWave: max})
		if err != nil {
			t.Fatal(err)
		}
		hosts := 0
		for i, w := range pl.Waves {
			hosts += len(w.Hosts)
			if bad := placement.CheckMoves(mp.WaveProblem(&w), placement.MoveOptions{}, w.Drain); len(bad) > 0 {
				t.Fatalf("wave %d: referee %v", i, bad[:min(5, len(bad))])
			}
		}
		if hosts+len(pl.Undrainable) != mp.P.H() || len(pl.Waves) < pl.LowerBound {
			t.Fatalf("max %d: %d hosts in %d waves (bound %d), %d undrainable", max, hosts, len(pl.Waves), pl.LowerBound, len(pl.Undrainable))
		}
		t.Logf("max %d hosts per wave: %d waves, lower bound %d", max, len(pl.Waves), pl.LowerBound)
	}
}

// processCPU is the process's CPU time so far (user + system): the shared
// machine the benchmarks run on is often busy, so they report it next to
// wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loopCPU(b *testing.B, f func()) {
	b.ReportAllocs()
	n, start := 0, processCPU()
	for b.Loop() {
		f()
		n++
	}
	if n > 0 {
		b.ReportMetric(float64(processCPU()-start)/float64(n)/1e6, "cpu-ms/op")
	}
}

// BenchmarkConsolidate plans consolidation of drifted fleets and reports
// what the plan does next to its time: hosts in use after, migrations,
// GiB copied, waves and their estimated seconds at 1 GiB/s per migration.
//
//	go test -tags libvirt_dlopen -run XXX -bench 'Consolidate|Watcher' -benchtime 3x ./bench/
func BenchmarkConsolidate(b *testing.B) {
	for _, n := range []int{200, 1000} {
		mp := DriftedFleet(n, 8, 1)
		b.Run(fmt.Sprintf("hosts=%d/guests=%d", n, mp.E()), func(b *testing.B) {
			var pl *placement.MovePlan
			loopCPU(b, func() {
				var err error
				if pl, err = placement.Rebalance(mp, placement.GoalConsolidate, placement.MoveOptions{Seed: 1}); err != nil {
					b.Fatal(err)
				}
			})
			reportFleet(b, mp, len(pl.Freed), len(pl.Moves), pl.Bytes)
			b.ReportMetric(float64(len(pl.Waves)), "waves")
			b.ReportMetric(pl.Seconds, "migration-s")
			b.ReportMetric(float64(pl.Bounds.HostsInUse), "hosts-lb")
			b.ReportMetric(float64(pl.Bounds.Moves), "moves-lb")
		})
	}
}

// BenchmarkWatcherConsolidate is the Watcher-style baseline on the same
// fleets.
func BenchmarkWatcherConsolidate(b *testing.B) {
	for _, n := range []int{200, 1000} {
		mp := DriftedFleet(n, 8, 1)
		b.Run(fmt.Sprintf("hosts=%d/guests=%d", n, mp.E()), func(b *testing.B) {
			var r BaselineResult
			loopCPU(b, func() { r = WatcherConsolidate(mp, 0) })
			reportFleet(b, mp, r.Freed, r.Moves, r.Bytes)
		})
	}
}

func reportFleet(b *testing.B, mp *placement.MoveProblem, freed, moves int, bytes float64) {
	inUse := map[int32]bool{}
	for _, h := range mp.P.ExistingHost {
		inUse[h] = true
	}
	b.ReportMetric(float64(len(inUse)-freed), "hosts-after")
	b.ReportMetric(float64(moves), "migrations")
	b.ReportMetric(bytes/(1<<30), "GiB")
}

// BenchmarkPlanWaves plans rolling maintenance of the drifted fleets and
// reports the waves next to their lower bound.
//
//	go test -tags libvirt_dlopen -run XXX -bench PlanWaves -benchtime 3x ./bench/
func BenchmarkPlanWaves(b *testing.B) {
	for _, n := range []int{200, 1000} {
		mp := DriftedFleet(n, 8, 1)
		for _, max := range []int{0, n / 20} {
			b.Run(fmt.Sprintf("hosts=%d/max-per-wave=%d", n, max), func(b *testing.B) {
				var pl *placement.MaintenancePlan
				loopCPU(b, func() {
					var err error
					if pl, err = placement.PlanWaves(mp, placement.WaveOptions{MaxHostsPerWave: max}); err != nil {
						b.Fatal(err)
					}
				})
				b.ReportMetric(float64(len(pl.Waves)), "waves")
				b.ReportMetric(float64(pl.LowerBound), "waves-lb")
			})
		}
	}
}
