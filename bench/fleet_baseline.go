package bench

import (
	"math"

	"github.com/berth-dev/berth/placement"
	"github.com/berth-dev/berth/scenarios/fleetgen"
)

// Online baselines for `berth bench fleet`: the peers' scorers as their
// schedulers run them, one guest at a time in arrival order, on the
// fleet's own rules (capacity in every dimension, replicas apart by host
// or rack). Each guest goes to the best-scoring host in use that takes it;
// only when none does is the first empty host that takes it opened. They
// read the fleet, not package placement's solver, so berth is compared
// with an independent implementation.
var fleetBaselines = map[string]scoreFunc64{
	"kube-online":  kubeMostAllocated64,
	"nomad-online": nomadScore64,
}

// scoreFunc64 rates a host by its load after placing; higher is better.
type scoreFunc64 func(after []float64) float64

// kubeMostAllocated64 is kube-scheduler's MostAllocated score on every
// dimension, equal weights: the mean of used/capacity·100 after placing.
func kubeMostAllocated64(after []float64) float64 {
	s := 0.0
	for k, u := range after {
		s += u * 100 / fleetgen.HostOffer[k]
	}
	return s / float64(len(after))
}

// nomadScore64 is Nomad's ScoreFitBinPack generalised to every dimension:
// 20 − Σ_k 10^{free_k}, free_k the share left free after placing.
func nomadScore64(after []float64) float64 {
	t := 0.0
	for k, u := range after {
		t += math.Pow(10, 1-u/fleetgen.HostOffer[k])
	}
	return 20 - t
}

// onlineFleet places f's guests in arrival order by score and returns
// each guest's host (placement.NoHost when no host takes it).
func onlineFleet(f *fleetgen.Fleet, score scoreFunc64) []int32 {
	const d = fleetgen.D
	load := make([]float64, f.Hosts*d)
	// members[group] lists the hosts (or racks) its members hold.
	members := make([][]int, len(f.Groups))
	domain := func(grp int32, h int) int {
		if f.Groups[grp].Scope == placement.ScopeRack {
			return h / fleetgen.RackSize
		}
		return h
	}
	var open []int
	isOpen := make([]bool, f.Hosts)
	next := 0 // hosts below next are all open
	after := make([]float64, d)
	fits := func(g *fleetgen.Guest, h int) bool {
		for k := range d {
			if load[h*d+k]+g.Demand[k] > fleetgen.HostOffer[k]*(1+1e-9) {
				return false
			}
		}
		if g.Group >= 0 {
			for _, x := range members[g.Group] {
				if x == domain(g.Group, h) {
					return false
				}
			}
		}
		return true
	}
	out := make([]int32, len(f.Guests))
	for i := range f.Guests {
		g := &f.Guests[i]
		best, bestScore := -1, math.Inf(-1)
		for _, h := range open {
			if !fits(g, h) {
				continue
			}
			for k := range d {
				after[k] = load[h*d+k] + g.Demand[k]
			}
			if s := score(after); s > bestScore {
				best, bestScore = h, s
			}
		}
		if best < 0 {
			for h := next; h < f.Hosts; h++ {
				if !isOpen[h] && fits(g, h) {
					best = h
					break
				}
			}
			if best < 0 {
				out[i] = placement.NoHost
				continue
			}
			// A host skipped for a rack rule stays empty, to be opened
			// by a later guest.
			isOpen[best] = true
			for next < f.Hosts && isOpen[next] {
				next++
			}
			open = append(open, best)
		}
		for k := range d {
			load[best*d+k] += g.Demand[k]
		}
		if g.Group >= 0 {
			members[g.Group] = append(members[g.Group], domain(g.Group, best))
		}
		out[i] = int32(best)
	}
	return out
}
