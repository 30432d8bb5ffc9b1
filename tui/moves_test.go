package tui

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/components"
)

// consolidate is the move mode of berth rebalance --goal consolidate.
var consolidate = MoveMode{Goal: planner.GoalConsolidate}

// referenceMoves is what the move command computes for the same scenario,
// mode and edits: a fresh planner, the edits through the same API, the
// mode's call.
func referenceMoves(t *testing.T, name string, mode MoveMode, edit func(pl *planner.Planner)) *planner.Plan {
	t.Helper()
	pl := planner.New(embedded(t, name))
	if edit != nil {
		edit(pl)
	}
	p, err := mode.Plan(pl)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// movesOf lists a plan's migrations as "guest from→to" in run order.
func movesOf(p *planner.Plan) []string {
	var out []string
	for _, a := range p.Actions {
		if a.Op == planner.OpMove {
			out = append(out, a.Guest+" "+a.Move.From+"→"+a.Host)
		}
	}
	return out
}

// firstMove is the plan's first migration.
func firstMove(t *testing.T, p *planner.Plan) planner.Action {
	t.Helper()
	for _, a := range p.Actions {
		if a.Op == planner.OpMove {
			return a
		}
	}
	t.Fatal("the plan moves nothing")
	return planner.Action{}
}

func samePlan(t *testing.T, what string, got, want *planner.Plan) {
	t.Helper()
	if !bytes.Equal(planJSON(t, got), planJSON(t, want)) {
		t.Fatalf("%s: the explorer's plan %s differs from the planner's %s\nexplorer: %v\nplanner:  %v", what, got.ID, want.ID, movesOf(got), movesOf(want))
	}
}

// TestGoldenMoves: the moves tab of a consolidation lists every migration
// under its wave with the wave's totals, then the hosts freed; the footer
// gives the limits and the bounds.
func TestGoldenMoves(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := startMoves(t, "drifted", consolidate, sz.w, sz.h)
			samePlan(t, "first plan", h.m.Plan(), referenceMoves(t, "drifted", consolidate, nil))
			h.keys("tab")
			s := h.screen()
			golden(t, fmt.Sprintf("moves-%dx%d", sz.w, sz.h), s)
			for i, l := range strings.Split(s, "\n") {
				if w := ansi.StringWidth(l); w > sz.w {
					t.Errorf("line %d is %d cells wide at width %d", i+1, w, sz.w)
				}
			}
			p := h.m.Plan()
			mv := p.Moves
			mustContain(t, s, "consolidate", fmt.Sprintf("[Moves (%d in %d waves)]", mv.Migrations, len(mv.Waves)),
				fmt.Sprintf("Moves    consolidate · %d migrations in %d waves", mv.Migrations, len(mv.Waves)), "FROM → TO")
			mustContain(t, lineOf(s, "at most"), "at most 1 out and 1 in per host")
			// Each wave on screen carries its own totals, and each of its
			// migrations its hosts and bytes.
			waves := mv.Waves
			if sz.h < 48 {
				waves = waves[:1]
			}
			for _, w := range waves {
				head := fmt.Sprintf("Wave %d · %s · %s · %s", w.Wave, planner.CountOf(w.Moves, "migration", "migrations"),
					planner.BytesText(w.Bytes), planner.DurationText(w.Seconds))
				mustContain(t, s, head)
				for _, a := range p.Actions {
					if a.Op != planner.OpMove || a.Move.Wave != w.Wave {
						continue
					}
					row := lineOf(s, " "+a.Guest+" ")
					for _, want := range []string{a.Move.From + " → " + a.Host, planner.BytesText(a.Move.Bytes), planner.DurationText(a.Move.Seconds)} {
						if !strings.Contains(row, want) {
							t.Errorf("row of %s lacks %q: %q", a.Guest, want, row)
						}
					}
				}
			}
			if sz.h >= 48 {
				mustContain(t, s, fmt.Sprintf("Freed (%d)", len(mv.Freed)))
				for _, f := range mv.Freed {
					if row := lineOf(s, components.FlagFreed+" "+f+" "); !strings.Contains(row, components.FlagFreed) || !strings.Contains(row, "ran 3 guests") {
						t.Errorf("freed host %s's row: %q", f, row)
					}
				}
			}
			// The full help names the moves tab's edits.
			h.keys("?")
			mustContain(t, h.screen(), "keep in place/let move", "exclude destination", "next tab")
		})
	}
}

