package apply

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/berth-dev/berth/internal/safefile"
	"github.com/berth-dev/berth/planner"
)

// Step is one change apply makes for a create action, or the undoing of
// one. The forward steps run in this order: volume, define, start.
type Step string

const (
	StepVolume       Step = "volume"        // create the guest's disk volume
	StepDefine       Step = "define"        // define the domain
	StepStart        Step = "start"         // start it
	StepDestroy      Step = "destroy"       // undo start: power the domain off
	StepUndefine     Step = "undefine"      // undo define
	StepDeleteVolume Step = "delete-volume" // undo volume
)

// undoes is the forward step each undo step takes back.
var undoes = map[Step]Step{StepDestroy: StepStart, StepUndefine: StepDefine, StepDeleteVolume: StepVolume}

// Journal events. A step's call that got no answer (the connection to the
// host was lost, or the call was given up on after the step timeout) may
// have been carried out all the same: it is journaled as lost, and the next
// run checks libvirt, as for a step started and never finished (which is
// what a berth that does not know the event takes it for).
const (
	EventBegin    = "begin"    // a run of apply starts
	EventStarted  = "started"  // a step is about to change the host
	EventFinished = "finished" // the step is done (Note says how: "found" = already done)
	EventFailed   = "failed"   // the step failed (Error says why)
	EventLost     = "lost"     // the step's call got no answer: the host may or may not have done it (Error says why)
	EventEnd      = "end"      // the run ended (Note has the outcome counts)
)

