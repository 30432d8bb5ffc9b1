package tui

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
)

// snapshot is the planner's whole input state and the plan it gave. Undo
// and redo restore snapshots instead of re-planning, so an undone edit
// gives back the very same plan (byte for byte), and the planner is left
// with the same edits and policy, so the next re-plan starts from there.
type snapshot struct {
	edits  planner.Edits
	policy inventory.Policy
	// moves are the move mode's options (zero without a move mode).
	moves planner.MoveOptions
	plan  *planner.Plan
}

// jobKind says what a planner job did.
type jobKind int

const (
	jobPlan       jobKind = iota // the first plan
	jobEdit                      // an edit and a re-plan
	jobRestore                   // undo or redo
	jobCandidates                // a guest's host ranking
	jobImprove                   // the improvement phase after a preview
)

// jobDoneMsg is the answer of a planner job. Jobs run as tea.Cmds, off the
// UI loop; the root model starts one only when none is running, so the
// planner (not safe for concurrent use) is only ever used by one goroutine
// at a time, and the UI itself never calls it.
type jobDoneMsg struct {
	kind   jobKind
	label  string
	plan   *planner.Plan
	edits  planner.Edits
	policy inventory.Policy
	// moves are the move mode's options the plan was made with.
	moves planner.MoveOptions
	// before is the state the edit started from (for undo); redo says a
	// restore came from the redo stack.
	before snapshot
	redo   bool
	guest  string
	cands  []planner.CandidateView
	err    error
	// preview says plan is the construction alone (planner.Preview): the
	// improved plan follows from a jobImprove.
	preview bool
}

// fileDoneMsg reports a save or an export.
type fileDoneMsg struct {
	what, path, detail string
	// planID is the ID of the plan saved ("" for an export).
	planID string
	err    error
}

// planJob makes the first plan: in a move mode the mode's plan (the call
// the move command makes); else the construction's preview when the
// policy improves it (then improveJob), else the plan. mode is the job's
// own copy.
func planJob(pl *planner.Planner, mode *common.MoveMode) jobDoneMsg {
	if mode != nil {
		p, err := mode.Plan(pl)
		return jobDoneMsg{plan: p, edits: pl.Edits(), policy: pl.Policy(), moves: mode.Options, err: err}
	}
	p, err := pl.Preview()
	return jobDoneMsg{plan: p, edits: pl.Edits(), policy: pl.Policy(), err: err, preview: err == nil && pl.Improves()}
}

// improveJob is the plan a preview announced: the same construction, then
// the improvement phase. It is the plan `berth plan` prints.
func improveJob(pl *planner.Planner) jobDoneMsg {
	p, err := pl.Plan()
	return jobDoneMsg{plan: p, edits: pl.Edits(), policy: pl.Policy(), err: err}
}

// editJob applies one edit through the planner API and re-plans (in a
// move mode, with the mode's call; mode is the job's own copy); on any
// error the planner is put back as it was, so a refused edit leaves no
// trace.
func editJob(pl *planner.Planner, e common.Edit, before snapshot, mode *common.MoveMode) jobDoneMsg {
	fail := func(err error) jobDoneMsg {
		pl.SetEdits(before.edits)
		_ = pl.SetPolicy(before.policy)
		return jobDoneMsg{err: fmt.Errorf("%s: %w", e.Label, err)}
	}
	switch e.Kind {
	case common.EditMove, common.EditPin:
		pl.Pin(e.Guest, e.Host)
	case common.EditUnpin:
		pl.Unpin(e.Guest)
	case common.EditExclude:
		pl.Exclude(e.Host, e.On)
	case common.EditDemand:
		if err := pl.AddDemand(e.Demand); err != nil {
			return fail(err)
		}
	case common.EditPolicy:
		if err := pl.SetPolicy(e.Policy); err != nil {
			return fail(err)
		}
		if mode != nil {
			mode.Options = e.MoveOptions
		}
	case common.EditKeep:
		pl.Keep(e.Guest, e.On)
	}
	if mode != nil {
		p, err := mode.Plan(pl)
		if err != nil {
			return fail(err)
		}
		return jobDoneMsg{plan: p, edits: pl.Edits(), policy: pl.Policy(), moves: mode.Options, before: before}
	}
	p, err := pl.Preview()
	if err != nil {
		return fail(err)
	}
	return jobDoneMsg{plan: p, edits: pl.Edits(), policy: pl.Policy(), before: before, preview: pl.Improves()}
}

