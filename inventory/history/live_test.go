package history_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor/hvtest"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/history"
	"github.com/berth-dev/berth/inventory/history/promtest"
	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// TestReadLiveGuests runs the whole chain for real: TCG guests on the
// local libvirtd (one spinning, one reading its disk, one halted, one
// sending DHCP requests), Debian's libvirt exporter, a Prometheus
// scraping it every second (more on a busy machine). Over a window of 12
// steps it checks that Read's figures are exactly what the same PromQL, typed out
// here with the exporter's metric names, gives through the API, that
// every guest is found in the dimensions it has devices for, and that
// the appetite follows the load.
func TestReadLiveGuests(t *testing.T) {
	conn := hvtest.Daemon(t)
	guests := map[promtest.Load]hvtest.Guest{}
	for _, load := range []promtest.Load{promtest.LoadCPU, promtest.LoadDisk, promtest.LoadIdle, promtest.LoadNet} {
		guests[load] = promtest.BusyGuest(t, conn, "hist-"+string(load), load)
	}
	exporter := promtest.Exporter(t, hvtest.SystemURI)
	// A scrape asks libvirtd about every domain on it, other tests' too:
	// on a busy machine it takes seconds, so the interval follows it
	// (1 s on a quiet machine). The window is 12 steps of one scrape, the
	// rate spans three.
	interval := min(max(exporter.Took*2, time.Second).Truncate(time.Second), 10*time.Second)
	t.Logf("a scrape took %s: scraping every %s", exporter.Took.Round(time.Millisecond), interval)
	srv := promtest.Start(t, promtest.Options{Targets: []string{exporter.Addr}, ScrapeInterval: interval})

	cfg := history.DefaultConfig(srv.URL)
	cfg.Step, cfg.Rate = interval, 3*interval
	cfg.Window = 12 * cfg.Step
	cfg.SeriesPoints = 3 // 4 steps each
	cfg.Timeout = 30 * time.Second
	prom := promAPI(t, srv.URL)
	waitForHistory(t, prom, guests[promtest.LoadCPU].UUID, cfg.Window+cfg.Rate)
	// Every scrape up to End has been stored: one ends within an interval.
	cfg.End = time.Now().Add(-interval - time.Second)

	var refs []history.GuestRef
	order := []promtest.Load{promtest.LoadCPU, promtest.LoadDisk, promtest.LoadIdle, promtest.LoadNet}
	for _, load := range order {
		refs = append(refs, history.GuestRef{Name: guests[load].Name, UUID: guests[load].UUID})
	}
	gone := history.GuestRef{Name: fmt.Sprintf("berth-test-%d-hist-gone", os.Getpid()), UUID: "0b5e55ed-0000-4000-8000-000000000000"}
	refs = append(refs, gone)
	u, err := history.Read(context.Background(), cfg, refs)
	if err != nil {
		t.Fatal(err)
	}

	byHand := handQuantiles(t, prom, cfg)
	handSeries := handSeries(t, prom, cfg)
	// Which dimensions each guest has series in: every guest has CPU time
	// and a balloon; only those with a disk have block stats, only the
	// one with a NIC interface stats.
	has := map[promtest.Load][inventory.NumDims]bool{
		promtest.LoadCPU:  {true, true, true, false},
		promtest.LoadDisk: {true, true, true, false},
		promtest.LoadIdle: {true, true, true, false},
		promtest.LoadNet:  {true, true, false, true},
	}
	for i, load := range order {
		g := u.Guests[i]
		if g.MatchedBy != history.MatchedUUID || g.Has != has[load] {
			t.Errorf("%s guest: matched by %q, has %v; want uuid, %v", load, g.MatchedBy, g.Has, has[load])
		}
		for _, d := range inventory.Dimensions {
			if !g.Has[d] {
				continue
			}
			want, ok := byHand[d][g.Guest.UUID]
			if !ok || g.Quantile[d] != want {
				t.Errorf("%s guest %s: Read %v, by hand %v (found %v)", load, d, g.Quantile[d], want, ok)
			}
			if got, want := pointValues(g.Series[d]), handSeries[d][g.Guest.UUID]; fmt.Sprint(got) != fmt.Sprint(want) || len(got) == 0 {
				t.Errorf("%s guest %s series: Read %v, by hand %v", load, d, got, want)
			}
		}
		t.Logf("%s guest: cpu %.3f cores, memory %.0f MiB, iops %.1f, net %.0f bit/s",
			load, g.Quantile[inventory.CPU], g.Quantile[inventory.Memory]/(1<<20), g.Quantile[inventory.IOPS], g.Quantile[inventory.Net])
	}
	if len(u.Missing) != 1 || u.Missing[0].Guest != gone || u.Missing[0].Reason != history.MissNoSeries {
		t.Errorf("missing %v, want only %s with no series", u.Missing, gone)
	}
	checkLiveAppetites(t, u, order)

	// The range method (every step's rates to berth, summed and reduced
	// here) gives the same figures from the same data.
	cfg.Method = history.MethodRange
	ur, err := history.Read(context.Background(), cfg, refs)
	if err != nil {
		t.Fatal(err)
	}
	for i, load := range order {
		g, want := ur.Guests[i], u.Guests[i]
		if g.Has != want.Has {
			t.Errorf("%s guest, range method: has %v, subquery %v", load, g.Has, want.Has)
		}
		for _, d := range inventory.Dimensions {
			if want.Has[d] && !near(g.Quantile[d], want.Quantile[d]) {
				t.Errorf("%s guest %s, range method: %v, subquery %v", load, d, g.Quantile[d], want.Quantile[d])
			}
			if got, want := pointValues(g.Series[d]), pointValues(want.Series[d]); len(got) != len(want) {
				t.Errorf("%s guest %s series, range method: %v, subquery %v", load, d, got, want)
			}
		}
	}
}