// Record is one line of the journal.
type Record struct {
	Time time.Time `json:"time"`
	Plan string    `json:"plan"`
	// Run counts apply runs of this plan on this journal, from 1.
	Run   int    `json:"run"`
	Event string `json:"event"`
	// Action is the index of the action in the plan's Actions (with Host
	// and Guest repeated for people reading the file).
	Action int    `json:"action,omitempty"`
	Host   string `json:"host,omitempty"`
	Guest  string `json:"guest,omitempty"`
	Step   Step   `json:"step,omitempty"`
	Error  string `json:"error,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Journal is the append-only record of what apply did to the hosts of one
// plan: a JSON object per line, each written with one write(2) and
// fsync'd before the step it announces changes anything. It is locked
// (flock) while open, so two applies never work on one journal at once.
type Journal struct {
	path string
	plan string
	run  int

	mu      sync.Mutex
	f       *os.File
	history []Record

	// crashAt, when > 0, makes the crashAt-th record written by this run
	// fail as if the process died just before writing it (tests).
	crashAt int
	written int
	// crashed stops every later write: after an injected crash, or when a
	// write failed (broken says why): apply must not go on unjournaled.
	crashed bool
	broken  error
}

// errCrashed is what every journal write returns once a test's injected
// crash has happened.
var errCrashed = errors.New("apply interrupted (injected crash)")

// JournalPath is the journal next to a plan file (PLAN.journal).
func JournalPath(planPath string) string { return planPath + ".journal" }

// OpenJournal opens (creating if need be) the journal at path for plan,
// takes its lock and reads its history, of at most limit bytes (0 =
// safefile.DefaultMaxInput). A journal that belongs to another plan is
// refused; a last line cut short by a crash is ignored.
func OpenJournal(path string, plan *planner.Plan, limit int64) (*Journal, error) {
	f, err := safefile.OpenAppend(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s is locked: another berth apply of this plan is running", path)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
		}
	}()
	safefile.SyncDir(filepath.Dir(path)) // make the file's creation durable
	history, err := readJournal(f, path, plan, limit)
	if err != nil {
		return nil, err
	}
	j := &Journal{path: path, plan: plan.ID, f: f, history: history}
	if err := j.bind(); err != nil {
		return nil, err
	}
	ok = true
	return j, nil
}

// PeekJournal reads the journal at path for plan without creating or
// locking it (a dry run); it cannot be written to.
func PeekJournal(path string, plan *planner.Plan, limit int64) (*Journal, error) {
	j := &Journal{path: path, plan: plan.ID}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		j.run = 1
		return j, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	if j.history, err = parseJournal(f, path, plan, limit); err != nil {
		return nil, err
	}
	return j, j.bind()
}

// bind numbers this run after the history's runs.
func (j *Journal) bind() error {
	for _, r := range j.history {
		j.run = max(j.run, r.Run)
	}
	j.run++
	return nil
}

// readJournal parses the journal and ends a line a crash cut short.
func readJournal(f *os.File, path string, plan *planner.Plan, limit int64) ([]Record, error) {
	out, err := parseJournal(f, path, plan, limit)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			// Finish the cut-short line so the next record starts on its own.
			if _, err := f.Write([]byte("\n")); err != nil {
				return nil, fmt.Errorf("journal: %w", err)
			}
		}
	}
	return out, nil
}

// parseJournal parses the journal's lines, read from the start of f (at
// most limit bytes). A last line without its newline (the write a crash
// cut short) is dropped; any other bad line, and a record of another plan
// or one that cannot be true of this plan (checkRecord), is an error.
func parseJournal(f *os.File, path string, plan *planner.Plan, limit int64) ([]Record, error) {
	data, err := safefile.ReadAll("journal "+path, io.NewSectionReader(f, 0, 1<<62), limit)
	if err != nil {
		return nil, err
	}
	var out []Record
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i, line := range lines {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		last := i == len(lines)-1 && !bytes.HasSuffix(line, []byte("\n"))
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			if last {
				break
			}
			return nil, fmt.Errorf("journal %s line %d is damaged (%v): it cannot be resumed from; move it away to start over", path, i+1, err)
		}
		if r.Plan != plan.ID {
			return nil, fmt.Errorf("journal %s belongs to plan %s, not %s: move it away, or give this plan its own with --journal", path, r.Plan, plan.ID)
		}
		if err := checkRecord(r, plan); err != nil {
			return nil, fmt.Errorf("journal %s line %d is damaged: %v; it cannot be resumed from: move it away to start over (the hosts keep what was done; apply checks them)", path, i+1, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// Run is this run's number.
func (j *Journal) Run() int { return j.run }

// History is what earlier runs recorded.
func (j *Journal) History() []Record { return j.history }

// Write appends r (stamped with the plan, run and time) and fsyncs it.
func (j *Journal) Write(r Record) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return fmt.Errorf("journal %s is not open for writing (dry run)", j.path)
	}
	if j.crashed {
		if j.broken != nil {
			return j.broken
		}
		return errCrashed
	}
	j.written++
	if j.crashAt > 0 && j.written >= j.crashAt {
		j.crashed = true
		return errCrashed
	}
	r.Plan, r.Run = j.plan, j.run
	if r.Time.IsZero() {
		r.Time = time.Now().UTC()
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = j.f.Write(b)
	if err == nil {
		err = j.f.Sync()
	}
	if err != nil {
		j.crashed = true
		j.broken = fmt.Errorf("journal %s cannot be written (%w): apply stopped; run it again once the journal can be written, it will check what was done", j.path, err)
		return j.broken
	}
	return nil
}

// stopped returns why the journal stopped taking records (nil if it did not).
func (j *Journal) stopped() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case j.broken != nil:
		return j.broken
	case j.crashed:
		return errCrashed
	}
	return nil
}

// Close releases the lock and closes the file.
func (j *Journal) Close() error {
	if j == nil || j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// ReadJournalFile reads a journal's records without locking it (for
// reports and tests).
func ReadJournalFile(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			continue
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// stepState is what the journal says of one forward step of one action.
type stepState int

const (
	stepNone     stepState = iota // never started, or undone
	stepStarted                   // started, or being undone: the host may or may not have it
	stepFinished                  // done
)

// actionLog is what the journal says of one action.
type actionLog struct {
	steps map[Step]stepState
}

func (l *actionLog) state(s Step) stepState {
	if l == nil {
		return stepNone
	}
	return l.steps[s]
}

// replay folds records into the state of each action, by action index.
func replay(records []Record) map[int]*actionLog {
	out := map[int]*actionLog{}
	for _, r := range records {
		if r.Step == "" {
			continue
		}
		l := out[r.Action]
		if l == nil {
			l = &actionLog{steps: map[Step]stepState{}}
			out[r.Action] = l
		}
		l.apply(r)
	}
	return out
}

// apply folds one record into the action's state. A forward step that
// failed left nothing behind (libvirt cleans up a failed create, define or
// start); one started and never finished may have, and so may one whose
// answer was lost. Undoing a step puts it back to started while in
// progress (or when the undo failed or its answer was lost) and to none
// once finished.
func (l *actionLog) apply(r Record) {
	step, undo := r.Step, false
	if fwd, ok := undoes[r.Step]; ok {
		step, undo = fwd, true
	}
	switch {
	case r.Event == EventFinished && undo:
		l.steps[step] = stepNone
	case r.Event == EventFinished:
		l.steps[step] = stepFinished
	case r.Event == EventFailed && !undo:
		l.steps[step] = stepNone
	case r.Event == EventStarted || r.Event == EventFailed || r.Event == EventLost:
		l.steps[step] = stepStarted
	}
}
