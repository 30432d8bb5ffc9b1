package history

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// maxConcurrentQueries bounds the queries in flight at once, so that a
// read does not take a shared Prometheus's every query slot (20 by
// default): the quantiles of the four dimensions go together, then the
// series.
const maxConcurrentQueries = 4

// Read reads the load history of guests from the Prometheus at cfg.URL:
// per guest and dimension, cfg.Quantile of the load over cfg.Window ending
// at cfg.End, and the downsampled series when cfg.SeriesPoints > 0. One
// query per dimension (and one more for its series) covers every guest.
//
// The error is a plain error for a config that does not validate (the
// Usage is then nil), and a *ReadError when some queries got no answer
// (Prometheus down, slow past cfg.Timeout, refusing the query): the Usage
// then holds what the other queries gave, and guests with nothing at all
// are in Usage.Missing. Guests Prometheus has no series for are not an
// error: they are in Usage.Missing too, with the reason. Nothing outlives
// cfg.Timeout.
func Read(ctx context.Context, cfg Config, guests []GuestRef) (*Usage, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	client, err := api.NewClient(api.Config{Address: cfg.URL})
	if err != nil {
		return nil, fmt.Errorf("usage.url: %v", err)
	}
	u := &Usage{
		Source:   redact(cfg.URL),
		Quantile: cfg.Quantile,
		Window:   cfg.Window,
		Step:     cfg.Step,
		End:      cfg.End,
		ReadAt:   time.Now(),
	}
	if u.End.IsZero() {
		u.End = u.ReadAt
	}
	if len(guests) == 0 {
		return u, nil // nothing to ask
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	r := reader{cfg: cfg, api: v1.NewAPI(client), end: u.End, source: u.Source}
	answers := r.run(ctx)

	var tables [inventory.NumDims]*table
	var scale [inventory.NumDims]float64
	var failed []*Error
	var parts [inventory.NumDims][]map[seriesKey]map[int64]float64
	var partFailed [inventory.NumDims]bool
	for _, a := range answers {
		u.Warnings = append(u.Warnings, a.warnings...)
		if a.err != nil {
			failed = append(failed, a.err)
			partFailed[a.q.dim] = partFailed[a.q.dim] || a.q.ranged
			continue
		}
		d := a.q.dim
		if a.q.ranged {
			parts[d] = append(parts[d], a.steps)
			continue
		}
		if !a.q.series {
			tables[d] = &table{quantile: a.quantile}
			u.Read[d] = true
			u.Occupancy[d] = cfg.Mapping.Metrics[d].Occupancy
			scale[d] = cfg.Mapping.Metrics[d].scale()
		} else if tables[d] != nil {
			tables[d].series = a.series
		}
	}
	for d := range parts {
		if len(parts[d]) == 0 || partFailed[d] {
			continue
		}
		tables[d] = r.reduceRange(parts[d])
		u.Read[d] = true
		u.Occupancy[d] = cfg.Mapping.Metrics[d].Occupancy
		scale[d] = cfg.Mapping.Metrics[d].scale()
	}
	u.Guests, u.Missing = assemble(guests, tables, scale)
	u.Elapsed = time.Since(u.ReadAt)
	if len(failed) > 0 {
		return u, &ReadError{Failed: failed, Queries: len(answers)}
	}
	return u, nil
}

// assemble matches every guest to its series, in the order given.
func assemble(guests []GuestRef, tables [inventory.NumDims]*table, scale [inventory.NumDims]float64) ([]GuestUsage, []Missing) {
	answered := false
	for _, t := range tables {
		answered = answered || t != nil
	}
	ix := newIndex(tables[:])
	out := make([]GuestUsage, len(guests))
	var missing []Missing
	for i, g := range guests {
		if !answered {
			out[i] = GuestUsage{Guest: g}
			missing = append(missing, Missing{Guest: g, Reason: MissUnanswered})
			continue
		}
		gu, miss := guestUsage(g, ix, tables, scale)
		out[i] = gu
		if miss != nil {
			missing = append(missing, *miss)
		} else if !anyTrue(gu.Has) {
			missing = append(missing, Missing{Guest: g, Reason: MissNoSeries})
		}
	}
	return out, missing
}

func anyTrue(b [inventory.NumDims]bool) bool {
	for _, x := range b {
		if x {
			return true
		}
	}
	return false
}

// reader runs one read's queries.
type reader struct {
	cfg    Config
	api    v1.API
	end    time.Time
	source string
}

// query is one query of a read: a dimension's quantile or its series,
// or (MethodRange) one metric name's load at every step.
type query struct {
	dim    inventory.Dimension
	series bool
	promql string
	// ranged is a MethodRange query: part of dim's figures, with the
	// dimension's other names.
	ranged bool
}

// answer is what one query gave.
type answer struct {
	q        query
	quantile map[seriesKey]float64
	series   map[seriesKey][]Point
	warnings []string
	err      *Error
	// steps are a ranged query's loads per guest and step (ms).
	steps map[seriesKey]map[int64]float64
}

// queries lists the read's queries: the quantiles first (they matter
// most), then the series, each in dimension order.
func (r *reader) queries() []query {
	var qs []query
	ranged := r.cfg.methodOf() == MethodRange
	for _, series := range []bool{false, true} {
		if series && r.cfg.SeriesPoints <= 0 {
			continue
		}
		for _, d := range inventory.Dimensions {
			m := r.cfg.Mapping.Metrics[d]
			if len(m.Names) == 0 {
				continue
			}
			if ranged && !m.Recorded {
				// One range query per name; the series come from the
				// same data.
				if !series {
					for _, promql := range r.cfg.RangeQueries(d) {
						qs = append(qs, query{dim: d, promql: promql, ranged: true})
					}
				}
				continue
			}
			q := query{dim: d, series: series, promql: r.cfg.QuantileQuery(d)}
			if series {
				q.promql = r.cfg.SeriesQuery(d)
			}
			qs = append(qs, q)
		}
	}
	return qs
}

// run sends every query, maxConcurrentQueries at a time, and returns the
// answers in query order.
func (r *reader) run(ctx context.Context) []answer {
	qs := r.queries()
	answers := make([]answer, len(qs))
	slots := make(chan struct{}, maxConcurrentQueries)
	var wg sync.WaitGroup
	for i, q := range qs {
		// Slots are taken here, in query order, so the quantiles go first.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			answers[i] = answer{q: q, err: r.fail(q, ctx.Err())}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if q.ranged {
				answers[i] = r.askRange(ctx, q)
			} else {
				answers[i] = r.ask(ctx, q)
			}
		}()
	}
	wg.Wait()
	return answers
}