// TestHostsBeforeAfter: in a plan with moves the fleet rows count the
// guests before→after, flag freed hosts and draw what leaves; a host's
// screen lists the guests leaving (→ where) and arriving (← whence).
func TestHostsBeforeAfter(t *testing.T) {
	h := startMoves(t, "drifted", consolidate, 160, 48)
	p := h.m.Plan()
	freed := hostPlan(p, p.Moves.Freed[0])
	s := h.screen()
	row := lineOf(s, " "+freed.Name+" ")
	for _, want := range []string{components.FlagFreed + " " + freed.Name, fmt.Sprintf("%d→0", len(freed.Existing)), components.GlyphLeaving, "0%"} {
		if !strings.Contains(row, want) {
			t.Errorf("row of freed host %s lacks %q: %q", freed.Name, want, row)
		}
	}
	if strings.Contains(row, components.GlyphExisting) {
		t.Errorf("freed host %s still draws staying load: %q", freed.Name, row)
	}
	mustContain(t, s, "╌ leaving", "○ freed")

	h.keys("/")
	h.typeText(freed.Name)
	h.keys("enter", "enter")
	s = h.screen()
	mustContain(t, s, "Host "+freed.Name, fmt.Sprintf("%d guests → 0 (%d leave, 0 arrive, 0 new) · freed", len(freed.Existing), len(freed.MovedOut)), "MOVE")
	dest := map[string]string{}
	for _, a := range p.Actions {
		if a.Op == planner.OpMove {
			dest[a.Guest] = a.Host
		}
	}
	for _, g := range freed.MovedOut {
		if row := lineOf(s, " "+g+" "); !strings.Contains(row, "out ") || !strings.Contains(row, "→ "+dest[g]) {
			t.Errorf("leaving guest %s: %q", g, row)
		}
	}
	mustContain(t, s, "moves "+freed.Name+" → ", "why: ")
	// enter on a leaving guest opens where it goes, which lists it arriving.
	first := slices.MinFunc(freed.MovedOut, components.CompareNames)
	h.keys("enter")
	s = h.screen()
	mustContain(t, s, "Host "+dest[first])
	if row := lineOf(s, " "+first+" "); !strings.Contains(row, "in ") || !strings.Contains(row, "← "+freed.Name) {
		t.Errorf("arriving guest %s on %s: %q", first, dest[first], row)
	}
}

// TestMovesKeep: p on a migration keeps its guest where it is, as berth
// rebalance --keep does; the kept guest is listed and p there lets it move
// again; undo and redo give back the very plans.
func TestMovesKeep(t *testing.T) {
	h := startMoves(t, "drifted", consolidate, 160, 48)
	orig := h.m.Plan()
	g := firstMove(t, orig).Guest
	h.keys("tab", "p")
	kept := h.m.Plan()
	samePlan(t, "keep", kept, referenceMoves(t, "drifted", consolidate, func(pl *planner.Planner) { pl.Keep(g, true) }))
	if !slices.Contains(kept.Edits.Keep, g) || slices.ContainsFunc(movesOf(kept), func(m string) bool { return strings.HasPrefix(m, g+" ") }) {
		t.Fatalf("%s kept: edits %v, moves %v", g, kept.Edits.Keep, movesOf(kept))
	}
	s := h.screen()
	mustContain(t, s, "keep "+g+" in place: migrations", "Kept in place (1)", "1 edit")
	if row := lineOf(s, " "+g+" "); !strings.Contains(row, "k "+g) || !strings.Contains(row, "kept where it is") {
		t.Errorf("kept row: %q", row)
	}
	// p on the kept row lets it move again: the first plan.
	h.keys("G", "p")
	samePlan(t, "let move", h.m.Plan(), orig)
	mustContain(t, h.screen(), "let "+g+" move:")
	h.keys("u")
	samePlan(t, "undo", h.m.Plan(), kept)
	h.keys("u")
	samePlan(t, "second undo", h.m.Plan(), orig)
	h.keys("ctrl+r")
	samePlan(t, "redo", h.m.Plan(), kept)
}

