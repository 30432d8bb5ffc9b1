package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
)

// reference is what `berth plan` computes for the same scenario and edits:
// a fresh planner, the edits applied through the same API, Plan.
func reference(t *testing.T, name string, edit func(pl *planner.Planner)) *planner.Plan {
	t.Helper()
	pl := planner.New(embedded(t, name))
	if edit != nil {
		edit(pl)
	}
	p, err := pl.Plan()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// moveTarget finds a placed new guest and another host where it fits,
// from a planner of its own.
func moveTarget(t *testing.T, name string) (guest, from, to string) {
	t.Helper()
	pl := planner.New(embedded(t, name))
	p, err := pl.Plan()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range p.Actions {
		if a.Op != planner.OpCreate {
			continue
		}
		cands, err := pl.Candidates(a.Guest)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cands {
			if c.Feasible && c.Host != a.Host {
				return a.Guest, a.Host, c.Host
			}
		}
	}
	t.Fatal("no guest with a second feasible host")
	return
}

// openGuest goes from the fleet view to the guest screen of guest.
func (h *harness) openGuest(guest string) {
	h.t.Helper()
	h.keys("tab", "/")
	h.typeText(guest)
	h.keys("enter", "enter")
	if !strings.Contains(h.screen(), "Guest "+guest+" ") {
		h.t.Fatalf("guest screen of %s did not open:\n%s", guest, h.screen())
	}
}

// selectCandidate moves the guest screen's cursor to host's row.
func (h *harness) selectCandidate(guest, host string) {
	h.t.Helper()
	cands, ok := h.m.ctx.Candidates[guest]
	if !ok {
		h.t.Fatalf("no candidates fetched for %s", guest)
	}
	for i, c := range cands {
		if c.Host == host {
			h.keys("home")
			for range i {
				h.keys("down")
			}
			return
		}
	}
	h.t.Fatalf("%s is not a candidate for %s", host, guest)
}

func hostPlan(p *planner.Plan, name string) planner.HostPlan {
	for _, h := range p.Hosts {
		if h.Name == name {
			return h
		}
	}
	return planner.HostPlan{}
}

// TestMoveGuest: moving a guest from its screen re-plans through the
// planner: the plan is the one a planner given the same pin makes, and
// the fleet view's rows and metrics show it.
func TestMoveGuest(t *testing.T) {
	guest, from, to := moveTarget(t, "default")
	h := start(t, "default", 160, 48)
	before := h.screen()
	h.openGuest(guest)
	h.selectCandidate(guest, to)
	h.keys("m")
	if h.m.Busy() {
		t.Fatal("still busy after the re-plan finished")
	}
	want := reference(t, "default", func(pl *planner.Planner) { pl.Pin(guest, to) })
	if got := planJSON(t, h.m.Plan()); !bytes.Equal(got, planJSON(t, want)) {
		t.Fatalf("plan after the move differs from planner.New+Pin(%s, %s)+Plan", guest, to)
	}
	if hostPlan(want, to).Placed == nil || !strings.Contains(strings.Join(hostPlan(want, to).Placed, " "), guest) {
		t.Fatalf("reference plan does not put %s on %s", guest, to)
	}
	status := h.screen()
	mustContain(t, lineOf(status, "move "+guest), "move "+guest+" → "+to+":", fmt.Sprintf("hosts %d→%d", h.m.undo[0].plan.Metrics.HostsUsed, want.Metrics.HostsUsed), "violations 0→0")

	// Back on the fleet view, both hosts' rows changed as the planner says.
	h.keys("esc", "tab", "esc")
	after := h.screen()
	for _, name := range []string{from, to} {
		hp := hostPlan(want, name)
		row := lineOf(after, " "+name+" ")
		if row == lineOf(before, " "+name+" ") {
			t.Errorf("row of %s did not change after the move: %q", name, row)
		}
		if !strings.Contains(row, fmt.Sprintf("%d+%d", len(hp.Existing), len(hp.Placed))) {
			t.Errorf("row of %s lacks guests %d+%d: %q", name, len(hp.Existing), len(hp.Placed), row)
		}
		for d := range inventory.NumDims {
			if !strings.Contains(row, percentOf(hp.After[d], hp.Offered[d])) {
				t.Errorf("row of %s lacks %s %s: %q", name, d, percentOf(hp.After[d], hp.Offered[d]), row)
			}
		}
	}
	m := want.Metrics
	mustContain(t, after, fmt.Sprintf("%d of %d used (was %d, lower bound %d)", m.HostsUsed, m.Hosts, m.HostsBefore, m.LowerBound))
	for d := range inventory.NumDims {
		mustContain(t, after, fmt.Sprintf("%s %s→%s", d, strings.TrimSuffix(percentOf(m.UtilisationBefore[d], 1), "%"), percentOf(m.Utilisation[d], 1)))
	}
	if !strings.Contains(lineOf(after, "Guests"), fmt.Sprintf("Guests %d placed", m.Placed)) {
		t.Errorf("header lacks the placed count %d", m.Placed)
	}
}

// TestForcedMoveIsAViolation: m refuses a host that refuses the guest; F
// forces it, and the plan, the host's row and the delta show the
// violation.
func TestForcedMoveIsAViolation(t *testing.T) {
	h := start(t, "tight", 160, 48)
	orig := planJSON(t, h.m.Plan())
	h.openGuest("web-new-1")
	h.selectCandidate("web-new-1", "t2")
	h.keys("m")
	if !bytes.Equal(planJSON(t, h.m.Plan()), orig) {
		t.Fatal("m moved a guest to a host that refuses it")
	}
	mustContain(t, h.screen(), "t2 refuses web-new-1", "press F")
	h.keys("F")
	p := h.m.Plan()
	want := reference(t, "tight", func(pl *planner.Planner) { pl.Pin("web-new-1", "t2") })
	if !bytes.Equal(planJSON(t, p), planJSON(t, want)) {
		t.Fatal("forced move differs from planner.New+Pin+Plan")
	}
	if p.Metrics.Violations == 0 {
		t.Fatal("forced move onto a full host has no violation")
	}
	s := h.screen()
	mustContain(t, s, "force move web-new-1 → t2:", fmt.Sprintf("violations 0→%d", p.Metrics.Violations))
	h.keys("esc", "tab", "esc")
	s = h.screen()
	if row := lineOf(s, " t2 "); !strings.Contains(row, "!") {
		t.Errorf("row of t2 is not flagged ! after a forced move: %q", row)
	}
	mustContain(t, s, fmt.Sprintf("Violations %d", p.Metrics.Violations))
}

// TestUndoRedo: undo gives back the very plan of before the edit, byte
// for byte, and leaves the planner where it was (a re-plan gives the same
// bytes); redo gives back the edited plan.
func TestUndoRedo(t *testing.T) {
	guest, _, to := moveTarget(t, "default")
	h := start(t, "default", 80, 24)
	orig := planJSON(t, h.m.Plan())
	origScreen := h.screen()
	h.openGuest(guest)
	h.selectCandidate(guest, to)
	h.keys("m")
	moved := planJSON(t, h.m.Plan())
	if bytes.Equal(moved, orig) {
		t.Fatal("the move changed nothing")
	}
	h.keys("esc", "tab", "esc", "x") // and exclude the host under the cursor
	excluded := planJSON(t, h.m.Plan())

	h.keys("u")
	if !bytes.Equal(planJSON(t, h.m.Plan()), moved) {
		t.Fatal("undo of the exclusion does not restore the moved plan")
	}
	h.keys("u")
	if !bytes.Equal(planJSON(t, h.m.Plan()), orig) {
		t.Fatal("undo of the move does not restore the original plan byte for byte")
	}
	if got, err := h.m.pl.Plan(); err != nil || !bytes.Equal(planJSON(t, got), orig) {
		t.Fatal("after undo the planner re-plans to a different plan: its edits or policy were not restored")
	}
	if !strings.Contains(h.screen(), "undo:") {
		t.Error("no delta shown for the undo")
	}
	h.keys("u")
	mustContain(t, h.screen(), "nothing to undo")
	h.keys("ctrl+r", "ctrl+r")
	if !bytes.Equal(planJSON(t, h.m.Plan()), excluded) {
		t.Fatal("redo twice does not give back the last plan")
	}
	h.keys("u", "u")
	body := func(s string) string { // the fleet view without the cursor
		return strings.ReplaceAll(strings.Join(strings.Split(s, "\n")[1:21], "\n"), "›", " ")
	}
	if s := h.screen(); body(s) != body(origScreen) {
		t.Errorf("fleet view after undoing everything differs from the first one:\n%s\n---\n%s", s, origScreen)
	}
}

// TestSaveIsBerthPlan: s writes the edited plan in the format of `berth
// plan --out`: the verifier accepts it, and it is byte for byte what
// planner.New + Pin + Plan + EncodeJSON (= berth plan --pin G=H) gives.
func TestSaveIsBerthPlan(t *testing.T) {
	guest, _, to := moveTarget(t, "default")
	h := start(t, "default", 80, 24)
	h.openGuest(guest)
	h.selectCandidate(guest, to)
	h.keys("m", "esc", "esc", "s", "ctrl+u")
	path := filepath.Join(t.TempDir(), "edited.json")
	h.typeText(path)
	h.keys("enter")
	mustContain(t, h.screen(), "saved plan "+h.m.Plan().ID)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := planJSON(t, reference(t, "default", func(pl *planner.Planner) { pl.Pin(guest, to) }))
	if !bytes.Equal(got, want) {
		t.Fatal("saved plan differs from berth plan --pin " + guest + "=" + to)
	}
	p, err := planner.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if problems := planner.Verify(p, embedded(t, "default")); len(problems) > 0 {
		t.Fatalf("saved plan does not verify:\n%s", strings.Join(problems, "\n"))
	}
}

// TestEditsThroughPlanner: exclude, add demand and a policy knob each give
// the plan the planner gives for the same call, and show a delta.
func TestEditsThroughPlanner(t *testing.T) {
	t.Run("exclude", func(t *testing.T) {
		h := start(t, "default", 80, 24)
		host := h.m.Plan().Hosts[0].Name
		h.keys("x")
		want := reference(t, "default", func(pl *planner.Planner) { pl.Exclude(host, true) })
		if !bytes.Equal(planJSON(t, h.m.Plan()), planJSON(t, want)) {
			t.Fatal("exclude differs from planner.Exclude")
		}
		s := h.screen()
		mustContain(t, s, "exclude "+host+":")
		if row := lineOf(s, " "+host+" "); !strings.Contains(row, "x "+host) {
			t.Errorf("excluded host not flagged x: %q", row)
		}
		h.keys("x")
		if !bytes.Equal(planJSON(t, h.m.Plan()), planJSON(t, reference(t, "default", nil))) {
			t.Fatal("including the host again does not give the original plan")
		}
	})
	t.Run("demand", func(t *testing.T) {
		h := start(t, "default", 80, 24)
		before := h.m.Plan().Metrics.Guests
		prof := h.m.ctx.Scenario.Profiles[1].Name
		h.keys("a", "right", "down", "3", "enter")
		want := reference(t, "default", func(pl *planner.Planner) {
			if err := pl.AddDemand(planner.DemandEdit{Profile: prof, Count: 13}); err != nil {
				t.Fatal(err)
			}
		})
		if !bytes.Equal(planJSON(t, h.m.Plan()), planJSON(t, want)) {
			t.Fatalf("add demand differs from planner.AddDemand(%s × 13): guests %d", prof, h.m.Plan().Metrics.Guests)
		}
		if got := h.m.Plan().Metrics.Guests; got != before+13 {
			t.Errorf("guests %d, want %d", got, before+13)
		}
		mustContain(t, h.screen(), "add 13 × "+prof+":")
	})
	t.Run("policy", func(t *testing.T) {
		h := start(t, "default", 80, 24)
		// failover k is the 11th knob; one step up.
		h.keys("o")
		for range 10 {
			h.keys("down")
		}
		h.keys("right", "enter")
		want := reference(t, "default", func(pl *planner.Planner) {
			pol := pl.Policy()
			pol.FailoverHosts = 1
			if err := pl.SetPolicy(pol); err != nil {
				t.Fatal(err)
			}
		})
		if !bytes.Equal(planJSON(t, h.m.Plan()), planJSON(t, want)) {
			t.Fatal("policy edit differs from planner.SetPolicy(k=1)")
		}
		mustContain(t, h.screen(), "policy failover hosts (k) 0→1:")
	})
}

// TestOnePlannerJobAtATime: while a re-plan runs, no other planner call
// starts (the planner is not safe for concurrent use); edits and undo
// typed meanwhile are queued, said so, and run in order as jobs end.
func TestOnePlannerJobAtATime(t *testing.T) {
	h := start(t, "default", 80, 24)
	_, cmd := h.m.Update(common.EditMsg{Edit: common.Edit{Kind: common.EditExclude, Host: "kvm01", On: true, Label: "exclude kvm01"}})
	if cmd == nil || !h.m.Busy() {
		t.Fatal("an edit should start a job")
	}
	// While it runs: exclude kvm02 (down, x), then undo it.
	for _, k := range []string{"j", "x", "u"} {
		_, c := h.m.Update(keyMsg(k))
		if c == nil {
			continue
		}
		if _, job := h.m.Update(c()); job != nil {
			t.Errorf("key %s started a planner job while one runs", k)
		}
	}
	mustContain(t, h.screen(), "queued: undo (runs after exclude kvm02)")
	// The first job ends: the queued exclude starts at once, then undo.
	_, next := h.m.Update(jobAnswer(t, cmd))
	if !h.m.Busy() || next == nil {
		t.Fatal("the queued edit did not start when the first job ended")
	}
	if got := h.m.Plan().Edits.Excluded; len(got) != 1 || got[0] != "kvm01" {
		t.Fatalf("after the first job: excluded %v, want [kvm01]", got)
	}
	h.run(next)
	if h.m.Busy() {
		t.Fatal("still busy after the queue ran")
	}
	if got := h.m.Plan().Edits.Excluded; len(got) != 1 || got[0] != "kvm01" {
		t.Errorf("exclude kvm02 then undo: excluded %v, want [kvm01]", got)
	}
	// Undo again: back to no edit at all, as if typed one at a time.
	h.keys("u")
	if got := h.m.Plan().Edits.Excluded; len(got) != 0 {
		t.Errorf("after the second undo: excluded %v, want none", got)
	}
	if !bytes.Equal(planJSON(t, h.m.Plan()), planJSON(t, reference(t, "default", nil))) {
		t.Error("undoing every queued edit does not give back the first plan")
	}
}

// TestQueueGoesOnPastNoOps: x u u j x typed during the first re-plan.
// The second undo has nothing to undo; the queue goes on to exclude the
// next host rather than stalling until the next job.
func TestQueueGoesOnPastNoOps(t *testing.T) {
	h := start(t, "default", 80, 24)
	_, cmd := h.m.Update(common.EditMsg{Edit: common.ExcludeToggle("kvm01", false)})
	for _, k := range []string{"u", "u", "j", "x"} {
		if _, c := h.m.Update(keyMsg(k)); c != nil {
			h.m.Update(c())
		}
	}
	_, next := h.m.Update(jobAnswer(t, cmd))
	h.run(next)
	if h.m.Busy() {
		t.Fatal("still busy after the queue ran")
	}
	if got := h.m.Plan().Edits.Excluded; len(got) != 1 || got[0] != "kvm02" {
		t.Errorf("excluded %v, want [kvm02]: exclude kvm01, undo, nothing to undo, exclude kvm02", got)
	}
}

// TestQueuedToggleTwice: x x typed during a re-plan is exclude then
// include, two edits that undo one at a time.
func TestQueuedToggleTwice(t *testing.T) {
	h := start(t, "default", 80, 24)
	_, cmd := h.m.Update(common.EditMsg{Edit: common.ExcludeToggle("kvm01", false)})
	if _, c := h.m.Update(keyMsg("x")); c != nil {
		h.m.Update(c())
	}
	_, next := h.m.Update(jobAnswer(t, cmd))
	h.run(next)
	if got := h.m.Plan().Edits.Excluded; len(got) != 0 {
		t.Fatalf("x x: excluded %v, want none (exclude, then include)", got)
	}
	mustContain(t, h.screen(), "include kvm01")
	h.keys("u")
	if got := h.m.Plan().Edits.Excluded; len(got) != 1 || got[0] != "kvm01" {
		t.Errorf("one undo after x x: excluded %v, want [kvm01]", got)
	}
}

// jobAnswer runs the planner job a command started and returns its answer,
// without the spinner's ticks batched with it (nor the background colour
// request Init batches with the first plan).
func jobAnswer(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	batch, ok := cmd().(tea.BatchMsg)
	if !ok {
		t.Fatal("a job's command is not a batch of the spinner and the job")
	}
	for _, c := range batch {
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case jobDoneMsg:
			return msg
		case tea.BatchMsg:
			return jobAnswer(t, func() tea.Msg { return msg })
		}
	}
	t.Fatal("no job in the batch")
	return nil
}

