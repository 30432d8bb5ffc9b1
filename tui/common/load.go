package common

import (
	"math"

	"github.com/berth-dev/berth/inventory"
)

// Load is the load history behind the guests' observed use (berth explore
// with --usage): per guest and dimension, the same quantile as the
// observed use over successive slices of the window, oldest first, for
// the sparklines of the host and guest screens. A slice without data is
// NaN.
type Load struct {
	// Label says what the points are: "p95 over 7d".
	Label string
	// Guests maps a guest's name to its series.
	Guests map[string]LoadSeries
}

// LoadSeries is one guest's series per dimension (nil: no history in it).
type LoadSeries [inventory.NumDims][]float64

// Guest is the named guest's series (ok false: none).
func (l *Load) Guest(name string) (s LoadSeries, ok bool) {
	if l == nil {
		return s, false
	}
	s, ok = l.Guests[name]
	return s, ok
}

// Sum adds the named guests' series point by point, per dimension: the
// load of a host's guests (a sum of per-slice quantiles, which bounds the
// quantile of the sum from above). Series are aligned at their ends; a
// point is NaN where no guest has data. ok is false when none of the
// guests has history.
func (l *Load) Sum(names []string) (sum LoadSeries, ok bool) {
	for _, n := range names {
		s, has := l.Guest(n)
		if !has {
			continue
		}
		for d, pts := range s {
			if len(pts) == 0 {
				continue
			}
			ok = true
			if len(sum[d]) < len(pts) {
				grown := make([]float64, len(pts))
				for i := range grown {
					grown[i] = math.NaN()
				}
				copy(grown[len(pts)-len(sum[d]):], sum[d])
				sum[d] = grown
			}
			off := len(sum[d]) - len(pts)
			for i, v := range pts {
				if math.IsNaN(v) {
					continue
				}
				if math.IsNaN(sum[d][off+i]) {
					sum[d][off+i] = 0
				}
				sum[d][off+i] += v
			}
		}
	}
	return sum, ok
}