// TestMovesExcludeDestination: x on a migration takes its destination out
// as a destination, as berth rebalance --exclude does.
func TestMovesExcludeDestination(t *testing.T) {
	h := startMoves(t, "drifted", consolidate, 160, 48)
	to := firstMove(t, h.m.Plan()).Host
	h.keys("tab", "x")
	p := h.m.Plan()
	samePlan(t, "exclude", p, referenceMoves(t, "drifted", consolidate, func(pl *planner.Planner) { pl.Exclude(to, true) }))
	if !slices.Equal(p.Edits.Excluded, []string{to}) {
		t.Fatalf("excluded %v, want [%s]", p.Edits.Excluded, to)
	}
	for _, m := range movesOf(p) {
		if strings.HasSuffix(m, "→"+to) {
			t.Errorf("a guest still moves to the excluded %s: %s", to, m)
		}
	}
	mustContain(t, h.screen(), "exclude "+to+": migrations")
	h.keys("tab")
	if row := lineOf(h.screen(), " "+to+" "); !strings.Contains(row, "x "+to) {
		t.Errorf("the excluded host is not flagged x on the hosts tab: %q", row)
	}
}

// TestMovesBudget: the policy dialog changes the move budget (migrations,
// bytes) as one edit; the plan is the one the move command makes with
// that budget, and undo gives back the options and the plan.
func TestMovesBudget(t *testing.T) {
	h := startMoves(t, "drifted", consolidate, 80, 24)
	orig := h.m.Plan()
	// The budget's knobs are the last two: up from the first wraps to
	// them. Digits type the count.
	h.keys("o", "up", "up")
	mustContain(t, h.screen(), "› max moves", "max bytes copied")
	h.keys("4", "enter")
	p := h.m.Plan()
	opt := planner.MoveOptions{MaxMoves: 4}
	samePlan(t, "max moves 4", p, referenceMoves(t, "drifted", MoveMode{Goal: planner.GoalConsolidate, Options: opt}, nil))
	if p.Moves.Limits.MaxMoves != 4 || p.Moves.Migrations > 4 || h.m.ctx.Moves.Options.MaxMoves != 4 {
		t.Fatalf("budget 4: limits %+v, %d migrations, options %+v", p.Moves.Limits, p.Moves.Migrations, h.m.ctx.Moves.Options)
	}
	mustContain(t, h.screen(), "policy max moves no limit→4:")

	// Bytes: → from no limit goes 8, 16, 32, 64 GiB.
	h.keys("o", "up", "right", "right", "right", "right")
	mustContain(t, h.screen(), "64 GiB (was no limit)")
	h.keys("enter")
	p = h.m.Plan()
	opt.MaxBytes = 64 << 30
	samePlan(t, "max bytes 64 GiB", p, referenceMoves(t, "drifted", MoveMode{Goal: planner.GoalConsolidate, Options: opt}, nil))
	if p.Moves.Bytes > 64<<30 {
		t.Errorf("copies %s over the 64 GiB budget", planner.BytesText(p.Moves.Bytes))
	}
	h.keys("u", "u")
	samePlan(t, "undo both", h.m.Plan(), orig)
	if o := h.m.ctx.Moves.Options; o.MaxMoves != 0 || o.MaxBytes != 0 {
		t.Errorf("undo left the options at %+v", o)
	}
	// The next edit starts from the options undo gave back.
	h.keys("tab", "home", "x")
	to := firstMove(t, orig).Host
	samePlan(t, "exclude after undo", h.m.Plan(), referenceMoves(t, "drifted", consolidate, func(pl *planner.Planner) { pl.Exclude(to, true) }))
}

