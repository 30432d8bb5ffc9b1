package planner_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/scenarios"
)

// applyInMemory does to sc what berth apply does to the hosts: every
// create becomes a running guest carrying berth's metadata (profile,
// group, plan), every removal leaves its host.
func applyInMemory(t *testing.T, sc *inventory.Scenario, p *planner.Plan) *inventory.Scenario {
	t.Helper()
	out := sc.Clone()
	at := map[string]int{}
	for i, h := range out.Hosts {
		at[h.Name] = i
	}
	for _, a := range p.Actions {
		hi, ok := at[a.Host]
		if !ok {
			t.Fatalf("%s %s on %s: not a host of the scenario", a.Op, a.Guest, a.Host)
		}
		h := &out.Hosts[hi]
		switch a.Op {
		case planner.OpCreate:
			h.Guests = append(h.Guests, inventory.Guest{
				Name: a.Guest, Profile: a.Profile, Group: a.Group, RoleSource: inventory.RoleMetadata,
				Allocation: a.Allocation, PlanID: p.ID, State: "running",
			})
		case planner.OpRemove:
			n := len(h.Guests)
			h.Guests = slices.DeleteFunc(h.Guests, func(g inventory.Guest) bool { return g.Name == a.Guest })
			if len(h.Guests) != n-1 {
				t.Fatalf("remove %s: not on %s", a.Guest, a.Host)
			}
		}
	}
	return out
}

func verifyClean(t *testing.T, p *planner.Plan, sc *inventory.Scenario) {
	t.Helper()
	if problems := planner.Verify(p, sc); len(problems) > 0 {
		t.Errorf("the verifier refuses the plan:\n%s", strings.Join(problems, "\n"))
	}
}

// TestDemandIsDesiredState (issue 11.6): after apply, planning the same
// demand again finds it met (nothing to do), and a lowered count removes
// the surplus guests, highest numbers first, so that planning converges.
func TestDemandIsDesiredState(t *testing.T) {
	sc := embedded(t, scenarios.Default)
	first := mustPlan(t, sc)
	if first.Creates() == 0 || !first.Complete() {
		t.Fatalf("the default scenario should place every new guest: %d creates, complete %v", first.Creates(), first.Complete())
	}
	applied := applyInMemory(t, sc, first)

	again := mustPlan(t, applied)
	verifyClean(t, again, applied)
	if n := again.Changes(); n != 0 {
		t.Fatalf("re-planning the applied demand changes %d things, want none (creates %d, removals %d)", n, again.Creates(), again.Removals())
	}
	if again.Metrics.Running != first.Creates() || again.Metrics.Guests != 0 {
		t.Errorf("metrics: running %d, new guests %d; want %d running and no new guests",
			again.Metrics.Running, again.Metrics.Guests, first.Creates())
	}

	// Lower the first entry's count by two: its two highest-numbered
	// guests are removed, the rest kept.
	lowered := applied.Clone()
	dm := &lowered.Demand[0]
	if dm.Count < 3 {
		t.Fatalf("demand %s has count %d; the test needs 3 or more", dm.Name, dm.Count)
	}
	dm.Count -= 2
	want := []string{dm.GuestName(dm.Count + 1), dm.GuestName(dm.Count + 2)}
	p := mustPlan(t, lowered)
	verifyClean(t, p, lowered)
	var removed []string
	for _, a := range p.Actions {
		if a.Op == planner.OpRemove {
			removed = append(removed, a.Guest)
			if hostOf(first, a.Guest) != a.Host {
				t.Errorf("remove %s from %s, but it runs on %s", a.Guest, a.Host, hostOf(first, a.Guest))
			}
		}
	}
	slices.Sort(removed)
	slices.Sort(want)
	if !slices.Equal(removed, want) {
		t.Fatalf("removals %v, want %v", removed, want)
	}
	if p.Removals() != 2 || p.Changes() != 2 || p.Metrics.Removed != 2 || p.Creates() != 0 {
		t.Errorf("Removals %d, Changes %d, Metrics.Removed %d, Creates %d; want 2, 2, 2, 0", p.Removals(), p.Changes(), p.Metrics.Removed, p.Creates())
	}
	for _, h := range p.Hosts {
		for _, g := range h.Removed {
			if !slices.Contains(h.Existing, g) {
				t.Errorf("host %s removes %s, which it does not list as existing", h.Name, g)
			}
		}
	}
	var table, md bytes.Buffer
	if err := planner.RenderTable(&table, p); err != nil {
		t.Fatal(err)
	}
	if err := planner.RenderMarkdown(&md, p); err != nil {
		t.Fatal(err)
	}
	for _, g := range want {
		if !strings.Contains(table.String(), g) || !strings.Contains(md.String(), g) {
			t.Errorf("the table and Markdown should list the removal of %s:\n%s\n%s", g, table.String(), md.String())
		}
	}
	if !strings.Contains(table.String(), "Removed guests (2)") || !strings.Contains(table.String(), "2 to remove") {
		t.Errorf("table lacks the removals section or count:\n%s", table.String())
	}

	// Apply the removals: the lowered demand then converges too.
	done := applyInMemory(t, lowered, p)
	last := mustPlan(t, done)
	verifyClean(t, last, done)
	if last.Changes() != 0 {
		t.Errorf("after the removals, re-planning changes %d things, want none", last.Changes())
	}
}

