package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/history"
	"github.com/berth-dev/berth/inventory/live"
	"github.com/berth-dev/berth/tui"
	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/cast"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The load history wiring (issue 17, docs/load-history.md): --usage
// prometheus=URL and the config key usage: say where a fleet's load over
// days is; after the hosts are read, every guest's observed use becomes
// the quantile of its load over the window, and its appetite is
// classified from it.

// registerUsageFlag adds --usage to a command that reads live hosts.
func registerUsageFlag(fl *pflag.FlagSet, live bool) {
	help := "observed use from load history: prometheus=URL (window, quantile… from the config's usage:; see docs/load-history.md)"
	if live {
		help = "with live hosts: " + help
	}
	fl.String("usage", "", help)
}

// usageFileConfig is the config's usage: section.
type usageFileConfig struct {
	Source       string                    `mapstructure:"source"`
	URL          string                    `mapstructure:"url"`
	Window       string                    `mapstructure:"window"`
	Quantile     any                       `mapstructure:"quantile"`
	Step         string                    `mapstructure:"step"`
	Rate         string                    `mapstructure:"rate"`
	Timeout      string                    `mapstructure:"timeout"`
	SeriesPoints any                       `mapstructure:"seriesPoints"`
	Labels       map[string]string         `mapstructure:"labels"`
	Match        map[string]string         `mapstructure:"match"`
	Metrics      map[string]usageMetricCfg `mapstructure:"metrics"`
	Margin       any                       `mapstructure:"margin"`
	IdleShare    any                       `mapstructure:"idleShare"`
	End          any                       `mapstructure:"end"`
	Method       string                    `mapstructure:"method"`
}

type usageMetricCfg struct {
	Names     []string `mapstructure:"names"`
	Counter   bool     `mapstructure:"counter"`
	Scale     float64  `mapstructure:"scale"`
	Occupancy bool     `mapstructure:"occupancy"`
	Recorded  bool     `mapstructure:"recorded"`
	PerGuest  bool     `mapstructure:"perGuest"`
	Paired    bool     `mapstructure:"paired"`
}

// usageSetup is what --usage and usage: ask for; nil when neither is
// given.
type usageSetup struct {
	cfg  history.Config
	rule history.AppetiteRule
	// from names where the setting came from, for messages.
	from string
}

// usageSettings reads --usage (or BERTH_USAGE) and the config's usage:
// section. The flag names the source and URL; the section may give both
// and everything else. nil, nil when no load history is asked for.
func (a *app) usageSettings(cmd *cobra.Command) (*usageSetup, error) {
	var flagValue, from string
	if f := cmd.Flags().Lookup("usage"); f != nil && f.Changed {
		flagValue, from = f.Value.String(), "--usage"
	}
	var fc usageFileConfig
	raw := a.v.Get("usage")
	switch r := raw.(type) {
	case nil:
	case string:
		// BERTH_USAGE=prometheus=URL, or a flag bound to the key.
		if flagValue == "" && strings.TrimSpace(r) != "" {
			flagValue, from = r, "BERTH_USAGE"
		}
	case map[string]any:
		dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
			Result: &fc, ErrorUnused: true, WeaklyTypedInput: true, MatchName: strings.EqualFold,
		})
		if err == nil {
			err = dec.Decode(r)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: usage: %v (see docs/load-history.md for the keys)", a.configWhere(), cleanDecodeError(err))
		}
		if from == "" {
			from = a.configWhere() + ": usage"
		}
	default:
		if flagValue == "" {
			return nil, fmt.Errorf("%s: usage: want a section (source, url, window, quantile, step) or prometheus=URL, not %v", a.configWhere(), raw)
		}
	}
	if flagValue != "" {
		src, url, ok := strings.Cut(strings.TrimSpace(flagValue), "=")
		if !ok || strings.TrimSpace(url) == "" {
			return nil, fmt.Errorf("%s %q: want SOURCE=URL, e.g. --usage prometheus=http://prometheus:9090", from, flagValue)
		}
		fc.Source, fc.URL = strings.TrimSpace(src), strings.TrimSpace(url)
	}
	if fc.Source == "" && fc.URL == "" {
		// No source named: a section of defaults (window, quantile…)
		// for when --usage is given.
		return nil, nil
	}
	if fc.Source == "" {
		fc.Source = "prometheus"
	}
	if !strings.EqualFold(fc.Source, "prometheus") {
		return nil, fmt.Errorf("%s: source %q: berth reads load history from prometheus only (usage.source: prometheus)", from, fc.Source)
	}
	set, err := fc.setup()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", from, err)
	}
	set.from = from
	return set, nil
}