// TestMovesEditsQueue: edits on the moves tab typed while a re-plan runs
// queue and run in order, each against the plan then on screen.
func TestMovesEditsQueue(t *testing.T) {
	h := startMoves(t, "drifted", consolidate, 160, 48)
	h.keys("tab")
	g := firstMove(t, h.m.Plan()).Guest
	_, cmd := h.m.Update(common.EditMsg{Edit: common.ExcludeToggle("kvm03", false)})
	if cmd == nil || !h.m.Busy() {
		t.Fatal("the exclusion did not start a job")
	}
	if _, c := h.m.Update(keyMsg("p")); c != nil {
		if _, job := h.m.Update(c()); job != nil {
			t.Fatal("p started a planner job while one runs")
		}
	}
	mustContain(t, h.screen(), "queued: keep "+g+" in place (runs after exclude kvm03)")
	_, next := h.m.Update(jobAnswer(t, cmd))
	h.run(next)
	if h.m.Busy() {
		t.Fatal("still busy after the queue ran")
	}
	samePlan(t, "exclude then keep", h.m.Plan(), referenceMoves(t, "drifted", consolidate, func(pl *planner.Planner) {
		pl.Exclude("kvm03", true)
		pl.Keep(g, true)
	}))
}

// TestMovesStuckWhyNot: a guest a drain cannot move is listed under
// "Cannot move"; enter shows why host by host, in the reasons matrix of
// an unplaced guest; p keeps it (it then stays for that reason).
func TestMovesStuckWhyNot(t *testing.T) {
	drain := MoveMode{Goal: planner.GoalDrain, Drain: []string{"kvm06", "kvm07", "kvm08", "kvm09"}}
	h := startMoves(t, "drifted", drain, 120, 40)
	p := h.m.Plan()
	if len(p.Moves.Stuck) == 0 {
		t.Fatal("the drain moves every guest; the test wants one that cannot move")
	}
	st := p.Moves.Stuck[0]
	h.keys("tab")
	s := h.screen()
	mustContain(t, s, fmt.Sprintf("Cannot move (%d)", len(p.Moves.Stuck)), fmt.Sprintf("%d cannot move", len(p.Moves.Stuck)))
	if row := lineOf(s, " "+st.Guest+" "); !strings.Contains(row, "✗") || !strings.Contains(row, "on "+st.Host) || !strings.Contains(row, st.Why) {
		t.Errorf("stuck row: %q", row)
	}
	h.keys("/")
	h.typeText(st.Guest)
	h.keys("enter", "enter")
	s = h.screen()
	mustContain(t, s, "Guest "+st.Guest+" · runs on "+st.Host, "CANNOT MOVE", "why not:", st.Summary[0], "(short by)")
	for _, r := range components.RefusalsByHost(p, st.Refusals) {
		row := matrixRow(s, r.Host)
		if row == "" {
			t.Errorf("no matrix row for %s", r.Host)
			continue
		}
		for _, ref := range r.Refusals {
			if ref.Rule == "capacity" {
				d, _ := inventory.ParseDimension(ref.Dimension)
				if want := "−" + quantity(d, ref.Requested-ref.Free); !strings.Contains(row, want) {
					t.Errorf("row of %s lacks %s short by %s: %q", r.Host, ref.Dimension, want, row)
				}
			}
		}
	}
	h.keys("p")
	samePlan(t, "keep a stuck guest", h.m.Plan(), referenceMoves(t, "drifted", drain, func(pl *planner.Planner) { pl.Keep(st.Guest, true) }))
	mustContain(t, h.screen(), "CANNOT MOVE · kept in place", "stays: kept", "kept in place by an edit: p lets it move")
}

