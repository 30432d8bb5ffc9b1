package history

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/prometheus/common/model"
)

// Defaults for Config.
const (
	DefaultWindow       = 7 * 24 * time.Hour
	DefaultQuantile     = 0.95
	DefaultStep         = 5 * time.Minute
	DefaultTimeout      = 30 * time.Second
	DefaultSeriesPoints = 48 // 3.5 h a point over 7 days, for sparklines
)

// Config says where the history is and how to reduce it.
type Config struct {
	// URL is the Prometheus server's base URL (http://prom:9090); a
	// path prefix is kept (http://proxy/prometheus).
	URL string
	// Window is how far back from End the history is read (7d).
	Window time.Duration
	// Quantile is the φ-quantile taken of each guest's load over the
	// window, 0 ≤ φ ≤ 1 (0.95; 1 is the peak, 0.5 the median).
	Quantile float64
	// Step is the resolution the load is computed at before the quantile
	// is taken (5m): one point per step.
	Step time.Duration
	// Rate is the range of rate() for counters (0 = Step). It must span
	// at least two scrapes of the exporter.
	Rate time.Duration
	// Timeout bounds the whole read: every query, connection included.
	// Prometheus is told the same limit so it stops working on it too.
	Timeout time.Duration
	// SeriesPoints is how many points the downsampled series of each
	// guest and dimension has (for sparklines; 0 = no series). Each point
	// is the same quantile over one slice of the window. The series cost
	// about as much as the quantiles: ask for them (DefaultSeriesPoints)
	// only where they are shown.
	SeriesPoints int
	// End is the end of the window (zero = now).
	End time.Time
	// Method is how the quantiles are computed ("" = MethodSubquery).
	Method Method
	// Mapping names the metrics and labels the exporter writes.
	Mapping Mapping
}

// Mapping says which series hold each dimension and which labels name a
// guest.
type Mapping struct {
	// UUIDLabel and NameLabel are the labels holding a domain's UUID and
	// name; either may be "" when the exporter does not write it, not both.
	UUIDLabel, NameLabel string
	// Match adds label equality matchers to every selector
	// ({job: libvirt} reads only that job's series).
	Match map[string]string
	// Metrics per dimension; a dimension whose Names is empty is not read.
	Metrics [inventory.NumDims]Metric
}

// Metric is how one dimension is read.
type Metric struct {
	// Names are the series summed per guest (all devices of each, then
	// the names): block reads + writes for iops.
	Names []string
	// Counter says the series are cumulative counters, read through
	// rate(); otherwise they are gauges, read as they are.
	Counter bool
	// Scale multiplies the figure into the dimension's base unit (8 for
	// bytes/s → bits/s; 0 = 1).
	Scale float64
	// Occupancy marks a figure that is what the guest holds rather than
	// what it uses: the Debian exporter's memory is the balloon's size,
	// which is the allocation unless a balloon driver handed memory back.
	// It is still read as observed use, but Classify leaves it out.
	Occupancy bool
	// Recorded marks a series that already is one guest's load at the
	// step, as a recording rule writes it (RecordingRules): it is read as
	// it is, quantile_over_time over the window's samples, with no
	// subquery: a fraction of the work (docs/load-history.md). It must be
	// one name, not a counter.
	Recorded bool
	// PerGuest says the metric has one series per guest and exporter (a
	// domain's CPU time, its balloon): the per-step sum is left out of
	// the subquery, which then costs a third, and the per-series
	// quantiles are joined by max. A guest migrated within the window has
	// a series on each host; its figure is then the larger of their
	// quantiles, each over its part of the window, which errs on the safe
	// side. One name only.
	PerGuest bool
	// Paired says the names' series come in pairs with the same labels
	// (a disk's reads and writes, an interface's received and sent
	// bytes): they are added series by series before the one sum per
	// guest, which spares a sum per name.
	Paired bool
}

// DebianExporter is the mapping for the metrics of Debian 12's
// prometheus-libvirt-exporter 0.2.0 (Kumina's libvirt_exporter), as its
// /metrics shows them against libvirtd 9.0:
//
//	cpu     rate(libvirt_domain_info_cpu_time_seconds_total)        cores
//	memory  libvirt_domain_info_memory_usage_bytes (balloon size)   bytes
//	iops    rate(libvirt_domain_block_stats_read_requests_total)
//	        + rate(libvirt_domain_block_stats_write_requests_total)  ops/s
//	net     (rate(libvirt_domain_interface_stats_receive_bytes_total)
//	        + rate(…_transmit_bytes_total)) × 8                      bits/s
//
// Every series has the labels domain (the name) and uuid.
func DebianExporter() Mapping {
	return Mapping{
		UUIDLabel: "uuid",
		NameLabel: "domain",
		Metrics: [inventory.NumDims]Metric{
			inventory.CPU:    {Names: []string{"libvirt_domain_info_cpu_time_seconds_total"}, Counter: true, PerGuest: true},
			inventory.Memory: {Names: []string{"libvirt_domain_info_memory_usage_bytes"}, Occupancy: true, PerGuest: true},
			inventory.IOPS: {Names: []string{
				"libvirt_domain_block_stats_read_requests_total",
				"libvirt_domain_block_stats_write_requests_total",
			}, Counter: true, Paired: true},
			inventory.Net: {Names: []string{
				"libvirt_domain_interface_stats_receive_bytes_total",
				"libvirt_domain_interface_stats_transmit_bytes_total",
			}, Counter: true, Scale: 8, Paired: true},
		},
	}
}