// configWhere names the config file for a message.
func (a *app) configWhere() string {
	if p := a.configPath(); p != "" {
		return "config " + p
	}
	return "config"
}

// cleanDecodeError shortens mapstructure's messages ("1 error(s)
// decoding:\n\n* ” has invalid keys: x" → "unknown key x").
func cleanDecodeError(err error) string {
	s := err.Error()
	if i := strings.Index(s, "* "); i >= 0 {
		s = s[i+2:]
	}
	if i := strings.Index(s, "error(s):"); i >= 0 {
		s = s[i+len("error(s):"):]
	}
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, "'' has invalid keys: ", "unknown key ")
	s = strings.ReplaceAll(s, "has invalid keys: ", "unknown key ")
	return strings.TrimSpace(s)
}

// setup turns the section into a history.Config and an appetite rule,
// naming the key of any bad value.
func (fc usageFileConfig) setup() (*usageSetup, error) {
	cfg := history.DefaultConfig(fc.URL)
	for _, d := range []struct {
		key string
		val string
		to  *time.Duration
	}{{"window", fc.Window, &cfg.Window}, {"step", fc.Step, &cfg.Step}, {"rate", fc.Rate, &cfg.Rate}, {"timeout", fc.Timeout, &cfg.Timeout}} {
		if strings.TrimSpace(d.val) == "" {
			continue
		}
		x, err := history.ParseDuration(d.val)
		if err != nil {
			return nil, fmt.Errorf("usage.%s: %v", d.key, err)
		}
		*d.to = x
	}
	if fc.Quantile != nil {
		q, err := cast.ToFloat64E(fc.Quantile)
		if err != nil {
			return nil, fmt.Errorf("usage.quantile: %v is not a number: write e.g. 0.95", fc.Quantile)
		}
		cfg.Quantile = q
	}
	if fc.SeriesPoints != nil {
		n, err := cast.ToIntE(fc.SeriesPoints)
		if err != nil {
			return nil, fmt.Errorf("usage.seriesPoints: %v is not a whole number", fc.SeriesPoints)
		}
		cfg.SeriesPoints = n
	}
	if fc.Labels != nil {
		for k := range fc.Labels {
			if k != "uuid" && k != "name" {
				return nil, fmt.Errorf("usage.labels: unknown key %q: want uuid and name", k)
			}
		}
		cfg.Mapping.UUIDLabel, cfg.Mapping.NameLabel = fc.Labels["uuid"], fc.Labels["name"]
	}
	cfg.Mapping.Match = fc.Match
	cfg.Method = history.Method(strings.ToLower(strings.TrimSpace(fc.Method)))
	if len(fc.Metrics) > 0 {
		for _, k := range slices.Sorted(maps.Keys(fc.Metrics)) {
			d, ok := inventory.ParseDimension(k)
			if !ok {
				return nil, fmt.Errorf("usage.metrics: unknown dimension %q: want cpu, memory, iops or net", k)
			}
			m := fc.Metrics[k]
			cfg.Mapping.Metrics[d] = history.Metric{Names: m.Names, Counter: m.Counter, Scale: m.Scale, Occupancy: m.Occupancy, Recorded: m.Recorded,
				PerGuest: m.PerGuest, Paired: m.Paired}
		}
	}
	switch e := fc.End.(type) {
	case nil:
	case time.Time: // YAML reads an unquoted timestamp as one
		cfg.End = e
	default:
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(fmt.Sprint(e)))
		if err != nil {
			return nil, fmt.Errorf("usage.end: %q is not a time: write e.g. 2026-11-30T00:00:00Z (default: now)", fmt.Sprint(e))
		}
		cfg.End = t
	}
	rule := history.DefaultAppetiteRule()
	if fc.Margin != nil {
		m, err := cast.ToFloat64E(fc.Margin)
		if err != nil || m < 0 {
			return nil, fmt.Errorf("usage.margin: %v: want percentage points ≥ 0, e.g. 10", fc.Margin)
		}
		rule.Margin = m
	}
	if fc.IdleShare != nil {
		s, err := cast.ToFloat64E(fc.IdleShare)
		if err != nil || s < 0 || s > 1 {
			return nil, fmt.Errorf("usage.idleShare: %v: want a share 0…1, e.g. 0.01", fc.IdleShare)
		}
		rule.IdleShare = s
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &usageSetup{cfg: cfg, rule: rule}, nil
}

