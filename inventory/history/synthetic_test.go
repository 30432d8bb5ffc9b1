package history_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/history"
	"github.com/berth-dev/berth/inventory/history/promtest"
	"github.com/google/go-cmp/cmp"
)

// week is the synthetic history the tests read: 24 guests (the last never
// seen by Prometheus) scraped every minute for a week and an hour, with
// loads that change every 5 minutes.
var week = promtest.History{
	Guests: 24,
	End:    time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC),
	Span:   7*24*time.Hour + time.Hour,
	Scrape: time.Minute,
	Bucket: 5 * time.Minute,
	Seed:   1,
	Skip:   map[int]bool{23: true},
}

// windowEnd is where the tests' window ends: half a step before the end
// of the data, so that no point of the 5-minute grid falls on a window's
// edge (Prometheus 2 counts a point on the left edge, Prometheus 3 does
// not; off the grid both count the same points).
var windowEnd = week.End.Add(-150 * time.Second)

// startWeek starts a Prometheus holding the synthetic week.
func startWeek(t *testing.T) *promtest.Server {
	return promtest.Start(t, promtest.Options{Blocks: []string{promtest.Backfill(t, week)}})
}

// TestReadSyntheticWeek checks every figure Read returns against values
// computed here from the generator's loads: the quantile over a week at a
// 5-minute step, and the 48 points of each downsampled series.
func TestReadSyntheticWeek(t *testing.T) {
	srv := startWeek(t)
	var refs []history.GuestRef
	for i := range 23 {
		g := week.Guest(i)
		refs = append(refs, history.GuestRef{Name: g.Name, UUID: g.UUID})
	}
	for _, c := range []struct {
		q      float64
		method history.Method
	}{{0.95, history.MethodSubquery}, {0.5, history.MethodSubquery}, {1, history.MethodSubquery},
		{0.95, history.MethodRange}, {0.5, history.MethodRange}} {
		q := c.q
		t.Run(fmt.Sprintf("q=%v/%s", q, c.method), func(t *testing.T) {
			cfg := history.DefaultConfig(srv.URL)
			cfg.Quantile = q
			cfg.Method = c.method
			cfg.End = windowEnd
			cfg.SeriesPoints = history.DefaultSeriesPoints
			u, err := history.Read(context.Background(), cfg, refs)
			if err != nil {
				t.Fatal(err)
			}
			if len(u.Missing) != 0 || len(u.Partial()) != 0 {
				t.Fatalf("missing %v, partial %v; want none", u.Missing, u.Partial())
			}
			for i, gu := range u.Guests {
				if gu.MatchedBy != history.MatchedUUID {
					t.Errorf("%s matched by %q, want uuid", gu.Guest, gu.MatchedBy)
				}
				for _, d := range inventory.Dimensions {
					want := quantile(q, loads(i, d, windowEnd, cfg.Window, cfg.Step))
					if !gu.Has[d] || !near(gu.Quantile[d], want) {
						t.Errorf("%s %s: quantile %v (has %v), want %v", gu.Guest.Name, d, gu.Quantile[d], gu.Has[d], want)
					}
					checkSeries(t, gu, d, q, cfg)
				}
			}
		})
	}
}

// checkSeries checks one guest's downsampled series in dimension d: 48
// points 3.5 h apart ending at the window's end, each the quantile over
// its 3.5 h.
func checkSeries(t *testing.T, gu history.GuestUsage, d inventory.Dimension, q float64, cfg history.Config) {
	t.Helper()
	s := gu.Series[d]
	if len(s) != cfg.SeriesPoints {
		t.Errorf("%s %s: %d series points, want %d", gu.Guest.Name, d, len(s), cfg.SeriesPoints)
		return
	}
	bucket := cfg.Bucket()
	if bucket != 210*time.Minute { // 7 d / 48
		t.Fatalf("Bucket() = %s, want 3h30m", bucket)
	}
	i := guestIndex(gu.Guest.Name)
	for j, p := range s {
		at := windowEnd.Add(-time.Duration(len(s)-1-j) * bucket)
		want := quantile(q, loads(i, d, at, bucket, cfg.Step))
		if !p.T.Equal(at) || !near(p.V, want) {
			t.Errorf("%s %s point %d: %v at %s, want %v at %s", gu.Guest.Name, d, j, p.V, p.T.UTC(), want, at.UTC())
			return
		}
	}
}

