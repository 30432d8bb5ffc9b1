package history

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/inventory"
)

// Recording rules: the fast way to read a week.
//
// Read's queries compute every guest's load at every step of the window
// inside Prometheus, and Prometheus 2.42 (Debian 12) spends most of that
// on the per-step sums and additions: tens of CPU seconds for 1,000 guests
// over a week at 5 minutes (docs/load-history.md has the figures). A
// recording rule computes the same load once per step as the data comes
// in and stores it; reading a week of it is then a quantile over 2,016
// stored samples per guest, with no subquery. RecordingRules writes the
// rules for a config and RecordedMapping the mapping that reads them.

// recordedNames are the recorded series per dimension, named as
// Prometheus's conventions ask (level:metric:operations).
var recordedNames = [inventory.NumDims]string{
	inventory.CPU:    "guest:berth_cpu_cores:%s",
	inventory.Memory: "guest:berth_memory_bytes:%s",
	inventory.IOPS:   "guest:berth_iops:%s",
	inventory.Net:    "guest:berth_net_bytes:%s",
}

// recordedName is dimension d's recorded series: the operation is the
// rate and its range (rate5m) for a counter, sum for a gauge.
func (c Config) recordedName(d inventory.Dimension) string {
	op := "sum"
	if c.Mapping.Metrics[d].Counter {
		op = "rate" + formatDuration(c.rateRange())
	}
	return fmt.Sprintf(recordedNames[d], op)
}

// RecordingRules is a Prometheus rules file recording every dimension's
// per-guest load of cfg at cfg.Step, for Prometheus's rule_files (and for
// promtool tsdb create-blocks-from rules, which fills them in for the
// past). The rules' interval is the step, so the recorded samples are the
// points the direct queries would compute.
func RecordingRules(cfg Config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# berth's load-history rules: per-guest load at a %s step (docs/load-history.md).\n", formatDuration(cfg.Step))
	fmt.Fprintf(&b, "groups:\n  - name: berth-guest-load\n    interval: %s\n    rules:\n", formatDuration(cfg.Step))
	for _, d := range inventory.Dimensions {
		m := cfg.Mapping.Metrics[d]
		if len(m.Names) == 0 || m.Recorded {
			continue
		}
		fmt.Fprintf(&b, "      - record: %s\n        expr: %s\n", cfg.recordedName(d), cfg.loadExpr(d))
	}
	return b.String()
}

// RecordedMapping is the mapping that reads what RecordingRules(cfg)
// records: the same labels (the rules sum by them), no extra matchers
// (the rules applied them), each metric's scale and occupancy kept.
func RecordedMapping(cfg Config) Mapping {
	m := Mapping{UUIDLabel: cfg.Mapping.UUIDLabel, NameLabel: cfg.Mapping.NameLabel}
	for _, d := range inventory.Dimensions {
		src := cfg.Mapping.Metrics[d]
		switch {
		case len(src.Names) == 0:
		case src.Recorded:
			m.Metrics[d] = src
		default:
			m.Metrics[d] = Metric{Names: []string{cfg.recordedName(d)}, Scale: src.Scale, Occupancy: src.Occupancy, Recorded: true}
		}
	}
	return m
}