// TestQueuedEditsDroppedAfterFailure: edits typed after one that fails were
// meant to follow it, so they are dropped, and the status says how many.
func TestQueuedEditsDroppedAfterFailure(t *testing.T) {
	h := start(t, "default", 80, 24)
	bad := planner.DemandEdit{Name: "ghost", Profile: "no-such-profile", Count: 1}
	_, cmd := h.m.Update(common.EditMsg{Edit: common.Edit{Kind: common.EditDemand, Demand: bad, Label: "add ghost"}})
	h.m.Update(common.EditMsg{Edit: common.Edit{Kind: common.EditExclude, Host: "kvm02", On: true, Label: "exclude kvm02"}})
	h.run(cmd)
	if h.m.Busy() || len(h.m.Plan().Edits.Excluded) != 0 {
		t.Fatalf("busy %v, excluded %v: the queued edit ran after a failure", h.m.Busy(), h.m.Plan().Edits.Excluded)
	}
	mustContain(t, h.screen(), "1 queued edit dropped")
}

// TestReadOnly: a saved plan without its scenario can be browsed and saved
// but not edited.
func TestReadOnly(t *testing.T) {
	p := reference(t, "tight", nil)
	m, err := New(Options{Plan: p})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, m: m}
	h.run(m.Init())
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.keys("x")
	mustContain(t, h.screen(), "read-only")
	if !bytes.Equal(planJSON(t, h.m.Plan()), planJSON(t, p)) {
		t.Fatal("read-only plan changed")
	}
	h.openGuest("web-new-1")
	mustContain(t, h.screen(), "UNPLACED", "−5.96")
	path := filepath.Join(t.TempDir(), "copy.json")
	h.keys("esc", "esc", "esc", "s", "ctrl+u")
	h.typeText(path)
	h.keys("enter")
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, planJSON(t, p)) {
		t.Fatalf("saved copy differs from the plan (%v)", err)
	}
}