// TestReopenMovePlan: a saved plan with moves, opened with its scenario
// as berth explore --plan does, is re-made with the goal and options it
// records: the same plan, nothing unsaved, no "scenario changed".
func TestReopenMovePlan(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode MoveMode
		edit func(pl *planner.Planner)
	}{
		{"consolidate with a budget and a keep", MoveMode{Goal: planner.GoalConsolidate, Options: planner.MoveOptions{MaxMoves: 5, MaxOut: 2, Bandwidth: 3e9}},
			func(pl *planner.Planner) { pl.Keep("web-8", true); pl.Exclude("kvm03", true) }},
		{"repair with the failover reserve", MoveMode{Goal: planner.GoalRepair, Options: planner.MoveOptions{KeepFailover: true}}, nil},
		{"drain", MoveMode{Goal: planner.GoalDrain, Drain: []string{"kvm07", "kvm04"}, Options: planner.MoveOptions{MaxBytes: 200 << 30}}, nil},
		{"waves", MoveMode{Goal: planner.GoalWaves, Options: planner.MoveOptions{MaxHostsPerWave: 2}}, nil},
		{"room", MoveMode{Goal: planner.GoalRoom, Options: planner.MoveOptions{MaxMoves: 2}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved := referenceMoves(t, "drifted", tc.mode, tc.edit)
			path := filepath.Join(t.TempDir(), "moves.json")
			if err := planner.WritePlanFile(path, saved); err != nil {
				t.Fatal(err)
			}
			back, err := planner.ReadPlanFile(path)
			if err != nil {
				t.Fatal(err)
			}
			pl := planner.New(embedded(t, "drifted"))
			if err := pl.SetPolicy(planner.PolicyFromView(back.Policy)); err != nil {
				t.Fatal(err)
			}
			pl.SetEdits(back.Edits)
			h := startWith(t, Options{Planner: pl, SavePath: path, ExpectID: back.ID, Moves: MoveModeOf(back)}, 80, 24)
			samePlan(t, "re-made", h.m.Plan(), saved)
			if s := h.screen(); strings.Contains(s, "scenario changed") {
				t.Errorf("a re-made plan with moves is called changed:\n%s", s)
			}
			if n := h.m.unsaved(); n != 0 {
				t.Errorf("%d unsaved edits right after opening", n)
			}
			h.keys("q")
			if h.m.quitAsk != "" {
				t.Error("q asks although nothing changed")
			}
		})
	}
}

// TestReadOnlyMovePlan: a saved plan with moves opened without its
// scenario shows its moves tab; its edits say they need the scenario.
func TestReadOnlyMovePlan(t *testing.T) {
	saved := referenceMoves(t, "drifted", consolidate, nil)
	h := startWith(t, Options{Plan: saved}, 120, 40)
	h.keys("tab")
	s := h.screen()
	mustContain(t, s, "read-only", "consolidate", fmt.Sprintf("[Moves (%d in %d waves)]", saved.Moves.Migrations, len(saved.Moves.Waves)))
	if strings.Contains(lineOf(s, "enter open"), "keep in place") {
		t.Error("the read-only help offers p")
	}
	h.keys("p")
	mustContain(t, h.screen(), "read-only: this saved plan was opened without its scenario")
}

