package planner_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/scenarios"
)

// BenchmarkPlan measures the whole of `berth plan` minus parsing: building
// the dense problem, solving, and describing the plan, on generated fleets.
func BenchmarkPlan(b *testing.B) {
	for _, size := range []struct{ hosts, guests int }{{100, 1_000}, {1_000, 10_000}, {10_000, 100_000}} {
		b.Run(fmt.Sprintf("hosts=%d/guests=%d", size.hosts, size.guests), func(b *testing.B) {
			sc := scenarios.Generate(scenarios.GenerateOptions{
				Hosts: size.hosts, ExistingPerHost: 3, NewGuests: size.guests, GroupSize: 3, Seed: 1,
			})
			b.ReportAllocs()
			for b.Loop() {
				if _, err := planner.New(sc).Plan(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReplanAfterPin is the TUI's edit loop: pin one guest elsewhere
// and re-plan, on 1,000 hosts and 10,000 new guests, a fleet that buys
// hosts so the improvement phase works: "preview" is the construction the
// explorer shows first (Preview), "plan" the preview and then the improved
// plan (Plan after Preview, as the explorer runs them).
func BenchmarkReplanAfterPin(b *testing.B) {
	for _, full := range []bool{false, true} {
		name := "preview"
		if full {
			name = "plan"
		}
		b.Run(name, func(b *testing.B) {
			sc := scenarios.Generate(scenarios.GenerateOptions{Hosts: 1_000, ExistingPerHost: 3, NewGuests: 10_000, GroupSize: 3, Seed: 1})
			pl := planner.New(sc)
			p, err := pl.Plan()
			if err != nil {
				b.Fatal(err)
			}
			var guest, hosts []string
			for _, a := range p.Actions {
				if a.Op == planner.OpCreate {
					guest = append(guest, a.Guest)
				}
			}
			for _, h := range p.Hosts {
				hosts = append(hosts, h.Name)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				pl.Pin(guest[i%len(guest)], hosts[(i*7)%len(hosts)])
				if _, err := pl.Preview(); err != nil {
					b.Fatal(err)
				}
				if full {
					if _, err := pl.Plan(); err != nil {
						b.Fatal(err)
					}
				}
				i++
			}
		})
	}
}

// BenchmarkRenderTable: printing the plan of a 1,000-host fleet.
func BenchmarkRenderTable(b *testing.B) {
	sc := scenarios.Generate(scenarios.GenerateOptions{Hosts: 1_000, ExistingPerHost: 3, NewGuests: 10_000, GroupSize: 3, Seed: 1})
	p, err := planner.New(sc).Plan()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := planner.RenderTable(io.Discard, p); err != nil {
			b.Fatal(err)
		}
	}
}
