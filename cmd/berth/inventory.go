package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"charm.land/bubbles/v2/progress"
	"github.com/berth-dev/berth/internal/safefile"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/live"
	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

func newInventoryCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inventory",
		Short: "Read libvirt hosts, their guests and observed load; print or save the fleet",
		Long: `inventory reads libvirt hosts — the ones given with -c/--connect, else the
hosts of the config file (key "hosts"), else the one LIBVIRT_DEFAULT_URI
names — with a bounded number at a time, and
prints a summary: each host's CPUs and memory, its guests, what the guests were
allocated and (with --sample) what they were seen to use, and whether the host
could be read at all.

A host that cannot be read (unreachable, authentication, DNS, timeout, bad
host file) is reported with the reason and left out; --strict makes that an
error (exit 1). --save writes the hosts read as a scenario file that
"berth plan -f" can plan on without reaching the hosts again. Passwords in
URIs are never printed or saved. See docs/inventory.md.`,
		Example: `  berth inventory -c qemu+ssh://root@kvm07/system -c qemu+ssh://root@kvm08/system
  berth inventory -c test:///default -o yaml
  berth inventory --sample 10s --save fleet.yaml   # hosts from the config
  berth inventory --strict --concurrency 64 --timeout 10s
  berth inventory --usage prometheus=http://prometheus:9090   # a week's p95 as observed use
  berth inventory --usage prometheus=http://prometheus:9090 --write-roles --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runInventory(a, cmd)
		},
	}
	f := cmd.Flags()
	f.StringArrayP("connect", "c", nil, "libvirt URI of a host to read (repeatable; default: the config's hosts, else $LIBVIRT_DEFAULT_URI)")
	f.StringP("output", "o", "table", "output format: table, json or yaml")
	f.String("save", "", "also save the hosts read as a scenario file (YAML)")
	f.Duration("sample", 0, "observe use over this window, e.g. 10s (0 = allocations only)")
	f.Bool("strict", false, "fail (exit 1) when any host cannot be read")
	f.Int("concurrency", live.DefaultConcurrency, "hosts read at once")
	f.Duration("timeout", live.DefaultHostTimeout, "time allowed to read one host (the sample window is added)")
	registerUsageFlag(f, false)
	registerWriteRolesFlags(f)
	shutoffFlag.register(cmd, "", string(inventory.ShutoffCount), "shut-off guests: counted in ALLOC, as plan charges them, or not")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"table", "json", "yaml"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runInventory(a *app, cmd *cobra.Command) error {
	format := a.v.GetString("output")
	switch format {
	case "table", "json", "yaml":
	default:
		return fmt.Errorf("unknown output format %q: want table, json or yaml", format)
	}
	rule, err := shutoffFlag.value(a)
	if err != nil {
		return a.badValue(cmd, shutoffFlag.name, "%v", err)
	}
	pol := inventory.Policy{Shutoff: inventory.ShutoffRule(rule)}
	uris, _ := a.connectURIs(cmd)
	sources, opt, err := a.liveSources(uris) // source.go: -c, BERTH_CONNECT/connect:, the config's hosts, LIBVIRT_DEFAULT_URI
	if err != nil {
		return err
	}
	if err := a.readSettings(cmd, &opt); err != nil {
		return err
	}
	usage, err := a.usageSettings(cmd)
	if err != nil {
		return err
	}
	roles, err := a.writeRolesSettings(cmd, usage)
	if err != nil {
		return err
	}
	fleet, err := a.readFleet(cmd.Context(), sources, opt)
	if fleet == nil {
		return err
	}
	res, uerr := a.readUsage(cmd.Context(), usage, fleet, opt.Profiles, 0)
	if uerr != nil {
		return uerr
	}
	var werr error
	switch format {
	case "table":
		werr = writeInventoryTable(a.stdout, fleet, res.summary(), &pol)
		if werr == nil && res != nil {
			werr = writeHistoryTable(a.stdout, res)
		}
	case "json":
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		werr = enc.Encode(inventoryDocument(fleet, res, &pol))
	case "yaml":
		enc := yaml.NewEncoder(a.stdout)
		enc.SetIndent(2)
		werr = enc.Encode(inventoryDocument(fleet, res, &pol))
		enc.Close()
	}
	if werr != nil {
		return werr
	}
	if err != nil {
		// Under --strict the table has already shown which hosts failed.
		var fe *live.FailedHostsError
		if errors.As(err, &fe) {
			return fmt.Errorf("--strict: %d of %d hosts could not be read", len(fe.Failed), len(fleet.Status))
		}
		return err
	}
	if path := a.v.GetString("save"); path != "" {
		if len(fleet.Hosts) == 0 {
			return fmt.Errorf("no host could be read, so nothing was saved (%s is left as it was)", path)
		}
		if err := saveSnapshot(path, fleet, res, pol.Shutoff); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "berth: saved %s to %s\n", countText(len(fleet.Hosts), "host"), path)
		if unknown := fleet.UnknownCapacity(); len(unknown) > 0 {
			fmt.Fprintf(a.stderr, "berth: warning: libvirt cannot tell disk IOPS or network capacity, and the config gives none for %s;\n"+
				"  set iops/net for them under \"hosts\" or a host class (see docs/inventory.md), or edit %s, before planning on it\n",
				strings.Join(unknown, ", "), path)
		}
	}
	if len(fleet.Hosts) == 0 {
		return fmt.Errorf("none of the %s could be read (see the table above)", countText(len(fleet.Status), "host"))
	}
	if roles != nil {
		return a.writeRoles(cmd.Context(), roles, fleet, res)
	}
	return nil
}

// readFleet reads the sources with a progress display on stderr: a bar on
// a terminal, one line per host otherwise. Plan and explore can read a live
// fleet through it too.
func (a *app) readFleet(ctx context.Context, sources []live.Source, opt live.ReadOptions) (*live.Fleet, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if isTerminal(a.stderr) && len(sources) > 1 {
		failed := 0
		draw := func(done int) {
			fmt.Fprintf(a.stderr, "\r%s %d/%d hosts, %d failed", progressBar(40, done, len(sources)), done, len(sources), failed)
		}
		draw(0)
		opt.Progress = func(p live.Progress) {
			if !p.Status.OK() {
				failed++
			}
			draw(p.Done)
			if p.Done == p.Total {
				fmt.Fprint(a.stderr, "\r\033[K")
			}
		}
	} else {
		opt.Progress = func(p live.Progress) {
			st := p.Status
			if st.OK() {
				fmt.Fprintf(a.stderr, "[%d/%d] %s: %d guests (%s)\n", p.Done, p.Total, st.Name, st.Guests, st.Elapsed.Round(time.Millisecond))
			} else {
				fmt.Fprintf(a.stderr, "[%d/%d] %s: %s: %s\n", p.Done, p.Total, st.Name, st.Reason, st.Error)
			}
		}
	}
	return live.ReadFleet(ctx, sources, opt)
}

// progressBar draws done/total as a bar of width cells, without colour
// (the line is rewritten in place with \r, and stays plain for any terminal).
func progressBar(width, done, total int) string {
	share := 1.0
	if total > 0 {
		share = float64(done) / float64(total)
	}
	bar := progress.New(progress.WithWidth(width), progress.WithoutPercentage(),
		progress.WithFillCharacters(progress.DefaultFullCharFullBlock, progress.DefaultEmptyCharBlock))
	return ansi.Strip(bar.ViewAs(share))
}

// hostConfig is one entry of the config's "hosts" list.
type hostConfig struct {
	Name   string            `mapstructure:"name"`
	URI    string            `mapstructure:"uri"`
	Labels map[string]string `mapstructure:"labels"`
	IOPS   any               `mapstructure:"iops"`
	Net    any               `mapstructure:"net"`
	Class  string            `mapstructure:"class"`
}

// hostClassConfig is one entry of the config's "hostClasses" map.
type hostClassConfig struct {
	IOPS   any               `mapstructure:"iops"`
	Net    any               `mapstructure:"net"`
	Labels map[string]string `mapstructure:"labels"`
}

// rolePatternConfig is one entry of the config's "rolePatterns" list.
type rolePatternConfig struct {
	Pattern string `mapstructure:"pattern"`
	Profile string `mapstructure:"profile"`
}

// inventoryConfig builds the sources (from uris, else the config's hosts)
// and the read options the config gives: host classes, role patterns and
// the guests' default iops/net allocation.
func (a *app) inventoryConfig(uris []string) ([]live.Source, live.ReadOptions, error) {
	opt, err := a.readOptionsConfig()
	if err != nil {
		return nil, opt, err
	}
	configured, err := a.hostsConfig()
	if err != nil {
		return nil, opt, err
	}
	if len(uris) == 0 {
		return configured, opt, nil
	}
	// -c URI reads just those hosts; a URI the config lists keeps the
	// config's name, labels and capacities.
	sources := make([]live.Source, len(uris))
	for i, u := range uris {
		sources[i] = live.Source{URI: u}
		for _, c := range configured {
			if c.URI == u {
				sources[i] = c
				break
			}
		}
	}
	return sources, opt, nil
}

// readOptionsConfig reads how hosts are read from the config: host
// classes, role patterns and the guests' default IOPS and bandwidth.
func (a *app) readOptionsConfig() (live.ReadOptions, error) {
	var opt live.ReadOptions
	var err error
	if opt.Classes, err = a.hostClassesConfig(); err != nil {
		return opt, err
	}
	if opt.RolePatterns, err = a.rolePatternsConfig(); err != nil {
		return opt, err
	}
	if opt.GuestIOPS, err = quantity(inventory.IOPS, a.v.Get("guestDefaults.iops"), "guestDefaults.iops"); err != nil {
		return opt, err
	}
	if opt.GuestNet, err = quantity(inventory.Net, a.v.Get("guestDefaults.net"), "guestDefaults.net"); err != nil {
		return opt, err
	}
	return opt, nil
}

// hostClassesConfig reads the config's hostClasses (nil when there are
// none), keyed in lower case.
func (a *app) hostClassesConfig() (map[string]live.HostClass, error) {
	var classes map[string]hostClassConfig
	if err := a.v.UnmarshalKey("hostClasses", &classes); err != nil {
		return nil, fmt.Errorf("config hostClasses: %w", err)
	}
	if len(classes) == 0 {
		return nil, nil
	}
	out := map[string]live.HostClass{}
	for _, name := range slices.Sorted(maps.Keys(classes)) {
		c := classes[name]
		iops, err := quantity(inventory.IOPS, c.IOPS, "hostClasses."+name+".iops")
		if err != nil {
			return nil, err
		}
		nw, err := quantity(inventory.Net, c.Net, "hostClasses."+name+".net")
		if err != nil {
			return nil, err
		}
		// viper folds map keys to lower case; classes are matched that way.
		out[strings.ToLower(name)] = live.HostClass{IOPS: iops, Net: nw, Labels: c.Labels}
	}
	return out, nil
}

// rolePatternsConfig reads the config's rolePatterns, in order.
func (a *app) rolePatternsConfig() ([]live.NamePattern, error) {
	var patterns []rolePatternConfig
	if err := a.v.UnmarshalKey("rolePatterns", &patterns); err != nil {
		return nil, fmt.Errorf("config rolePatterns: %w", err)
	}
	var out []live.NamePattern
	for i, p := range patterns {
		re, err := regexp.Compile(p.Pattern)
		if err != nil {
			return nil, fmt.Errorf("config rolePatterns[%d]: %w", i, err)
		}
		if p.Profile == "" {
			return nil, fmt.Errorf("config rolePatterns[%d]: no profile for pattern %q", i, p.Pattern)
		}
		out = append(out, live.NamePattern{Pattern: re, Profile: p.Profile})
	}
	return out, nil
}

// hostsConfig reads the config's hosts as sources.
func (a *app) hostsConfig() ([]live.Source, error) {
	var hosts []hostConfig
	if err := a.v.UnmarshalKey("hosts", &hosts); err != nil {
		return nil, fmt.Errorf("config hosts: %w", err)
	}
	configured := make([]live.Source, 0, len(hosts))
	for i, h := range hosts {
		where := fmt.Sprintf("hosts[%d]", i)
		if h.URI == "" {
			return nil, fmt.Errorf("config %s: no uri", where)
		}
		s := live.Source{Name: h.Name, URI: h.URI, Labels: h.Labels, Class: strings.ToLower(h.Class)}
		var err error
		if s.IOPS, err = quantity(inventory.IOPS, h.IOPS, where+".iops"); err != nil {
			return nil, err
		}
		if s.Net, err = quantity(inventory.Net, h.Net, where+".net"); err != nil {
			return nil, err
		}
		configured = append(configured, s)
	}
	return configured, nil
}

// quantity reads a config amount written as in scenario files (5k, 10Gbps;
// a number is taken as written).
func quantity(dim inventory.Dimension, v any, key string) (float64, error) {
	if v == nil {
		return 0, nil
	}
	x, err := inventory.ParseQuantity(dim, fmt.Sprint(v))
	if err != nil {
		return 0, fmt.Errorf("config %s: %w", key, err)
	}
	return x, nil
}

// saveSnapshot writes the hosts read as a scenario file, whole or not at
// all (safefile.WriteFile: never through a link, never over a device),
// with the rule for shut-off guests the inventory was shown under.
func saveSnapshot(path string, fleet *live.Fleet, usage *usageResult, shutoff inventory.ShutoffRule) error {
	var buf bytes.Buffer
	sc := fleet.Scenario(strings.TrimSuffix(strings.TrimSuffix(baseName(path), ".yaml"), ".yml"))
	sc.Description += observedDescription(usage, fleet.Sample)
	sc.Policy.Shutoff = shutoff
	if err := inventory.WriteScenario(&buf, sc); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	return safefile.WriteFile(path, buf.Bytes(), 0o644)
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// hostTotals are a host's guests, the allocation of those the policy's
// shutoff rule counts (as plan charges them), and the running guests'
// observed use.
type hostTotals struct {
	running, off, guests int
	alloc, used          inventory.Vector
	sampled              bool
}

func totals(h *inventory.Host, pol *inventory.Policy) hostTotals {
	var t hostTotals
	t.guests = len(h.Guests)
	for i := range h.Guests {
		g := &h.Guests[i]
		if pol.Counts(g) {
			t.alloc = t.alloc.Add(g.Allocation)
		}
		if g.ShutOff() {
			t.off++
			continue
		}
		t.running++
		if g.Observed != nil {
			t.used = t.used.Add(*g.Observed)
			t.sampled = true
		}
	}
	return t
}

// offNote says how many of a host's guests are shut off and whether ALLOC
// counts them: ", 1 shut off (counted)"; "" when none is.
func offNote(n int, pol *inventory.Policy) string {
	if n == 0 {
		return ""
	}
	how := "counted"
	if pol.Shutoff == inventory.ShutoffIgnore {
		how = "not counted"
	}
	return fmt.Sprintf(", %d shut off (%s)", n, how)
}

// writeInventoryTable prints one row per source: the hosts read and, with
// their reason, the ones that failed.
func writeInventoryTable(w io.Writer, fleet *live.Fleet, observed string, pol *inventory.Policy) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tCPUS\tMEMORY\tGUESTS\tCPU ALLOC/USED\tMEMORY ALLOC/USED\tIOPS ALLOC/USED\tNET ALLOC/USED\tSTATUS")
	byName := map[string]*inventory.Host{}
	for i := range fleet.Hosts {
		byName[fleet.Hosts[i].Name] = &fleet.Hosts[i]
	}
	guests, running, off := 0, 0, 0
	for _, st := range fleet.Status {
		h := byName[st.Name]
		if !st.OK() || h == nil {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t-\t%s: %s\n", st.Name, st.Reason, st.Error)
			continue
		}
		t := totals(h, pol)
		guests += t.guests
		running += t.running
		off += t.off
		cpus := fmt.Sprint(h.Capacity[inventory.CPU])
		if f := h.Facts; f != nil && f.Sockets > 0 {
			cpus = fmt.Sprintf("%d (%d×%d×%d)", f.CPUs, f.Sockets, f.Cores, f.Threads)
		}
		cells := make([]string, 0, inventory.NumDims)
		for _, d := range inventory.Dimensions {
			used := "-"
			if t.sampled {
				used = inventory.FormatQuantity(d, t.used[d])
			}
			c := inventory.FormatQuantity(d, t.alloc[d]) + " / " + used
			if d == inventory.IOPS || d == inventory.Net {
				capacity := "?"
				if h.Capacity[d] > 0 {
					capacity = inventory.FormatQuantity(d, h.Capacity[d])
				}
				c += " of " + capacity
			}
			cells = append(cells, c)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%s\tok%s\n", h.Name, cpus,
			inventory.FormatQuantity(inventory.Memory, h.Capacity[inventory.Memory]),
			t.running, t.guests, strings.Join(cells, "\t"), offNote(t.off, pol))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	failed := len(fleet.Status) - len(fleet.Hosts)
	sample := "allocations only"
	switch {
	case observed != "":
		sample = observed
	case fleet.Sample > 0:
		sample = "use sampled over " + fleet.Sample.String()
	}
	_, err := fmt.Fprintf(w, "\n%d of %d hosts read (%d failed), %d guests (%d running%s); %s; %s\n",
		len(fleet.Hosts), len(fleet.Status), failed, guests, running, offNote(off, pol), sample, fleet.Elapsed.Round(time.Millisecond))
	return err
}

// vectorDoc is a resource vector in base units (vCPUs, bytes, IOPS, bits/s).
type vectorDoc struct {
	CPU    amount `json:"cpu" yaml:"cpu"`
	Memory amount `json:"memory" yaml:"memory"`
	IOPS   amount `json:"iops" yaml:"iops"`
	Net    amount `json:"net" yaml:"net"`
}

// amount is a number in base units, written without an exponent (YAML
// would write 64 GiB as 6.8719476736e+10).
type amount float64

func (x amount) MarshalYAML() (any, error) {
	if f := float64(x); f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f), nil
	}
	return float64(x), nil
}

func vecDoc(v inventory.Vector) vectorDoc {
	return vectorDoc{CPU: amount(v[inventory.CPU]), Memory: amount(v[inventory.Memory]),
		IOPS: amount(v[inventory.IOPS]), Net: amount(v[inventory.Net])}
}

type inventoryDoc struct {
	ReadAt time.Time `json:"readAt" yaml:"readAt"`
	Sample string    `json:"sample" yaml:"sample"`
	// Shutoff is the rule the hosts' allocated totals follow: count
	// (shut-off guests included) or ignore.
	Shutoff string `json:"shutoff" yaml:"shutoff"`
	Elapsed string `json:"elapsed" yaml:"elapsed"`
	// Observed says where the guests' observed use came from: the load
	// history (quantile, window, when it was read) or the sample window;
	// absent when nothing was observed.
	Observed *observedDoc `json:"observed,omitempty" yaml:"observed,omitempty"`
	Hosts    []hostDoc    `json:"hosts" yaml:"hosts"`
}

type hostDoc struct {
	Name   string `json:"name" yaml:"name"`
	URI    string `json:"uri" yaml:"uri"`
	Status string `json:"status" yaml:"status"`
	// Reason and Error say why a host could not be read.
	Reason    string               `json:"reason,omitempty" yaml:"reason,omitempty"`
	Error     string               `json:"error,omitempty" yaml:"error,omitempty"`
	Labels    map[string]string    `json:"labels,omitempty" yaml:"labels,omitempty"`
	Capacity  *vectorDoc           `json:"capacity,omitempty" yaml:"capacity,omitempty"`
	Allocated *vectorDoc           `json:"allocated,omitempty" yaml:"allocated,omitempty"`
	Used      *vectorDoc           `json:"used,omitempty" yaml:"used,omitempty"`
	Facts     *inventory.HostFacts `json:"facts,omitempty" yaml:"facts,omitempty"`
	Guests    []guestDoc           `json:"guests,omitempty" yaml:"guests,omitempty"`
}

type guestDoc struct {
	Name       string     `json:"name" yaml:"name"`
	UUID       string     `json:"uuid,omitempty" yaml:"uuid,omitempty"`
	State      string     `json:"state" yaml:"state"`
	Profile    string     `json:"profile,omitempty" yaml:"profile,omitempty"`
	RoleSource string     `json:"roleSource,omitempty" yaml:"roleSource,omitempty"`
	Group      string     `json:"group,omitempty" yaml:"group,omitempty"`
	PlanID     string     `json:"planID,omitempty" yaml:"planID,omitempty"`
	Allocation vectorDoc  `json:"allocation" yaml:"allocation"`
	Observed   *vectorDoc `json:"observed,omitempty" yaml:"observed,omitempty"`
	// History is what the load history said of the guest (--usage).
	History *guestHistoryDoc `json:"history,omitempty" yaml:"history,omitempty"`
}

// inventoryDocument is the fleet as -o json/yaml print it: every source in
// order, the failed ones with their reason; URIs masked.
func inventoryDocument(fleet *live.Fleet, usage *usageResult, pol *inventory.Policy) inventoryDoc {
	doc := inventoryDoc{ReadAt: fleet.ReadAt.UTC().Round(time.Second), Sample: fleet.Sample.String(), Shutoff: string(pol.Shutoff),
		Elapsed: fleet.Elapsed.Round(time.Millisecond).String(), Hosts: []hostDoc{}}
	switch {
	case usage != nil:
		doc.Observed = usageObservedDoc(usage, fleet)
	case fleet.Sample > 0:
		doc.Observed = &observedDoc{Source: "sample", Window: fleet.Sample.String(), End: fleet.ReadAt.Add(fleet.Sample).UTC().Round(time.Second),
			ReadAt: doc.ReadAt}
	}
	byName := map[string]*inventory.Host{}
	for i := range fleet.Hosts {
		byName[fleet.Hosts[i].Name] = &fleet.Hosts[i]
	}
	for _, st := range fleet.Status {
		h := byName[st.Name]
		if !st.OK() || h == nil {
			doc.Hosts = append(doc.Hosts, hostDoc{Name: st.Name, URI: st.URI, Status: "failed", Reason: string(st.Reason), Error: st.Error})
			continue
		}
		t := totals(h, pol)
		hd := hostDoc{Name: h.Name, URI: inventory.MaskURI(h.URI), Status: "ok", Labels: h.Labels, Facts: h.Facts}
		c, al := vecDoc(h.Capacity), vecDoc(t.alloc)
		hd.Capacity, hd.Allocated = &c, &al
		if t.sampled {
			u := vecDoc(t.used)
			hd.Used = &u
		}
		for _, g := range h.Guests {
			gd := guestDoc{Name: g.Name, UUID: g.UUID, State: g.State, Profile: g.Profile, RoleSource: string(g.RoleSource),
				Group: g.Group, PlanID: g.PlanID, Allocation: vecDoc(g.Allocation)}
			if g.Observed != nil {
				o := vecDoc(*g.Observed)
				gd.Observed = &o
			}
			gd.History = usage.guest(h.Name, g.Name).doc()
			hd.Guests = append(hd.Guests, gd)
		}
		doc.Hosts = append(doc.Hosts, hd)
	}
	return doc
}
