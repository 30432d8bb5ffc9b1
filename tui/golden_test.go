package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/tui/components"
)

// sizes are the terminal sizes every screen is checked at: the classic
// 80×24 and a large one.
var sizes = []struct{ w, h int }{{80, 24}, {160, 48}}

// lineOf returns the first screen line containing s ("" if none).
func lineOf(screen, s string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// matrixRow is the guest screen's row of host ("› ✗ t1  …").
func matrixRow(screen, host string) string {
	for _, l := range strings.Split(screen, "\n") {
		r := []rune(l)
		if len(r) > 4 && (r[0] == '›' || r[0] == ' ') && strings.HasPrefix(strings.TrimLeft(string(r[3:]), " "), host+" ") {
			return l
		}
	}
	return ""
}

func mustContain(t *testing.T, screen string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(screen, w) {
			t.Errorf("screen lacks %q:\n%s", w, screen)
		}
	}
}

// TestGoldenFleet: the home screen shows the fleet metrics and one row per
// host with its guests and a bar and percentage per dimension.
func TestGoldenFleet(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := start(t, "default", sz.w, sz.h)
			s := h.screen()
			golden(t, fmt.Sprintf("fleet-%dx%d", sz.w, sz.h), s)
			p := h.m.Plan()
			mustContain(t, s, fmt.Sprintf("%d of %d used", p.Metrics.HostsUsed, p.Metrics.Hosts),
				fmt.Sprintf("lower bound %d", p.Metrics.LowerBound), "Stranded", "Failover", "Violations",
				"CPU", "MEMORY", "IOPS", "NET")
			// The first host's row: cursor, name, rack/zone, existing+new
			// guests, and its cpu percentage as the planner computed it.
			h0 := p.Hosts[0]
			row := lineOf(s, h0.Name)
			for _, want := range []string{"›", h0.Rack + "/" + h0.Zone, fmt.Sprintf("%d+%d", len(h0.Existing), len(h0.Placed)),
				percentOf(h0.After[0], h0.Offered[0])} {
				if !strings.Contains(row, want) {
					t.Errorf("row of %s lacks %q: %q", h0.Name, want, row)
				}
			}
			// As many host rows as fit: body minus metrics, tabs, heading,
			// legend, status and help.
			rows := 0
			for _, hp := range p.Hosts {
				if lineOf(s, " "+hp.Name+" ") != "" {
					rows++
				}
			}
			if want := min(len(p.Hosts), sz.h-2-1-7); rows != want {
				t.Errorf("%d host rows on screen, want %d", rows, want)
			}
		})
	}
}

// TestGoldenHostDetail: a host's use per dimension, what is left, its
// guests, and the score terms of the new ones.
func TestGoldenHostDetail(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := start(t, "default", sz.w, sz.h)
			h.keys("enter")
			s := h.screen()
			golden(t, fmt.Sprintf("host-%dx%d", sz.w, sz.h), s)
			hp := h.m.Plan().Hosts[0]
			// The guests in their natural order, existing first: the
			// cursor starts on the first of them.
			first := slices.MinFunc(hp.Existing, components.CompareNames)
			mustContain(t, s, "Host "+hp.Name, "OFFERED", "LEFT", "residual:", first, first+" needs cpu")
			if len(hp.Placed) == 0 {
				t.Fatal("test wants a host with new guests")
			}
			// Every guest row fits at 160×48; at 80×24 the list scrolls.
			if sz.h >= 48 {
				for _, g := range append(append([]string{}, hp.Existing...), hp.Placed...) {
					mustContain(t, s, g)
				}
				// The new guests' rows carry their score.
				for _, a := range h.m.Plan().Actions {
					if a.Host == hp.Name && a.Score != nil && !strings.Contains(lineOf(s, a.Guest), components.Num(a.Score.Total)) {
						t.Errorf("row of %s lacks its score %s", a.Guest, components.Num(a.Score.Total))
					}
				}
			}
			// Walk to the first new guest: the detail says why it is here.
			h.keys(strings.Split(strings.Repeat("down ", len(hp.Existing)), " ")[:len(hp.Existing)]...)
			mustContain(t, h.screen(), "why here ("+h.m.Plan().Policy.Strategy+"):", hp.Placed[0])
		})
	}
}

// TestGoldenWhyNot: for an unplaced guest of the tight scenario, the
// summary, the nearest fix and the reasons matrix host × dimension with
// what each host is short by.
func TestGoldenWhyNot(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := start(t, "tight", sz.w, sz.h)
			h.keys("tab", "/")
			h.typeText("web-new-1")
			h.keys("enter", "enter")
			s := h.screen()
			golden(t, fmt.Sprintf("whynot-%dx%d", sz.w, sz.h), s)
			var u = h.m.Plan().Unplaced[0]
			for _, x := range h.m.Plan().Unplaced {
				if x.Guest == "web-new-1" {
					u = x
				}
			}
			if u.Guest != "web-new-1" {
				t.Fatal("web-new-1 is placed; the tight scenario changed")
			}
			mustContain(t, s, "Guest web-new-1", "UNPLACED", "why not:", u.Summary[0], "nearest fix:", "cpu", "memory", "(short by)")
			// Every host has a matrix row, and the row of the nearest host
			// shows the cpu shortfall the plan reports.
			for _, hp := range h.m.Plan().Hosts {
				if matrixRow(s, hp.Name) == "" {
					t.Errorf("no matrix row for host %s", hp.Name)
				}
			}
			short := "−" + quantity(0, u.Nearest.Short[0])
			if row := matrixRow(s, u.Nearest.Host); !strings.Contains(row, short) {
				t.Errorf("row of nearest host %s lacks the cpu shortfall %q: %q", u.Nearest.Host, short, row)
			}
		})
	}
}

// TestGoldenHelp: ? shows every key of the screen, in columns.
func TestGoldenHelp(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := start(t, "default", sz.w, sz.h)
			h.keys("?")
			s := h.screen()
			golden(t, fmt.Sprintf("help-%dx%d", sz.w, sz.h), s)
			for _, b := range h.m.top().Help().Full {
				for _, k := range b {
					mustContain(t, s, k.Help().Desc)
				}
			}
			h.keys("?")
			if strings.Contains(h.screen(), "reverse sort") {
				t.Error("? again should close the full help")
			}
		})
	}
}
