package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/history"
	"github.com/berth-dev/berth/inventory/history/promtest"
)

// usageDay is the synthetic history the --usage tests read: six guests
// over a day (the sixth never seen by Prometheus), scraped every minute.
var usageDay = promtest.History{
	Guests: 6,
	End:    time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC),
	Span:   25 * time.Hour,
	Scrape: time.Minute,
	Bucket: 5 * time.Minute,
	Seed:   7,
	Skip:   map[int]bool{5: true},
}

// usageEnd is the window's end: off the 5-minute grid (see
// inventory/history's tests).
var usageEnd = usageDay.End.Add(-150 * time.Second)

// usageHost writes a test-driver host whose domains are the synthetic
// guests 0–3 and 5 by name and UUID, guest 4's UUID under another name
// (matched by UUID), and one guest no series has, each with 2 vCPUs and
// 8 GiB; it returns its URI.
func usageHost(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("<node><cpu><mhz>2600</mhz><model>x86_64</model><nodes>1</nodes><sockets>1</sockets><cores>16</cores><threads>2</threads></cpu><memory>268435456</memory>\n")
	dom := func(name, uuid string) {
		fmt.Fprintf(&b, "<domain type='test'><name>%s</name><uuid>%s</uuid><memory unit='GiB'>8</memory><vcpu>2</vcpu><os><type>hvm</type></os></domain>\n", name, uuid)
	}
	for _, i := range []int{0, 1, 2, 3, 5} {
		g := usageDay.Guest(i)
		dom(g.Name, g.UUID)
	}
	dom("renamed-4", usageDay.Guest(4).UUID)
	dom("stranger", "0badc0de-0000-4000-8000-000000000001")
	b.WriteString("</node>\n")
	p := filepath.Join(t.TempDir(), "kvm-h1.xml")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return "test://" + p
}

func usageConfig(url string) string {
	return fmt.Sprintf("usage:\n  url: %s\n  window: 1d\n  end: %s\n  timeout: 20s\n", url, usageEnd.Format(time.RFC3339))
}

// TestInventoryUsage reads a host's guests' observed use from a real
// Prometheus holding a synthetic day: the figures are the same as
// history.Read's for the same config (which the history package checks
// against PromQL's definition), appetites follow the load, and the
// guests without history are said.
func TestInventoryUsage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	srv := promtest.Start(t, promtest.Options{Blocks: []string{promtest.Backfill(t, usageDay)}})
	uri := usageHost(t)
	code, stdout, stderr := runIn(t, usageConfig(srv.URL), "inventory", "-c", uri, "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var doc inventoryDoc
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	o := doc.Observed
	if o == nil || o.Source != "prometheus" || o.Quantile != 0.95 || o.Window != "1d" || o.Step != "5m" ||
		!o.End.Equal(usageEnd) || o.ReadAt.IsZero() || o.Guests != 7 || o.WithHistory != 5 {
		t.Fatalf("observed = %+v", o)
	}
	if len(o.Missing) != 2 || o.Missing[0].Guest != "synth-0005" || o.Missing[0].Reason != "no-series" ||
		o.Missing[1].Guest != "stranger" || o.Missing[1].Reason != "no-series" {
		t.Errorf("missing = %+v, want synth-0005 and stranger, no-series", o.Missing)
	}
	if !strings.Contains(stderr, "berth: load history: p95 over 1d at 5m from "+srv.URL+": 5 of 7 guests") ||
		!strings.Contains(stderr, "no load history for 2 guests (planned on allocation)") ||
		!strings.Contains(stderr, "stranger (uuid 0badc0de-0000-4000-8000-000000000001): no series with its uuid or name in the window [no-series]") {
		t.Errorf("stderr does not say what was read and what was missing:\n%s", stderr)
	}

	// The same read through the package.
	cfg := history.DefaultConfig(srv.URL)
	cfg.Window, cfg.End = 24*time.Hour, usageEnd
	var refs []history.GuestRef
	for _, i := range []int{0, 1, 2, 3} {
		g := usageDay.Guest(i)
		refs = append(refs, history.GuestRef{Name: g.Name, UUID: g.UUID})
	}
	refs = append(refs, history.GuestRef{Name: "renamed-4", UUID: usageDay.Guest(4).UUID})
	want, err := history.Read(context.Background(), cfg, refs)
	if err != nil {
		t.Fatal(err)
	}
	guests := map[string]guestDoc{}
	for _, g := range doc.Hosts[0].Guests {
		guests[g.Name] = g
	}
	for _, w := range want.Guests {
		g := guests[w.Guest.Name]
		if g.Observed == nil {
			t.Errorf("%s: no observed use", w.Guest.Name)
			continue
		}
		got := inventory.Vector{float64(g.Observed.CPU), float64(g.Observed.Memory), float64(g.Observed.IOPS), float64(g.Observed.Net)}
		for _, d := range inventory.Dimensions {
			if math.Abs(got[d]-w.Quantile[d]) > 1e-9*math.Max(1, w.Quantile[d]) {
				t.Errorf("%s %s: observed %v, history.Read %v", w.Guest.Name, d, got[d], w.Quantile[d])
			}
		}
	}
	if g := guests["renamed-4"]; g.History == nil || g.History.MatchedBy != "uuid" {
		t.Errorf("renamed-4: history %+v, want matched by uuid", g.History)
	}
	// web: cpu-heavy; db: iops-heavy; cache: net-heavy (no built-in
	// profile has net); idle: none.
	for name, want := range map[string]struct{ profile, appetite string }{
		"synth-0000": {"web", "cpu: cpu "},
		"synth-0001": {"db", "iops: iops "},
		"synth-0002": {"", "net: net "},
		"synth-0003": {"", "none: "},
	} {
		g := guests[name]
		if g.Profile != want.profile || g.History == nil || !strings.HasPrefix(g.History.Appetite, want.appetite) {
			t.Errorf("%s: profile %q (%s), history %+v; want %q, appetite %q…", name, g.Profile, g.RoleSource, g.History, want.profile, want.appetite)
		}
		if want.profile != "" && g.RoleSource != "inferred" {
			t.Errorf("%s: role source %q, want inferred", name, g.RoleSource)
		}
	}
	if g := guests["stranger"]; g.Observed != nil || g.History != nil {
		t.Errorf("stranger: observed %+v, history %+v; want neither", g.Observed, g.History)
	}

	// The table lists every guest's history; a snapshot's description
	// records the quantile, window and read time.
	hosts := fmt.Sprintf("hosts:\n  - {name: kvm-h1, uri: %q, iops: 20k, net: 10Gbps}\n", uri)
	code, stdout, stderr = runIn(t, hosts+usageConfig(srv.URL), "inventory", "--save", "fleet.yaml")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, s := range []string{"use: p95 over 1d from Prometheus (5 of 7 guests)", "load history: p95 over 1d at 5m, ending 2025-01-05T23:57:30Z",
		"synth-0001", "db (iops: iops ", "stranger", "no history"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("table does not say %q:\n%s", s, stdout)
		}
	}
	saved, err := os.ReadFile("fleet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(saved), "observed use: the 0.95 quantile over 1d at 5m step ending 2025-01-05T23:57:30Z, from Prometheus "+srv.URL) {
		t.Errorf("snapshot does not record where observed use came from:\n%s", saved)
	}
	sc, err := inventory.ParseScenario("fleet.yaml", saved)
	if err != nil {
		t.Fatal(err)
	}
	if g := sc.Hosts[0].Guests[1]; g.Name != "synth-0001" || g.Observed == nil || g.Profile != "db" {
		t.Errorf("saved guest %+v, want synth-0001 with observed use and profile db", g)
	}
}