// guestHistory is what the load history said of one guest.
type guestHistory struct {
	Host, Guest string
	Usage       *history.GuestUsage
	Appetite    history.Appetite
	// Profile is the profile its appetite names ("" for none).
	Profile string
}

// usageResult is one read of the load history, applied to a fleet.
type usageResult struct {
	Usage *history.Usage
	// Err is the read's error when some (or all) queries got no answer.
	Err    *history.ReadError
	Guests []guestHistory
	// Hosts is the host-level check (hostcheck), when there was one.
	Hosts []hostUseCheck
	// Points and Bucket are the downsampled series' length and slice
	// (0 without series).
	Points int
	Bucket time.Duration
}

// guest finds a guest's history by host and name (nil if none).
func (r *usageResult) guest(host, name string) *guestHistory {
	if r == nil {
		return nil
	}
	for i := range r.Guests {
		if r.Guests[i].Host == host && r.Guests[i].Guest == name {
			return &r.Guests[i]
		}
	}
	return nil
}

// readUsage reads the load history of every guest on the fleet's hosts
// and makes it their observed use: per dimension, the quantile where the
// history has it, else the allocation; a guest with no history at all
// keeps what it had (the --sample figure, or nothing: its allocation).
// Guests whose role was not declared (metadata, name pattern) get the
// appetite the history shows, or none. Prometheus down, slow or without a
// guest's series is said on stderr and is not an error: the fleet is
// then planned on allocations where history is missing. A bad usage
// config is an error.
func (a *app) readUsage(ctx context.Context, set *usageSetup, fleet *live.Fleet, profiles []inventory.Profile, seriesPoints int) (*usageResult, error) {
	if set == nil || fleet == nil {
		return nil, nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if profiles == nil {
		profiles = inventory.BuiltInProfiles()
	}
	cfg := set.cfg
	if seriesPoints > 0 && cfg.SeriesPoints == 0 {
		cfg.SeriesPoints = min(seriesPoints, int(cfg.Window/cfg.Step))
	}
	var refs []history.GuestRef
	for _, h := range fleet.Hosts {
		for _, g := range h.Guests {
			refs = append(refs, history.GuestRef{Name: g.Name, UUID: g.UUID})
		}
	}
	u, err := history.Read(ctx, cfg, refs)
	res := &usageResult{Usage: u, Points: cfg.SeriesPoints, Bucket: cfg.Bucket()}
	var re *history.ReadError
	switch {
	case err == nil:
	case errors.As(err, &re):
		res.Err = re
	default:
		return nil, fmt.Errorf("%s: %w", set.from, err)
	}
	i := 0
	for hi := range fleet.Hosts {
		h := &fleet.Hosts[hi]
		for gi := range h.Guests {
			g := &h.Guests[gi]
			gu := &u.Guests[i]
			i++
			gh := guestHistory{Host: h.Name, Guest: g.Name, Usage: gu}
			if use, known := gu.Observed(g.Allocation); known {
				g.Observed = &use
				gh.Appetite = u.Classify(gu, inventory.AppetiteAllocation(g.Allocation), set.rule)
				if gh.Appetite.Classified() {
					gh.Profile, _ = history.ProfileFor(gh.Appetite.Dimension, profiles)
				}
				if g.RoleSource == inventory.RoleInferred || g.RoleSource == inventory.RoleDeclared && g.Profile == "" {
					g.Profile, g.RoleSource = "", inventory.RoleDeclared
					if gh.Profile != "" {
						g.Profile, g.RoleSource = gh.Profile, inventory.RoleInferred
					}
				}
			}
			res.Guests = append(res.Guests, gh)
		}
	}
	writeUsageSummary(a.stderr, res)
	if res.Err == nil || len(res.Err.Failed) < res.Err.Queries {
		res.Hosts = a.checkHostUse(ctx, set, fleet)
	}
	return res, nil
}

// writeUsageSummary says on stderr what the history gave and what it
// did not: one line when every guest had it, and a line per guest
// without (up to a few), and what failed.
func writeUsageSummary(w io.Writer, r *usageResult) {
	u := r.Usage
	with := len(u.Guests) - len(u.Missing)
	fmt.Fprintf(w, "berth: load history: %s over %s at %s from %s: %d of %d guests (%s)\n",
		quantileName(u.Quantile), fmtDur(u.Window), fmtDur(u.Step), u.Source, with, len(u.Guests), u.Elapsed.Round(time.Millisecond))
	if r.Err != nil {
		fmt.Fprintf(w, "berth: warning: %s\n", indentMore(r.Err.Error()))
		fmt.Fprintf(w, "berth: guests are planned on their allocation in what the history did not give\n")
	}
	const show = 10
	if n := len(u.Missing); n > 0 && (r.Err == nil || len(r.Err.Failed) < r.Err.Queries) {
		fmt.Fprintf(w, "berth: no load history for %s (planned on allocation):\n", countText(n, "guest"))
		for _, m := range u.Missing[:min(n, show)] {
			fmt.Fprintf(w, "  %s [%s]\n", m, m.Reason)
		}
		if n > show {
			fmt.Fprintf(w, "  … and %d more (berth inventory -o json lists them all)\n", n-show)
		}
	}
	if p := u.Partial(); len(p) > 0 {
		fmt.Fprintf(w, "berth: partial load history for %s (allocation where missing):\n", countText(len(p), "guest"))
		for _, g := range p[:min(len(p), show)] {
			fmt.Fprintf(w, "  %s: no %s\n", g.Guest, strings.Join(missingDims(g, u.Read), ", "))
		}
		if len(p) > show {
			fmt.Fprintf(w, "  … and %d more\n", len(p)-show)
		}
	}
}

func indentMore(s string) string { return strings.ReplaceAll(s, "\n", "\n  ") }

func missingDims(g *history.GuestUsage, read [inventory.NumDims]bool) []string {
	var out []string
	for _, d := range inventory.Dimensions {
		if read[d] && !g.Has[d] {
			out = append(out, d.String())
		}
	}
	return out
}

// quantileName writes 0.95 as "p95", 1 as "peak", 0.5 as "p50".
func quantileName(q float64) string {
	if q == 1 {
		return "peak"
	}
	return "p" + strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", q*100), "0"), ".")
}

// fmtDur writes a duration as Prometheus does (7d, 5m).
func fmtDur(d time.Duration) string {
	s := d.String()
	switch {
	case d%(24*time.Hour) == 0:
		s = fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		s = fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		s = fmt.Sprintf("%dm", d/time.Minute)
	}
	return s
}

// observedDoc is how the inventory document and a snapshot record where
// observed use came from.
type observedDoc struct {
	// Source is "prometheus" or "sample".
	Source   string    `json:"source" yaml:"source"`
	URL      string    `json:"url,omitempty" yaml:"url,omitempty"`
	Quantile float64   `json:"quantile,omitempty" yaml:"quantile,omitempty"`
	Window   string    `json:"window" yaml:"window"`
	Step     string    `json:"step,omitempty" yaml:"step,omitempty"`
	End      time.Time `json:"end" yaml:"end"`
	ReadAt   time.Time `json:"readAt" yaml:"readAt"`
	Guests   int       `json:"guests,omitempty" yaml:"guests,omitempty"`
	// WithHistory counts the guests with any history.
	WithHistory int            `json:"withHistory,omitempty" yaml:"withHistory,omitempty"`
	Missing     []missingDoc   `json:"missing,omitempty" yaml:"missing,omitempty"`
	Errors      []string       `json:"errors,omitempty" yaml:"errors,omitempty"`
	HostChecks  []hostUseCheck `json:"hostChecks,omitempty" yaml:"hostChecks,omitempty"`
	Warnings    []string       `json:"warnings,omitempty" yaml:"warnings,omitempty"`
}

type missingDoc struct {
	Host   string `json:"host" yaml:"host"`
	Guest  string `json:"guest" yaml:"guest"`
	UUID   string `json:"uuid,omitempty" yaml:"uuid,omitempty"`
	Reason string `json:"reason" yaml:"reason"`
}

// guestHistoryDoc is one guest's history in the inventory document.
type guestHistoryDoc struct {
	MatchedBy string `json:"matchedBy,omitempty" yaml:"matchedBy,omitempty"`
	// Dimensions with history.
	Dimensions []string `json:"dimensions" yaml:"dimensions"`
	// Appetite is the classification and its reason ("cpu: cpu 80% vs
	// iops 12%: lead 68 points ≥ 10", "none: …").
	Appetite string `json:"appetite,omitempty" yaml:"appetite,omitempty"`
	Profile  string `json:"profile,omitempty" yaml:"profile,omitempty"`
	Note     string `json:"note,omitempty" yaml:"note,omitempty"`
}

func usageObservedDoc(r *usageResult, fleet *live.Fleet) *observedDoc {
	u := r.Usage
	doc := &observedDoc{Source: "prometheus", URL: u.Source, Quantile: u.Quantile, Window: fmtDur(u.Window), Step: fmtDur(u.Step),
		End: u.End.UTC().Round(time.Second), ReadAt: u.ReadAt.UTC().Round(time.Second), Guests: len(u.Guests),
		WithHistory: len(u.Guests) - len(u.Missing), HostChecks: r.Hosts, Warnings: u.Warnings}
	missing := map[history.GuestRef]history.MissReason{}
	for _, m := range u.Missing {
		missing[m.Guest] = m.Reason
	}
	for _, g := range r.Guests {
		if reason, ok := missing[g.Usage.Guest]; ok {
			doc.Missing = append(doc.Missing, missingDoc{Host: g.Host, Guest: g.Guest, UUID: g.Usage.Guest.UUID, Reason: string(reason)})
		}
	}
	if r.Err != nil {
		for _, f := range r.Err.Failed {
			doc.Errors = append(doc.Errors, f.Error())
		}
	}
	return doc
}

func (g *guestHistory) doc() *guestHistoryDoc {
	if g == nil || g.Usage.MatchedBy == history.MatchedNone {
		return nil
	}
	d := &guestHistoryDoc{MatchedBy: string(g.Usage.MatchedBy), Dimensions: []string{}, Note: g.Usage.Note, Profile: g.Profile}
	for _, dim := range inventory.Dimensions {
		if g.Usage.Has[dim] {
			d.Dimensions = append(d.Dimensions, dim.String())
		}
	}
	if len(d.Dimensions) > 0 {
		d.Appetite = g.Appetite.String()
	}
	return d
}

// observedDescription is what a snapshot's description says of its
// observed use.
func observedDescription(r *usageResult, sample time.Duration) string {
	switch {
	case r != nil:
		u := r.Usage
		return fmt.Sprintf("; observed use: the %v quantile over %s at %s step ending %s, from Prometheus %s, read %s (%d of %d guests had history)",
			u.Quantile, fmtDur(u.Window), fmtDur(u.Step), u.End.UTC().Format(time.RFC3339), u.Source,
			u.ReadAt.UTC().Format(time.RFC3339), len(u.Guests)-len(u.Missing), len(u.Guests))
	case sample > 0:
		return fmt.Sprintf("; observed use: sampled over %s", sample)
	}
	return ""
}

// writeHistoryTable lists every guest's load history after the hosts'
// table: the quantile per dimension ("-" without history) and the
// appetite with its reason.
func writeHistoryTable(w io.Writer, r *usageResult) error {
	u := r.Usage
	fmt.Fprintf(w, "\nload history: %s over %s at %s, ending %s, from %s\n", quantileName(u.Quantile), fmtDur(u.Window), fmtDur(u.Step),
		u.End.UTC().Format(time.RFC3339), u.Source)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tGUEST\tCPU\tMEMORY\tIOPS\tNET\tAPPETITE")
	for _, g := range r.Guests {
		cells := []string{g.Host, g.Guest}
		for _, d := range inventory.Dimensions {
			c := "-"
			if g.Usage.Has[d] {
				c = inventory.FormatQuantity(d, g.Usage.Quantile[d])
			}
			cells = append(cells, c)
		}
		app := "no history"
		if g.Appetite.Verdict != "" {
			app = g.Appetite.String()
			if g.Profile != "" {
				app = g.Profile + " (" + app + ")"
			}
		}
		fmt.Fprintln(tw, strings.Join(append(cells, app), "\t"))
	}
	return tw.Flush()
}

// sparklinePoints is how many points the explorer's load sparklines have
// (the window in 48 slices: 3.5 h each over a week).
const sparklinePoints = history.DefaultSeriesPoints

// summary is the inventory table's word on observed use ("" without
// history): "use: p95 over 7d from Prometheus (23 of 24 guests)".
func (r *usageResult) summary() string {
	if r == nil {
		return ""
	}
	u := r.Usage
	return fmt.Sprintf("use: %s over %s from Prometheus (%d of %d guests)", quantileName(u.Quantile), fmtDur(u.Window),
		len(u.Guests)-len(u.Missing), len(u.Guests))
}

// load is the history as the explorer draws it: per guest and dimension,
// the downsampled series on the window's slices (NaN where a slice had no
// data); nil without series.
func (r *usageResult) load() *tui.Load {
	if r == nil || r.Points <= 0 || r.Bucket <= 0 {
		return nil
	}
	u := r.Usage
	l := &tui.Load{Label: quantileName(u.Quantile) + " over " + fmtDur(u.Window), Guests: map[string]tui.LoadSeries{}}
	for _, g := range r.Guests {
		var s tui.LoadSeries
		has := false
		for _, d := range inventory.Dimensions {
			pts := g.Usage.Series[d]
			if len(pts) == 0 {
				continue
			}
			vals := make([]float64, r.Points)
			for i := range vals {
				vals[i] = math.NaN()
			}
			for _, p := range pts {
				// The last point ends at the window's end.
				back := int(math.Round(float64(u.End.Sub(p.T)) / float64(r.Bucket)))
				if i := r.Points - 1 - back; i >= 0 && i < r.Points {
					vals[i] = p.V
				}
			}
			s[d], has = vals, true
		}
		if has {
			l.Guests[g.Guest] = s
		}
	}
	return l
}
