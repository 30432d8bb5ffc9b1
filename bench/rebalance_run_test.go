package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestRunRebalance runs `berth bench rebalance`'s comparison on small
// drifted fleets: one JSON line per method, berth's plans all pass the
// referee, and the figures hold together (hosts after = in use − freed,
// a budget kept, balance leaves every host in use).
func TestRunRebalance(t *testing.T) {
	var out bytes.Buffer
	rows, err := RunRebalance(&out, RebalanceOptions{Hosts: []int{40}, Seeds: []uint64{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(rows) || len(rows) != 2*7 {
		t.Fatalf("%d JSON lines, %d rows; want 14 (7 methods × 2 fleets)", len(lines), len(rows))
	}
	for i, line := range lines {
		var r RebalanceRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if r.Method != rows[i].Method || r.Fleet != rows[i].Fleet {
			t.Errorf("line %d is %s %s, row %s %s", i+1, r.Fleet, r.Method, rows[i].Fleet, rows[i].Method)
		}
		if strings.HasPrefix(r.Method, "berth") && (r.Valid == nil || !*r.Valid) {
			t.Errorf("%s %s: the referee does not pass the plan", r.Fleet, r.Method)
		}
		if r.Budget > 0 && r.Migrations > r.Budget {
			t.Errorf("%s %s: %d migrations over a budget of %d", r.Fleet, r.Method, r.Migrations, r.Budget)
		}
		if r.HostsAfter+r.Freed > r.Hosts || (r.Method == "hbal" || r.Method == "berth-balance") && r.Freed != 0 {
			t.Errorf("%s %s: %d hosts after, %d freed, of %d", r.Fleet, r.Method, r.HostsAfter, r.Freed, r.Hosts)
		}
	}
	var table bytes.Buffer
	if err := RebalanceSummary(&table, rows); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(table.String(), "\n"); got != len(rows)+1 {
		t.Errorf("summary has %d lines, want a header and %d rows", got, len(rows))
	}
}
