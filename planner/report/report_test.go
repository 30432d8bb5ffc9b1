package report

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/berth-dev/berth/internal/goldenfile"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/report/extra"
	"github.com/google/go-cmp/cmp"
)

// The SVG bar means what the table's bar means: of what the host offers,
// the existing load (█), what this plan adds (▓), the rest free (░). Each
// of the table's ten cells is ten units of the SVG's 100.
func TestBarMeansWhatTheTableBarMeans(t *testing.T) {
	tests := []struct {
		name                    string
		before, after, offered  float64
		existing, added, pctTxt string
		over                    bool
	}{
		// 30/100 existing, 55-30 added ⇒ 30.0 and 25.0 wide.
		{"half full", 30, 55, 100, "30.0", "25.0", "55%", false},
		{"untouched", 40, 40, 80, "50.0", "0.0", "50%", false},
		{"empty host gets guests", 0, 12, 48, "0.0", "25.0", "25%", false},
		// Over-full: the bar fills, the percentage and the outline say so.
		{"over capacity", 90, 120, 100, "90.0", "10.0", "120%", true},
		{"already over", 130, 130, 100, "100.0", "0.0", "130%", true},
		{"nothing offered", 0, 0, 0, "0.0", "0.0", "—", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBar(inventory.CPU, tt.before, tt.after, tt.offered)
			got := [4]string{b.Existing, b.Added, b.Percent, strconv.FormatBool(b.Over)}
			want := [4]string{tt.existing, tt.added, tt.pctTxt, strconv.FormatBool(tt.over)}
			if got != want {
				t.Errorf("existing, added, percent, over = %q, want %q", got, want)
			}
			// The same cells as the table's bar, to within rounding.
			cells := planner.Bar(tt.before, tt.after, tt.offered)
			e, _ := strconv.ParseFloat(b.Existing, 64)
			a, _ := strconv.ParseFloat(b.Added, 64)
			if n := strings.Count(cells, "█"); abs(float64(n)-e/10) > 0.5 {
				t.Errorf("table has %d █ cells, SVG %s%% existing", n, b.Existing)
			}
			if n := strings.Count(cells, "█") + strings.Count(cells, "▓"); abs(float64(n)-(e+a)/10) > 0.5 {
				t.Errorf("table has %d █▓ cells, SVG %.1f%% used", n, e+a)
			}
		})
	}
}

func abs(x float64) float64 { return max(x, -x) }

func TestHostsGroupedByZoneAndRackBoughtLast(t *testing.T) {
	tests := []struct {
		scenario string
		want     []string
	}{
		{"leftovers", []string{"zone z1 · rack r1: host-a host-b", "zone z1 · rack r2: host-c"}},
		{"growth", []string{"zone z1 · rack r1: g1 g2", "zone z1 · rack r2: g3 g4", "to buy: "}},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			p := embeddedPlan(t, tt.scenario)
			groups, history := hostGroups(p, extra.Extras{})
			if history {
				t.Error("a plan without history has a history column")
			}
			var got []string
			for _, g := range groups {
				var names []string
				for _, h := range g.Hosts {
					if !strings.HasPrefix(h.Note, "buy") {
						names = append(names, h.Name)
					}
				}
				got = append(got, g.Name+": "+strings.Join(names, " "))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("groups (-want +got):\n%s", diff)
			}
			if tt.scenario == "growth" {
				bought := groups[len(groups)-1]
				if len(bought.Hosts) != p.Metrics.NewHosts || p.Metrics.NewHosts == 0 {
					t.Errorf("the to-buy group has %d hosts, the plan buys %d", len(bought.Hosts), p.Metrics.NewHosts)
				}
			}
		})
	}
}

// Golden fragments of the page for small fleets: the fleet chart and the
// host rows (SVG bars), bought hosts, the why-not matrix, and the moves
// and load history a later plan carries. Each fragment's bars are also
// checked for sane geometry, so -update cannot bless a broken bar.
func TestGoldenFragments(t *testing.T) {
	withMoves := func(t *testing.T) (*planner.Plan, extra.Extras) {
		p := embeddedPlan(t, "leftovers")
		const gib = 1 << 30
		ex := extra.Extras{
			Moves: []extra.Move{
				{Guest: "web-b1", From: "host-b", To: "host-a", Wave: 1, Bytes: 24 * gib, Seconds: 30, Reason: "balance"},
				{Guest: "db-c1", From: "host-c", To: "host-b", Wave: 1, Bytes: 16 * gib, Seconds: 20, Reason: "balance"},
				{Guest: "web-c1", From: "host-c", To: "host-b", Wave: 2, Bytes: 8 * gib, Seconds: 10, Reason: "frees host-c"},
			},
			Freed: []string{"host-c"},
			History: map[string][]extra.Sample{"host-a": {
				{Time: "2026-01-01T00:00:00Z", Use: inventory.Vector{inventory.CPU: 4, inventory.Memory: 64 * gib}},
				{Time: "2026-01-01T01:00:00Z", Use: inventory.Vector{inventory.CPU: 8, inventory.Memory: 80 * gib}},
				{Time: "2026-01-01T02:00:00Z", Use: inventory.Vector{inventory.CPU: 6, inventory.Memory: 72 * gib}},
			}},
		}
		return p, ex
	}
	plain := func(name string) func(t *testing.T) (*planner.Plan, extra.Extras) {
		return func(t *testing.T) (*planner.Plan, extra.Extras) { return embeddedPlan(t, name), extra.Extras{} }
	}
	tests := []struct {
		name     string
		plan     func(t *testing.T) (*planner.Plan, extra.Extras)
		template string
	}{
		{"leftovers_fleet", plain("leftovers"), "fleet"},
		{"leftovers_hosts", plain("leftovers"), "hosts"},
		{"growth_hosts", plain("growth"), "hosts"},
		{"growth_buy", plain("growth"), "buy"},
		{"tight_unplaced", plain("tight"), "unplaced"},
		{"moves_waves", withMoves, "moves"},
		{"moves_history", withMoves, "hosts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ex := tt.plan(t)
			var b bytes.Buffer
			if err := renderPage(&b, tt.template, build(p, ex)); err != nil {
				t.Fatal(err)
			}
			checkBarGeometry(t, b.String())
			goldenfile.Check(t, filepath.Join("testdata", tt.name+".golden.html"), b.Bytes(), *update)
		})
	}
}