// TestExportScenario: e writes a scenario with the edited policy and added
// demand that berth reads back; pins are recorded as plan flags.
func TestExportScenario(t *testing.T) {
	guest, _, to := moveTarget(t, "default")
	h := start(t, "default", 80, 24)
	h.openGuest(guest)
	h.selectCandidate(guest, to)
	h.keys("m", "esc", "esc", "a", "enter") // and 1 × the first profile
	if n := len(h.m.Plan().Edits.Pins) + len(h.m.Plan().Edits.Demand); n != 2 {
		t.Fatalf("%d edits, want a pin and a demand", n)
	}
	h.keys("e", "ctrl+u")
	path := filepath.Join(t.TempDir(), "edited.yaml")
	h.typeText(path)
	h.keys("enter")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; screen:\n%s", err, h.screen())
	}
	if !strings.Contains(string(data), "--pin "+guest+"="+to) {
		t.Errorf("export lacks the pin as a flag:\n%s", data)
	}
	sc, err := inventory.ParseScenario(path, data)
	if err != nil {
		t.Fatal(err)
	}
	pl := planner.New(sc)
	pl.Pin(guest, to)
	p, err := pl.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(p.Metrics) != fmt.Sprint(h.m.Plan().Metrics) || jsonOf(t, p.Actions) != jsonOf(t, h.m.Plan().Actions) {
		t.Errorf("the exported scenario plans differently:\n%s\n%s", jsonOf(t, p.Actions), jsonOf(t, h.m.Plan().Actions))
	}
}

// TestResize: every screen fits every size, including a resize while on it.
func TestResize(t *testing.T) {
	h := start(t, "tight", 80, 24)
	for _, path := range [][]string{{}, {"enter"}, {"tab", "enter"}, {"?"}, {"o"}, {"a"}, {"s"}, {"R"}} {
		h.keys(path...)
		for _, sz := range []struct{ w, h int }{{80, 24}, {60, 15}, {200, 60}, {100, 30}, {40, 10}} {
			h.send(tea.WindowSizeMsg{Width: sz.w, Height: sz.h})
			h.screen() // checks every line's width and the line count
		}
		h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
		for len(h.m.screens) > 1 {
			h.keys("esc")
		}
		if h.m.fullHelp {
			h.keys("?")
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
