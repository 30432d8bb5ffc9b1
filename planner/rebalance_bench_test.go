package planner_test

import (
	"fmt"
	"testing"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/scenarios"
)

// BenchmarkRebalance measures `berth rebalance`, `drain` and `waves` minus
// parsing — the move problem built from the model, the engine, and the
// plan described with its moves — on generated fleets of 8 running
// guests per host (the size issue 14 sets a 5 s target for at 1,000
// hosts).
func BenchmarkRebalance(b *testing.B) {
	type job struct {
		name string
		run  func(*planner.Planner) (*planner.Plan, error)
	}
	jobs := []job{
		{"consolidate", func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Rebalance(planner.GoalConsolidate, planner.MoveOptions{})
		}},
		{"balance", func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Rebalance(planner.GoalBalance, planner.MoveOptions{})
		}},
		{"drain", func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Drain([]string{"kvm00001", "kvm00002"}, planner.MoveOptions{})
		}},
		{"waves", func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Waves(planner.MoveOptions{MaxHostsPerWave: 20})
		}},
	}
	for _, hosts := range []int{100, 1_000} {
		sc := scenarios.Generate(scenarios.GenerateOptions{Hosts: hosts, ExistingPerHost: 8, Seed: 1})
		for _, j := range jobs {
			b.Run(fmt.Sprintf("%s/hosts=%d", j.name, hosts), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := j.run(planner.New(sc)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
