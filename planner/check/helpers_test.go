package check

import (
	"errors"
	"flag"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

const gib = 1 << 30

// vec is cpu, memory (GiB), iops, net (Gbps).
func vec(cpu, memGiB, iops, netGbps float64) inventory.Vector {
	return inventory.Vector{inventory.CPU: cpu, inventory.Memory: memGiB * gib, inventory.IOPS: iops, inventory.Net: netGbps * 1e9}
}

// handPlan is a plan small enough to check every rule by hand:
//
//	host  rack zone offered (cpu, GiB, iops, Gbps)  before → after         guests after the plan
//	h1    r1   z1   40, 100, 10k, 10                 20,50,2k,1 → 36,90,3k,2  web-1 (web), db-1 (db, group db-main), new web-2 (web), new cache-1 (cache)
//	h2    r1   z1   40, 100, 10k, 10                 10,20,5k,1 → 10,20,5k,1  db-2 (db, group db-main)
//	h3    r2   z2   40, 100, 10k, 10                 0 → 4,40,1k,1            new db-3 (db, group db-main)
//	n1    (bought, compute-64, spare)                0 → 0
//
// Shares after: h1 cpu 90%, memory 90%, iops 30%, net 20%; h2 25%, 20%,
// 50%, 10%; h3 10%, 40%, 10%, 10%. The fleet's (metrics) cpu 41.7%,
// memory 50%, before 37.5% and 35%.
func handPlan() *planner.Plan {
	off := vec(40, 100, 10_000, 10)
	return &planner.Plan{
		APIVersion: planner.PlanAPIVersion, Kind: planner.PlanKind, ID: "0123456789ab", Scenario: "hand",
		Groups: []planner.GroupView{{Name: "db-main", Scope: "rack"}, {Name: "cache-session", Scope: "host"}},
		Hosts: []planner.HostPlan{
			{Name: "h1", Rack: "r1", Zone: "z1", Offered: off, Before: vec(20, 50, 2000, 1), After: vec(36, 90, 3000, 2),
				Existing: []string{"web-1", "db-1"}, Placed: []string{"web-2", "cache-1"}},
			{Name: "h2", Rack: "r1", Zone: "z1", Offered: off, Before: vec(10, 20, 5000, 1), After: vec(10, 20, 5000, 1),
				Existing: []string{"db-2"}, Placed: []string{}},
			{Name: "h3", Rack: "r2", Zone: "z2", Offered: off, After: vec(4, 40, 1000, 1),
				Existing: []string{}, Placed: []string{"db-3"}},
			{Name: "n1", New: true, Spare: true, Model: "compute-64", Offered: off, Existing: []string{}, Placed: []string{}},
		},
		Actions: []planner.Action{
			{Op: planner.OpKeep, Guest: "web-1", Host: "h1", Profile: "web"},
			{Op: planner.OpKeep, Guest: "db-1", Host: "h1", Profile: "db", Group: "db-main"},
			{Op: planner.OpKeep, Guest: "db-2", Host: "h2", Profile: "db", Group: "db-main"},
			{Op: planner.OpCreate, Guest: "web-2", Host: "h1", Profile: "web"},
			{Op: planner.OpCreate, Guest: "cache-1", Host: "h1", Profile: "cache"},
			{Op: planner.OpCreate, Guest: "db-3", Host: "h3", Profile: "db", Group: "db-main"},
		},
		Buy: []planner.Purchase{{Model: "compute-64", Count: 1, Hosts: []string{"n1"}}},
		Metrics: planner.Metrics{
			Hosts: 3, HostsBefore: 2, HostsUsed: 3, NewHosts: 1,
			UtilisationBefore: inventory.Vector{inventory.CPU: 0.375, inventory.Memory: 0.35, inventory.IOPS: 0.35, inventory.Net: 0.1},
			Utilisation:       inventory.Vector{inventory.CPU: 50.0 / 120, inventory.Memory: 0.5, inventory.IOPS: 0.3, inventory.Net: 0.4 / 3},
			// h1 is 90% full in cpu and memory, not "exhausted" (10% free);
			// nothing is stranded unless a test says so.
			Failover: planner.FailoverView{K: 1, Holds: false, FailedHosts: []string{"h1"}, Homeless: 2},
		},
	}
}

// mustParse parses rules written in a test.
func mustParse(t *testing.T, text string) *Rules {
	t.Helper()
	rs, err := Parse("rules.yaml", []byte(text))
	if err != nil {
		t.Fatalf("parsing rules:\n%s\n%v", text, err)
	}
	return rs
}

// problemsOf returns the located problems of a parse error.
func problemsOf(t *testing.T, err error) inventory.Problems {
	t.Helper()
	var ps inventory.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v (%T) is not inventory.Problems", err, err)
	}
	return ps
}
