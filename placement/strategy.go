package placement

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// hostView is what a strategy sees of one host when scoring one guest. The
// slices alias the solver's flat arrays: a strategy reads, never writes.
type hostView struct {
	Demand  []float64 // the guest's demand, len D
	Used    []float64 // the host's load before placing, len D
	Offered []float64 // what the host offers, len D
	InUse   bool      // the host carries at least one guest already
	// Stacked is how many guests of the guest's appetite the host carries
	// already (0 when the guest has none).
	Stacked   int
	Penalty   float64 // Policy.SameAppetite.Penalty
	Objective Objective
	// Weight is each dimension's scarcity over the whole fleet (len D,
	// 0..1, 1 for the scarcest; see scarcity), which align weighs its
	// terms by.
	Weight []float64
}

// A strategy scores one feasible host for one guest: higher Total is better.
// It is only ever shown hosts that pass every hard rule.
type strategy struct {
	score func(v *hostView) Terms
	// first: take the first feasible host in index order, not the best.
	first bool
}

// strategies maps Options.Strategy to its scorer; one file each.
var strategies = map[string]strategy{
	"align":    {score: scoreAlign},
	"firstfit": {score: scoreFirstFit, first: true},
	"bestfit":  {score: scoreBestFit},
	"spread":   {score: scoreSpread},
	"nomad":    {score: scoreNomad},
	"kube":     {score: scoreKube},
}

// DefaultStrategy is the strategy used when Options.Strategy is empty.
const DefaultStrategy = "align"

// Strategies lists the construction strategies by name, sorted.
func Strategies() []string {
	names := make([]string, 0, len(strategies))
	for n := range strategies {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func lookupStrategy(name string) (strategy, string, error) {
	if name == "" {
		name = DefaultStrategy
	}
	s, ok := strategies[name]
	if !ok {
		return strategy{}, name, fmt.Errorf("placement: unknown strategy %q (known: %s)", name, strings.Join(Strategies(), ", "))
	}
	return s, name, nil
}

// frac is x/c, the share of an offer, with a dimension nobody offers
// counted as 0.
func frac(x, c float64) float64 {
	if c <= 0 {
		return 0
	}
	return x / c
}

// fillAfter is the host's mean utilisation after placing: the mean over
// dimensions of (used+demand)/offered, 0..1 for a feasible placement.
// Dimensions the host does not offer are left out of the mean.
func fillAfter(v *hostView) float64 {
	s, n := 0.0, 0
	for k, c := range v.Offered {
		if c > 0 {
			s += (v.Used[k] + v.Demand[k]) / c
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return s / float64(n)
}

// leftoverAfter is the normalised free share of dimension k after placing,
// clamped to 0..1.
func leftoverAfter(v *hostView, k int) float64 {
	c := v.Offered[k]
	if c <= 0 {
		return 0
	}
	return min(1, max(0, (c-v.Used[k]-v.Demand[k])/c))
}

// strandedAfter is the leftover imbalance after placing: the largest
// normalised free share of any dimension minus the smallest, 0..1. A host
// left with 60% of its memory free but 5% of its CPU strands 0.55 of a host of
// memory: nothing CPU-hungry can use it (Verma et al., "Large-scale cluster
// management at Google with Borg", EuroSys 2015, §5.5 calls such resources
// stranded).
//
// Example: offered (32 cpu, 128 GiB), used (24, 32), demand (6, 8): leftover
// shares (32−30)/32 = 0.0625 and (128−40)/128 = 0.6875, stranded
// 0.6875 − 0.0625 = 0.625.
func strandedAfter(v *hostView) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, c := range v.Offered {
		if c <= 0 {
			continue
		}
		l := leftoverAfter(v, k)
		lo, hi = min(lo, l), max(hi, l)
	}
	if hi < lo {
		return 0
	}
	return hi - lo
}

// appetiteCost is the soft same-appetite cost of placing here: Penalty for
// every guest of the same appetite already on the host.
func appetiteCost(v *hostView) float64 { return v.Penalty * float64(v.Stacked) }