// ask sends one query and reads its answer.
func (r *reader) ask(ctx context.Context, q query) answer {
	a := answer{q: q}
	opt := v1.WithTimeout(r.cfg.Timeout)
	var val model.Value
	var warn v1.Warnings
	var err error
	if q.series {
		b := r.cfg.Bucket()
		rng := v1.Range{Start: r.end.Add(-time.Duration(r.cfg.SeriesPoints-1) * b), End: r.end, Step: b}
		val, warn, _, err = r.api.QueryRange(ctx, q.promql, rng, opt)
	} else {
		val, warn, _, err = r.api.Query(ctx, q.promql, r.end, opt)
	}
	for _, w := range warn {
		a.warnings = append(a.warnings, fmt.Sprintf("%s: %s", q.dim, w))
	}
	if err != nil {
		a.err = r.fail(q, err)
		return a
	}
	if q.series {
		a.series, err = r.seriesOf(val)
	} else {
		a.quantile, err = r.quantilesOf(val)
	}
	if err != nil {
		a.err = &Error{Kind: KindBadResponse, URL: r.source, Dimension: q.dim, Series: q.series, Query: q.promql,
			Msg: err.Error() + ": is usage.url a Prometheus server?", Err: err}
	}
	return a
}

func (r *reader) fail(q query, err error) *Error {
	kind, msg := queryError(err, r.cfg.Timeout)
	return &Error{Kind: kind, URL: r.source, Dimension: q.dim, Series: q.series, Query: q.promql, Msg: msg, Err: err}
}

func (r *reader) key(m model.Metric) seriesKey {
	return seriesKey{
		uuid: strings.ToLower(string(m[model.LabelName(r.cfg.Mapping.UUIDLabel)])),
		name: string(m[model.LabelName(r.cfg.Mapping.NameLabel)]),
	}
}

// quantilesOf reads an instant query's vector. A NaN or infinite figure
// (a gauge that reported one) is left out: the guest has no figure.
func (r *reader) quantilesOf(val model.Value) (map[seriesKey]float64, error) {
	vec, ok := val.(model.Vector)
	if !ok {
		return nil, fmt.Errorf("expected a vector, got a %s", typeOf(val))
	}
	out := make(map[seriesKey]float64, len(vec))
	for _, s := range vec {
		if v := float64(s.Value); !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[r.key(s.Metric)] = v
		}
	}
	return out, nil
}

// seriesOf reads a range query's matrix.
func (r *reader) seriesOf(val model.Value) (map[seriesKey][]Point, error) {
	mat, ok := val.(model.Matrix)
	if !ok {
		return nil, fmt.Errorf("expected a matrix, got a %s", typeOf(val))
	}
	out := make(map[seriesKey][]Point, len(mat))
	for _, s := range mat {
		pts := make([]Point, 0, len(s.Values))
		for _, p := range s.Values {
			if v := float64(p.Value); !math.IsNaN(v) && !math.IsInf(v, 0) {
				pts = append(pts, Point{T: p.Timestamp.Time(), V: v})
			}
		}
		out[r.key(s.Metric)] = pts
	}
	return out, nil
}

func typeOf(v model.Value) string {
	if v == nil {
		return "nothing"
	}
	return v.Type().String()
}
