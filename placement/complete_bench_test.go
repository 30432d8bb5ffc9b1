package placement

import (
	"fmt"
	"testing"
)

// BenchmarkComplete measures the completion stage where it has work: a
// fleet with nothing to buy and more demand than room, so the
// construction leaves guests out and completion tries to place them
// (ejection chains, then restarts) within its work bounds.
func BenchmarkComplete(b *testing.B) {
	for _, size := range []struct{ hosts, guests int }{{100, 2000}, {1000, 20000}} {
		p := benchFleet(size.hosts, size.guests, 1)
		p.Models = nil
		b.Run(fmt.Sprintf("hosts=%d/guests=%d/construction", size.hosts, size.guests), func(b *testing.B) {
			strat, name, _ := lookupStrategy("")
			var s *Solution
			loop(b, func() {
				sv := newSolver(p, Options{}, strat)
				sv.placePins()
				q := order(p, sv.unpinned(), sv.ref, 0)
				sv.buildIndex(q)
				sv.construct(q)
				s = sv.solution(name)
			})
			b.ReportMetric(float64(Evaluate(p, s).Unplaced), "unplaced")
		})
		b.Run(fmt.Sprintf("hosts=%d/guests=%d/completed", size.hosts, size.guests), func(b *testing.B) {
			var s *Solution
			loop(b, func() {
				var err error
				if s, err = Solve(p, Options{}); err != nil {
					b.Fatal(err)
				}
			})
			b.ReportMetric(float64(Evaluate(p, s).Unplaced), "unplaced")
		})
	}
}