// restoreJob puts the planner back to s (undo, redo) without re-planning.
func restoreJob(pl *planner.Planner, s snapshot) jobDoneMsg {
	pl.SetEdits(s.edits)
	if err := pl.SetPolicy(s.policy); err != nil {
		return jobDoneMsg{err: err}
	}
	return jobDoneMsg{plan: s.plan, edits: pl.Edits(), policy: pl.Policy(), moves: s.moves}
}

// candidatesJob ranks every host for guest.
func candidatesJob(pl *planner.Planner, guest string) jobDoneMsg {
	c, err := pl.Candidates(guest)
	return jobDoneMsg{guest: guest, cands: c, err: err}
}

// saveCmd writes p as `berth plan --out` does.
func saveCmd(path string, p *planner.Plan) tea.Cmd {
	return func() tea.Msg {
		err := planner.WritePlanFile(path, p)
		return fileDoneMsg{what: "saved plan " + p.ID, planID: p.ID, path: path, detail: saveAdvice(p, path), err: err}
	}
}

// saveAdvice says what the saved plan is for: review only when apply
// could not carry it out (planner.Plan.ForReview: hosts without a libvirt
// URI, example URIs, hosts to buy), else how to apply it.
func saveAdvice(p *planner.Plan, path string) string {
	if review, why := p.ForReview(); review {
		return "for review only: " + why
	}
	if p.Migrations() > 0 {
		return "berth validate " + path + " re-checks every step; apply it with: berth apply " + path
	}
	if p.Changes() == 0 {
		return "it changes nothing on the hosts"
	}
	return "apply it with: berth apply " + path
}

// exportCmd writes the edited scenario.
func exportCmd(path string, sc *inventory.Scenario, pol inventory.Policy, ed planner.Edits, mode *common.MoveMode) tea.Cmd {
	return func() tea.Msg {
		var buf bytes.Buffer
		err := WriteEditedScenario(&buf, sc, pol, ed)
		if err == nil {
			err = writeAtomic(path, buf.Bytes())
		}
		cmd := "berth plan -f " + path
		if mode != nil {
			cmd = mode.Command(path)
		}
		return fileDoneMsg{what: "exported the edited scenario", path: path, detail: "plan it with: " + cmd + pinFlags(ed), err: err}
	}
}

// EditedScenario is sc with the edits a scenario can hold: the policy in
// effect and the demand added. Pins and exclusions are not part of the
// scenario format; WriteEditedScenario records them in a comment as the
// `berth plan` flags that re-create them.
func EditedScenario(sc *inventory.Scenario, pol inventory.Policy, ed planner.Edits) *inventory.Scenario {
	c := sc.Clone()
	c.Policy = pol
	for _, d := range ed.Demand {
		c.Demand = append(c.Demand, inventory.Demand{Name: d.Name, Profile: d.Profile, Count: d.Count, Group: d.Group})
	}
	return c
}

// WriteEditedScenario writes EditedScenario as YAML, preceded by a
// comment with the pins and exclusions.
func WriteEditedScenario(w io.Writer, sc *inventory.Scenario, pol inventory.Policy, ed planner.Edits) error {
	if flags := pinFlags(ed); flags != "" {
		fmt.Fprintf(w, "# Exported by berth explore. Pins, exclusions and kept guests are not part\n# of a scenario; re-create them with:%s\n", flags)
	}
	return inventory.WriteScenario(w, EditedScenario(sc, pol, ed))
}

// pinFlags is " --pin G=H … --exclude H … --keep G …" for the edits (""
// if none).
func pinFlags(ed planner.Edits) string {
	var b strings.Builder
	for _, p := range ed.Pins {
		fmt.Fprintf(&b, " --pin %s=%s", p.Guest, p.Host)
	}
	for _, h := range ed.Excluded {
		fmt.Fprintf(&b, " --exclude %s", h)
	}
	for _, g := range ed.Keep {
		fmt.Fprintf(&b, " --keep %s", g)
	}
	return b.String()
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