// TestSaveSaysForReview: saving a plan whose hosts have no libvirt URI, or
// example URIs, says it is for review (in the dialog, with how to plan the
// live hosts, and on the status line), never how to apply it; a plan on
// reachable hosts says how to apply it.
func TestSaveSaysForReview(t *testing.T) {
	live := strings.ReplaceAll(`apiVersion: berth/v1
name: live
hosts:
  - {name: a, uri: "qemu+ssh://root@kvm-a.corp.lan/system", capacity: {cpu: 16, memory: 64Gi, iops: 10k, net: 10Gbps}}
demand:
  - {name: web, profile: web, count: 1}
`, "\t", "  ")
	for _, tc := range []struct {
		name, scenario, yaml string
		review               string // in the status after saving; "" for an applicable plan
	}{
		{"a scenario's hosts", "tight", "", "for review only: its hosts have no libvirt URI"},
		{"example URIs", "default", "", "for review only: its hosts' URIs name example hosts (kvm"},
		{"reachable hosts", "", live, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sc *inventory.Scenario
			if tc.yaml != "" {
				sc = parseScenario(t, tc.yaml)
			} else {
				sc = embedded(t, tc.scenario)
			}
			h := startWith(t, Options{Planner: planner.New(sc)}, 160, 48)
			path := filepath.Join(t.TempDir(), "p.json")
			h.keys("s", "ctrl+u")
			dialog := h.screen()
			h.typeText(path)
			h.keys("enter")
			status := lineOf(h.screen(), "saved plan")
			if tc.review == "" {
				mustContain(t, status, "apply it with: berth apply ")
				if strings.Contains(dialog, "For review") {
					t.Errorf("the dialog calls an applicable plan for review:\n%s", dialog)
				}
				return
			}
			mustContain(t, status, tc.review)
			mustContain(t, dialog, "For review only", "would refuse it", "-c qemu+ssh://HOST/system")
			if strings.Contains(status, "apply it with") {
				t.Errorf("a plan for review is offered for apply: %q", status)
			}
		})
	}
}

// TestMoveModeTitleAndHint: the title bar names the mode, the status line
// hints at the moves tab and p, and a plan without moves keeps its title.
func TestMoveModeTitleAndHint(t *testing.T) {
	h := startMoves(t, "drifted", MoveMode{Goal: planner.GoalDrain, Drain: []string{"kvm07"}}, 80, 24)
	s := h.screen()
	mustContain(t, strings.Split(s, "\n")[0], "· drain kvm07 ·")
	mustContain(t, s, "tab shows the moves")
	h = start(t, "drifted", 80, 24)
	if strings.Contains(strings.Split(h.screen(), "\n")[0], "consolidate") {
		t.Error("a plan without moves names a move mode")
	}
}