var (
	rectRE = regexp.MustCompile(`<svg class="bar[^"]*"[^>]*>.*?</svg>`)
	widthE = regexp.MustCompile(`<rect class="e" width="([0-9.]+)"`)
	partN  = regexp.MustCompile(`<rect class="n" x="([0-9.]+)" width="([0-9.]+)"`)
)

// checkBarGeometry: in every bar the existing part starts at 0, the added
// part starts where it ends, and both fit in the bar's 100 units.
func checkBarGeometry(t *testing.T, html string) {
	t.Helper()
	for _, svg := range rectRE.FindAllString(html, -1) {
		e := 0.0
		if m := widthE.FindStringSubmatch(svg); m != nil {
			e, _ = strconv.ParseFloat(m[1], 64)
		}
		if m := partN.FindStringSubmatch(svg); m != nil {
			x, _ := strconv.ParseFloat(m[1], 64)
			w, _ := strconv.ParseFloat(m[2], 64)
			if x != e {
				t.Errorf("added part starts at %v, existing ends at %v: %s", x, e, svg)
			}
			e += w
		}
		if e < 0 || e > 100 {
			t.Errorf("bar is %v units long, want 0..100: %s", e, svg)
		}
	}
}

// Names come from scenario files and libvirt: the page shows them as text,
// never as markup, wherever they appear (text, attributes, tooltips).
func TestEscapesNamesFromThePlan(t *testing.T) {
	p := embeddedPlan(t, "tight")
	evil := `<img src=x onerror=alert(1)>"'&`
	p.Hosts[0].Name = evil
	p.Hosts[0].Placed = append(p.Hosts[0].Placed, evil+"-guest")
	p.Scenario = evil
	p.Unplaced[0].Guest = evil
	p.Unplaced[0].Refusals[0].Host = evil
	html := renderString(t, p)
	if strings.Contains(html, "<img") {
		t.Fatal("a name from the plan became markup")
	}
	if !strings.Contains(html, "&lt;img src=x onerror=alert(1)&gt;&#34;&#39;&amp;") {
		t.Error("the name is not shown escaped")
	}
	if !utf8.ValidString(html) {
		t.Error("the page is not valid UTF-8")
	}
}

// The page loads nothing: no src, no link but the empty icon, no URL, and
// a Content-Security-Policy that would block anything that slipped in.
func TestSelfContained(t *testing.T) {
	html := renderString(t, embeddedPlan(t, "default"))
	for _, bad := range []string{"src=", "http://", "https://", "@import", "url("} {
		if strings.Contains(html, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	if got := regexp.MustCompile(`href="[^"]*"`).FindAllString(html, -1); !cmp.Equal(got, []string{`href="data:,"`}) {
		t.Errorf("links: %q, want only the empty icon", got)
	}
	if !strings.Contains(html, `content="default-src 'none';`) {
		t.Error("no Content-Security-Policy")
	}
}

func TestSamePlanSameBytes(t *testing.T) {
	p := embeddedPlan(t, "default")
	if a, b := renderString(t, p), renderString(t, p); a != b {
		t.Error("two renderings of one plan differ")
	}
}

// Sections without content are left out: no moves section without moves,
// no buy list when nothing is bought, no unplaced section when all fit.
func TestEmptySectionsLeftOut(t *testing.T) {
	html := renderString(t, embeddedPlan(t, "leftovers"))
	for _, id := range []string{`id="moves"`, `id="buy"`, `id="unplaced"`} {
		if strings.Contains(html, id) {
			t.Errorf("the leftovers plan has a %s section", id)
		}
	}
	for _, id := range []string{`id="fleet"`, `id="hosts"`, `id="creates"`, `id="failover"`, `id="policy"`} {
		if !strings.Contains(html, id) {
			t.Errorf("the leftovers plan has no %s section", id)
		}
	}
}
