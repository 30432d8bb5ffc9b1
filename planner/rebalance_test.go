package planner_test

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// moveActions are a plan's move actions, in order.
func moveActions(p *planner.Plan) []planner.Action {
	var out []planner.Action
	for _, a := range p.Actions {
		if a.Op == planner.OpMove {
			out = append(out, a)
		}
	}
	return out
}

// finalHost is where a guest ends: its last move's destination, or the
// host it is kept on.
func finalHost(p *planner.Plan, guest string) string {
	host := ""
	for _, a := range p.Actions {
		if a.Guest == guest {
			host = a.Host
		}
	}
	return host
}

func hostPlan(p *planner.Plan, name string) *planner.HostPlan {
	for i := range p.Hosts {
		if p.Hosts[i].Name == name {
			return &p.Hosts[i]
		}
	}
	return nil
}

func mustVerify(t *testing.T, p *planner.Plan, sc *inventory.Scenario) {
	t.Helper()
	if problems := planner.Verify(p, sc); len(problems) > 0 {
		t.Fatalf("plan does not verify:\n%s", strings.Join(problems, "\n"))
	}
}

// TestRebalanceDrifted runs every goal on the embedded drifted fleet and
// checks what each promises, and that the plan verifies step by step
// against the scenario.
func TestRebalanceDrifted(t *testing.T) {
	sc := embedded(t, "drifted")
	cases := []struct {
		name  string
		plan  func(*planner.Planner) (*planner.Plan, error)
		check func(t *testing.T, p *planner.Plan)
	}{
		{"consolidate", func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Rebalance(planner.GoalConsolidate, planner.MoveOptions{})
		}, func(t *testing.T, p *planner.Plan) {
			// Ten hosts whose guests fit on six (the volume bound): four
			// can be freed, and the plan frees them.
			if len(p.Moves.Freed) != 4 || p.Metrics.HostsUsed != 6 || p.Metrics.LowerBound != 6 {
				t.Errorf("freed %v, hosts in use %d, lower bound %d; want 4 freed, 6 in use, bound 6", p.Moves.Freed, p.Metrics.HostsUsed, p.Metrics.LowerBound)
			}
			for _, h := range p.Moves.Freed {
				if hp := hostPlan(p, h); !hp.After.IsZero() || len(hp.MovedOut) != len(hp.Existing) {
					t.Errorf("freed host %s: after %v, %d of %d guests moved out", h, hp.After, len(hp.MovedOut), len(hp.Existing))
				}
			}
		}},
		{"repair", func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Rebalance(planner.GoalRepair, planner.MoveOptions{})
		}, func(t *testing.T, p *planner.Plan) {
			// kvm04 is over its memory and db-main-1 and -2 share rack r1:
			// one migration for each.
			if len(p.Moves.Remaining) != 0 || p.Migrations() != 2 {
				t.Errorf("remaining %v after %d migrations; want nothing left after 2", p.Moves.Remaining, p.Migrations())
			}
			h := hostPlan(p, "kvm04")
			if h.After[inventory.Memory] > h.Offered[inventory.Memory] {
				t.Errorf("kvm04 still over its memory: %v of %v", h.After[inventory.Memory], h.Offered[inventory.Memory])
			}
			if r1, r2 := hostPlan(p, finalHost(p, "db-main-1")).Rack, hostPlan(p, finalHost(p, "db-main-2")).Rack; r1 == r2 {
				t.Errorf("db-main-1 and db-main-2 still share rack %s", r1)
			}
			for _, a := range moveActions(p) {
				if a.Move.Reason.Kind != "repair" || a.Move.Reason.Rule == "" {
					t.Errorf("%s moves for %+v, want a repair naming its rule", a.Guest, a.Move.Reason)
				}
			}
		}},
		{"balance", func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Rebalance(planner.GoalBalance, planner.MoveOptions{})
		}, func(t *testing.T, p *planner.Plan) {
			if !(p.Moves.PeakAfter < p.Moves.PeakBefore) || p.Moves.PeakAfter > 1 {
				t.Errorf("peak %g → %g: want lower, and within every offer", p.Moves.PeakBefore, p.Moves.PeakAfter)
			}
		}},
		{"drain", func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Drain([]string{"kvm07"}, planner.MoveOptions{})
		}, func(t *testing.T, p *planner.Plan) {
			h := hostPlan(p, "kvm07")
			if !h.After.IsZero() || !slices.Equal(p.Moves.Freed, []string{"kvm07"}) || !slices.Equal(p.Moves.Drain, []string{"kvm07"}) {
				t.Errorf("kvm07 after %v, freed %v, drain %v", h.After, p.Moves.Freed, p.Moves.Drain)
			}
			// batch-1 is shut off: it moves offline, copying no memory.
			for _, a := range moveActions(p) {
				if a.Guest == "batch-1" && (a.Move.Live || a.Move.Memory != 0) {
					t.Errorf("batch-1 moves live=%t copying %g bytes of memory; it is shut off", a.Move.Live, a.Move.Memory)
				}
			}
		}},
		{"waves", func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Waves(planner.MoveOptions{MaxHostsPerWave: 3})
		}, func(t *testing.T, p *planner.Plan) {
			seen := map[string]int{}
			for _, st := range p.Moves.Maintenance {
				if len(st.Hosts) > 3 {
					t.Errorf("step %d drains %d hosts, over the limit of 3", st.Step, len(st.Hosts))
				}
				for _, h := range st.Hosts {
					seen[h]++
				}
			}
			for _, h := range p.Moves.Undrainable {
				seen[h]++
			}
			for _, h := range sc.Hosts {
				if seen[h.Name] != 1 {
					t.Errorf("host %s is in %d maintenance steps (or the undrainable list), want exactly 1", h.Name, seen[h.Name])
				}
			}
			if len(p.Moves.Maintenance) < p.Moves.Bounds.Waves {
				t.Errorf("%d steps, below the lower bound %d", len(p.Moves.Maintenance), p.Moves.Bounds.Waves)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.plan(planner.New(sc))
			if err != nil {
				t.Fatal(err)
			}
			if p.Moves == nil || p.Moves.Goal != tc.name || p.Migrations() == 0 {
				t.Fatalf("moves %+v, %d migrations", p.Moves, p.Migrations())
			}
			if !p.Complete() {
				t.Errorf("plan incomplete: stuck %v, remaining %v, undrainable %v", p.Moves.Stuck, p.Moves.Remaining, p.Moves.Undrainable)
			}
			// A rebalance places no demand, and says so.
			if p.Creates() != 0 || !slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, "demands 2 new guests") }) {
				t.Errorf("%d creates, warnings %q", p.Creates(), p.Warnings)
			}
			mustVerify(t, p, sc)
			tc.check(t, p)
		})
	}
}

