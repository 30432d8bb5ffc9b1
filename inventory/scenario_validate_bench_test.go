package inventory

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkValidate checks a whole fleet: H hosts in racks of 40, one
// running guest per host (so H running guests), and 100 demand entries of
// 1,000 guests each, a tenth with a rack selector. "shapes" hosts come in
// six models, as real fleets do; "distinct" hosts each have a shape of
// their own (the worst case for the offer index). Validation used to be
// O(hosts × running guests); docs/BENCHMARKS.md has the figures.
func BenchmarkValidate(b *testing.B) {
	for _, shapes := range []string{"shapes", "distinct"} {
		for _, hosts := range []int{1_000, 10_000} {
			b.Run(fmt.Sprintf("%s/hosts=%d/running=%d", shapes, hosts, hosts), func(b *testing.B) {
				s := benchFleet(hosts, shapes == "distinct")
				for b.Loop() {
					if err := s.Validate(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// benchFleet builds the fleet BenchmarkValidate checks (seeded: the same
// fleet every run).
func benchFleet(hosts int, distinct bool) *Scenario {
	rng := rand.New(rand.NewPCG(1, 2))
	s := &Scenario{APIVersion: APIVersion, Source: "bench", Policy: DefaultPolicy(), Profiles: BuiltInProfiles()}
	models := []Vector{
		{CPU: 32, Memory: 128 * qGi, IOPS: 20000, Net: 10e9},
		{CPU: 64, Memory: 256 * qGi, IOPS: 20000, Net: 25e9},
		{CPU: 48, Memory: 384 * qGi, IOPS: 100000, Net: 25e9},
		{CPU: 96, Memory: 512 * qGi, IOPS: 40000, Net: 25e9},
		{CPU: 16, Memory: 64 * qGi, IOPS: 10000, Net: 10e9},
		{CPU: 128, Memory: 1024 * qGi, IOPS: 50000, Net: 100e9},
	}
	profiles := s.Profiles
	for i := range hosts {
		c := models[rng.IntN(len(models))]
		if distinct {
			c = Vector{CPU: float64(16 + rng.IntN(113)), Memory: float64(64+rng.IntN(961)) * qGi,
				IOPS: float64(10+rng.IntN(91)) * 1000, Net: float64(10+rng.IntN(91)) * 1e9}
		}
		h := Host{Name: fmt.Sprintf("kvm%05d", i), Capacity: c, Reserved: Vector{CPU: 2, Memory: 8 * qGi},
			Labels: map[string]string{"rack": fmt.Sprintf("r%03d", i/40), "zone": fmt.Sprintf("z%d", i%3)}}
		p := profiles[rng.IntN(len(profiles))]
		h.Guests = []Guest{{Name: fmt.Sprintf("run%05d", i), Profile: p.Name, Allocation: p.Request.Scale(0.5)}}
		s.Hosts = append(s.Hosts, h)
	}
	for i := range 100 {
		d := Demand{Name: fmt.Sprintf("new%03d", i), Profile: profiles[i%len(profiles)].Name, Count: 1000}
		if i%10 == 0 {
			d.Selector = map[string]string{"rack": fmt.Sprintf("r%03d", i%(hosts/40))}
		}
		s.Demand = append(s.Demand, d)
	}
	return s
}
