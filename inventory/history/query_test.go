package history

import (
	"testing"
	"time"

	"github.com/berth-dev/berth/inventory"
)

func TestQueries(t *testing.T) {
	cfg := DefaultConfig("http://prom:9090")
	nameOnly := cfg
	nameOnly.Mapping.UUIDLabel = ""
	matched := cfg
	matched.Mapping.Match = map[string]string{"job": "libvirt", "env": `prod "eu"`}
	matched.Rate = 10 * time.Minute
	matched.Quantile = 0.5

	cases := []struct {
		name string
		cfg  Config
		d    inventory.Dimension
		want string
	}{
		{"cpu", cfg, inventory.CPU,
			`max by (uuid, domain) (quantile_over_time(0.95, rate(libvirt_domain_info_cpu_time_seconds_total[5m])[1w:5m]))`},
		{"memory is a gauge", cfg, inventory.Memory,
			`max by (uuid, domain) (quantile_over_time(0.95, libvirt_domain_info_memory_usage_bytes[1w:5m]))`},
		{"iops adds reads and writes", cfg, inventory.IOPS,
			`quantile_over_time(0.95, (sum by (uuid, domain) (rate(libvirt_domain_block_stats_read_requests_total[5m]) + ` +
				`rate(libvirt_domain_block_stats_write_requests_total[5m])))[1w:5m])`},
		{"net adds received and sent", cfg, inventory.Net,
			`quantile_over_time(0.95, (sum by (uuid, domain) (rate(libvirt_domain_interface_stats_receive_bytes_total[5m]) + ` +
				`rate(libvirt_domain_interface_stats_transmit_bytes_total[5m])))[1w:5m])`},
		{"no uuid label", nameOnly, inventory.CPU,
			`max by (domain) (quantile_over_time(0.95, rate(libvirt_domain_info_cpu_time_seconds_total[5m])[1w:5m]))`},
		{"matchers sorted and quoted, rate range, median", matched, inventory.CPU,
			`max by (uuid, domain) (quantile_over_time(0.5, rate(libvirt_domain_info_cpu_time_seconds_total{env="prod \"eu\"", job="libvirt"}[10m])[1w:5m]))`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.cfg.QuantileQuery(c.d); got != c.want {
				t.Errorf("QuantileQuery(%s) =\n  %s\nwant\n  %s", c.d, got, c.want)
			}
		})
	}
	// The series query is the same over one bucket: 7 d / 48 = 3.5 h.
	cfg.SeriesPoints = DefaultSeriesPoints
	want := `max by (uuid, domain) (quantile_over_time(0.95, libvirt_domain_info_memory_usage_bytes[3h30m:5m]))`
	if got := cfg.SeriesQuery(inventory.Memory); got != want {
		t.Errorf("SeriesQuery(memory) =\n  %s\nwant\n  %s", got, want)
	}
}