// parseScenario reads a scenario from YAML text.
func parseScenario(t *testing.T, yaml string) *inventory.Scenario {
	t.Helper()
	sc, err := inventory.ParseScenario("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestMovesMouse: a click on the moves tab opens it, a click selects a
// migration and a second click opens its destination.
func TestMovesMouse(t *testing.T) {
	h := startMoves(t, "drifted", consolidate, 120, 40)
	s := h.screen()
	ty := lineIndex(s, "[Hosts (")
	tx := strings.Index(strings.Split(s, "\n")[ty], "Moves (")
	h.send(click(tx+2, ty))
	mustContain(t, h.screen(), "[Moves (")
	var second planner.Action
	n := 0
	for _, a := range h.m.Plan().Actions {
		if a.Op == planner.OpMove {
			if n++; n == 2 {
				second = a
			}
		}
	}
	y := lineIndex(h.screen(), " "+second.Guest+" ")
	h.send(click(10, y))
	if row := lineOf(h.screen(), " "+second.Guest+" "); !strings.HasPrefix(row, "›") {
		t.Errorf("a click on %s did not select it: %q", second.Guest, row)
	}
	h.send(click(10, y))
	mustContain(t, h.screen(), "Host "+second.Host)
}

// TestMovesRoomBudget: with --allow-moves the dialog's budget is the
// moves allowed, never below 1; the plan is PlanWithMoves' with it. A new
// guest's screen says the plan ranks no hosts rather than waiting for a
// ranking.
func TestMovesRoomBudget(t *testing.T) {
	room := MoveMode{Goal: planner.GoalRoom, Options: planner.MoveOptions{MaxMoves: 2}}
	h := startMoves(t, "drifted", room, 120, 40)
	samePlan(t, "first plan", h.m.Plan(), referenceMoves(t, "drifted", room, nil))
	w := h.m.Plan().Moves.Without
	h.keys("tab", "tab")
	mustContain(t, h.screen(), fmt.Sprintf("Without moves: %d placed, %d unplaced", w.Placed, len(w.Unplaced)), "; with them: 2 placed, 0 unplaced")
	h.keys("tab") // back to the hosts
	h.keys("o", "up")
	mustContain(t, h.screen(), "› allowed moves")
	h.keys("left", "left", "left", "enter")
	one := MoveMode{Goal: planner.GoalRoom, Options: planner.MoveOptions{MaxMoves: 1}}
	samePlan(t, "one move allowed", h.m.Plan(), referenceMoves(t, "drifted", one, nil))
	mustContain(t, h.screen(), "policy allowed moves 2→1:")

	guest := ""
	for _, a := range h.m.Plan().Actions {
		if a.Op == planner.OpCreate {
			guest = a.Guest
			break
		}
	}
	h.openGuest(guest)
	s := h.screen()
	mustContain(t, s, "a plan with moves ranks no hosts")
	if strings.Contains(s, "fetching the ranking") {
		t.Error("the guest screen waits for a ranking no job fetches")
	}
	h.keys("m")
	mustContain(t, h.screen(), "a plan with moves ranks no hosts: pin the guest")
}

// TestExportMoveMode: exporting the scenario of a move mode says how to
// re-make the plan with the move command, the kept guests as --keep.
func TestExportMoveMode(t *testing.T) {
	h := startMoves(t, "drifted", MoveMode{Goal: planner.GoalDrain, Drain: []string{"kvm07"}, Options: planner.MoveOptions{MaxMoves: 9}}, 160, 48)
	g := firstMove(t, h.m.Plan()).Guest
	h.keys("tab", "p", "e", "ctrl+u")
	path := filepath.Join(t.TempDir(), "drifted.yaml")
	h.typeText(path)
	h.keys("enter")
	mustContain(t, h.m.status, "plan it with: berth drain kvm07 -f "+path+" --max-moves 9 --keep "+g) // the status line in full
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "--keep "+g) {
		t.Errorf("the exported scenario's comment lacks --keep %s:\n%.300s", g, data)
	}
}

// TestMovesUndrainable: rolling maintenance of a fleet whose hosts cannot
// be drained even alone lists them, and the guests that keep them busy
// with why; the moves tab is called Steps.
func TestMovesUndrainable(t *testing.T) {
	sc := parseScenario(t, `apiVersion: berth/v1
name: full
hosts:
  - name: a
    capacity: {cpu: 16, memory: 64Gi, iops: 10k, net: 10Gbps}
    guests:
      - {name: big-a, profile: web, allocation: {cpu: 10, memory: 8Gi}}
  - name: b
    capacity: {cpu: 16, memory: 64Gi, iops: 10k, net: 10Gbps}
    guests:
      - {name: big-b, profile: web, allocation: {cpu: 10, memory: 8Gi}}
`)
	h := startWith(t, Options{Planner: planner.New(sc), Moves: &MoveMode{Goal: planner.GoalWaves}}, 100, 30)
	p := h.m.Plan()
	if len(p.Moves.Undrainable) != 2 {
		t.Fatalf("undrainable %v, want a and b", p.Moves.Undrainable)
	}
	h.keys("tab")
	s := h.screen()
	mustContain(t, s, "[Steps (0, 0 moves)]", "nothing to move", "Cannot be drained, even alone (2)", "Cannot move (2)", "2 cannot be drained")
	for _, host := range []string{"a", "b"} {
		if row := lineOf(s, "! "+host+" "); !strings.Contains(row, "cannot be drained") {
			t.Errorf("row of undrainable host %s: %q", host, row)
		}
		if row := lineOf(s, " big-"+host+" "); !strings.Contains(row, "on "+host) || !strings.Contains(row, "no host takes it") {
			t.Errorf("row of big-%s: %q", host, row)
		}
	}
}
