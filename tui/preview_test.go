package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
)

// TestPreviewThenImprove: on a scenario whose construction is above the
// lower bound (growth: 5 hosts to buy, 4 after its 2,000 improvement
// steps), the explorer shows the construction at once, says it is
// improving, then shows the improved plan, which is byte for byte the plan
// `berth plan` makes; an edit goes the same way.
func TestPreviewThenImprove(t *testing.T) {
	m, err := New(Options{Planner: planner.New(embedded(t, "growth"))})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, m: m}
	m.spin.Spinner.FPS = time.Microsecond
	h.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})

	_, improve := h.m.Update(jobAnswer(t, m.Init()))
	if p := h.m.Plan(); p == nil || p.Metrics.NewHosts != 4 || p.Policy.Iterations != 0 {
		t.Fatal("first on screen should be the construction: 4 hosts to buy (the bound), iterations 0")
	}
	if !h.m.Busy() || improve == nil {
		t.Fatal("no improvement started after the preview")
	}
	mustContain(t, h.screen(), "improving the plan (2000 steps)")
	if n := h.m.unsaved(); n != 0 {
		t.Errorf("nothing edited, but %d unsaved while the first plan is improved (q would ask)", n)
	}
	_, rest := h.m.Update(jobAnswer(t, improve))
	h.run(rest)
	want := reference(t, "growth", nil)
	if !bytes.Equal(planJSON(t, h.m.Plan()), planJSON(t, want)) {
		t.Fatal("the improved plan on screen differs from berth plan's")
	}
	if n := h.m.Plan().Metrics.NewHosts; n != 4 {
		t.Fatalf("after improving: %d to buy, want 4", n)
	}
	if strings.Contains(h.screen(), "improving the plan") {
		t.Error("still says improving after the improved plan arrived")
	}

	// An edit: preview, then the improved plan, equal to berth plan --exclude.
	_, cmd := h.m.Update(common.EditMsg{Edit: common.ExcludeToggle("g1", false)})
	_, improve = h.m.Update(jobAnswer(t, cmd))
	if p := h.m.Plan(); p.Policy.Iterations != 0 || improve == nil {
		t.Fatal("an edit did not show its preview first")
	}
	mustContain(t, h.screen(), "exclude g1:")
	_, rest = h.m.Update(jobAnswer(t, improve))
	h.run(rest)
	want = reference(t, "growth", func(pl *planner.Planner) { pl.Exclude("g1", true) })
	if !bytes.Equal(planJSON(t, h.m.Plan()), planJSON(t, want)) {
		t.Error("the improved plan after the edit differs from berth plan --exclude g1")
	}
	// One edit, one undo: back to the improved first plan, not a preview.
	h.keys("u")
	if !bytes.Equal(planJSON(t, h.m.Plan()), planJSON(t, reference(t, "growth", nil))) {
		t.Error("undo did not restore the improved first plan")
	}
}
