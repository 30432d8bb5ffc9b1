package planner_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/goldenfile"
	"github.com/berth-dev/berth/planner"
)

// TestMoveGolden compares the renderings of plans with moves with golden
// files. Beside each golden, checks derived from the plan itself make
// sure a regenerated golden cannot bless a rendering that drops a
// migration, a wave total, a freed host or a guest that cannot move.
func TestMoveGolden(t *testing.T) {
	table := func(b *bytes.Buffer, p *planner.Plan) error { return planner.RenderTable(b, p) }
	md := func(b *bytes.Buffer, p *planner.Plan) error { return planner.RenderMarkdown(b, p) }
	cases := []struct {
		name, format string
		plan         func(*planner.Planner) (*planner.Plan, error)
		render       func(*bytes.Buffer, *planner.Plan) error
		mustContain  []string
	}{
		{"consolidate", "table", func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Rebalance(planner.GoalConsolidate, planner.MoveOptions{})
		}, table, []string{"Moves (consolidate)", "Freed (4)", "(freed)", "power them off", "offline", "bars: █ staying"}},
		{"consolidate", "md", func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Rebalance(planner.GoalConsolidate, planner.MoveOptions{})
		}, md, []string{"— ✅ consolidate: 13 migrations", "#### Moves (consolidate)", "**Freed (4):**", "| wave | guest | from | to |"}},
		{"repair", "md", func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Rebalance(planner.GoalRepair, planner.MoveOptions{})
		}, md, []string{"repairs group db-main", "repairs kvm04, over its offer in memory"}},
		{"drain-keep", "table", func(pl *planner.Planner) (*planner.Plan, error) {
			pl.Keep("web-8", true)
			return pl.Drain([]string{"kvm07"}, planner.MoveOptions{MaxOut: 2, MaxIn: 2, Bandwidth: 25e9 / 8})
		}, table, []string{"kvm07 (drained, 1 shut off)", "Cannot move (1)", "web-8 on kvm07 (drain): kept", "at most 2 out and 2 in per host", "25 Gbps"}},
		{"waves", "table", func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Waves(planner.MoveOptions{MaxHostsPerWave: 3})
		}, table, []string{"Rolling maintenance", "Step 1: drain", "at most 3 hosts per step"}},
		{"waves", "md", func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.Waves(planner.MoveOptions{MaxHostsPerWave: 3})
		}, md, []string{"Rolling maintenance", "(step 1)"}},
		{"room", "table", func(pl *planner.Planner) (*planner.Plan, error) {
			return pl.PlanWithMoves(planner.MoveOptions{MaxMoves: 2})
		}, table, []string{"Moves (room)", "without moves: 2 placed, 0 unplaced, 2 hosts to buy; with them: 2 placed, 0 unplaced", "makes room for search-index-", "new guests created after the last wave"}},
	}
	for _, tc := range cases {
		t.Run(tc.name+"."+tc.format, func(t *testing.T) {
			p, err := tc.plan(planner.New(embedded(t, "drifted")))
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := tc.render(&buf, p); err != nil {
				t.Fatal(err)
			}
			got := buf.String()
			for _, s := range tc.mustContain {
				if !strings.Contains(got, s) {
					t.Errorf("output lacks %q", s)
				}
			}
			for _, a := range moveActions(p) {
				if !strings.Contains(got, a.Guest) || !strings.Contains(got, a.Move.Reason.Text) {
					t.Errorf("migration of %s (%s) is not shown", a.Guest, a.Move.Reason.Text)
				}
			}
			for _, w := range p.Moves.Waves {
				head := fmt.Sprintf("Wave %d · %s", w.Wave, planner.CountOf(w.Moves, "migration", "migrations"))
				if tc.format == "md" {
					head = fmt.Sprintf("| %d | %d |", w.Wave, w.Moves)
				}
				if !strings.Contains(got, head) {
					t.Errorf("wave %d's total is not shown (want %q)", w.Wave, head)
				}
			}
			for _, h := range p.Moves.Freed {
				if !strings.Contains(got, h) {
					t.Errorf("freed host %s is not shown", h)
				}
			}
			for _, s := range p.Moves.Stuck {
				if !strings.Contains(got, s.Guest+" on "+s.Host) {
					t.Errorf("stuck guest %s is not shown", s.Guest)
				}
			}
			goldenfile.Check(t, filepath.Join("testdata", "golden", "drifted-"+tc.name+"."+tc.format), buf.Bytes(), *update)
		})
	}
}

func TestDurationText(t *testing.T) {
	cases := []struct {
		sec  float64
		want string
	}{
		{0, "0s"},
		{0.2, "1s"}, // rounded up: an estimate should not promise less
		{59, "59s"},
		{59.5, "1m00s"},
		{185, "3m05s"},
		{3600, "1h00m"},
		{3720, "1h02m"},
		{3721, "1h03m"}, // minutes rounded up too
	}
	for _, tc := range cases {
		if got := planner.DurationText(tc.sec); got != tc.want {
			t.Errorf("DurationText(%g) = %q, want %q", tc.sec, got, tc.want)
		}
	}
}
