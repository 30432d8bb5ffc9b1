package history

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/berth-dev/berth/inventory"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Method is how the quantiles are computed.
type Method string

const (
	// MethodSubquery reduces inside Prometheus: one instant query per
	// dimension, quantile_over_time over a subquery of the per-guest load
	// (the default; see query.go).
	MethodSubquery Method = "subquery"
	// MethodRange reads every step's rate per series with one range query
	// per metric name (no aggregation inside Prometheus) and sums per
	// guest and takes the quantiles in berth: the same figures, with
	// Prometheus spared the per-step sums, for more data on the wire
	// (docs/load-history.md, "Speed").
	MethodRange Method = "range"
)

// rangeExpr is the range query of one metric name: its rate per series
// at every step (counters) or its value (gauges), no aggregation.
func (c Config) rangeExpr(d inventory.Dimension, name string) string {
	m := c.Mapping.Metrics[d]
	sel := name + c.Mapping.matchers()
	if m.Counter {
		return fmt.Sprintf("rate(%s[%s])", sel, formatDuration(c.rateRange()))
	}
	return sel
}

// RangeQueries are the PromQL MethodRange runs for dimension d, one per
// metric name, each as a range query over the window's steps.
func (c Config) RangeQueries(d inventory.Dimension) []string {
	var out []string
	for _, n := range c.Mapping.Metrics[d].Names {
		out = append(out, c.rangeExpr(d, n))
	}
	return out
}

// steps is the range MethodRange reads: the step-aligned times in
// [end−window, end], as a subquery [window:step] evaluated at end has
// them (its first point is the first multiple of the step at or after
// end−window).
func (c Config) steps(end time.Time) v1.Range {
	stepMs := c.Step.Milliseconds()
	from := end.Add(-c.Window).UnixMilli()
	first := stepMs * (from / stepMs)
	if first < from {
		first += stepMs
	}
	return v1.Range{Start: time.UnixMilli(first), End: end, Step: c.Step}
}

// askRange runs one metric name's range query and sums its series per
// guest and step.
func (r *reader) askRange(ctx context.Context, q query) answer {
	a := answer{q: q}
	val, warn, _, err := r.api.QueryRange(ctx, q.promql, r.cfg.steps(r.end), v1.WithTimeout(r.cfg.Timeout))
	for _, w := range warn {
		a.warnings = append(a.warnings, fmt.Sprintf("%s: %s", q.dim, w))
	}
	if err != nil {
		a.err = r.fail(q, err)
		return a
	}
	mat, ok := val.(model.Matrix)
	if !ok {
		err := fmt.Errorf("expected a matrix, got a %s", typeOf(val))
		a.err = &Error{Kind: KindBadResponse, URL: r.source, Dimension: q.dim, Query: q.promql,
			Msg: err.Error() + ": is usage.url a Prometheus server?", Err: err}
		return a
	}
	a.steps = map[seriesKey]map[int64]float64{}
	for _, s := range mat {
		k := r.key(s.Metric)
		sums := a.steps[k]
		if sums == nil {
			sums = make(map[int64]float64, len(s.Values))
			a.steps[k] = sums
		}
		for _, p := range s.Values {
			sums[int64(p.Timestamp)] += float64(p.Value)
		}
	}
	return a
}

// reduceRange turns a dimension's per-name step sums into its table: a
// guest's load at a step is the sum over the names, where every name has
// a value (as the subquery's "+" has it); its quantile is taken over the
// steps of the window, and each series point over the steps of its slice
// (end−bucket, end].
func (r *reader) reduceRange(parts []map[seriesKey]map[int64]float64) *table {
	t := &table{quantile: map[seriesKey]float64{}}
	if r.cfg.SeriesPoints > 0 {
		t.series = map[seriesKey][]Point{}
	}
	for k, first := range parts[0] {
		steps := make([]int64, 0, len(first))
	next:
		for ts := range first {
			for _, p := range parts[1:] {
				if _, ok := p[k][ts]; !ok {
					continue next
				}
			}
			steps = append(steps, ts)
		}
		if len(steps) == 0 {
			continue
		}
		slices.Sort(steps)
		load := make([]float64, len(steps))
		for i, ts := range steps {
			for _, p := range parts {
				load[i] += p[k][ts]
			}
		}
		if v := quantileOf(r.cfg.Quantile, slices.Clone(load)); !math.IsNaN(v) {
			t.quantile[k] = v
		}
		if t.series != nil {
			t.series[k] = r.slices(steps, load)
		}
	}
	return t
}

// slices is the downsampled series of one guest's load: for each slice
// (T−Bucket, T], T = End − i·Bucket, the quantile of the steps in it.
func (r *reader) slices(steps []int64, load []float64) []Point {
	b := r.cfg.Bucket().Milliseconds()
	end := r.end.UnixMilli()
	var out []Point
	for i := r.cfg.SeriesPoints - 1; i >= 0; i-- {
		hi := end - int64(i)*b
		lo := hi - b
		from, _ := slices.BinarySearch(steps, lo+1)
		to, _ := slices.BinarySearch(steps, hi+1)
		if from >= to {
			continue
		}
		if v := quantileOf(r.cfg.Quantile, slices.Clone(load[from:to])); !math.IsNaN(v) {
			out = append(out, Point{T: time.UnixMilli(hi), V: v})
		}
	}
	return out
}

// quantileOf is PromQL's quantile (quantile_over_time): the φ-quantile
// of vs by linear interpolation between the closest ranks; vs is sorted
// in place. NaN for no values.
func quantileOf(q float64, vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	slices.Sort(vs)
	rank := q * float64(len(vs)-1)
	lo := math.Max(0, math.Floor(rank))
	hi := math.Min(float64(len(vs)-1), lo+1)
	w := rank - math.Floor(rank)
	return vs[int(lo)]*(1-w) + vs[int(hi)]*w
}

// methodOf is the config's method, the default for "".
func (c Config) methodOf() Method {
	if c.Method == "" {
		return MethodSubquery
	}
	return c.Method
}
