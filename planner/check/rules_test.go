package check

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/report/extra"
	"github.com/google/go-cmp/cmp"
)

// Every rule on handPlan (see its table), with the arithmetic in the
// comments: what breaks, and who is named.
func TestRules(t *testing.T) {
	tests := []struct {
		name   string
		rules  string
		mutate func(*planner.Plan)
		extra  extra.Extras
		// want is each rule's violations (nil: it holds).
		want [][]Violation
		note string
	}{
		{
			name:  "host max memory: h1 is at 90/100",
			rules: "hostUtilisation: {max: {memory: 80%, cpu: 95%}}",
			want: [][]Violation{
				{{Message: "h1: memory 90%, above 80% (50% before the plan)", Hosts: []string{"h1"}, Guests: []string{"web-2", "cache-1"}}},
				nil, // cpu 90% ≤ 95%
			},
		},
		{
			name:  "host max in every dimension: h1 cpu and memory",
			rules: "hostUtilisation: {max: 85%}",
			want: [][]Violation{{
				{Message: "h1: cpu 90%, above 85% (50% before the plan)", Hosts: []string{"h1"}, Guests: []string{"web-2", "cache-1"}},
				{Message: "h1: memory 90%, above 85% (50% before the plan)", Hosts: []string{"h1"}, Guests: []string{"web-2", "cache-1"}},
			}},
		},
		{
			name:  "host min cpu: h3 at 4/40; the empty bought n1 is not in use",
			rules: "hostUtilisation: {min: {cpu: 20%}}",
			want: [][]Violation{
				{{Message: "h3: cpu 10%, below 20% (0% before the plan)", Hosts: []string{"h3"}, Guests: []string{"db-3"}}},
			},
		},
		{
			name:  "a bound exactly met holds",
			rules: "hostUtilisation: {max: {cpu: 90%, memory: 0.9}}",
			want:  [][]Violation{nil, nil},
		},
		{
			name:  "fleet max memory: 50% over 45%; h1 (90%) is above it",
			rules: "fleetUtilisation: {max: {memory: 45%}}",
			want: [][]Violation{
				{{Message: "fleet memory use 50%, above 45% (35% before the plan); 1 host is above it", Hosts: []string{"h1"}}},
			},
		},
		{
			name:  "fleet min cpu: 50/120 = 41.7%; h2 (25%) and h3 (10%) below",
			rules: "fleetUtilisation: {min: {cpu: 50%}}",
			want: [][]Violation{
				{{Message: "fleet cpu use 41.7%, below 50% (37.5% before the plan); 2 hosts are below it", Hosts: []string{"h2", "h3"}}},
			},
		},
		{
			name:  "failover k=1 checked and failing: names the host",
			rules: "minFailoverHosts: 1",
			want: [][]Violation{
				{{Message: "FAILS for k=1: if h1 fails, 2 guests find no room", Hosts: []string{"h1"}}},
			},
		},
		{
			name:   "failover holding",
			rules:  "minFailoverHosts: 1",
			mutate: func(p *planner.Plan) { p.Metrics.Failover = planner.FailoverView{K: 1, Holds: true} },
			want:   [][]Violation{nil},
		},
		{
			name:  "failover asked for more than the plan checked",
			rules: "minFailoverHosts: 2",
			want: [][]Violation{
				{{Message: "the plan keeps room for 1 failed host, not 2: plan with --failover-hosts 2 (or failoverHosts: 2 in the scenario's policy)"}},
			},
		},
		{
			name:  "hosts bought: 1 bought, at most 0",
			rules: "maxHostsBought: 0",
			want: [][]Violation{
				{{Message: "the plan buys 1 host (1 × compute-64), 1 more than allowed", Hosts: []string{"n1"}}},
			},
		},
		{
			name:  "hosts bought within the limit",
			rules: "maxHostsBought: 1",
			want:  [][]Violation{nil},
		},
		{
			name:  "moves and bytes hold on a plan without moves, and say why",
			rules: "maxMoves: 0\nmaxBytesMoved: 1Gi",
			want:  [][]Violation{nil, nil},
			note:  "the plan moves no running guest: 0 moves, 0 B",
		},
		{
			name:  "moves over the limit (a plan with moves)",
			rules: "maxMoves: 1\nmaxBytesMoved: 20Gi",
			extra: extra.Extras{Moves: []extra.Move{
				{Guest: "web-1", From: "h1", To: "h2", Wave: 1, Bytes: 8 * gib},
				{Guest: "db-1", From: "h1", To: "h3", Wave: 1, Bytes: 16 * gib},
			}},
			want: [][]Violation{
				{{Message: "the plan moves 2 running guests, 1 more than allowed", Guests: []string{"web-1", "db-1"}}},
				// 24 GiB > 20 GiB; the biggest move first.
				{{Message: "the plan's moves copy 24 GiB, more than 20 GiB", Guests: []string{"db-1", "web-1"}}},
			},
		},
		{
			name:  "spread over racks: db-main is in r1 and r2",
			rules: "spread: [{group: db-main, across: rack, atLeast: 2}, {group: db-main, across: zone, atLeast: 2}, {group: db-main, across: host, atLeast: 3}]",
			want:  [][]Violation{nil, nil, nil},
		},
		{
			name:  "spread over three racks fails",
			rules: "spread: [{group: db-main, atLeast: 3}]", // across defaults to rack
			want: [][]Violation{{{
				Message: "group db-main is in 2 racks, not 3: db-1 on h1 (rack r1), db-2 on h2 (rack r1), db-3 on h3 (rack r2)",
				Hosts:   []string{"h1", "h2", "h3"}, Guests: []string{"db-1", "db-2", "db-3"},
			}}},
		},
		{
			name:  "spread follows a move: db-3 moved to h2 leaves one rack",
			rules: "spread: [{group: db-main, across: rack, atLeast: 2}]",
			extra: extra.Extras{Moves: []extra.Move{{Guest: "db-3", From: "h3", To: "h2", Wave: 1}}},
			want: [][]Violation{{{
				Message: "group db-main is in 1 rack, not 2: db-1 on h1 (rack r1), db-2 on h2 (rack r1), db-3 on h2 (rack r1)",
				Hosts:   []string{"h1", "h2"}, Guests: []string{"db-1", "db-2", "db-3"},
			}}},
		},
		{
			name:  "a defined group with no guests is spread over nothing",
			rules: "spread: [{group: cache-session, across: host, atLeast: 1}]",
			want:  [][]Violation{{{Message: "group cache-session is in 0 hosts, not 1: it has no guest on any host"}}},
		},
		{
			name:  "forbidden together: h1 runs web and cache",
			rules: "forbidTogether: [{profiles: [web, cache]}, {profiles: [db, db]}, {profiles: [db, db], scope: rack}]",
			want: [][]Violation{
				{{Message: "h1 runs web (web-1, web-2) and cache (cache-1)", Hosts: []string{"h1"}, Guests: []string{"web-1", "web-2", "cache-1"}}},
				nil, // one db guest per host
				{{Message: "rack r1 runs db (db-1, db-2)", Hosts: []string{"h1", "h2"}, Guests: []string{"db-1", "db-2"}}},
			},
		},
		{
			name:  "stranded: h2 exhausts iops (9.8k of 10k) and strands the rest",
			rules: "maxStranded: {memory: 64Gi, cpu: 80%}",
			mutate: func(p *planner.Plan) {
				p.Hosts[1].After[inventory.IOPS] = 9_800
				p.Metrics.Stranded = inventory.Vector{inventory.CPU: 30, inventory.Memory: 80 * gib, inventory.Net: 9e9}
			},
			want: [][]Violation{
				{{Message: "80 GiB memory stranded, more than 64Gi; most on h2 80 GiB", Hosts: []string{"h2"}}},
				nil, // 30 of 120 cpu = 25% ≤ 80%
			},
		},
		{
			name:  "stranded as a share of what the hosts in use offer: 80 of 300 GiB",
			rules: "maxStranded: {memory: 20%}",
			mutate: func(p *planner.Plan) {
				p.Hosts[1].After[inventory.IOPS] = 9_800
				p.Metrics.Stranded = inventory.Vector{inventory.Memory: 80 * gib}
			},
			want: [][]Violation{
				{{Message: "80 GiB memory stranded (26.7% of the 300 GiB the hosts in use offer), more than 20%; most on h2 80 GiB", Hosts: []string{"h2"}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := handPlan()
			if tt.mutate != nil {
				tt.mutate(p)
			}
			rep, err := mustParse(t, tt.rules).check(factsWith(p, tt.extra))
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Results) != len(tt.want) {
				t.Fatalf("%d results, want %d", len(rep.Results), len(tt.want))
			}
			broken := 0
			for i, res := range rep.Results {
				want := tt.want[i]
				if want == nil {
					want = []Violation{}
				}
				if diff := cmp.Diff(want, res.Violations); diff != "" {
					t.Errorf("rule %s (%s) violations (-want +got):\n%s", res.Field, res.Text, diff)
				}
				if res.Passed != (len(want) == 0) {
					t.Errorf("rule %s: passed = %v with %d violations", res.Field, res.Passed, len(want))
				}
				if !res.Passed {
					broken++
				}
				if tt.note != "" && res.Note != tt.note {
					t.Errorf("rule %s: note %q, want %q", res.Field, res.Note, tt.note)
				}
			}
			if rep.Violated != broken || rep.Passed != (broken == 0) {
				t.Errorf("report: violated %d passed %v, want %d broken", rep.Violated, rep.Passed, broken)
			}
		})
	}
}

// A spread rule naming a group the plan does not have is a mistake in the
// rules file: an error located there, with the closest group.
func TestSpreadOfUnknownGroupIsAnError(t *testing.T) {
	rs := mustParse(t, "maxHostsBought: 3\nspread:\n  - {group: db-mian, across: rack, atLeast: 2}\n")
	_, err := rs.Check(handPlan())
	if err == nil {
		t.Fatal("no error")
	}
	want := `rules.yaml:3:5: spread[0]: the plan has no group "db-mian" (its groups: db-main, cache-session); did you mean "db-main"?`
	if err.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", err, want)
	}
}

