package promtest

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// compact has a Prometheus with its default block settings (15 days'
// retention: blocks of up to 18 h) compact the blocks in dir/blocks, then
// stops it and leaves only the blocks.
//
// Prometheus tries to compact once a minute and, each time, compacts all
// it can; so the blocks are settled once a whole attempt has passed with
// no compaction in it.
func compact(bin, dir string) error {
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(config(Options{})), 0o644); err != nil {
		return err
	}
	data := filepath.Join(dir, "blocks")
	s, err := launch(bin, dir, cfg, data, nil)
	if err != nil {
		return err
	}
	defer s.Stop()
	deadline := time.Now().Add(30 * time.Minute)
	atTrigger := map[float64]float64{} // compactions done when each attempt was first seen
	for time.Now().Before(deadline) {
		m, err := metrics(s.URL, "prometheus_tsdb_compactions_triggered_total", "prometheus_tsdb_compactions_total")
		if err == nil {
			trig, done := m["prometheus_tsdb_compactions_triggered_total"], m["prometheus_tsdb_compactions_total"]
			if _, seen := atTrigger[trig]; !seen {
				atTrigger[trig] = done
			}
			// Attempt trig−1 began with as many compactions done as
			// attempt trig: it compacted nothing; all is settled.
			if prev, ok := atTrigger[trig-1]; ok && trig >= 2 && prev == atTrigger[trig] {
				s.Stop()
				return tidy(data)
			}
		}
		time.Sleep(2 * time.Second)
	}
	return fmt.Errorf("the blocks in %s did not settle in 30 minutes", data)
}

// metrics reads the named counters from a Prometheus's own /metrics.
func metrics(url string, names ...string) (map[string]float64, error) {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		for _, n := range names {
			if ok && name == n {
				if v, err := strconv.ParseFloat(value, 64); err == nil {
					out[n] = v
				}
			}
		}
	}
	if len(out) != len(names) {
		return nil, fmt.Errorf("%s/metrics has not all of %v", url, names)
	}
	return out, sc.Err()
}

// tidy removes what a stopped Prometheus leaves beside its blocks (the
// write-ahead log, the head's chunks, its lock and query log).
func tidy(data string) error {
	for _, name := range []string{"wal", "chunks_head", "lock", "queries.active"} {
		if err := os.RemoveAll(filepath.Join(data, name)); err != nil {
			return err
		}
	}
	return nil
}
