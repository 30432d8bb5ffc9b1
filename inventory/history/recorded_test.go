package history_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/history"
	"github.com/berth-dev/berth/inventory/history/promtest"
	"github.com/prometheus/common/model"
)

// recordedMapping is what RecordedMapping gives for the default config.
var recordedMapping = history.RecordedMapping(history.DefaultConfig("http://unused"))

// recordedWeek is the synthetic week as berth's recording rules would
// have recorded it, at every 5-minute boundary, without the exporter's
// series.
func recordedWeek() promtest.History {
	h := week
	for _, d := range inventory.Dimensions {
		h.Recorded[d] = recordedMapping.Metrics[d].Names[0]
	}
	h.RecordedOnly = true
	return h
}

// TestReadRecorded reads the recorded week through RecordedMapping: the
// quantiles and series are the loads' (computed here, as for the direct
// queries).
func TestReadRecorded(t *testing.T) {
	srv := promtest.Start(t, promtest.Options{Blocks: []string{promtest.Backfill(t, recordedWeek())}})
	cfg := history.DefaultConfig(srv.URL)
	cfg.End = windowEnd
	cfg.SeriesPoints = history.DefaultSeriesPoints
	cfg.Mapping = recordedMapping
	u, err := history.Read(context.Background(), cfg, weekRefs(23))
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Missing) != 0 || u.Occupancy != [inventory.NumDims]bool{inventory.Memory: true} {
		t.Fatalf("missing %v, occupancy %v", u.Missing, u.Occupancy)
	}
	for i, g := range u.Guests {
		for _, d := range inventory.Dimensions {
			want := quantile(0.95, loads(i, d, windowEnd, cfg.Window, cfg.Step))
			if !g.Has[d] || !near(g.Quantile[d], want) {
				t.Errorf("%s %s: %v (has %v), want %v", g.Guest.Name, d, g.Quantile[d], g.Has[d], want)
			}
			checkSeries(t, g, d, 0.95, cfg)
		}
	}
}

// TestRecordingRulesBackfilled fills berth's recording rules in for the
// synthetic week with promtool, as an operator would after adding them:
// promtool takes the rules, every recorded sample is the rule's
// expression at its time, and Read through RecordedMapping finds every
// guest in every dimension, in the same units as the direct queries.
//
// Prometheus evaluates a rule group at a phase of its own within the
// interval (a hash of the group), so the recorded 5-minute rates are
// taken over windows shifted from the direct queries' grid: close to the
// direct figures, not equal.
func TestRecordingRulesBackfilled(t *testing.T) {
	srv := startWeek(t)
	cfg := history.DefaultConfig(srv.URL)
	cfg.End = windowEnd
	start := week.End.Add(-week.Span + 10*time.Minute)
	rules := promtest.BackfillRules(t, srv.URL, history.RecordingRules(cfg), start, week.End)
	srv.Stop()
	both := promtest.Start(t, promtest.Options{Blocks: []string{promtest.Backfill(t, week), rules}})
	prom := promAPI(t, both.URL)
	cfg.URL = both.URL

	// A recorded sample of each dimension against its expression by hand.
	for _, d := range inventory.Dimensions {
		sel := fmt.Sprintf(`%s{domain="synth-0001"}[6m]`, recordedMapping.Metrics[d].Names[0])
		val, _, _, err := prom.Query(context.Background(), sel, windowEnd)
		if err != nil || len(val.(model.Matrix)) != 1 {
			t.Fatalf("%s: %v %v", sel, val, err)
		}
		p := val.(model.Matrix)[0].Values[0]
		hand, _, _, err := prom.Query(context.Background(), loadExprByHand(d), p.Timestamp.Time())
		if err != nil {
			t.Fatal(err)
		}
		want := math.NaN()
		for _, s := range hand.(model.Vector) {
			if s.Metric["domain"] == "synth-0001" {
				want = float64(s.Value)
			}
		}
		if float64(p.Value) != want {
			t.Errorf("%s recorded %v at %s, its expression gives %v", d, p.Value, p.Timestamp.Time().UTC(), want)
		}
	}

	direct, err := history.Read(context.Background(), cfg, weekRefs(23))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Mapping = history.RecordedMapping(cfg)
	u, err := history.Read(context.Background(), cfg, weekRefs(23))
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Missing) != 0 {
		t.Fatalf("missing %v", u.Missing)
	}
	for i, g := range u.Guests {
		for _, d := range inventory.Dimensions {
			// Within 15%: the shift mixes neighbouring 5-minute loads,
			// which the generator varies by up to ±50%; a wrong unit or
			// scale (bytes for bits) is off by far more.
			want := direct.Guests[i].Quantile[d]
			if !g.Has[d] || math.Abs(g.Quantile[d]-want) > 0.15*want {
				t.Errorf("%s %s: recorded %v (has %v), direct %v", g.Guest.Name, d, g.Quantile[d], g.Has[d], want)
			}
		}
	}
}

// loadExprByHand is the per-guest load of dimension d, typed out.
func loadExprByHand(d inventory.Dimension) string {
	return [inventory.NumDims]string{
		inventory.CPU:    `sum by (uuid, domain) (rate(libvirt_domain_info_cpu_time_seconds_total[5m]))`,
		inventory.Memory: `sum by (uuid, domain) (libvirt_domain_info_memory_usage_bytes)`,
		inventory.IOPS: `sum by (uuid, domain) (rate(libvirt_domain_block_stats_read_requests_total[5m]))` +
			` + sum by (uuid, domain) (rate(libvirt_domain_block_stats_write_requests_total[5m]))`,
		inventory.Net: `sum by (uuid, domain) (rate(libvirt_domain_interface_stats_receive_bytes_total[5m]))` +
			` + sum by (uuid, domain) (rate(libvirt_domain_interface_stats_transmit_bytes_total[5m]))`,
	}[d]
}
