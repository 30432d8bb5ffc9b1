package bench

import (
	"math"
	"slices"

	"github.com/berth-dev/berth/vbp"
)

// Baselines for `berth bench vbp`, written on the instance's integers and
// independent of package placement, so that berth's own strategies are
// compared with the textbook heuristics and with the peers' online scorers
// as those peers would run them: one item at a time, in arrival order.
//
// Each returns the bin of every item (0-based), opening a new bin only when
// the item fits in none that is open.

type baselineFunc func(inst *vbp.Instance) []int

var baselines = map[string]baselineFunc{
	// first fit, items in file order
	"ff": func(inst *vbp.Instance) []int { return onlinePack(inst, identity(len(inst.Items)), firstFitScore) },
	// first-fit decreasing by the sum of normalised sizes (FFD-L1 in
	// Mommessin et al. 2025)
	"ffd": func(inst *vbp.Instance) []int { return onlinePack(inst, byDecreasingL1(inst), firstFitScore) },
	// Nomad's bin-pack score, online in file order
	"nomad-online": func(inst *vbp.Instance) []int { return onlinePack(inst, identity(len(inst.Items)), nomadScore) },
	// kube-scheduler's MostAllocated score, online in file order
	"kube-online": func(inst *vbp.Instance) []int { return onlinePack(inst, identity(len(inst.Items)), kubeMostAllocated) },
}

func identity(n int) []int {
	o := make([]int, n)
	for i := range o {
		o[i] = i
	}
	return o
}

func byDecreasingL1(inst *vbp.Instance) []int {
	key := make([]float64, len(inst.Items))
	for i, it := range inst.Items {
		for k, w := range it {
			key[i] += float64(w) / float64(inst.Capacity[k])
		}
	}
	o := identity(len(inst.Items))
	slices.SortStableFunc(o, func(a, b int) int {
		switch {
		case key[a] > key[b]:
			return -1
		case key[a] < key[b]:
			return 1
		}
		return 0
	})
	return o
}

// scoreFunc rates putting an item on a bin given the bin's load after
// placing it; higher is better. ok=false would be a refusal; bins are
// checked for room before scoring.
type scoreFunc func(after []int64, capacity []int64, bin int) float64

// firstFitScore prefers the lowest bin index.
func firstFitScore(_ []int64, _ []int64, bin int) float64 { return -float64(bin) }

// nomadScore is Nomad's ScoreFitBinPack (scheduler/rank.go, after Google's
// best-fit), generalised from {CPU, memory} to d dimensions:
// 20 − Σ_k 10^{free_k} with free_k the fraction left free after placing,
// so a fuller bin scores higher (range 20−d·10 .. 20−d).
func nomadScore(after, capacity []int64, _ int) float64 {
	total := 0.0
	for k, u := range after {
		free := 1 - float64(u)/float64(capacity[k])
		total += math.Pow(10, free)
	}
	return 20 - total
}

// kubeMostAllocated is kube-scheduler's MostAllocated score
// (noderesources/most_allocated.go): the mean over resources of
// requested/capacity·100 after placing, equal weights.
func kubeMostAllocated(after, capacity []int64, _ int) float64 {
	s := 0.0
	for k, u := range after {
		s += float64(u) * 100 / float64(capacity[k])
	}
	return s / float64(len(after))
}

func onlinePack(inst *vbp.Instance, order []int, score scoreFunc) []int {
	d := inst.Dims
	bin := make([]int, len(inst.Items))
	var load []int64 // nb*d
	after := make([]int64, d)
	nb := 0
	for _, i := range order {
		it := inst.Items[i]
		best, bestScore := -1, math.Inf(-1)
		for b := range nb {
			fits := true
			for k := range d {
				after[k] = load[b*d+k] + it[k]
				if after[k] > inst.Capacity[k] {
					fits = false
					break
				}
			}
			if !fits {
				continue
			}
			if s := score(after, inst.Capacity, b); s > bestScore {
				best, bestScore = b, s
			}
		}
		if best < 0 {
			best = nb
			nb++
			load = append(load, make([]int64, d)...)
		}
		for k := range d {
			load[best*d+k] += it[k]
		}
		bin[i] = best
	}
	return bin
}
