package apply

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/planner"
	"github.com/google/go-cmp/cmp"
)

// TestJournalSurvivesCutLine: a crash in the middle of a write leaves a
// line without its newline; the next run drops it, ends the line, and
// appends after it.
func TestJournalSurvivesCutLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json.journal")
	j, err := OpenJournal(path, planID("abc"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Write(Record{Event: EventBegin}); err != nil {
		t.Fatal(err)
	}
	if err := j.Write(Record{Event: EventStarted, Action: 3, Host: "h", Guest: "g-3", Step: StepDefine}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"plan":"abc","run":1,"event":"fini`)
	f.Close()

	j, err = OpenJournal(path, planID("abc"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(j.History()); got != 2 || j.Run() != 2 {
		t.Errorf("history %d records, run %d; want 2 and 2", got, j.Run())
	}
	if got := replay(j.History())[3].state(StepDefine); got != stepStarted {
		t.Errorf("define is %v, want started (half-done)", got)
	}
	if err := j.Write(Record{Event: EventEnd}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	recs, err := ReadJournalFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, r := range recs {
		events = append(events, r.Event)
	}
	if diff := cmp.Diff([]string{EventBegin, EventStarted, EventEnd}, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// TestJournalRefuses: a damaged line inside the journal, a journal of
// another plan, and a journal another apply holds are refused.
func TestJournalRefuses(t *testing.T) {
	dir := t.TempDir()
	damaged := filepath.Join(dir, "damaged")
	os.WriteFile(damaged, []byte("{\"plan\":\"abc\",\"run\":1,\"event\":\"begin\"}\nnot json\n{\"plan\":\"abc\",\"run\":1,\"event\":\"end\"}\n"), 0o644)
	if _, err := OpenJournal(damaged, planID("abc"), 0); err == nil || !strings.Contains(err.Error(), "line 2 is damaged") {
		t.Errorf("damaged journal: err = %v", err)
	}
	other := filepath.Join(dir, "other")
	os.WriteFile(other, []byte("{\"plan\":\"xyz\",\"run\":1,\"event\":\"begin\"}\n"), 0o644)
	if _, err := OpenJournal(other, planID("abc"), 0); err == nil || err.Error() != "journal "+other+" belongs to plan xyz, not abc: move it away, or give this plan its own with --journal" {
		t.Errorf("other plan's journal: err = %v", err)
	}
	locked := filepath.Join(dir, "locked")
	j, err := OpenJournal(locked, planID("abc"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, err := OpenJournal(locked, planID("abc"), 0); err == nil || !strings.Contains(err.Error(), "another berth apply of this plan is running") {
		t.Errorf("locked journal: err = %v", err)
	}
	// Over the cap (--max-input-size): refused, not read into memory.
	big := filepath.Join(dir, "big")
	os.WriteFile(big, []byte(strings.Repeat("{\"plan\":\"abc\",\"run\":1,\"event\":\"begin\"}\n", 10)), 0o644)
	if _, err := OpenJournal(big, planID("abc"), 100); err == nil || !strings.Contains(err.Error(), "journal "+big+" is larger than 100 bytes, the most berth reads from one input") {
		t.Errorf("journal over the cap: err = %v", err)
	}
	// A dry run reads it without the lock and cannot write.
	peek, err := PeekJournal(locked, planID("abc"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := peek.Write(Record{Event: EventBegin}); err == nil {
		t.Error("a peeked journal accepted a write")
	}
}

// planID is a plan of five create actions (0…4) with the given ID, as the
// journal tests need one.
func planID(id string) *planner.Plan {
	p := &planner.Plan{ID: id}
	for i := range 5 {
		p.Actions = append(p.Actions, planner.Action{Op: planner.OpCreate, Guest: fmt.Sprintf("g-%d", i), Host: "h"})
	}
	return p
}

// TestReplay folds records into step states.
func TestReplay(t *testing.T) {
	recs := []Record{
		{Action: 1, Step: StepVolume, Event: EventStarted},
		{Action: 1, Step: StepVolume, Event: EventFinished},
		{Action: 1, Step: StepDefine, Event: EventStarted},
		{Action: 1, Step: StepDefine, Event: EventFailed},
		{Action: 1, Step: StepDeleteVolume, Event: EventStarted},
		{Action: 2, Step: StepVolume, Event: EventStarted},
		{Action: 2, Step: StepVolume, Event: EventFinished},
		{Action: 2, Step: StepDefine, Event: EventStarted},
		{Action: 2, Step: StepDefine, Event: EventFinished},
		{Action: 2, Step: StepStart, Event: EventStarted},
		{Action: 3, Step: StepVolume, Event: EventFinished},
		{Action: 3, Step: StepDeleteVolume, Event: EventStarted},
		{Action: 3, Step: StepDeleteVolume, Event: EventFinished},
	}
	got := map[int]map[Step]stepState{}
	for i, l := range replay(recs) {
		got[i] = l.steps
	}
	want := map[int]map[Step]stepState{
		1: {StepVolume: stepStarted, StepDefine: stepNone},                              // being rolled back
		2: {StepVolume: stepFinished, StepDefine: stepFinished, StepStart: stepStarted}, // crashed while starting
		3: {StepVolume: stepNone},                                                       // rolled back
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replay (-want +got):\n%s", diff)
	}
}

// TestJournalRefusesDamagedRecords: records that parse but cannot be true
// of the plan are refused with their line number, before anything is
// resumed from them.
func TestJournalRefusesDamagedRecords(t *testing.T) {
	begin := `{"plan":"abc","run":1,"event":"begin"}`
	p := planID("abc")
	p.Actions[4].Op = planner.OpKeep
	p.Actions[3].Op = planner.OpRemove
	cases := []struct {
		name, record, want string
	}{
		{"unknown event", `{"plan":"abc","run":1,"event":"exploded","action":1,"host":"h","guest":"g-1","step":"define"}`,
			`line 2 is damaged: unknown event "exploded"`},
		{"unknown step", `{"plan":"abc","run":1,"event":"started","action":1,"host":"h","guest":"g-1","step":"format-disk"}`,
			`line 2 is damaged: unknown step "format-disk"`},
		{"no step", `{"plan":"abc","run":1,"event":"finished","action":1,"host":"h","guest":"g-1"}`,
			`line 2 is damaged: unknown step ""`},
		{"action past the plan's", `{"plan":"abc","run":1,"event":"started","action":9,"host":"h","guest":"g-9","step":"volume"}`,
			`line 2 is damaged: action 9 is not in the plan (its actions are numbered 0 to 4)`},
		{"negative action", `{"plan":"abc","run":1,"event":"started","action":-1,"host":"h","guest":"g-1","step":"volume"}`,
			`line 2 is damaged: action -1 is not in the plan`},
		{"another guest", `{"plan":"abc","run":1,"event":"finished","action":2,"host":"h","guest":"g-3","step":"volume"}`,
			`line 2 is damaged: action 2 is guest g-2 on host h in the plan, but the record says guest g-3 on host h`},
		{"not a create", `{"plan":"abc","run":1,"event":"finished","action":4,"host":"h","guest":"g-4","step":"start"}`,
			`line 2 is damaged: action 4 of the plan keeps g-4; only create, move and remove actions have steps`},
		{"a removal step on a create", `{"plan":"abc","run":1,"event":"started","action":2,"host":"h","guest":"g-2","step":"stop"}`,
			`line 2 is damaged: action 2 of the plan creates g-2; step "stop" is a step of a removal`},
		{"a create step on a removal", `{"plan":"abc","run":1,"event":"started","action":3,"host":"h","guest":"g-3","step":"define"}`,
			`line 2 is damaged: action 3 of the plan removes g-3; step "define" is not a step of a removal (stop, remove-volumes, remove)`},
		{"a move step on a create", `{"plan":"abc","run":1,"event":"started","action":2,"host":"h","guest":"g-2","step":"migrate"}`,
			`line 2 is damaged: action 2 of the plan creates g-2; step "migrate" is a step of a move`},
		{"run zero", `{"plan":"abc","run":0,"event":"end"}`,
			`line 2 is damaged: run 0, want 1 or more`},
		{"a run record with a step", `{"plan":"abc","run":1,"event":"end","step":"volume"}`,
			`line 2 is damaged: a "end" record names an action or a step`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "plan.json.journal")
			if err := os.WriteFile(path, []byte(begin+"\n"+tc.record+"\n"+begin+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, open := range []func(string, *planner.Plan, int64) (*Journal, error){OpenJournal, PeekJournal} {
				j, err := open(path, p, 0)
				if err == nil {
					j.Close()
					t.Fatalf("the journal was accepted")
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q, want it to say %q", err, tc.want)
				}
			}
		})
	}
}
