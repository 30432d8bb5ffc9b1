package placement

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time (user + system) the process has used so far. The
// benchmarks report it per operation next to wall time, because the shared
// machine they run on is often busy with other work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs f as the benchmark body and reports CPU ms per operation.
func loop(b *testing.B, f func()) {
	b.ReportAllocs()
	n := 0
	start := cpuTime()
	for b.Loop() {
		f()
		n++
	}
	if n > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(n)/1e6, "cpu-ms/op")
	}
}

// benchFleet generates a fleet in the spirit of a large web service: hosts
// of three shapes (cpu, memory GiB, IOPS, network Mbps) in racks of 40 and 4
// zones, a tenth of them already carrying a few guests, and a demand of
// guests mixed web (CPU-heavy), db (IOPS-heavy) and cache (memory-heavy):
// about a third in anti-affinity groups of three (web replicas at host
// scope, db replicas at rack scope). Total demand is about half the fleet.
func benchFleet(hosts, guests int, seed uint64) *Problem {
	r := rand.New(rand.NewPCG(seed, 7))
	p := &Problem{DimNames: []string{"cpu", "memory", "iops", "net"}}
	shapes := [][4]float64{
		{64, 512, 20000, 10000},
		{96, 384, 10000, 10000},
		{48, 768, 40000, 25000},
	}
	for i := range hosts {
		p.HostNames = append(p.HostNames, fmt.Sprintf("h%05d", i))
		s := shapes[i%len(shapes)]
		p.Offered = append(p.Offered, s[:]...)
		p.Rack = append(p.Rack, int32(i/40))
		p.Zone = append(p.Zone, int32(i%4))
	}
	role := func() ([4]float64, int8) {
		switch r.IntN(3) {
		case 0: // web
			return [4]float64{4 + 4*r.Float64(), 8 + 8*r.Float64(), 100 + 200*r.Float64(), 200 + 300*r.Float64()}, 0
		case 1: // db
			return [4]float64{2 + 2*r.Float64(), 16 + 16*r.Float64(), 2000 + 2000*r.Float64(), 100 + 200*r.Float64()}, 2
		default: // cache
			return [4]float64{1 + r.Float64(), 32 + 16*r.Float64(), 50 + 50*r.Float64(), 300 + 300*r.Float64()}, 1
		}
	}
	for h := 0; h < hosts; h += 10 {
		var used [4]float64
		for range 3 {
			dem, app := role()
			fits := true
			for k := range dem {
				used[k] += dem[k]
				fits = fits && used[k] <= p.Offered[h*4+k]
			}
			if !fits {
				break
			}
			p.ExistingHost = append(p.ExistingHost, int32(h))
			p.ExistingDemand = append(p.ExistingDemand, dem[:]...)
			p.ExistingAppetite = append(p.ExistingAppetite, app)
			p.ExistingGroup = append(p.ExistingGroup, NoHost)
		}
	}
	for g := 0; g < guests; {
		dem, app := role()
		n, grp := 1, int32(NoHost)
		if r.IntN(10) < 1 && g+3 <= guests {
			n = 3
			grp = int32(len(p.Groups))
			scope := ScopeHost
			if app == 2 {
				scope = ScopeRack
			}
			p.Groups = append(p.Groups, Group{Name: fmt.Sprintf("grp%d", grp), Scope: scope})
		}
		for range n {
			p.GuestNames = append(p.GuestNames, fmt.Sprintf("v%06d", g))
			p.Demand = append(p.Demand, dem[:]...)
			p.Appetite = append(p.Appetite, app)
			p.Group = append(p.Group, grp)
			g++
		}
	}
	p.Models = []Model{{Name: "std", Offered: shapes[0][:], Rack: -1, Zone: -1}}
	p.Policy.SameAppetite = AppetiteRule{Penalty: 0.25}
	return p
}

var benchSizes = []struct{ hosts, guests int }{{1000, 10000}, {10000, 100000}}

func BenchmarkSolve(b *testing.B) {
	for _, size := range benchSizes {
		p := benchFleet(size.hosts, size.guests, 1)
		for _, name := range Strategies() {
			b.Run(fmt.Sprintf("hosts=%d/guests=%d/%s", size.hosts, size.guests, name), func(b *testing.B) {
				if testing.Short() && size.hosts > 1000 && name != DefaultStrategy {
					b.Skip("short")
				}
				var s *Solution
				loop(b, func() {
					var err error
					if s, err = Solve(p, Options{Strategy: name}); err != nil {
						b.Fatal(err)
					}
				})
				m := Evaluate(p, s)
				b.ReportMetric(float64(m.HostsUsed), "hosts")
				b.ReportMetric(float64(m.Unplaced), "unplaced")
			})
		}
	}
}

