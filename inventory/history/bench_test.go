package history_test

import (
	"context"
	"testing"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/history"
	"github.com/berth-dev/berth/inventory/history/promtest"
	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// fleetWeek is the benchmark's history: 1,000 guests scraped every minute
// for a week and an hour (6,000 series, 61 M samples).
var fleetWeek = promtest.History{
	Guests: 1000,
	End:    time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC),
	Span:   7*24*time.Hour + time.Hour,
	Scrape: time.Minute,
	Bucket: 5 * time.Minute,
	Seed:   2,
	// As a Prometheus that has run for a week keeps it: a few blocks of
	// 18 h, not promtool's 85 of 2 h.
	Compacted: true,
}

func fleetRefs() []history.GuestRef {
	refs := make([]history.GuestRef, fleetWeek.Guests)
	for i := range refs {
		g := fleetWeek.Guest(i)
		refs[i] = history.GuestRef{Name: g.Name, UUID: g.UUID}
	}
	return refs
}

// BenchmarkRead1000Guests7Days reads the 95th percentile of 1,000 guests
// over 7 days at a 5-minute step, four dimensions, from a local
// Prometheus (docs/load-history.md): straight from the exporter's series,
// with and without the 48-point series, and from what berth's recording
// rules record. prom-cpu-s/op is the CPU time Prometheus spent per read.
// The first run makes the histories (many minutes; cached afterwards).
func BenchmarkRead1000Guests7Days(b *testing.B) {
	// A read of the exporter's series takes minutes of CPU on a busy
	// machine: past Prometheus's default 2-minute query timeout.
	slow := []string{"--query.timeout=10m"}
	// Each Prometheus (and its history, made the first time: many
	// minutes) is started by the first case that reads it.
	var direct, recorded *promtest.Server
	// Started on the parent b: a sub-benchmark's cleanup would stop them
	// before the next case.
	parent := b
	exporter := func(*testing.B) *promtest.Server {
		b := parent
		if direct == nil {
			direct = promtest.Start(b, promtest.Options{Blocks: []string{promtest.Backfill(b, fleetWeek)}, Flags: slow})
		}
		return direct
	}
	rules := func(*testing.B) *promtest.Server {
		b := parent
		if recorded == nil {
			recWeek := fleetWeek
			for _, d := range inventory.Dimensions {
				recWeek.Recorded[d] = recordedMapping.Metrics[d].Names[0]
			}
			recWeek.RecordedOnly = true
			recorded = promtest.Start(b, promtest.Options{Blocks: []string{promtest.Backfill(b, recWeek)}})
		}
		return recorded
	}
	refs := fleetRefs()
	cases := []struct {
		name    string
		srv     func(*testing.B) *promtest.Server
		mapping history.Mapping
		method  history.Method
		points  int
	}{
		{"exporter/quantiles", exporter, history.DebianExporter(), history.MethodSubquery, 0},
		{"exporter/quantiles+series", exporter, history.DebianExporter(), history.MethodSubquery, history.DefaultSeriesPoints},
		{"exporter/range", exporter, history.DebianExporter(), history.MethodRange, 0},
		{"exporter/range+series", exporter, history.DebianExporter(), history.MethodRange, history.DefaultSeriesPoints},
		{"recorded/quantiles", rules, recordedMapping, history.MethodSubquery, 0},
		{"recorded/quantiles+series", rules, recordedMapping, history.MethodSubquery, history.DefaultSeriesPoints},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			srv := c.srv(b)
			cfg := history.DefaultConfig(srv.URL)
			cfg.End = fleetWeek.End.Add(-150 * time.Second)
			cfg.SeriesPoints = c.points
			cfg.Mapping = c.mapping
			cfg.Method = c.method
			cfg.Timeout = 10 * time.Minute
			cpu := srv.CPUTime()
			for b.Loop() {
				u, err := history.Read(context.Background(), cfg, refs)
				if err != nil {
					b.Fatal(err)
				}
				if len(u.Missing) > 0 {
					b.Fatalf("%d guests missing: %v", len(u.Missing), u.Missing[0])
				}
			}
			b.ReportMetric((srv.CPUTime()-cpu).Seconds()/float64(b.N), "prom-cpu-s/op")
		})
	}
}

// BenchmarkRangeQueryReducedLocally is the way Read does not go, for
// comparison: one dimension's load for 1,000 guests at every 5-minute
// step of the week (a range query, 2 M points), reduced to the 95th
// percentile here.
func BenchmarkRangeQueryReducedLocally(b *testing.B) {
	srv := promtest.Start(b, promtest.Options{Blocks: []string{promtest.Backfill(b, fleetWeek)}, Flags: []string{"--query.timeout=10m"}})
	client, err := api.NewClient(api.Config{Address: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	prom := v1.NewAPI(client)
	end := fleetWeek.End.Add(-150 * time.Second)
	load := `sum by (uuid, domain) (rate(libvirt_domain_info_cpu_time_seconds_total[5m]))`
	rng := v1.Range{Start: end.Add(-7*24*time.Hour + 5*time.Minute), End: end, Step: 5 * time.Minute}
	cpu := srv.CPUTime()
	for b.Loop() {
		val, _, _, err := prom.QueryRange(context.Background(), load, rng, v1.WithTimeout(10*time.Minute))
		if err != nil {
			b.Fatal(err)
		}
		m := val.(model.Matrix)
		if len(m) != fleetWeek.Guests {
			b.Fatalf("%d series, want %d", len(m), fleetWeek.Guests)
		}
		for _, s := range m {
			vs := make([]float64, len(s.Values))
			for i, p := range s.Values {
				vs[i] = float64(p.Value)
			}
			_ = quantile(0.95, vs)
		}
	}
	b.ReportMetric((srv.CPUTime()-cpu).Seconds()/float64(b.N), "prom-cpu-s/op")
}

// BenchmarkReadMethods24Guests7Days compares the two methods on the tests'
// synthetic week (24 guests, cached quickly): the same read as
// BenchmarkRead1000Guests7Days at a 42nd of the guests, for a comparison
// that does not need the large history.
func BenchmarkReadMethods24Guests7Days(b *testing.B) {
	srv := promtest.Start(b, promtest.Options{Blocks: []string{promtest.Backfill(b, week)}})
	refs := weekRefs(23)
	for _, method := range []history.Method{history.MethodSubquery, history.MethodRange} {
		b.Run(string(method), func(b *testing.B) {
			cfg := history.DefaultConfig(srv.URL)
			cfg.End = windowEnd
			cfg.Method = method
			cfg.Timeout = 5 * time.Minute
			cpu := srv.CPUTime()
			for b.Loop() {
				u, err := history.Read(context.Background(), cfg, refs)
				if err != nil {
					b.Fatal(err)
				}
				if len(u.Missing) > 0 {
					b.Fatalf("%d guests missing", len(u.Missing))
				}
			}
			b.ReportMetric((srv.CPUTime()-cpu).Seconds()/float64(b.N), "prom-cpu-s/op")
		})
	}
}
