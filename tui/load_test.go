package tui

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/components"
)

// testLoad is a load history for every existing guest of sc: 48 points
// per dimension, a day's swing shifted per guest, memory flat; the last
// guest of each host has no iops history and one point missing.
func testLoad(sc *inventory.Scenario) *Load {
	l := &Load{Label: "p95 over 7d", Guests: map[string]LoadSeries{}}
	for _, h := range sc.Hosts {
		for gi, g := range h.Guests {
			var s LoadSeries
			for _, d := range inventory.Dimensions {
				if d == inventory.IOPS && gi == len(h.Guests)-1 {
					continue
				}
				pts := make([]float64, 48)
				for i := range pts {
					swing := 0.5 + 0.5*math.Sin(2*math.Pi*float64(i+gi*5)/24)
					if d == inventory.Memory {
						swing = 1
					}
					pts[i] = g.Allocation[d] * 0.4 * swing
				}
				if gi == len(h.Guests)-1 {
					pts[10] = math.NaN()
				}
				s[d] = pts
			}
			l.Guests[g.Name] = s
		}
	}
	return l
}

// TestGoldenHostLoad: with load history, the host screen draws its
// guests' summed load as one sparkline per dimension under the residual,
// and the selected guest's detail its own sparklines with its observed
// use.
func TestGoldenHostLoad(t *testing.T) {
	sc := embedded(t, "default")
	load := testLoad(sc)
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := startWith(t, Options{Planner: planner.New(sc), Load: load}, sz.w, sz.h)
			h.keys("enter")
			s := h.screen()
			golden(t, fmt.Sprintf("host-load-%dx%d", sz.w, sz.h), s)
			hp := h.m.Plan().Hosts[0]
			if sz.w >= 100 {
				mustContain(t, s, "GUESTS' LOAD, P95 OVER 7D")
			} else {
				mustContain(t, s, "USE            LOAD")
			}
			sum, _ := load.Sum(hp.Existing)
			sparkW := min(max((sz.w-60)/2, 6), 24)
			for _, d := range inventory.Dimensions {
				if row := lineOf(s, fmt.Sprintf("%-7s %10s", d, components.Quantity(d, hp.Offered[d]))); !strings.HasSuffix(strings.TrimRight(row, " "), components.Sparkline(sum[d], sparkW)) {
					t.Errorf("%s row lacks its sparkline %s: %q", d, components.Sparkline(sum[d], sparkW), row)
				}
			}
			first := slices.MinFunc(hp.Existing, components.CompareNames)
			if d := lineOf(s, "observed p95 over 7d: "); !strings.Contains(d, "cpu ") {
				t.Errorf("detail of %s lacks its sparklines: %q", first, d)
			}
			if n := strings.Count(s, "\n") + 1; n != sz.h {
				t.Errorf("screen has %d lines, want %d", n, sz.h)
			}
		})
	}
}

// TestLoadSum: a host's load is its guests' series added point by
// point, aligned at their ends, NaN where no guest has a point.
func TestLoadSum(t *testing.T) {
	nan := math.NaN()
	l := &Load{Guests: map[string]LoadSeries{
		"a": {inventory.CPU: {1, 2, 3}},
		"b": {inventory.CPU: {10, nan}, inventory.Net: {5}},
	}}
	sum, ok := l.Sum([]string{"a", "b", "c"})
	if !ok {
		t.Fatal("no sum")
	}
	if got := fmt.Sprint(sum[inventory.CPU]); got != "[1 12 3]" {
		t.Errorf("cpu sum %s, want [1 12 3]", got)
	}
	if got := fmt.Sprint(sum[inventory.Net]); got != "[5]" {
		t.Errorf("net sum %s, want [5]", got)
	}
	if _, ok := l.Sum([]string{"c"}); ok {
		t.Error("a guest without history gave a sum")
	}
}