// The texts people read in the report, one per kind of rule.
func TestRuleTexts(t *testing.T) {
	rs := mustParse(t, `
hostUtilisation: {max: {memory: 80%}, min: 5%}
fleetUtilisation: {max: {cpu: 0.855}}
maxStranded: {memory: 64Gi, cpu: 5%}
minFailoverHosts: 1
maxHostsBought: 2
maxMoves: 1
maxBytesMoved: 500Gi
spread: [{group: db-main, across: zone, atLeast: 2}]
forbidTogether: [{profiles: [db, batch]}, {profiles: [cache, cache], scope: rack}, {profiles: [db, db, web]}]
`)
	var got []string
	for _, r := range rs.Rules {
		got = append(got, r.Field+": "+r.Text)
	}
	want := []string{
		"hostUtilisation.max.memory: no host above 80% memory",
		"hostUtilisation.min: every host in use at least 5% in any dimension",
		"fleetUtilisation.max.cpu: fleet cpu use at most 85.5%",
		"maxStranded.memory: at most 64 GiB memory stranded",
		"maxStranded.cpu: at most 5% of cpu stranded",
		"minFailoverHosts: room for the guests of any 1 failed host",
		"maxHostsBought: at most 2 hosts bought",
		"maxMoves: at most 1 move",
		"maxBytesMoved: at most 500 GiB copied by moves",
		"spread[0]: group db-main spread over at least 2 zones",
		"forbidTogether[0]: db and batch never on one host",
		"forbidTogether[1]: never 2 cache guests in one rack",
		"forbidTogether[2]: 2 db and web never on one host",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(rs.Rules[1].Text, "every host in use") {
		t.Error("a minimum applies to hosts in use")
	}
}
