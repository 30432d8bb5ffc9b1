package main

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/scenarios"
	"github.com/berth-dev/berth/tui"
)

// TestExploreMoveModes: the move flags give explore the mode the move
// command with the same flags plans in, with the same options, and the
// planner the same exclusions and kept guests: the first plan is the
// command's.
func TestExploreMoveModes(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want tui.MoveMode
		make func(*planner.Planner) (*planner.Plan, error)
	}{
		{"consolidate", []string{"--goal", "consolidate", "--max-moves", "5", "--keep", "web-8", "--exclude", "kvm03"},
			tui.MoveMode{Goal: planner.GoalConsolidate, Options: planner.MoveOptions{MaxMoves: 5}},
			func(pl *planner.Planner) (*planner.Plan, error) {
				pl.Keep("web-8", true)
				pl.Exclude("kvm03", true)
				return pl.Rebalance(planner.GoalConsolidate, planner.MoveOptions{MaxMoves: 5})
			}},
		{"drain", []string{"--drain", "kvm07,kvm08", "--max-bytes", "300Gi", "--bandwidth", "25Gbps"},
			tui.MoveMode{Goal: planner.GoalDrain, Drain: []string{"kvm07", "kvm08"}, Options: planner.MoveOptions{MaxBytes: 300 << 30, Bandwidth: 25e9 / 8}},
			func(pl *planner.Planner) (*planner.Plan, error) {
				return pl.Drain([]string{"kvm07", "kvm08"}, planner.MoveOptions{MaxBytes: 300 << 30, Bandwidth: 25e9 / 8})
			}},
		{"waves", []string{"--waves", "--max-hosts-per-wave", "2", "--max-out", "2"},
			tui.MoveMode{Goal: planner.GoalWaves, Options: planner.MoveOptions{MaxHostsPerWave: 2, MaxOut: 2}},
			func(pl *planner.Planner) (*planner.Plan, error) {
				return pl.Waves(planner.MoveOptions{MaxHostsPerWave: 2, MaxOut: 2})
			}},
		{"allow moves", []string{"--allow-moves", "2", "--keep-failover"},
			tui.MoveMode{Goal: planner.GoalRoom, Options: planner.MoveOptions{MaxMoves: 2, KeepFailover: true}},
			func(pl *planner.Planner) (*planner.Plan, error) {
				return pl.PlanWithMoves(planner.MoveOptions{MaxMoves: 2, KeepFailover: true})
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt, err := exploreOptionsFor(t, append([]string{"--scenario", "drifted"}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			if opt.Moves == nil || opt.Moves.Goal != tc.want.Goal || !slices.Equal(opt.Moves.Drain, tc.want.Drain) || opt.Moves.Options != tc.want.Options {
				t.Fatalf("mode %+v, want %+v", opt.Moves, tc.want)
			}
			got, err := opt.Moves.Plan(opt.Planner)
			if err != nil {
				t.Fatal(err)
			}
			want, err := tc.make(planner.New(driftedScenario(t)))
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != want.ID {
				t.Errorf("explore's first plan %s, the command's %s", got.ID, want.ID)
			}
		})
	}
	t.Run("no mode", func(t *testing.T) {
		opt, err := exploreOptionsFor(t, "--scenario", "drifted", "--exclude", "kvm01")
		if err != nil {
			t.Fatal(err)
		}
		if opt.Moves != nil || !slices.Equal(opt.Planner.Edits().Excluded, []string{"kvm01"}) {
			t.Errorf("mode %+v, edits %+v: want none, kvm01 excluded", opt.Moves, opt.Planner.Edits())
		}
	})
}

// TestExploreMoveModeErrors: flags that cannot go together, or name what
// the fleet does not have, are refused before the explorer starts, naming
// the flag and what to do.
func TestExploreMoveModeErrors(t *testing.T) {
	movePlan := filepath.Join(t.TempDir(), "moves.json")
	p, err := planner.New(driftedScenario(t)).Rebalance(planner.GoalConsolidate, planner.MoveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := planner.WritePlanFile(movePlan, p); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		wants []string
	}{
		{"two modes", []string{"--goal", "repair", "--waves"}, []string{"--goal and --waves", "give one"}},
		{"a knob without a mode", []string{"--max-moves", "3"}, []string{"--max-moves is for plans that move running guests", "--goal consolidate|repair|balance"}},
		{"keep without a mode", []string{"--keep", "web-8"}, []string{"--keep is for plans that move"}},
		{"an unknown goal", []string{"--goal", "consolidat"}, []string{"--goal", `unknown goal "consolidat"`, "consolidate"}},
		{"an unknown host to drain", []string{"--drain", "kvm99"}, []string{"--drain kvm99", "no host kvm99"}},
		{"an unknown guest to keep", []string{"--goal", "balance", "--keep", "web-99"}, []string{"--keep web-99", "no guest web-99 runs"}},
		{"a zero budget", []string{"--goal", "consolidate", "--max-moves", "0"}, []string{"--max-moves 0 allows no migration"}},
		{"zero moves allowed", []string{"--allow-moves", "0"}, []string{"--allow-moves 0 allows no migration"}},
		{"hosts per wave without waves", []string{"--goal", "consolidate", "--max-hosts-per-wave", "2"}, []string{"--max-hosts-per-wave is for rolling maintenance"}},
		{"a move flag with a plan", []string{"--plan", movePlan, "--max-moves", "3"}, []string{"--max-moves cannot be combined with --plan", "the plan records"}},
		{"an exclusion with a plan", []string{"--plan", movePlan, "--exclude", "kvm01"}, []string{"--exclude cannot be combined with --plan"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--scenario", "drifted"}, tc.args...)
			if slices.Contains(tc.args, "--plan") {
				args = tc.args
			}
			_, err := exploreOptionsFor(t, args...)
			if err == nil {
				t.Fatalf("%v: no error", tc.args)
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
		})
	}
}

// TestExploreReopensMovePlan: --plan with its scenario opens a saved plan
// with moves in the mode that made it, so the first plan is the saved one.
func TestExploreReopensMovePlan(t *testing.T) {
	pl := planner.New(driftedScenario(t))
	pl.Keep("cache-4", true)
	saved, err := pl.Drain([]string{"kvm04"}, planner.MoveOptions{MaxOut: 2, KeepFailover: true})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "drain.json")
	if err := planner.WritePlanFile(path, saved); err != nil {
		t.Fatal(err)
	}
	opt, err := exploreOptionsFor(t, "--plan", path, "--scenario", "drifted")
	if err != nil {
		t.Fatal(err)
	}
	if opt.Moves == nil || opt.Moves.Goal != planner.GoalDrain || opt.ExpectID != saved.ID {
		t.Fatalf("mode %+v, expect %s", opt.Moves, opt.ExpectID)
	}
	got, err := opt.Moves.Plan(opt.Planner)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := planner.EncodeJSON(&a, got); err != nil {
		t.Fatal(err)
	}
	if err := planner.EncodeJSON(&b, saved); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("the re-made plan %s differs from the saved %s", got.ID, saved.ID)
	}
}

func driftedScenario(t *testing.T) *inventory.Scenario {
	t.Helper()
	data, err := scenarios.Get("drifted")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := inventory.ParseScenario("embedded:drifted", data)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
