package bench

import (
	"errors"
	"fmt"
	"strings"
)

// VBPResult is one instance packed: one JSON line of `berth bench vbp`.
type VBPResult struct {
	Instance   string  `json:"instance"`
	Class      string  `json:"class,omitempty"`
	Dims       int     `json:"dims"`
	Items      int     `json:"items"`
	Hosts      int     `json:"hosts"`
	LowerBound int     `json:"lower_bound"`
	Seconds    float64 `json:"seconds"`
	Strategy   string  `json:"strategy"`
	Valid      bool    `json:"valid"`
	// From the set's optima.csv, when one is found above the file.
	BestKnown   int    `json:"best_known,omitempty"`
	Optimal     bool   `json:"optimal,omitempty"`
	PublishedLB int    `json:"published_lb,omitempty"`
	Error       string `json:"error,omitempty"`
}

// VBPSummary totals a run of RunVBP over the instances that could be
// packed (those with an Error are counted apart).
type VBPSummary struct {
	Strategy string
	// Instances packed, and how many of their solutions passed the checker.
	Instances, Valid int
	// sumLB, sumOpt and sumSec add up hosts/lower bound, hosts/optimum and
	// seconds; withOpt counts instances with a proven optimum, atOpt those
	// packed into that many hosts or fewer.
	sumLB, sumOpt, sumSec float64
	withOpt, atOpt        int
	// firstErr is the first instance that could not be packed.
	firstErr error
}

// add counts one result.
func (s *VBPSummary) add(r *VBPResult) {
	if r.Error != "" {
		if s.firstErr == nil {
			s.firstErr = errors.New(r.Error)
		}
		return
	}
	s.Instances++
	s.sumSec += r.Seconds
	if r.Valid {
		s.Valid++
	}
	if r.LowerBound > 0 {
		s.sumLB += float64(r.Hosts) / float64(r.LowerBound)
	}
	if r.Optimal && r.BestKnown > 0 {
		s.withOpt++
		s.sumOpt += float64(r.Hosts) / float64(r.BestKnown)
		if r.Hosts <= r.BestKnown {
			s.atOpt++
		}
	}
}

// String is the summary line: "strategy align: 10 instances, 10 valid,
// mean hosts/LB 1.0123, mean hosts/optimum 1.0040 over 10, 90.0% at the
// optimum, mean 0.512 s" (the optimum part only when optima are known).
func (s *VBPSummary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "strategy %s: %d instances, %d valid, mean hosts/LB %.4f", s.Strategy, s.Instances, s.Valid, safeDiv(s.sumLB, s.Instances))
	if s.withOpt > 0 {
		fmt.Fprintf(&b, ", mean hosts/optimum %.4f over %d, %.1f%% at the optimum", s.sumOpt/float64(s.withOpt), s.withOpt, 100*float64(s.atOpt)/float64(s.withOpt))
	}
	fmt.Fprintf(&b, ", mean %.3f s", safeDiv(s.sumSec, s.Instances))
	return b.String()
}

// Err says why the run failed: the first instance that could not be
// packed, else solutions the checker refused; nil when every instance was
// packed validly.
func (s *VBPSummary) Err() error {
	if s.firstErr != nil {
		return s.firstErr
	}
	if s.Valid < s.Instances {
		return fmt.Errorf("%d of %d solutions failed the checker", s.Instances-s.Valid, s.Instances)
	}
	return nil
}

func safeDiv(x float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return x / float64(n)
}