// TestUsageFaults: Prometheus down, or stalling past usage.timeout:
// inventory and plan still run, on allocations, and say what was
// missing.
func TestUsageFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	uri := usageHost(t)
	addr, err := promtest.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + addr
	demand := "apiVersion: berth/v1\nprofiles:\n  - {name: tiny, request: {cpu: 100m, memory: 64Mi, iops: 10, net: 1Mbps}}\ndemand:\n  - {name: tiny, profile: tiny, count: 1}\n"
	t.Run("down", func(t *testing.T) {
		code, stdout, stderr := runIn(t, usageConfig(down), "inventory", "-c", uri, "-o", "json")
		if code != exitOK {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		for _, s := range []string{"prometheus " + down + ": unreachable: ", "no load history was read",
			"guests are planned on their allocation in what the history did not give", ": 0 of 7 guests"} {
			if !strings.Contains(stderr, s) {
				t.Errorf("stderr does not say %q:\n%s", s, stderr)
			}
		}
		var doc inventoryDoc
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Observed.Errors) != 4 || len(doc.Observed.Missing) != 7 || doc.Observed.Missing[0].Reason != "unanswered" {
			t.Errorf("observed = %+v; want 4 errors, 7 guests missing as unanswered", doc.Observed)
		}
		for _, g := range doc.Hosts[0].Guests {
			if g.Observed != nil {
				t.Errorf("%s: observed %+v with Prometheus down", g.Name, g.Observed)
			}
		}
	})
	t.Run("plan with Prometheus down", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "demand.yaml"), []byte(demand), 0o644); err != nil {
			t.Fatal(err)
		}
		hosts := fmt.Sprintf("hosts:\n  - {name: h1, uri: %q, iops: 20k, net: 10Gbps}\n", uri)
		code, stdout, stderr := runIn(t, hosts, "plan", "-d", filepath.Join(dir, "demand.yaml"), "--usage", "prometheus="+down)
		if code != exitOK || !strings.Contains(stderr, "unreachable") || !strings.Contains(stdout, "tiny-1") {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})
	t.Run("slow", func(t *testing.T) {
		srv := promtest.Start(t, promtest.Options{})
		proxy := promtest.StartFaultyProxy(t, srv.URL, promtest.StallHeaders, nil)
		cfg := strings.Replace(usageConfig(proxy.URL), "timeout: 20s", "timeout: 2s", 1)
		code, _, stderr := runIn(t, cfg, "inventory", "-c", uri)
		if code != exitOK || !strings.Contains(stderr, "timeout: no answer within 2s (usage.timeout)") {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("bad config", func(t *testing.T) {
		for cfg, want := range map[string]string{
			"usage:\n  url: http://p:9090\n  quantile: 2\n":                   "usage.quantile: 2 is outside 0…1",
			"usage:\n  url: http://p:9090\n  windw: 7d\n":                     "unknown key windw",
			"usage:\n  source: graphite\n  url: http://p\n":                   `source "graphite": berth reads load history from prometheus only`,
			"usage:\n  url: http://p:9090\n  metrics: {disk: {names: [x]}}\n": `usage.metrics: unknown dimension "disk"`,
		} {
			code, _, stderr := runIn(t, cfg, "inventory", "-c", uri)
			if code != exitError || !strings.Contains(stderr, want) {
				t.Errorf("config %q: exit %d, stderr %s; want %q", cfg, code, stderr, want)
			}
		}
		code, _, stderr := runIn(t, "", "inventory", "-c", uri, "--usage", "http://p:9090")
		if code != exitError || !strings.Contains(stderr, "--usage \"http://p:9090\": want SOURCE=URL") {
			t.Errorf("exit %d, stderr %s", code, stderr)
		}
		code, _, stderr = runIn(t, "", "plan", "--usage", "prometheus=http://p:9090")
		if code != exitError || !strings.Contains(stderr, "--usage applies to live hosts") {
			t.Errorf("exit %d, stderr %s", code, stderr)
		}
	})
}

// TestUsageLoad: the explorer's series put each point on its slice of
// the window, counted back from the end; a slice without a point is NaN.
func TestUsageLoad(t *testing.T) {
	end := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := 3*time.Hour + 30*time.Minute
	gu := history.GuestUsage{Guest: history.GuestRef{Name: "g1"}}
	gu.Series[inventory.CPU] = []history.Point{{T: end.Add(-3 * b), V: 1}, {T: end.Add(-b), V: 2}, {T: end, V: 3}}
	r := &usageResult{Usage: &history.Usage{Quantile: 0.95, Window: 7 * 24 * time.Hour, End: end}, Points: 4, Bucket: b,
		Guests: []guestHistory{{Guest: "g1", Usage: &gu}, {Guest: "g2", Usage: &history.GuestUsage{}}}}
	l := r.load()
	if l.Label != "p95 over 7d" {
		t.Errorf("label %q", l.Label)
	}
	if got := fmt.Sprint(l.Guests["g1"][inventory.CPU]); got != "[1 NaN 2 3]" {
		t.Errorf("g1 cpu %s, want [1 NaN 2 3]", got)
	}
	if _, ok := l.Guests["g2"]; ok || l.Guests["g1"][inventory.Memory] != nil {
		t.Error("a guest or dimension without series has one")
	}
	if (&usageResult{Usage: r.Usage}).load() != nil {
		t.Error("a read without series gives sparklines")
	}
}

// TestWriteRoles: --write-roles lists the roles the history gives (a dry
// run), and with --yes writes them into berth's metadata on the guests,
// journaling each write before and after it.
func TestWriteRoles(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	srv := promtest.Start(t, promtest.Options{Blocks: []string{promtest.Backfill(t, usageDay)}})
	uri := usageHost(t)
	code, stdout, stderr := runIn(t, usageConfig(srv.URL), "inventory", "-c", uri, "--write-roles")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, s := range []string{"synth-0000  web   cpu: cpu ", "synth-0001  db    iops: iops ", "no role: net: net ", "stranger    -     no history",
		"dry run: nothing written; run again with --yes to write 3 roles into berth's libvirt metadata (journal: berth-roles.journal)"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("dry run does not say %q:\n%s", s, stdout)
		}
	}
	if _, err := os.Stat("berth-roles.journal"); err == nil {
		t.Error("the dry run wrote a journal")
	}
	code, stdout, stderr = runIn(t, usageConfig(srv.URL), "inventory", "-c", uri, "--write-roles", "--yes", "--journal", "roles.jsonl")
	if code != exitOK || !strings.Contains(stdout, "wrote 3 roles into berth's libvirt metadata (journal: roles.jsonl)") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile("roles.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r roleRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		events = append(events, r.Event+" "+r.Guest+" "+r.Profile)
	}
	want := "[started synth-0000 web finished synth-0000 web started synth-0001 db finished synth-0001 db started renamed-4 web finished renamed-4 web]"
	if got := fmt.Sprint(events); got != want {
		t.Errorf("journal %s\nwant %s", got, want)
	}
	code, _, stderr = runIn(t, "", "inventory", "-c", uri, "--write-roles")
	if code != exitError || !strings.Contains(stderr, "--write-roles records the appetite the load history shows: give --usage") {
		t.Errorf("without --usage: exit %d, %s", code, stderr)
	}
}