// TestDesiredStateNeedsBerthMetadata: a running guest with a demanded
// name counts as that demand met only if berth made it from that entry;
// one without berth's metadata, or with another profile or group, is a
// clash, and the error says why. A surplus-numbered guest made by hand is
// the fleet's own and stays.
func TestDesiredStateNeedsBerthMetadata(t *testing.T) {
	base := embedded(t, "leftovers")
	web := func(sc *inventory.Scenario) *inventory.Demand {
		for i := range sc.Demand {
			if sc.Demand[i].Name == "web-new" {
				return &sc.Demand[i]
			}
		}
		t.Fatal("leftovers has no demand web-new")
		return nil
	}
	running := func(mod func(*inventory.Guest)) *inventory.Scenario {
		sc := base.Clone()
		g := inventory.Guest{Name: "web-new-1", Profile: "web", Group: web(sc).Group,
			RoleSource: inventory.RoleMetadata, Allocation: inventory.Vector{inventory.CPU: 1, inventory.Memory: 1 << 30}}
		mod(&g)
		sc.Hosts[0].Guests = append(sc.Hosts[0].Guests, g)
		return sc
	}
	cases := []struct {
		name string
		mod  func(*inventory.Guest)
		want string // "" = satisfied
	}{
		{"made from the entry", func(*inventory.Guest) {}, ""},
		{"no metadata", func(g *inventory.Guest) { g.RoleSource = inventory.RolePattern }, "it carries no berth metadata"},
		{"other profile", func(g *inventory.Guest) { g.Profile = "db" }, "its metadata says profile db, the entry web"},
		{"other group", func(g *inventory.Guest) { g.Group = "elsewhere" }, `its metadata says group "elsewhere"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := running(tc.mod)
			p, err := planner.New(sc).Plan()
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `"web-new-1"`) {
					t.Fatalf("err = %v, want a clash naming web-new-1 and saying %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			verifyClean(t, p, sc)
			for _, a := range p.Actions {
				if a.Guest == "web-new-1" && a.Op != planner.OpKeep {
					t.Errorf("web-new-1 runs already, but the plan has %s for it", a.Op)
				}
			}
		})
	}
	t.Run("surplus made by hand stays", func(t *testing.T) {
		sc := running(func(g *inventory.Guest) { g.Name, g.RoleSource = "web-new-2", inventory.RoleDeclared })
		p := mustPlan(t, sc)
		if p.Removals() != 0 {
			t.Errorf("a hand-made web-new-2 is not berth's to remove; the plan removes %d guests", p.Removals())
		}
	})
	t.Run("surplus made by berth goes", func(t *testing.T) {
		sc := running(func(g *inventory.Guest) { g.Name = "web-new-2" })
		p := mustPlan(t, sc)
		verifyClean(t, p, sc)
		if p.Removals() != 1 || hostOf(p, "web-new-2") != sc.Hosts[0].Name {
			t.Errorf("want web-new-2 removed from %s; removals %d", sc.Hosts[0].Name, p.Removals())
		}
	})
}

// TestVerifierChecksRemovals: the verifier refuses a plan that leaves a
// surplus guest running or removes a guest the demand still wants.
func TestVerifierChecksRemovals(t *testing.T) {
	sc := embedded(t, scenarios.Default)
	applied := applyInMemory(t, sc, mustPlan(t, sc))
	applied.Demand[0].Count--
	surplus := applied.Demand[0].GuestName(applied.Demand[0].Count + 1)
	p := mustPlan(t, applied)

	kept := clonePlan(t, p)
	for i, a := range kept.Actions {
		if a.Op == planner.OpRemove {
			kept.Actions[i].Op = planner.OpKeep
		}
	}
	for i := range kept.Hosts {
		kept.Hosts[i].Removed = nil
		kept.Hosts[i].Before = kept.Hosts[i].After
	}
	if got := strings.Join(planner.Verify(kept, applied), "\n"); !strings.Contains(got, surplus+" is beyond its demand entry's count, but the plan does not remove it") {
		t.Errorf("verifier missed the surplus guest left running:\n%s", got)
	}

	wrong := clonePlan(t, p)
	keepName := applied.Demand[0].GuestName(1)
	for i, a := range wrong.Actions {
		if a.Guest == keepName {
			wrong.Actions[i].Op = planner.OpRemove
		}
	}
	if got := strings.Join(planner.Verify(wrong, applied), "\n"); !strings.Contains(got, "remove "+keepName+": the scenario's demand does not make it a surplus guest") {
		t.Errorf("verifier missed the removal of a demanded guest:\n%s", got)
	}
}

// TestRemovalsAreReviewed: a plan whose only changes are removals changes
// hosts all the same: on hosts without a libvirt URI it is for review.
func TestRemovalsAreReviewed(t *testing.T) {
	sc := embedded(t, scenarios.Default)
	applied := applyInMemory(t, sc, mustPlan(t, sc))
	applied.Demand[0].Count--
	p := mustPlan(t, applied)
	if p.Creates() != 0 || p.Removals() != 1 {
		t.Fatalf("want a plan with only a removal: %d creates, %d removals", p.Creates(), p.Removals())
	}
	review, why := p.ForReview()
	if !review || !strings.Contains(why, "URI") {
		t.Errorf("ForReview = %v, %q; want for review: the host that loses a guest has no usable URI", review, why)
	}
}

// TestConvergesOnEveryScenario: on every embedded scenario whose plan
// buys nothing, plan → apply → plan has nothing to do, and after any
// entry's count is lowered, plan → apply → plan converges again, the
// verifier accepting every plan on the way.
func TestConvergesOnEveryScenario(t *testing.T) {
	for _, name := range scenarios.Names() {
		t.Run(name, func(t *testing.T) {
			sc := embedded(t, name)
			first := mustPlan(t, sc)
			if len(first.Buy) > 0 {
				t.Skipf("the plan buys hosts, which apply cannot create")
			}
			verifyClean(t, first, sc)
			applied := applyInMemory(t, sc, first)
			if p := mustPlan(t, applied); p.Changes() != 0 {
				t.Fatalf("re-planning the applied demand changes %d things", p.Changes())
			}
			for i := range applied.Demand {
				if applied.Demand[i].Count < 2 {
					continue
				}
				lowered := applied.Clone()
				lowered.Demand[i].Count /= 2
				p := mustPlan(t, lowered)
				verifyClean(t, p, lowered)
				placed := 0
				for _, a := range first.Actions {
					if a.Op == planner.OpCreate && strings.HasPrefix(a.Guest, lowered.Demand[i].Name+"-") {
						placed++
					}
				}
				if want := placed - lowered.Demand[i].Count; p.Removals() != max(want, 0) || p.Creates() != 0 {
					t.Errorf("%s lowered to %d: %d removals, %d creates; want %d removals, none created", lowered.Demand[i].Name, lowered.Demand[i].Count, p.Removals(), p.Creates(), max(want, 0))
				}
				if again := mustPlan(t, applyInMemory(t, lowered, p)); again.Changes() != 0 {
					t.Errorf("%s lowered: after its removals the plan still changes %d things", lowered.Demand[i].Name, again.Changes())
				}
			}
		})
	}
}