// TestPlanWithMoves: the search index fits on the drifted fleet only if
// running guests move; without moves two hosts are bought. The plan shows
// both, moves before creates.
func TestPlanWithMoves(t *testing.T) {
	sc := embedded(t, "drifted")
	p, err := planner.New(sc).PlanWithMoves(planner.MoveOptions{MaxMoves: 2})
	if err != nil {
		t.Fatal(err)
	}
	mustVerify(t, p, sc)
	w := p.Moves.Without
	if w == nil || w.NewHosts != 2 || w.Placed != 2 {
		t.Fatalf("without moves: %+v, want 2 placed on 2 bought hosts", w)
	}
	if p.Metrics.NewHosts != 0 || p.Metrics.Placed != 2 || p.Migrations() == 0 || p.Migrations() > 2 {
		t.Errorf("with moves: %d bought, %d placed, %d migrations; want 0 bought, 2 placed, 1–2 migrations",
			p.Metrics.NewHosts, p.Metrics.Placed, p.Migrations())
	}
	lastMove, firstCreate := -1, len(p.Actions)
	for i, a := range p.Actions {
		switch a.Op {
		case planner.OpMove:
			lastMove = i
			if a.Move.Reason.Kind != "room" || !strings.HasPrefix(a.Move.Reason.Guest, "search-index-") {
				t.Errorf("%s moves for %+v, want room for a search-index guest", a.Guest, a.Move.Reason)
			}
		case planner.OpCreate:
			firstCreate = min(firstCreate, i)
		}
	}
	if lastMove > firstCreate {
		t.Errorf("a create (action %d) comes before a move (action %d): creates run once the moves made room", firstCreate+1, lastMove+1)
	}
	// A budget too small to help leaves Plan's placement, and says so.
	one, err := planner.New(sc).PlanWithMoves(planner.MoveOptions{MaxMoves: 1})
	if err != nil {
		t.Fatal(err)
	}
	mustVerify(t, one, sc)
	if _, err := planner.New(sc).PlanWithMoves(planner.MoveOptions{}); err == nil || !strings.Contains(err.Error(), "moves nothing") {
		t.Errorf("a budget of 0: %v, want a refusal", err)
	}
}