// DefaultConfig is a week at a 5-minute step, the 95th percentile, the
// Debian exporter's metrics and a 30-second timeout, without series, for
// the Prometheus at url.
func DefaultConfig(url string) Config {
	return Config{
		URL:      url,
		Window:   DefaultWindow,
		Quantile: DefaultQuantile,
		Step:     DefaultStep,
		Timeout:  DefaultTimeout,
		Mapping:  DebianExporter(),
	}
}

// ParseDuration reads a duration as Prometheus writes them (7d, 5m, 1h30m,
// 2w), for the config's window, step and rate.
func ParseDuration(s string) (time.Duration, error) {
	d, err := model.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: write e.g. 7d, 12h or 5m", s)
	}
	return time.Duration(d), nil
}

// formatDuration writes d as PromQL does (7d, 5m, 1h30m).
func formatDuration(d time.Duration) string { return model.Duration(d).String() }

var (
	metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// Validate checks the config before anything is asked of Prometheus. Its
// errors name the config key (usage.window, usage.metrics.iops) and say
// what to write.
func (c Config) Validate() error {
	u, err := url.Parse(c.URL)
	switch {
	case c.URL == "":
		return fmt.Errorf("usage.url: no Prometheus URL: write e.g. http://prometheus:9090")
	case err != nil:
		return fmt.Errorf("usage.url: %q does not parse: %v", redact(c.URL), err)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return fmt.Errorf("usage.url: %q is not an http(s) URL: write e.g. http://prometheus:9090", redact(c.URL))
	}
	if err := c.checkDurations(); err != nil {
		return err
	}
	if !(c.Quantile >= 0 && c.Quantile <= 1) {
		return fmt.Errorf("usage.quantile: %v is outside 0…1: write e.g. 0.95 for the 95th percentile", c.Quantile)
	}
	if m := c.methodOf(); m != MethodSubquery && m != MethodRange {
		return fmt.Errorf("usage.method: %q: want subquery or range", c.Method)
	}
	if c.SeriesPoints < 0 {
		return fmt.Errorf("usage.seriesPoints: %d is negative (0 = no series)", c.SeriesPoints)
	}
	if c.SeriesPoints > 0 && c.Window/time.Duration(c.SeriesPoints) < c.Step {
		return fmt.Errorf("usage.seriesPoints: %d points over %s are finer than the step %s: use at most %d",
			c.SeriesPoints, formatDuration(c.Window), formatDuration(c.Step), c.Window/c.Step)
	}
	return c.Mapping.validate()
}

func (c Config) checkDurations() error {
	for _, d := range []struct {
		key string
		v   time.Duration
		eg  string
	}{{"window", c.Window, "7d"}, {"step", c.Step, "5m"}, {"timeout", c.Timeout, "30s"}} {
		if d.v <= 0 {
			return fmt.Errorf("usage.%s: %s must be positive: write e.g. %s", d.key, d.v, d.eg)
		}
	}
	if c.Rate < 0 {
		return fmt.Errorf("usage.rate: %s is negative (0 = the step)", c.Rate)
	}
	if c.Step > c.Window {
		return fmt.Errorf("usage.step: %s is longer than the window %s", formatDuration(c.Step), formatDuration(c.Window))
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"window", c.Window}, {"step", c.Step}, {"rate", c.Rate}} {
		if d.v%time.Millisecond != 0 {
			return fmt.Errorf("usage.%s: %s is finer than Prometheus's millisecond", d.key, d.v)
		}
	}
	return nil
}

func (m Mapping) validate() error {
	if m.UUIDLabel == "" && m.NameLabel == "" {
		return fmt.Errorf("usage.labels: neither a uuid nor a name label: guests could not be matched to series")
	}
	for _, l := range []string{m.UUIDLabel, m.NameLabel} {
		if l != "" && !labelName.MatchString(l) {
			return fmt.Errorf("usage.labels: %q is not a Prometheus label name", l)
		}
	}
	for l := range m.Match {
		if !labelName.MatchString(l) {
			return fmt.Errorf("usage.match: %q is not a Prometheus label name", l)
		}
	}
	read := 0
	for d, mt := range m.Metrics {
		key := "usage.metrics." + inventory.Dimension(d).String()
		for _, n := range mt.Names {
			if !metricName.MatchString(n) {
				return fmt.Errorf("%s: %q is not a Prometheus metric name", key, n)
			}
		}
		if mt.Recorded && (len(mt.Names) != 1 || mt.Counter) {
			return fmt.Errorf("%s: a recorded series is one name and not a counter (its rule computes the rate)", key)
		}
		if mt.PerGuest && len(mt.Names) > 1 {
			return fmt.Errorf("%s: perGuest is for one metric name (one series per guest)", key)
		}
		if mt.Scale < 0 {
			return fmt.Errorf("%s: scale %v is negative", key, mt.Scale)
		}
		if len(mt.Names) > 0 {
			read++
		}
	}
	if read == 0 {
		return fmt.Errorf("usage.metrics: no dimension has a metric: nothing to read")
	}
	return nil
}

// rateRange is the range of rate() in the queries.
func (c Config) rateRange() time.Duration {
	if c.Rate > 0 {
		return c.Rate
	}
	return c.Step
}

// scale is the metric's multiplier (1 when unset).
func (m Metric) scale() float64 {
	if m.Scale == 0 {
		return 1
	}
	return m.Scale
}

// userinfoPassword matches "scheme://user:password@" in a URL that does
// not parse.
var userinfoPassword = regexp.MustCompile(`(://[^/@:\s]*):[^/@\s]*@`)

// redact hides a password in a URL for messages and results.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return userinfoPassword.ReplaceAllString(raw, "$1:xxxxx@")
	}
	return u.Redacted()
}
