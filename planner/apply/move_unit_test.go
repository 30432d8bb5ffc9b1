package apply

import (
	"errors"
	"strings"
	"testing"

	"github.com/berth-dev/berth/planner"
	"github.com/google/go-cmp/cmp"
)

// movePlan is a plan of hosts a, b, c (URIs test:///a …) whose actions
// are moves given as guest, from, to, wave.
func movePlan(moves ...[4]any) *planner.Plan {
	p := &planner.Plan{ID: "p1"}
	for _, h := range []string{"a", "b", "c"} {
		p.Hosts = append(p.Hosts, planner.HostPlan{Name: h, URI: "test:///" + h})
	}
	for _, m := range moves {
		p.Actions = append(p.Actions, planner.Action{Op: planner.OpMove, Guest: m[0].(string), Host: m[2].(string),
			Move: &planner.MoveStep{From: m[1].(string), Wave: m[3].(int)}})
	}
	return p
}

// TestPrepareMoves: a plan's moves are read into waves, and moves apply
// cannot carry out are refused before any host is contacted, naming the
// action and what to do.
func TestPrepareMoves(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plan  *planner.Plan
		edit  func(*planner.Plan)
		waves [][]string // guests per wave
		err   string
	}{
		{name: "waves", plan: movePlan([4]any{"x", "a", "b", 1}, [4]any{"y", "a", "c", 2}, [4]any{"z", "b", "c", 1}),
			waves: [][]string{{"x", "z"}, {"y"}}},
		{name: "a hop", plan: movePlan([4]any{"x", "a", "c", 1}, [4]any{"x", "c", "b", 2}),
			waves: [][]string{{"x"}, {"x"}}},
		{name: "unknown host", plan: movePlan([4]any{"x", "a", "d", 1}), err: "action 1 (move of x): its destination host d is not in the plan"},
		{name: "same host", plan: movePlan([4]any{"x", "a", "a", 1}), err: "it moves the guest from a to the same host"},
		{name: "wave 0", plan: movePlan([4]any{"x", "a", "b", 0}), err: "its wave is 0"},
		{name: "no URI", plan: movePlan([4]any{"x", "a", "b", 1}), edit: func(p *planner.Plan) { p.Hosts[0].URI = "" },
			err: "host a has no libvirt URI"},
		{name: "to buy", plan: movePlan([4]any{"x", "a", "b", 1}), edit: func(p *planner.Plan) { p.Hosts[1].New = true },
			err: "host b must be bought first"},
		{name: "broken chain", plan: movePlan([4]any{"x", "a", "c", 1}, [4]any{"x", "b", "a", 2}),
			err: "guest x moves to c in wave 1, then from b in wave 2"},
		{name: "hop in the same wave", plan: movePlan([4]any{"x", "a", "c", 1}, [4]any{"x", "c", "b", 1}),
			err: "a guest's moves must follow on from each other, in later waves"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.edit != nil {
				tc.edit(tc.plan)
			}
			a := &Apply{plan: tc.plan}
			err := a.prepareMoves()
			if tc.err != "" {
				var na *NotApplicableError
				if !errors.As(err, &na) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want a NotApplicableError with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, w := range a.moves.waves {
				var gs []string
				for _, m := range w.moves {
					gs = append(gs, m.guest())
				}
				got = append(got, gs)
			}
			if diff := cmp.Diff(tc.waves, got); diff != "" {
				t.Errorf("waves (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAfterChanges compares a host read after the apply with what the
// plan leaves on it.
func TestAfterChanges(t *testing.T) {
	p := &planner.Plan{ID: "p1"}
	h := planner.HostPlan{Name: "b", Existing: []string{"stay", "leave"}, MovedOut: []string{"leave"}, MovedIn: []string{"come"}, Placed: []string{"new"}}
	for _, tc := range []struct {
		name string
		now  map[string]string
		want []string
	}{
		{"matches", map[string]string{"stay": "", "come": "p1", "new": "p1"}, nil},
		{"a guest did not leave", map[string]string{"stay": "", "leave": "", "come": "p1", "new": "p1"},
			[]string{"host b: guest leave is there, and the plan does not leave it there"}},
		{"a guest did not come", map[string]string{"stay": "", "new": "p1"}, []string{"host b: guest come is not there"}},
		{"a moved guest without the plan", map[string]string{"stay": "", "come": "other", "new": "p1"},
			[]string{"host b: guest come does not record plan p1 in berth's metadata"}},
	} {
		if diff := cmp.Diff(tc.want, AfterChanges(p, h, tc.now)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestMovePreflightExitCode: the dry run's exit code is the real run's.
func TestMovePreflightExitCode(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		stop, firstToDo, done int
		want                  int
	}{
		{"nothing stops", 0, 1, 0, 0},
		{"the first wave stops", 1, 1, 0, 1},
		{"a later wave stops", 2, 1, 0, 4},
		{"the first wave to do stops after an earlier run", 2, 2, 3, 4},
		{"the first wave to do stops, nothing done", 2, 2, 0, 1},
	} {
		p := &MovePreflight{StopWave: tc.stop, firstToDo: tc.firstToDo, Done: tc.done}
		if got := p.ExitCode(); got != tc.want {
			t.Errorf("%s: exit %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestMoveLogs: what the journal says of each move, for resume.
func TestMoveLogs(t *testing.T) {
	logs := moveLogs([]Record{
		{Run: 1, Event: EventBegin},
		{Run: 1, Event: EventStarted, Action: 3, Step: StepMigrate},
		{Run: 1, Event: EventStarted, Action: 4, Step: StepMigrate},
		{Run: 1, Event: EventAborted, Action: 4, Step: StepMigrate},
		{Run: 1, Event: EventStarted, Action: 5, Step: StepMoveOffline},
		{Run: 1, Event: EventFinished, Action: 5, Step: StepMoveOffline},
		{Run: 1, Event: EventStarted, Action: 6, Step: StepVolume},
		{Run: 2, Event: EventStarted, Action: 7, Step: StepMigrate},
		{Run: 2, Event: EventLost, Action: 7, Step: StepMigrate},
	})
	for _, tc := range []struct {
		action    int
		unsettled bool
		note      string
	}{
		{3, true, "run 1 got no answer: the guest is located first"},
		{4, false, "aborted in run 1"},
		{5, false, "done earlier"},
		{6, false, ""}, // a create's step
		{7, true, "run 2 got no answer: the guest is located first"},
	} {
		l := logs[tc.action]
		if l.unsettled() != tc.unsettled || l.note() != tc.note {
			t.Errorf("action %d: unsettled %v, note %q; want %v, %q", tc.action, l.unsettled(), l.note(), tc.unsettled, tc.note)
		}
	}
}