// TestMoveCosts: a migration copies the guest's memory when it runs, and
// its disks unless both hosts share storage; the time is the bytes at the
// bandwidth.
func TestMoveCosts(t *testing.T) {
	const gib = 1 << 30
	host := func(name, storage string) inventory.Host {
		h := inventory.Host{Name: name, Labels: map[string]string{"rack": name, "zone": "z"},
			Capacity: inventory.Vector{inventory.CPU: 32, inventory.Memory: 128 * gib, inventory.IOPS: 10000, inventory.Net: 10e9}}
		if storage != "" {
			h.Labels["storage"] = storage
		}
		return h
	}
	build := func(state string) *inventory.Scenario {
		sc := &inventory.Scenario{APIVersion: inventory.APIVersion, Name: "costs", Profiles: inventory.BuiltInProfiles(), Policy: inventory.DefaultPolicy()}
		a := host("a", "shared")
		a.Guests = []inventory.Guest{{Name: "g", Profile: "web", State: state, Disk: 20 * gib,
			Allocation: inventory.Vector{inventory.CPU: 4, inventory.Memory: 8 * gib, inventory.IOPS: 100, inventory.Net: 1e8}}}
		sc.Hosts = []inventory.Host{a, host("b", "shared"), host("c", "")}
		return sc
	}
	cases := []struct {
		name, state, exclude string
		to                   string
		memory, disk         float64
		live                 bool
	}{
		// 8 GiB of memory; shared to shared: no disk.
		{"shared to shared", "running", "c", "b", 8 * gib, 0, true},
		// c's disks are local: the 20 GiB disk is copied too.
		{"shared to local", "running", "b", "c", 8 * gib, 20 * gib, true},
		// Shut off: offline, the disk only.
		{"offline to local", "shutoff", "b", "c", 0, 20 * gib, false},
		{"offline to shared", "shutoff", "c", "b", 0, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := build(tc.state)
			pl := planner.New(sc)
			pl.Exclude(tc.exclude, true)
			p, err := pl.Drain([]string{"a"}, planner.MoveOptions{Bandwidth: 1e9})
			if err != nil {
				t.Fatal(err)
			}
			mustVerify(t, p, sc)
			ms := moveActions(p)
			if len(ms) != 1 {
				t.Fatalf("%d migrations, want 1", len(ms))
			}
			m := ms[0].Move
			if ms[0].Host != tc.to || m.Live != tc.live || m.Memory != tc.memory || m.Disk != tc.disk || m.Bytes != tc.memory+tc.disk {
				t.Errorf("to %s live=%t memory %g disk %g bytes %g; want to %s live=%t memory %g disk %g",
					ms[0].Host, m.Live, m.Memory, m.Disk, m.Bytes, tc.to, tc.live, tc.memory, tc.disk)
			}
			// 1e9 bytes/s: seconds = bytes / 1e9.
			if want := (tc.memory + tc.disk) / 1e9; m.Seconds < want*0.999999 || m.Seconds > want*1.000001 {
				t.Errorf("seconds %g, want %g", m.Seconds, want)
			}
			if p.Moves.Bytes != m.Bytes || p.Moves.Waves[0].Bytes != m.Bytes {
				t.Errorf("totals %g / wave %g, want %g", p.Moves.Bytes, p.Moves.Waves[0].Bytes, m.Bytes)
			}
		})
	}
}

