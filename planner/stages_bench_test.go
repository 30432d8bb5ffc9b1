package planner

import (
	"bytes"
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/placement"
	"github.com/berth-dev/berth/scenarios"
)

// The whole path of `berth plan -f FILE --budget 0 -o json`, one stage at a
// time, on generated fleets of 1k, 10k and 100k new guests: a host per ten
// new guests and one running guest per host (scenarios.Generate with
// Running), so that the 100k fleet is issue 12's: 10,000 hosts, 10,000
// running guests, 100,000 demanded. Each stage is timed on its own input,
// made once outside the loop, so a stage that grows faster than the others
// shows in docs/BENCHMARKS.md ("Whole path at scale"). Solve is the
// engine's construction, the yardstick of the target (the whole path in at
// most 5× its time).

var stageSizes = []int{1_000, 10_000, 100_000}

// stageFleet is the generated scenario of a size, as the YAML berth reads.
func stageFleet(b *testing.B, guests int) (*inventory.Scenario, []byte) {
	b.Helper()
	hosts := guests / 10
	sc := scenarios.Generate(scenarios.GenerateOptions{Hosts: hosts, Running: hosts, NewGuests: guests, Seed: 1})
	var buf bytes.Buffer
	if err := inventory.WriteScenario(&buf, sc); err != nil {
		b.Fatal(err)
	}
	parsed, err := inventory.ParseScenario("bench.yaml", buf.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	parsed.Policy.Iterations, parsed.Policy.Budget = 0, 0 // --budget 0
	return parsed, buf.Bytes()
}

func stageName(guests int) string {
	return fmt.Sprintf("guests=%d/hosts=%d/running=%d", guests, guests/10, guests/10)
}

// BenchmarkStageParse: reading the YAML, with every check of validation
// (inventory.ParseScenario).
func BenchmarkStageParse(b *testing.B) {
	for _, n := range stageSizes {
		b.Run(stageName(n), func(b *testing.B) {
			_, data := stageFleet(b, n)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := inventory.ParseScenario("bench.yaml", data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStageValidate: the checks alone, on a parsed scenario
// (Scenario.Validate; parsing makes the same checks).
func BenchmarkStageValidate(b *testing.B) {
	for _, n := range stageSizes {
		b.Run(stageName(n), func(b *testing.B) {
			sc, _ := stageFleet(b, n)
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if err := sc.Validate(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStageBuild: the dense placement problem from the scenario.
func BenchmarkStageBuild(b *testing.B) {
	for _, n := range stageSizes {
		b.Run(stageName(n), func(b *testing.B) {
			sc, _ := stageFleet(b, n)
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := buildModel(sc, &sc.Policy, &Edits{}, true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStageSolve: the engine's construction (placement.Solve, no
// improvement steps).
func BenchmarkStageSolve(b *testing.B) {
	for _, n := range stageSizes {
		b.Run(stageName(n), func(b *testing.B) {
			sc, _ := stageFleet(b, n)
			m, err := buildModel(sc, &sc.Policy, &Edits{}, true)
			if err != nil {
				b.Fatal(err)
			}
			opt := placement.Options{Strategy: sc.Policy.Strategy, Seed: sc.Policy.Seed}
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := placement.Solve(m.prob, opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStageDescribe: the plan in the fleet's words (hosts, actions,
// metrics, fingerprints) from the solution.
func BenchmarkStageDescribe(b *testing.B) {
	for _, n := range stageSizes {
		b.Run(stageName(n), func(b *testing.B) {
			sc, _ := stageFleet(b, n)
			m, sol := stageSolution(b, sc)
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				// The fingerprints of the scenario are part of the stage:
				// `berth plan` computes them once, here.
				if _, err := describe(sc, newInputPrints(sc), &sc.Policy, &Edits{}, m, sol); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStageRender: the plan as JSON (-o json); the size of the
// document is reported as bytes/plan.
func BenchmarkStageRender(b *testing.B) {
	for _, n := range stageSizes {
		b.Run(stageName(n), func(b *testing.B) {
			sc, _ := stageFleet(b, n)
			m, sol := stageSolution(b, sc)
			p, err := describe(sc, newInputPrints(sc), &sc.Policy, &Edits{}, m, sol)
			if err != nil {
				b.Fatal(err)
			}
			var cw countWriter
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				cw = 0
				if err := EncodeJSON(&cw, p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cw), "bytes/plan")
		})
	}
}

// BenchmarkWholePath: every stage in a row, as `berth plan -f FILE
// --budget 0 -o json` runs them (minus reading the file and the process).
func BenchmarkWholePath(b *testing.B) {
	for _, n := range stageSizes {
		b.Run(stageName(n), func(b *testing.B) {
			_, data := stageFleet(b, n)
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				sc, err := inventory.ParseScenario("bench.yaml", data)
				if err != nil {
					b.Fatal(err)
				}
				pol := sc.Policy
				pol.Iterations, pol.Budget = 0, 0
				pl := New(sc)
				if err := pl.SetPolicy(pol); err != nil {
					b.Fatal(err)
				}
				p, err := pl.Plan()
				if err != nil {
					b.Fatal(err)
				}
				if err := EncodeJSON(io.Discard, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func stageSolution(b *testing.B, sc *inventory.Scenario) (*model, *placement.Solution) {
	b.Helper()
	m, err := buildModel(sc, &sc.Policy, &Edits{}, true)
	if err != nil {
		b.Fatal(err)
	}
	sol, err := placement.Solve(m.prob, placement.Options{Strategy: sc.Policy.Strategy, Seed: sc.Policy.Seed})
	if err != nil {
		b.Fatal(err)
	}
	return m, sol
}

// reportCPU starts counting the process's CPU time; the function it
// returns reports it per operation (cpu-ms/op): on a shared machine the
// wall time of a stage says more about the neighbours than about berth.
func reportCPU(b *testing.B) func() {
	start := processCPU()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(processCPU()-start)/float64(b.N)/1e6, "cpu-ms/op")
		}
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countWriter counts the bytes written to it.
type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}
