package bench

import (
	"time"

	"github.com/berth-dev/berth/placement"
	"github.com/berth-dev/berth/vbp"
)

// solve runs one strategy on one instance and returns each item's bin.
// Baselines (ff, ffd, nomad-online, kube-online) are berth's own
// re-implementations in baseline.go; every other name is a strategy
// of placement.Solve. When opt asks for an improvement phase, a baseline's
// result is handed to placement.Improve as its starting point.
func solve(inst *vbp.Instance, p *placement.Problem, strategy string, opt placement.Options) ([]int, error) {
	if f, ok := baselines[strategy]; ok {
		start := time.Now()
		bins := f(inst)
		if opt.Deadline > 0 {
			opt.Deadline = max(opt.Deadline-time.Since(start), time.Nanosecond)
		}
		if opt.Iterations <= 0 && opt.Deadline <= 0 {
			return bins, nil
		}
		s := binsToSolution(bins)
		s = placement.Improve(p, s, opt)
		return solutionToBins(p, s), nil
	}
	// Construction first, then the improvement phase with what is left of
	// the budget, so that --budget bounds the whole run.
	start := time.Now()
	opt.Strategy = strategy
	cons := opt
	cons.Iterations, cons.Deadline = 0, 0
	s, err := placement.Solve(p, cons)
	if err != nil {
		return nil, err
	}
	if opt.Deadline > 0 {
		opt.Deadline -= time.Since(start)
		if opt.Deadline <= 0 {
			opt.Deadline = time.Nanosecond
		}
	}
	if opt.Iterations > 0 || opt.Deadline > 0 {
		s = placement.Improve(p, s, opt)
	}
	return solutionToBins(p, s), nil
}

func binsToSolution(bins []int) *placement.Solution {
	s := &placement.Solution{Host: make([]int32, len(bins))}
	nb := 0
	for i, b := range bins {
		s.Host[i] = int32(b)
		nb = max(nb, b+1)
	}
	s.NewHosts = make([]int32, nb)
	return s
}

// solutionToBins maps a solution of a vbp problem (no existing hosts) back
// to bins; an unplaced item gets bin -1.
func solutionToBins(p *placement.Problem, s *placement.Solution) []int {
	bins := make([]int, len(s.Host))
	for i, x := range s.Host {
		bins[i] = int(x) - p.H()
		if x == placement.NoHost {
			bins[i] = -1
		}
	}
	return bins
}