// TestMoveBadInput: bad requests are refused with a sentence that names
// what is wrong and what to do.
func TestMoveBadInput(t *testing.T) {
	zoned := func(together bool) *inventory.Scenario {
		sc := embedded(t, "leftovers")
		sc.Hosts[2].Labels = map[string]string{"rack": "r2", "zone": "z2"} // host-c alone in z2
		sc.Groups = append(sc.Groups, inventory.Group{Name: "zg", Scope: inventory.ScopeZone, Together: together})
		sc.Hosts[0].Guests[0].Group = "zg" // cache-a1 in z1
		sc.Hosts[2].Guests[0].Group = "zg" // web-c1 in z2
		if together {
			sc.Hosts[0].Guests[0].Group = ""
			sc.Hosts[2].Guests[1].Group = "zg" // db-c1 in z2 too
		}
		return sc
	}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"unknown host", func() error {
			_, err := planner.New(embedded(t, "drifted")).Drain([]string{"kvm7"}, planner.MoveOptions{})
			return err
		}, `drain: no host named "kvm7"; did you mean "kvm07"?`},
		{"host named twice", func() error {
			_, err := planner.New(embedded(t, "drifted")).Drain([]string{"kvm07", "kvm07"}, planner.MoveOptions{})
			return err
		}, "drain: host kvm07 is named twice"},
		{"no host", func() error {
			_, err := planner.New(embedded(t, "drifted")).Drain(nil, planner.MoveOptions{})
			return err
		}, "drain: name at least one host"},
		{"only host of its zone, spread group", func() error {
			_, err := planner.New(zoned(false)).Drain([]string{"host-c"}, planner.MoveOptions{})
			return err
		}, "drain: host-c is the only host of zone z2: its guests must leave the zone, but web-c1 is in group zg, which keeps one member per zone (scope zone) and has a member in every other zone"},
		{"only host of its zone, together group", func() error {
			_, err := planner.New(zoned(true)).Drain([]string{"host-c"}, planner.MoveOptions{})
			return err
		}, "drain: host-c is the only host of zone z2, and group zg keeps its members together in one zone (scope zone)"},
		{"unknown kept guest", func() error {
			pl := planner.New(embedded(t, "drifted"))
			pl.Keep("web-01", true)
			_, err := pl.Rebalance(planner.GoalConsolidate, planner.MoveOptions{})
			return err
		}, `keep: no running guest named "web-01"; did you mean "web-1"?`},
		{"unknown goal", func() error {
			_, err := planner.New(embedded(t, "drifted")).Rebalance("consolidat", planner.MoveOptions{})
			return err
		}, `unknown goal "consolidat": want consolidate, repair, balance; did you mean "consolidate"?`},
		{"negative budget", func() error {
			_, err := planner.New(embedded(t, "drifted")).Rebalance(planner.GoalBalance, planner.MoveOptions{MaxMoves: -1})
			return err
		}, "the move budget must be ≥ 0"},
		{"bad storage label", func() error {
			sc := embedded(t, "drifted")
			sc.Hosts[0].Labels["storage"] = "nfs"
			_, err := planner.New(sc).Rebalance(planner.GoalBalance, planner.MoveOptions{})
			return err
		}, `host kvm01: label storage="nfs": want shared or local`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	// The zone rule refuses only what cannot work: with host-b in z2 too,
	// web-c1 can stay in its zone, and the drain is planned.
	sc := zoned(false)
	sc.Hosts[1].Labels = map[string]string{"rack": "r3", "zone": "z2"}
	if _, err := planner.New(sc).Drain([]string{"host-c"}, planner.MoveOptions{}); err != nil {
		t.Errorf("drain of host-c with host-b in its zone: %v", err)
	}
}

// TestMovePlansMatchSchema validates plans with moves of every goal
// against the published schema (docs/plan.schema.json) with an
// independent validator, and checks that the schema rejects a move with a
// misspelt field (so the new parts are not left open).
func TestMovePlansMatchSchema(t *testing.T) {
	abs, err := filepath.Abs(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	sch, err := jsonschema.NewCompiler().Compile(abs)
	if err != nil {
		t.Fatal(err)
	}
	sc := embedded(t, "drifted")
	plans := map[string]func(*planner.Planner) (*planner.Plan, error){
		"consolidate": func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Rebalance(planner.GoalConsolidate, planner.MoveOptions{MaxMoves: 5})
		},
		"drain": func(pl *planner.Planner) (*planner.Plan, error) {
			pl.Keep("web-8", true)
			return pl.Drain([]string{"kvm07"}, planner.MoveOptions{})
		},
		"waves": func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Waves(planner.MoveOptions{KeepFailover: true})
		},
		"room": func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.PlanWithMoves(planner.MoveOptions{MaxMoves: 2})
		},
	}
	for _, name := range sortedNames(plans) {
		p, err := plans[name](planner.New(sc))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := planner.EncodeJSON(&buf, p); err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Errorf("%s: plan does not match the schema: %v", name, err)
		}
		for _, a := range doc.(map[string]any)["actions"].([]any) {
			if m := a.(map[string]any)["move"]; m != nil {
				m.(map[string]any)["wavee"] = 1
				break
			}
		}
		if err := sch.Validate(doc); err == nil {
			t.Errorf("%s: the schema accepts a move with an unknown field", name)
		}
	}
}

func sortedNames[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