// checkLiveAppetites classifies the live guests against their allocation
// (1 vCPU, 64 MiB, 100 IOPS, 1 Mbit/s).
func checkLiveAppetites(t *testing.T, u *history.Usage, order []promtest.Load) {
	t.Helper()
	alloc := inventory.Vector{1, 64 << 20, 100, 1e6}
	// The Debian exporter's memory is the balloon's size, which is the
	// allocation for a guest without a balloon driver: 100% for every
	// guest. That is why it is occupancy and left out.
	for i := range order {
		if g := u.Guests[i]; g.Quantile[inventory.Memory] != alloc[inventory.Memory] {
			t.Errorf("%s memory %v, want the balloon's 64 MiB", order[i], g.Quantile[inventory.Memory])
		}
	}
	// A 2-point margin: on a shared 2-core machine the spinning guest
	// gets a few percent of a core, not the whole one it asks for; what
	// matters is that nothing but CPU moves for it.
	rule := history.AppetiteRule{Margin: 2, IdleShare: history.DefaultIdleShare}
	var apps []history.Appetite
	for i, load := range order {
		apps = append(apps, u.Classify(&u.Guests[i], alloc, rule))
		t.Logf("%s guest: appetite %s", load, apps[i])
	}
	cpu, disk, idle, net := apps[0], apps[1], apps[2], u.Guests[3]
	if !cpu.Classified() || cpu.Dimension != inventory.CPU {
		t.Errorf("the spinning guest's appetite is %s, want cpu", cpu)
	}
	if !disk.Classified() || disk.Dimension != inventory.IOPS {
		t.Errorf("the disk-reading guest's appetite is %s, want iops", disk)
	}
	// A halted guest shows only QEMU's own work (answering the
	// exporter's questions, about 1% of a core): whatever it is called,
	// it is not disk or network, and it is below the spinning guest.
	if idle.Classified() && idle.Dimension != inventory.CPU || idle.Shares[inventory.CPU] >= cpu.Shares[inventory.CPU] {
		t.Errorf("the halted guest's appetite is %s (cpu %v), the spinning one's cpu %v", idle, idle.Shares[inventory.CPU], cpu.Shares[inventory.CPU])
	}
	if net.Quantile[inventory.Net] <= 0 {
		t.Errorf("the network-booting guest sent and received nothing: net %v", net.Quantile[inventory.Net])
	}
}