func TestBucket(t *testing.T) {
	cases := []struct {
		window, step time.Duration
		points       int
		want         time.Duration
	}{
		{7 * 24 * time.Hour, 5 * time.Minute, 48, 210 * time.Minute}, // 10,080 min / 48 = 210 min, 42 steps
		{24 * time.Hour, 5 * time.Minute, 7, 205 * time.Minute},      // 1,440 / 7 = 205.7 min → 205 (41 steps)
		{30 * time.Second, 2 * time.Second, 3, 10 * time.Second},     // 30 / 3 = 10 s, 5 steps
		{time.Hour, 5 * time.Minute, 0, 0},                           // no series
	}
	for _, c := range cases {
		cfg := Config{Window: c.window, Step: c.step, SeriesPoints: c.points}
		if got := cfg.Bucket(); got != c.want {
			t.Errorf("Bucket(window %s, step %s, %d points) = %s, want %s", c.window, c.step, c.points, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := DefaultConfig("http://prom:9090")
	cases := []struct {
		name string
		edit func(*Config)
		want string // "" = valid
	}{
		{"default", func(*Config) {}, ""},
		{"path prefix and password", func(c *Config) { c.URL = "https://u:p@proxy/prometheus" }, ""},
		{"no url", func(c *Config) { c.URL = "" }, "usage.url: no Prometheus URL: write e.g. http://prometheus:9090"},
		{"not http", func(c *Config) { c.URL = "prom:9090" }, `usage.url: "prom:9090" is not an http(s) URL: write e.g. http://prometheus:9090`},
		{"password hidden", func(c *Config) { c.URL = "ftp://admin:hunter2@prom" }, `usage.url: "ftp://admin:xxxxx@prom" is not an http(s) URL: write e.g. http://prometheus:9090`},
		{"zero window", func(c *Config) { c.Window = 0 }, "usage.window: 0s must be positive: write e.g. 7d"},
		{"zero step", func(c *Config) { c.Step = 0 }, "usage.step: 0s must be positive: write e.g. 5m"},
		{"step over window", func(c *Config) { c.Window, c.Step = time.Hour, 2*time.Hour }, "usage.step: 2h is longer than the window 1h"},
		{"no timeout", func(c *Config) { c.Timeout = 0 }, "usage.timeout: 0s must be positive: write e.g. 30s"},
		{"sub-millisecond step", func(c *Config) { c.Step = 1500 * time.Microsecond }, "usage.step: 1.5ms is finer than Prometheus's millisecond"},
		{"quantile over 1", func(c *Config) { c.Quantile = 95 }, "usage.quantile: 95 is outside 0…1: write e.g. 0.95 for the 95th percentile"},
		{"too many points", func(c *Config) { c.Window, c.SeriesPoints = time.Hour, 24 },
			"usage.seriesPoints: 24 points over 1h are finer than the step 5m: use at most 12"},
		{"no labels", func(c *Config) { c.Mapping.UUIDLabel, c.Mapping.NameLabel = "", "" },
			"usage.labels: neither a uuid nor a name label: guests could not be matched to series"},
		{"bad label", func(c *Config) { c.Mapping.NameLabel = "domain-name" }, `usage.labels: "domain-name" is not a Prometheus label name`},
		{"bad matcher", func(c *Config) { c.Mapping.Match = map[string]string{"1job": "x"} }, `usage.match: "1job" is not a Prometheus label name`},
		{"bad metric", func(c *Config) { c.Mapping.Metrics[inventory.IOPS].Names = []string{"rate(x[5m])"} },
			`usage.metrics.iops: "rate(x[5m])" is not a Prometheus metric name`},
		{"no metric", func(c *Config) { c.Mapping.Metrics = [inventory.NumDims]Metric{} }, "usage.metrics: no dimension has a metric: nothing to read"},
		{"recorded counter", func(c *Config) { c.Mapping.Metrics[inventory.CPU].Recorded = true },
			"usage.metrics.cpu: a recorded series is one name and not a counter (its rule computes the rate)"},
		{"recorded pair", func(c *Config) { c.Mapping.Metrics[inventory.IOPS] = Metric{Names: []string{"a", "b"}, Recorded: true} },
			"usage.metrics.iops: a recorded series is one name and not a counter (its rule computes the rate)"},
		{"recorded", func(c *Config) { c.Mapping = RecordedMapping(*c) }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := ok
			cfg.Mapping.Metrics = ok.Mapping.Metrics
			c.edit(&cfg)
			got := ""
			if err := cfg.Validate(); err != nil {
				got = err.Error()
			}
			if got != c.want {
				t.Errorf("Validate() = %q\nwant         %q", got, c.want)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "5m": 5 * time.Minute, "1h30m": 90 * time.Minute, " 2w ": 14 * 24 * time.Hour} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := ParseDuration("7 days"); err == nil || err.Error() != `"7 days" is not a duration: write e.g. 7d, 12h or 5m` {
		t.Errorf("ParseDuration(7 days) error = %v", err)
	}
}

func TestRecordingRules(t *testing.T) {
	cfg := DefaultConfig("http://prom:9090")
	cfg.Mapping.Match = map[string]string{"job": "libvirt"}
	want := `# berth's load-history rules: per-guest load at a 5m step (docs/load-history.md).
groups:
  - name: berth-guest-load
    interval: 5m
    rules:
      - record: guest:berth_cpu_cores:rate5m
        expr: sum by (uuid, domain) (rate(libvirt_domain_info_cpu_time_seconds_total{job="libvirt"}[5m]))
      - record: guest:berth_memory_bytes:sum
        expr: sum by (uuid, domain) (libvirt_domain_info_memory_usage_bytes{job="libvirt"})
      - record: guest:berth_iops:rate5m
        expr: sum by (uuid, domain) (rate(libvirt_domain_block_stats_read_requests_total{job="libvirt"}[5m])) + sum by (uuid, domain) (rate(libvirt_domain_block_stats_write_requests_total{job="libvirt"}[5m]))
      - record: guest:berth_net_bytes:rate5m
        expr: sum by (uuid, domain) (rate(libvirt_domain_interface_stats_receive_bytes_total{job="libvirt"}[5m])) + sum by (uuid, domain) (rate(libvirt_domain_interface_stats_transmit_bytes_total{job="libvirt"}[5m]))
`
	if got := RecordingRules(cfg); got != want {
		t.Errorf("RecordingRules =\n%s\nwant\n%s", got, want)
	}
	rec := cfg
	rec.SeriesPoints = DefaultSeriesPoints
	rec.Mapping = RecordedMapping(cfg)
	for d, want := range map[inventory.Dimension]string{
		inventory.CPU:    `quantile_over_time(0.95, guest:berth_cpu_cores:rate5m[1w])`,
		inventory.Memory: `quantile_over_time(0.95, guest:berth_memory_bytes:sum[1w])`,
		inventory.IOPS:   `quantile_over_time(0.95, guest:berth_iops:rate5m[1w])`,
		inventory.Net:    `quantile_over_time(0.95, guest:berth_net_bytes:rate5m[1w])`,
	} {
		if got := rec.QuantileQuery(d); got != want {
			t.Errorf("recorded QuantileQuery(%s) = %s, want %s", d, got, want)
		}
	}
	if got, want := rec.SeriesQuery(inventory.CPU), `quantile_over_time(0.95, guest:berth_cpu_cores:rate5m[3h30m])`; got != want {
		t.Errorf("recorded SeriesQuery(cpu) = %s, want %s", got, want)
	}
	// Net keeps its ×8 and memory its occupancy; the rules applied the matchers.
	m := rec.Mapping
	if m.Metrics[inventory.Net].Scale != 8 || !m.Metrics[inventory.Memory].Occupancy || m.Match != nil || m.UUIDLabel != "uuid" || m.NameLabel != "domain" {
		t.Errorf("RecordedMapping = %+v", m)
	}
}
