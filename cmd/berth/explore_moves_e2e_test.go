package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/planner"
)

// TestExploreMovesEndToEnd runs `berth explore --scenario drifted --goal
// consolidate` in a terminal (tmux) as a user would: the moves tab, p on
// the first migration keeps its guest where it is (the plan re-made
// without moving it), then saving says the plan is for review.
func TestExploreMovesEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds berth and runs it under tmux")
	}
	want, err := planner.New(driftedScenario(t)).Rebalance(planner.GoalConsolidate, planner.MoveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var first planner.Action
	for _, a := range want.Actions {
		if a.Op == planner.OpMove {
			first = a
			break
		}
	}
	bin := berthBinary(t)
	dir := t.TempDir()
	env := []string{"TERM=xterm-256color", "NO_COLOR=1", "XDG_CONFIG_HOME=" + dir, "HOME=" + dir}

	p := startBerth(t, bin, "", env, "explore", "--scenario", "drifted", "--goal", "consolidate")
	p.waitFor("fleet view of a consolidation", "plan "+want.ID+" · consolidate", "Moves    consolidate", "○ kvm")
	p.keys("Tab")
	s := p.waitFor("moves tab", "[Moves (", "── Wave 1 ·", "FROM → TO")
	if row := lineWith(s, " "+first.Guest+" "); !strings.HasPrefix(row, "›") || !strings.Contains(row, first.Move.From+" → "+first.Host) {
		t.Fatalf("the cursor is not on the first migration (%s): %q", first.Guest, row)
	}

	p.keys("p")
	s = p.waitFor("keep the first migration's guest", "keep "+first.Guest+" in place:", "Kept in place (1)", "1 edit")
	if row := lineWith(s, "k "+first.Guest); !strings.Contains(row, "kept where it is") {
		t.Errorf("the kept guest's row: %q", row)
	}

	out := filepath.Join(dir, "moves.json")
	p.keys("s")
	p.waitFor("save dialog", "For review only", "no libvirt URI")
	p.keys("C-u", out, "Enter")
	p.waitFor("saved", "saved plan", "for review only")
	if strings.Contains(p.capture(false), "apply it with") {
		t.Error("a plan of a scenario is offered for apply")
	}
	saved, err := planner.ReadPlanFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Moves == nil || !slices.Contains(saved.Edits.Keep, first.Guest) {
		t.Fatalf("the saved plan: moves %v, kept %v", saved.Moves != nil, saved.Edits.Keep)
	}
	for _, a := range saved.Actions {
		if a.Op == planner.OpMove && a.Guest == first.Guest {
			t.Errorf("the saved plan still moves the kept %s", first.Guest)
		}
	}
	p.keys("q")
	p.waitFor("quit", "EXIT=0")
}