func promAPI(t *testing.T, url string) v1.API {
	client, err := api.NewClient(api.Config{Address: url})
	if err != nil {
		t.Fatal(err)
	}
	return v1.NewAPI(client)
}

// waitForHistory waits until Prometheus has the guest's first sample and
// then span more.
func waitForHistory(t *testing.T, prom v1.API, uuid string, span time.Duration) {
	q := fmt.Sprintf(`libvirt_domain_info_cpu_time_seconds_total{uuid=%q}`, uuid)
	deadline := time.Now().Add(time.Minute)
	for {
		val, _, _, err := prom.Query(context.Background(), q, time.Now())
		if vec, ok := val.(model.Vector); err == nil && ok && len(vec) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus has no sample of the guest after a minute: %v %v", val, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(span)
}

// handQueries are the quantile queries written out with the Debian
// exporter's metric names; %[1]s is the rate's range, %[2]s the
// subquery's, %[3]s the step.
var handQueries = [inventory.NumDims]string{
	inventory.CPU:    `quantile_over_time(0.95, (sum by (uuid, domain) (rate(libvirt_domain_info_cpu_time_seconds_total[%[1]s])))[%[2]s:%[3]s])`,
	inventory.Memory: `quantile_over_time(0.95, (sum by (uuid, domain) (libvirt_domain_info_memory_usage_bytes))[%[2]s:%[3]s])`,
	inventory.IOPS: `quantile_over_time(0.95, (sum by (uuid, domain) (rate(libvirt_domain_block_stats_read_requests_total[%[1]s]))` +
		` + sum by (uuid, domain) (rate(libvirt_domain_block_stats_write_requests_total[%[1]s])))[%[2]s:%[3]s])`,
	inventory.Net: `quantile_over_time(0.95, (sum by (uuid, domain) (rate(libvirt_domain_interface_stats_receive_bytes_total[%[1]s]))` +
		` + sum by (uuid, domain) (rate(libvirt_domain_interface_stats_transmit_bytes_total[%[1]s])))[%[2]s:%[3]s])`,
}

// handScale takes bytes/s to bits/s for net.
var handScale = inventory.Vector{1, 1, 1, 8}

func handQuery(d inventory.Dimension, cfg history.Config, span time.Duration) string {
	dur := func(d time.Duration) string { return model.Duration(d).String() }
	return fmt.Sprintf(handQueries[d], dur(cfg.Rate), dur(span), dur(cfg.Step))
}

// handQuantiles runs the window's quantile queries at its end, by UUID.
func handQuantiles(t *testing.T, prom v1.API, cfg history.Config) [inventory.NumDims]map[string]float64 {
	var out [inventory.NumDims]map[string]float64
	for _, d := range inventory.Dimensions {
		val, _, _, err := prom.Query(context.Background(), handQuery(d, cfg, cfg.Window), cfg.End)
		if err != nil {
			t.Fatalf("%s by hand: %v", d, err)
		}
		out[d] = map[string]float64{}
		for _, s := range val.(model.Vector) {
			out[d][string(s.Metric["uuid"])] = float64(s.Value) * handScale[d]
		}
	}
	return out
}

// handSeries runs the bucket queries over the window's three buckets, by
// UUID.
func handSeries(t *testing.T, prom v1.API, cfg history.Config) [inventory.NumDims]map[string][]float64 {
	var out [inventory.NumDims]map[string][]float64
	bucket := cfg.Window / 3
	rng := v1.Range{Start: cfg.End.Add(-2 * bucket), End: cfg.End, Step: bucket}
	for _, d := range inventory.Dimensions {
		val, _, _, err := prom.QueryRange(context.Background(), handQuery(d, cfg, bucket), rng)
		if err != nil {
			t.Fatalf("%s series by hand: %v", d, err)
		}
		out[d] = map[string][]float64{}
		for _, s := range val.(model.Matrix) {
			uuid := string(s.Metric["uuid"])
			for _, p := range s.Values {
				out[d][uuid] = append(out[d][uuid], float64(p.Value)*handScale[d])
			}
		}
	}
	return out
}

func pointValues(ps []history.Point) []float64 {
	var out []float64
	for _, p := range ps {
		out = append(out, p.V)
	}
	return out
}
