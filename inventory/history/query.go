package history

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/inventory"
)

// Why a subquery, reduced inside Prometheus.
//
// The quantile of a guest's load over a week at a 5-minute step is taken
// over 2,016 points per guest. There are two ways to get it:
//
//  1. An instant query with a subquery,
//     quantile_over_time(0.95, (LOAD)[7d:5m]): Prometheus computes the
//     2,016 points and reduces them itself; the answer is one number per
//     guest (for 1,000 guests, ~100 KB of JSON).
//  2. A range query of LOAD from end−7d to end at step 5m, reduced here:
//     the answer is every point, 2,016 per guest (for 1,000 guests, 2 M
//     points, ~60 MB of JSON per dimension, most of the time spent
//     encoding and decoding it).
//
// The work inside Prometheus is the same for both (the subquery is a range
// evaluation); the first moves a thousandth of the data, so it is the one
// used (docs/load-history.md has the measured times of both). The
// downsampled series for sparklines are a range query of the same
// quantile over slices of the window (SeriesPoints points), which costs
// about as much as the quantile itself and moves little.
//
// LOAD is one series per guest: for a counter, rate() per series summed by
// the guest's labels (all disks, all interfaces); for several metric
// names (reads and writes), one sum per name added together. A regex on
// __name__ would be shorter but fails: rate() drops the name, and the
// reads and writes of one disk then have the same labels ("vector cannot
// contain metrics with the same labelset"). Summing by uuid and name, not
// by instance, keeps a guest's history whole across live migrations
// between hosts.

// loadExpr is the PromQL of dimension d's load per guest and step, before
// the metric's scale (applied to the answers, which a quantile commutes
// with).
//
//	sum by (uuid, domain) (rate(a{job="libvirt"}[5m])) + sum by (uuid, domain) (rate(b{job="libvirt"}[5m]))
func (c Config) loadExpr(d inventory.Dimension) string {
	m := c.Mapping.Metrics[d]
	by := strings.Join(c.Mapping.groupLabels(), ", ")
	matchers := c.Mapping.matchers()
	terms := make([]string, len(m.Names))
	for i, name := range m.Names {
		sel := name + matchers
		if m.Counter {
			sel = fmt.Sprintf("rate(%s[%s])", sel, formatDuration(c.rateRange()))
		}
		terms[i] = fmt.Sprintf("sum by (%s) (%s)", by, sel)
	}
	return strings.Join(terms, " + ")
}

// quantileQuery is dimension d's instant query: the quantile of the load
// over span at the config's step, one sample per guest.
//
//	quantile_over_time(0.95, (LOAD)[1w:5m])
func (c Config) quantileQuery(d inventory.Dimension, span time.Duration) string {
	m := c.Mapping.Metrics[d]
	if m.PerGuest && !m.Recorded && len(m.Names) == 1 {
		// max by (uuid, domain) (quantile_over_time(0.95, rate(a[5m])[1w:5m]))
		return fmt.Sprintf("max by (%s) (quantile_over_time(%s, %s[%s:%s]))", strings.Join(c.Mapping.groupLabels(), ", "),
			strconv.FormatFloat(c.Quantile, 'g', -1, 64), c.selector(m, m.Names[0]), formatDuration(span), formatDuration(c.Step))
	}
	if m.Recorded {
		// quantile_over_time(0.95, guest:berth_cpu_cores:rate5m[1w])
		return fmt.Sprintf("quantile_over_time(%s, %s%s[%s])",
			strconv.FormatFloat(c.Quantile, 'g', -1, 64), m.Names[0], c.Mapping.matchers(), formatDuration(span))
	}
	return fmt.Sprintf("quantile_over_time(%s, (%s)[%s:%s])",
		strconv.FormatFloat(c.Quantile, 'g', -1, 64), c.subqueryExpr(d), formatDuration(span), formatDuration(c.Step))
}

// subqueryExpr is the load the quantile is taken over: loadExpr, or its
// cheaper equivalent for Paired metrics:
//
//	sum by (uuid, domain) (rate(a[5m]) + rate(b[5m]))
func (c Config) subqueryExpr(d inventory.Dimension) string {
	m := c.Mapping.Metrics[d]
	if !m.Paired || len(m.Names) < 2 {
		return c.loadExpr(d)
	}
	terms := make([]string, len(m.Names))
	for i, name := range m.Names {
		terms[i] = c.selector(m, name)
	}
	return fmt.Sprintf("sum by (%s) (%s)", strings.Join(c.Mapping.groupLabels(), ", "), strings.Join(terms, " + "))
}

// selector is one name's series: rate() for a counter.
func (c Config) selector(m Metric, name string) string {
	sel := name + c.Mapping.matchers()
	if m.Counter {
		sel = fmt.Sprintf("rate(%s[%s])", sel, formatDuration(c.rateRange()))
	}
	return sel
}

// QuantileQuery is the PromQL Read runs for dimension d (before the
// metric's scale), for checking its figures by hand.
func (c Config) QuantileQuery(d inventory.Dimension) string { return c.quantileQuery(d, c.Window) }

// SeriesQuery is the PromQL Read runs as a range query for dimension d's
// downsampled series (from End−Window+Bucket to End, every Bucket).
func (c Config) SeriesQuery(d inventory.Dimension) string { return c.quantileQuery(d, c.Bucket()) }

// Bucket is the slice of the window one point of the downsampled series
// covers: Window / SeriesPoints, rounded down to a multiple of Step (so
// that every slice holds the same number of steps).
func (c Config) Bucket() time.Duration {
	if c.SeriesPoints <= 0 || c.Step <= 0 {
		return 0
	}
	b := c.Window / time.Duration(c.SeriesPoints)
	return max(b-b%c.Step, c.Step)
}

// groupLabels are the labels a guest's series are summed by.
func (m Mapping) groupLabels() []string {
	var out []string
	for _, l := range []string{m.UUIDLabel, m.NameLabel} {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// matchers is the selector's label matchers ({job="libvirt"}), sorted by
// label so that the query text is stable; "" when there are none.
func (m Mapping) matchers() string {
	if len(m.Match) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m.Match))
	for k := range m.Match {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.Quote(m.Match[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