// BenchmarkCandidates measures what the bounded candidate search costs in
// hosts against the full scan (Candidates −1).
func BenchmarkCandidates(b *testing.B) {
	for _, size := range benchSizes {
		p := benchFleet(size.hosts, size.guests, 1)
		for _, k := range []int{1, 8, 16, 32, 128, 512, -1} {
			b.Run(fmt.Sprintf("hosts=%d/guests=%d/candidates=%d", size.hosts, size.guests, k), func(b *testing.B) {
				if testing.Short() && size.hosts > 1000 {
					b.Skip("short")
				}
				var s *Solution
				loop(b, func() { s, _ = Solve(p, Options{Candidates: k}) })
				m := Evaluate(p, s)
				b.ReportMetric(float64(m.HostsUsed), "hosts")
				b.ReportMetric(float64(m.Unplaced), "unplaced")
			})
		}
	}
}

// BenchmarkWarm re-plans after one edit (a guest pinned to another host)
// from the previous solution.
func BenchmarkWarm(b *testing.B) {
	p := benchFleet(1000, 10000, 1)
	prev, err := Solve(p, Options{})
	if err != nil {
		b.Fatal(err)
	}
	p.Pin = make([]int32, p.G())
	for g := range p.Pin {
		p.Pin[g] = NoHost
	}
	p.Pin[0] = (prev.Host[0] + 1) % int32(p.H())
	b.Run("hosts=1000/guests=10000/pin-one", func(b *testing.B) {
		loop(b, func() {
			if _, err := Solve(p, Options{Warm: prev}); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkFailover checks k=1 over every host of a solved fleet.
func BenchmarkFailover(b *testing.B) {
	for _, size := range benchSizes {
		p := benchFleet(size.hosts, size.guests, 1)
		s, err := Solve(p, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("hosts=%d/guests=%d/k=1", size.hosts, size.guests), func(b *testing.B) {
			if testing.Short() && size.hosts > 1000 {
				b.Skip("short")
			}
			loop(b, func() { FailoverCheck(p, s, 1) })
		})
	}
}

// BenchmarkExplain explains one guest against every host.
func BenchmarkExplain(b *testing.B) {
	p := benchFleet(1000, 10000, 1)
	s, err := Solve(p, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("hosts=1000/guests=10000", func(b *testing.B) {
		loop(b, func() { Explain(p, s, 0) })
	})
}

// BenchmarkScale shows how time and hosts grow with the fleet: 100 to
// 100,000 guests, ten per host (align, pack).
func BenchmarkScale(b *testing.B) {
	for _, g := range []int{100, 1000, 10000, 100000} {
		p := benchFleet(g/10, g, 1)
		b.Run(fmt.Sprintf("hosts=%d/guests=%d", g/10, g), func(b *testing.B) {
			if testing.Short() && g > 10000 {
				b.Skip("short")
			}
			var s *Solution
			loop(b, func() { s, _ = Solve(p, Options{}) })
			m := Evaluate(p, s)
			b.ReportMetric(float64(m.HostsUsed), "hosts")
			b.ReportMetric(float64(LowerBound(p)), "lower-bound")
		})
	}
}

// BenchmarkImprove measures the improvement phase alone, from the default
// construction's plan, for a fixed number of search steps: ns/step is the
// wall time of one Improve call divided by its steps, allocs/step its
// allocations likewise. Both include the first-fit restarts Improve begins
// with, a fixed cost: restart-ms is Improve for 4 steps (the three
// first-fit passes and no search), and search-ns/step leaves it out (the
// bin-centric pass that follows them on up to 5,000 guests stays in). "simple"
// drops the groups so that capacity is the only rule and moves are checked
// by arithmetic alone; "rules" is benchFleet as drawn (anti-affinity at
// host and rack scope).
func BenchmarkImprove(b *testing.B) {
	const steps, restartSteps = 500, 4
	for _, size := range []struct{ hosts, guests int }{{100, 1000}, {1000, 10000}} {
		for _, rules := range []bool{true, false} {
			p := benchFleet(size.hosts, size.guests, 1)
			kind := "rules"
			if !rules {
				kind = "simple"
				p.Groups = nil
				for g := range p.Group {
					p.Group[g] = NoHost
				}
				for e := range p.ExistingGroup {
					p.ExistingGroup[e] = NoHost
				}
			}
			s, err := Solve(p, Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("hosts=%d/guests=%d/%s/steps=%d", size.hosts, size.guests, kind, steps), func(b *testing.B) {
				const reps = 3
				start := time.Now()
				for range reps {
					Improve(p, s, Options{Seed: 1, Iterations: restartSteps})
				}
				restart := time.Since(start) / reps
				var got *Solution
				var ms0, ms1 runtime.MemStats
				runtime.ReadMemStats(&ms0)
				n := 0
				start = time.Now()
				for b.Loop() {
					got = Improve(p, s, Options{Seed: 1, Iterations: steps})
					n++
				}
				el := time.Since(start)
				runtime.ReadMemStats(&ms1)
				b.ReportMetric(float64(el.Nanoseconds())/float64(n*steps), "ns/step")
				b.ReportMetric(float64((el/time.Duration(n)-restart).Nanoseconds())/float64(steps-restartSteps), "search-ns/step")
				b.ReportMetric(float64(restart.Nanoseconds())/1e6, "restart-ms")
				b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(n*steps), "allocs/step")
				b.ReportMetric(float64(Evaluate(p, s).HostsUsed), "hosts-before")
				b.ReportMetric(float64(Evaluate(p, got).HostsUsed), "hosts")
			})
		}
	}
}
