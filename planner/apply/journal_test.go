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
	if err := j.Write(Record{Event: EventStarted, Action: 3, Step: StepDefine}); err != nil {
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
