package history_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/history"
	"github.com/berth-dev/berth/inventory/history/promtest"
)

// weekRefs are the first n guests of the synthetic week.
func weekRefs(n int) []history.GuestRef {
	refs := make([]history.GuestRef, n)
	for i := range refs {
		g := week.Guest(i)
		refs[i] = history.GuestRef{Name: g.Name, UUID: g.UUID}
	}
	return refs
}

// readError runs Read and returns its *ReadError, failing the test when
// there is none; it checks that the usage is still returned.
func readError(t *testing.T, cfg history.Config, refs []history.GuestRef) (*history.Usage, *history.ReadError) {
	t.Helper()
	u, err := history.Read(context.Background(), cfg, refs)
	var re *history.ReadError
	if !errors.As(err, &re) {
		t.Fatalf("Read error = %v, want a *ReadError", err)
	}
	if u == nil || len(u.Guests) != len(refs) {
		t.Fatalf("Read returned usage %+v with its error; want one entry per guest", u)
	}
	return u, re
}

// checkNothingRead checks that every query failed with kind and that
// every guest is missing as unanswered.
func checkNothingRead(t *testing.T, u *history.Usage, re *history.ReadError, kind history.Kind, wantText string) {
	t.Helper()
	if len(re.Failed) != re.Queries || re.Queries != 4 {
		t.Errorf("%d of %d queries failed, want 4 of 4", len(re.Failed), re.Queries)
	}
	for _, f := range re.Failed {
		if f.Kind != kind {
			t.Errorf("%s: kind %s, want %s (%v)", f.Dimension, f.Kind, kind, f)
		}
	}
	if got := re.Error(); got != wantText {
		t.Errorf("error text\n  %s\nwant\n  %s", got, wantText)
	}
	for _, m := range u.Missing {
		if m.Reason != history.MissUnanswered {
			t.Errorf("%s missing as %s, want unanswered", m.Guest, m.Reason)
		}
	}
	if len(u.Missing) != len(u.Guests) {
		t.Errorf("%d of %d guests missing, want all", len(u.Missing), len(u.Guests))
	}
}

func TestReadPrometheusStopped(t *testing.T) {
	srv := promtest.Start(t, promtest.Options{})
	t.Run("not Prometheus's base URL", func(t *testing.T) {
		cfg := history.DefaultConfig(srv.URL + "/nope")
		u, re := readError(t, cfg, weekRefs(2))
		checkNothingRead(t, u, re, history.KindHTTP, "prometheus "+srv.URL+"/nope: http: client error: 404 (404 page not found): "+
			"is usage.url the Prometheus server's base URL, and is it up?: no load history was read")
	})
	srv.Stop()
	cfg := history.DefaultConfig(srv.URL)
	u, re := readError(t, cfg, weekRefs(2))
	addr := strings.TrimPrefix(srv.URL, "http://")
	checkNothingRead(t, u, re, history.KindUnreachable, "prometheus "+srv.URL+": unreachable: dial tcp "+addr+
		": connect: connection refused: is Prometheus running there? (usage.url): no load history was read")
}

// TestReadTimeout puts a proxy that stops answering in front of
// Prometheus: Read gives up at its timeout, whether nothing came back or
// half a body did.
func TestReadTimeout(t *testing.T) {
	srv := promtest.Start(t, promtest.Options{})
	for name, stall := range map[string]promtest.Fault{"no headers": promtest.StallHeaders, "half a body": promtest.StallBody} {
		t.Run(name, func(t *testing.T) {
			proxy := promtest.StartFaultyProxy(t, srv.URL, stall, nil)
			cfg := history.DefaultConfig(proxy.URL)
			cfg.Timeout = time.Second
			start := time.Now()
			u, re := readError(t, cfg, weekRefs(2))
			took := time.Since(start)
			checkNothingRead(t, u, re, history.KindTimeout,
				"prometheus "+proxy.URL+": timeout: no answer within 1s (usage.timeout): no load history was read")
			// The stalled requests would never end: returning at all is
			// the point. The bound is loose for a busy machine.
			if took > 10*time.Second {
				t.Errorf("Read took %s with a 1s timeout", took)
			}
			if n := proxy.Faulted.Load(); n == 0 {
				t.Error("no request reached the proxy")
			}
		})
	}
}

