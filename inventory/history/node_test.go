package history_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/history"
	"github.com/berth-dev/berth/inventory/history/promtest"
)

// nodeHistory is two hours of node_exporter metrics for two hosts,
// scraped every minute, with constant use: kvm1 (nodename
// kvm1.example.com) uses 24 GiB of 64 and 2.5 cores (2 user, 0.5 system,
// iowait not counted); kvm2 uses 8 GiB and 1 core.
func nodeHistory(end time.Time) string {
	var b strings.Builder
	type node struct {
		inst, nodename       string
		total, avail         float64
		user, system, iowait float64
	}
	nodes := []node{
		{"10.0.0.1:9100", "kvm1.example.com", 64 << 30, 40 << 30, 2, 0.5, 0.25},
		{"kvm2:9100", "kvm2", 32 << 30, 24 << 30, 1, 0, 0},
	}
	start := end.Add(-2 * time.Hour)
	series := func(name, typ string, f func(n node, t time.Time) []string) {
		fmt.Fprintf(&b, "# TYPE %s %s\n", name, typ)
		for _, n := range nodes {
			for t := start; !t.After(end); t = t.Add(time.Minute) {
				for _, line := range f(n, t) {
					fmt.Fprintf(&b, "%s %d\n", line, t.Unix())
				}
			}
		}
	}
	series("node_memory_MemTotal_bytes", "gauge", func(n node, _ time.Time) []string {
		return []string{fmt.Sprintf("node_memory_MemTotal_bytes{instance=%q} %v", n.inst, n.total)}
	})
	series("node_memory_MemAvailable_bytes", "gauge", func(n node, _ time.Time) []string {
		return []string{fmt.Sprintf("node_memory_MemAvailable_bytes{instance=%q} %v", n.inst, n.avail)}
	})
	series("node_cpu_seconds", "counter", func(n node, t time.Time) []string {
		s := t.Sub(start).Seconds()
		return []string{
			fmt.Sprintf("node_cpu_seconds_total{instance=%q,cpu=\"0\",mode=\"user\"} %v", n.inst, 1000+n.user*s),
			fmt.Sprintf("node_cpu_seconds_total{instance=%q,cpu=\"0\",mode=\"system\"} %v", n.inst, 1000+n.system*s),
			fmt.Sprintf("node_cpu_seconds_total{instance=%q,cpu=\"0\",mode=\"iowait\"} %v", n.inst, 1000+n.iowait*s),
			fmt.Sprintf("node_cpu_seconds_total{instance=%q,cpu=\"0\",mode=\"idle\"} %v", n.inst, 1000+4*s),
		}
	})
	series("node_uname_info", "gauge", func(n node, _ time.Time) []string {
		return []string{fmt.Sprintf("node_uname_info{instance=%q,nodename=%q} 1", n.inst, n.nodename)}
	})
	b.WriteString("# EOF\n")
	return b.String()
}

// TestReadNodes reads the hosts' own use from node metrics, and finds
// them by nodename (with or without the domain) or instance.
func TestReadNodes(t *testing.T) {
	end := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
	srv := promtest.Start(t, promtest.Options{Blocks: []string{promtest.BackfillText(t, nodeHistory(end))}})
	cfg := history.DefaultConfig(srv.URL)
	cfg.Window, cfg.End = time.Hour, end.Add(-150*time.Second)
	nodes, err := history.ReadNodes(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 2 {
		t.Fatalf("nodes = %+v, want 2", nodes)
	}
	for _, tc := range []struct {
		names    []string
		inst     string
		cpu, mem float64
	}{
		{[]string{"kvm1"}, "10.0.0.1:9100", 2.5, 24 << 30},
		{[]string{"other", "KVM1.example.com"}, "10.0.0.1:9100", 2.5, 24 << 30},
		{[]string{"10.0.0.1"}, "10.0.0.1:9100", 2.5, 24 << 30},
		{[]string{"kvm2.example.com"}, "kvm2:9100", 1, 8 << 30},
	} {
		n := history.FindNode(nodes, tc.names...)
		if n == nil || n.Instance != tc.inst {
			t.Errorf("FindNode(%v) = %+v, want instance %s", tc.names, n, tc.inst)
			continue
		}
		if !n.Has[inventory.CPU] || !near(n.Quantile[inventory.CPU], tc.cpu) || !n.Has[inventory.Memory] || n.Quantile[inventory.Memory] != tc.mem {
			t.Errorf("%s: %+v, want cpu %v, memory %v", tc.inst, n, tc.cpu, tc.mem)
		}
	}
	if n := history.FindNode(nodes, "kvm3", "10.0.0"); n != nil {
		t.Errorf("FindNode(kvm3) = %+v, want none", n)
	}
}