// loads are guest i's loads in dimension d at every step point in
// (end−span, end], in the dimension's base unit: rates of the counters
// over the 5-minute bucket ending at the point (which the generator keeps
// constant), the memory gauge's value.
func loads(i int, d inventory.Dimension, end time.Time, span, step time.Duration) []float64 {
	var out []float64
	first := end.Add(-span).Truncate(step).Add(step)
	for at := first; !at.After(end); at = at.Add(step) {
		var v float64
		switch d {
		case inventory.CPU:
			v = week.Load(i, promtest.CPUSeconds, at)
		case inventory.Memory:
			v = week.Load(i, promtest.MemoryBytes, at)
		case inventory.IOPS:
			v = week.Load(i, promtest.ReadRequests, at) + week.Load(i, promtest.WriteRequests, at)
		case inventory.Net:
			v = (week.Load(i, promtest.ReceiveBytes, at) + week.Load(i, promtest.TransmitBytes, at)) * 8
		}
		out = append(out, v)
	}
	return out
}

// quantile is PromQL's φ-quantile of vs, written from its documentation:
// sort, take rank φ·(n−1), interpolate linearly between the neighbours.
func quantile(q float64, vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	rank := q * float64(len(s)-1)
	lo := math.Floor(rank)
	hi := math.Min(lo+1, float64(len(s)-1))
	w := rank - lo
	return s[int(lo)]*(1-w) + s[int(hi)]*w
}

// near compares figures that went through different float arithmetic
// (Prometheus sums and extrapolates; the test does not).
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}

func guestIndex(name string) int {
	for i := range week.Guests {
		if week.Guest(i).Name == name {
			return i
		}
	}
	return -1
}

// TestReadMatching reads guests that Prometheus knows by UUID, by name
// only, under another UUID, or not at all.
func TestReadMatching(t *testing.T) {
	srv := startWeek(t)
	g := week.Guest
	refs := []history.GuestRef{
		{Name: g(0).Name, UUID: strings.ToUpper(g(0).UUID)}, // UUIDs are compared without case
		{Name: g(1).Name},                                               // no UUID: matched by name
		{Name: "renamed-since", UUID: g(2).UUID},                        // UUID wins over the name
		{Name: g(3).Name, UUID: "5e5e0000-0000-4000-8000-999999999999"}, // its name belongs to another domain
		{Name: g(23).Name, UUID: g(23).UUID},                            // never scraped
		{Name: "", UUID: ""},                                            // nothing to match on
	}
	cfg := history.DefaultConfig(srv.URL)
	cfg.End = windowEnd
	u, err := history.Read(context.Background(), cfg, refs)
	if err != nil {
		t.Fatal(err)
	}
	var by []history.MatchedBy
	for _, gu := range u.Guests {
		by = append(by, gu.MatchedBy)
	}
	wantBy := []history.MatchedBy{history.MatchedUUID, history.MatchedName, history.MatchedUUID, "", "", ""}
	if diff := cmp.Diff(wantBy, by); diff != "" {
		t.Errorf("MatchedBy (-want +got):\n%s", diff)
	}
	want := []history.Missing{
		{Guest: refs[3], Reason: history.MissOtherUUID, UUIDs: []string{g(3).UUID}},
		{Guest: refs[4], Reason: history.MissNoSeries},
		{Guest: refs[5], Reason: history.MissNoSeries},
	}
	if diff := cmp.Diff(want, u.Missing); diff != "" {
		t.Errorf("Missing (-want +got):\n%s", diff)
	}
	if got := u.Missing[0].String(); !strings.Contains(got, "another domain of the same name") {
		t.Errorf("MissOtherUUID says %q", got)
	}
	// Matched by name or by UUID, the figures are the same guest's.
	for k, i := range map[int]int{1: 1, 2: 2} {
		want := quantile(0.95, loads(i, inventory.CPU, windowEnd, cfg.Window, cfg.Step))
		if got := u.Guests[k].Quantile[inventory.CPU]; !near(got, want) {
			t.Errorf("%s: cpu %v, want guest %d's %v", refs[k], got, i, want)
		}
	}
	if u.Quantile != 0.95 || u.Window != 7*24*time.Hour || u.Step != 5*time.Minute || !u.End.Equal(windowEnd) {
		t.Errorf("usage records quantile %v, window %s, step %s, end %s; want the config's", u.Quantile, u.Window, u.Step, u.End)
	}
	if u.Read != [inventory.NumDims]bool{true, true, true, true} || u.Occupancy != [inventory.NumDims]bool{inventory.Memory: true} {
		t.Errorf("Read %v, Occupancy %v", u.Read, u.Occupancy)
	}
}