// TestReadPartial fails the network queries only (a proxy answers 502 to
// them): the other dimensions are read, and the error names what failed.
func TestReadPartial(t *testing.T) {
	srv := startWeek(t)
	proxy := promtest.StartFaultyProxy(t, srv.URL, promtest.BadGateway, func(q string) bool {
		return strings.Contains(q, "interface_stats")
	})
	cfg := history.DefaultConfig(proxy.URL)
	cfg.End = windowEnd
	cfg.SeriesPoints = history.DefaultSeriesPoints
	refs := weekRefs(3)
	u, re := readError(t, cfg, refs)
	if len(re.Failed) != 2 || re.Queries != 8 {
		t.Fatalf("%d of %d queries failed, want 2 of 8: %v", len(re.Failed), re.Queries, re)
	}
	for i, series := range []bool{false, true} {
		f := re.Failed[i]
		if f.Dimension != inventory.Net || f.Series != series || f.Kind != history.KindHTTP {
			t.Errorf("failure %d: %s series=%v kind %s, want net series=%v http", i, f.Dimension, f.Series, f.Kind, series)
		}
	}
	wantFirst := "2 of 8 load-history queries got no answer:\n  prometheus " + proxy.URL +
		": net quantile: http: server error: 502 (<html><body><h1>502 Bad Gateway</h1></body></html>): " +
		"is usage.url the Prometheus server's base URL, and is it up?"
	if got := re.Error(); !strings.HasPrefix(got, wantFirst) {
		t.Errorf("error text\n  %s\nwant it to start with\n  %s", got, wantFirst)
	}
	if u.Read != [inventory.NumDims]bool{true, true, true, false} {
		t.Errorf("Read = %v, want all but net", u.Read)
	}
	if len(u.Missing) != 0 {
		t.Errorf("missing %v, want none", u.Missing)
	}
	for i, g := range u.Guests {
		if g.Has != [inventory.NumDims]bool{true, true, true, false} || g.Series[inventory.Net] != nil {
			t.Errorf("%s has %v, net series %v; want all but net", g.Guest, g.Has, g.Series[inventory.Net])
		}
		want := quantile(0.95, loads(i, inventory.IOPS, windowEnd, cfg.Window, cfg.Step))
		if !near(g.Quantile[inventory.IOPS], want) {
			t.Errorf("%s iops %v, want %v", g.Guest, g.Quantile[inventory.IOPS], want)
		}
	}
}

// TestReadRefused runs against a Prometheus whose sample limit is lower
// than a week of one guest: it refuses every query, and says why.
func TestReadRefused(t *testing.T) {
	srv := promtest.Start(t, promtest.Options{Blocks: []string{promtest.Backfill(t, week)}, Flags: []string{"--query.max-samples=1000"}})
	cfg := history.DefaultConfig(srv.URL)
	cfg.End = windowEnd
	u, re := readError(t, cfg, weekRefs(2))
	checkNothingRead(t, u, re, history.KindQuery, "prometheus "+srv.URL+": query: Prometheus could not run the query: "+
		"query processing would load too many samples into memory in query execution: no load history was read")
}

// TestReadPrometheusTimeout runs against a Prometheus whose own query
// timeout is shorter than any query over the week: it answers 503 with
// its error, and Read says it gave up.
func TestReadPrometheusTimeout(t *testing.T) {
	srv := promtest.Start(t, promtest.Options{Blocks: []string{promtest.Backfill(t, week)}, Flags: []string{"--query.timeout=1ms"}})
	cfg := history.DefaultConfig(srv.URL)
	cfg.End = windowEnd
	u, re := readError(t, cfg, weekRefs(2))
	// Prometheus words it "query timed out in expression evaluation" or
	// "expanding series: context deadline exceeded", depending on where
	// its deadline fell.
	text := re.Error()
	prefix := "prometheus " + srv.URL + ": timeout: Prometheus gave up on the query: "
	suffix := " (at usage.timeout, 30s, or its own --query.timeout if shorter): no load history was read"
	if !strings.HasPrefix(text, prefix) || !strings.HasSuffix(text, suffix) {
		t.Errorf("error text\n  %s\nwant\n  %s…%s", text, prefix, suffix)
	}
	checkNothingRead(t, u, re, history.KindTimeout, text)
}
