package apply

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/hypervisor/hvtest"
	"github.com/berth-dev/berth/planner"
	"github.com/google/go-cmp/cmp"
)

// TestApplyMovesQEMU applies plans with moves between two real libvirt
// daemons (hvtest.StartTwoHosts), planned the way berth drain plans them
// from hosts read live.
func TestApplyMovesQEMU(t *testing.T) {
	k := hvtest.StartTwoHosts(t)
	t.Run("two-waves", func(t *testing.T) { testTwoWaves(t, k) })
	t.Run("cut", func(t *testing.T) { testMoveCut(t, k) })
	t.Run("interrupt", func(t *testing.T) { testMoveInterrupt(t, k) })
}

// testTwoWaves drains six idle guests from a to b in two waves of three
// (at most three migrations out of and into a host at a time): the dry
// run passes; the apply moves every guest live, keeping its UUID, and
// records the plan on it; a re-read of the hosts matches the plan's after
// state; and the same apply again changes nothing.
func testTwoWaves(t *testing.T, k *hvtest.TwoHosts) {
	ctx := context.Background()
	guests := kitGuests(t, k, k.A, "wave", 6)
	uris := kitURIs(k)
	p := drainPlan(t, uris, planner.StorageLocal, "a", 3)
	if p.Migrations() != 6 || p.Moves == nil || len(p.Moves.Waves) != 2 {
		t.Fatalf("the drain plan has %d moves in %+v, want 6 in 2 waves", p.Migrations(), p.Moves)
	}
	journal := filepath.Join(t.TempDir(), "plan.json.journal")
	opt := kitOptions(t, uris, journal)

	dry := opt
	dry.DryRun = true
	a, err := Prepare(ctx, p, dry)
	if err != nil {
		t.Fatal(err)
	}
	pf := a.PreflightMoves(ctx)
	var out bytes.Buffer
	pf.Render(&out)
	a.Summary(&out)
	t.Logf("dry run:\n%s", out.String())
	if pf.ExitCode() != 0 || len(pf.Hosts) != 2 {
		t.Errorf("dry run: exit %d, %d hosts, want 0 and 2", pf.ExitCode(), len(pf.Hosts))
	}

	t0 := time.Now()
	rep := mustApply(t, p, opt)
	wall := time.Since(t0)
	out.Reset()
	rep.Render(&out)
	t.Logf("%s", out.String())
	if diff := cmp.Diff(allOutcomes(guests, OutcomeDone), moveOutcomes(rep)); diff != "" {
		t.Fatalf("outcomes (-want +got):\n%s", diff)
	}
	mustRunOn(t, k, guests, hypervisor.MoveOnDestination, p.ID)
	if !rep.Moves.AfterChecked || len(rep.Moves.After) != 0 {
		t.Errorf("after state: checked %v, differences %q", rep.Moves.AfterChecked, rep.Moves.After)
	}
	for _, w := range rep.Moves.Waves {
		if w.Stopped != "" || w.Moves != 3 {
			t.Errorf("wave %+v, want 3 moves that all ran", w)
		}
	}
	logMoveTimes(t, rep, wall)

	again := mustApply(t, p, opt)
	if diff := cmp.Diff(allOutcomes(guests, OutcomeSkipped), moveOutcomes(again)); diff != "" || again.Changed() {
		t.Errorf("the same apply again changed something (changed %v; -want +got):\n%s", again.Changed(), diff)
	}
	mustRunOn(t, k, guests, hypervisor.MoveOnDestination, p.ID)
	records, err := ReadJournalFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	started := 0
	for _, r := range records {
		if r.Event == EventStarted {
			started++
		}
	}
	if started != 6 {
		t.Errorf("the journal records %d moves started over two runs, want 6 (the second run starts none)", started)
	}
}

// logMoveTimes logs the wall time of the plan and berth's overhead per
// migration beyond libvirt's own call.
func logMoveTimes(t *testing.T, rep *Report, wall time.Duration) {
	t.Helper()
	var call, checks, moveWall time.Duration
	for _, s := range rep.Moves.Stats {
		call += s.Call
		moveWall += s.Wall
	}
	for _, w := range rep.Moves.Waves {
		checks += w.Checked
	}
	n := time.Duration(max(1, len(rep.Moves.Stats)))
	t.Logf("%d migrations in %v (apply's report: %v): libvirt's calls %v each on average; berth's overhead per migration %v (%v in Migrate's checks, %v in the checks before each wave)",
		len(rep.Moves.Stats), wall, rep.Elapsed, (call / n).Round(time.Millisecond), ((moveWall-call)/n + checks/n).Round(time.Millisecond),
		((moveWall - call) / n).Round(time.Millisecond), (checks / n).Round(time.Millisecond))
}

// testMoveCut cuts berth's connections to the source (through the fault
// relay) while a guest migrates: the move is reported interrupted, the
// journal keeps it as lost, the peer-to-peer migration ends without
// berth, and the next run finds the guest on its destination and
// finishes the move (recording the plan on it).
func testMoveCut(t *testing.T, k *hvtest.TwoHosts) {
	guests := kitGuests(t, k, k.A, "cut", 1)
	uris := kitURIs(k)
	p := drainPlan(t, uris, planner.StorageShared, "a", 1)
	relay := k.A.Relay(t, nil)
	cutURIs := map[string]string{"a": relay.URI(), "b": k.B.URI}
	journal := filepath.Join(t.TempDir(), "plan.json.journal")
	opt := kitOptions(t, cutURIs, journal)
	cut := false
	opt.Watch = func(e ProgressEvent) {
		// A reading of the migration's progress: libvirt has its job, the
		// migration is under way (an idle guest may send its little data
		// between two readings).
		reading := e.Move != nil && e.Outcome == "" && (e.Text == "starting" || strings.Contains(e.Text, " sent"))
		if reading && !cut {
			cut = true
			relay.CutNow()
		}
	}
	rep := mustApply(t, p, opt)
	out := renderText(rep)
	t.Logf("%s", out)
	if !cut {
		t.Fatal("the migration reported no progress: the relay was never cut")
	}
	r := rep.Results[len(rep.Results)-1]
	if r.Outcome != OutcomeInterrupted || !strings.Contains(r.Detail, "run apply again") || r.Error == "" {
		t.Errorf("the cut move: %s (%s; %s), want interrupted, asking for another run", r.Outcome, r.Error, r.Detail)
	}
	records, err := ReadJournalFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	if last := lastMoveRecord(records, guests[0].Name); last.Event != EventLost {
		t.Errorf("the journal's last record of the move: %+v, want lost", last)
	}
	if state, s := settledOn(t, k, guests[0]); state != hypervisor.MoveOnDestination {
		t.Fatalf("after the cut the guest is %v, want on its destination (the migration goes on without berth): %+v", state, s)
	}

	rep = mustApply(t, p, opt)
	t.Logf("%s", renderText(rep))
	if r := rep.Results[len(rep.Results)-1]; r.Outcome != OutcomeDone || !strings.Contains(r.Detail, "found on b") {
		t.Errorf("the next run: %s (%s), want done: found on b", r.Outcome, r.Detail)
	}
	mustRunOn(t, k, guests, hypervisor.MoveOnDestination, p.ID)
	records, _ = ReadJournalFile(journal)
	if last := lastMoveRecord(records, guests[0].Name); last.Event != EventFinished || !strings.HasPrefix(last.Note, "found:") {
		t.Errorf("the journal's last record of the move: %+v, want finished, found", last)
	}
}

// testMoveInterrupt cancels apply (as Ctrl-C does) while busy guests
// migrate at 1 MiB/s (they never converge): every migration is aborted,
// journaled so, reported interrupted, and the guests still run on their
// sources; the next wave never starts.
func testMoveInterrupt(t *testing.T, k *hvtest.TwoHosts) {
	guests := []hvtest.Guest{k.BusyGuest(t, k.A, "intr-1"), k.BusyGuest(t, k.A, "intr-2"), k.BusyGuest(t, k.A, "intr-3")}
	uris := kitURIs(k)
	p := drainPlan(t, uris, planner.StorageShared, "a", 2)
	journal := filepath.Join(t.TempDir(), "plan.json.journal")
	opt := kitOptions(t, uris, journal)
	opt.Moves.Bandwidth = 1 << 20
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	moving := map[int]bool{}
	opt.Watch = func(e ProgressEvent) {
		if e.Move != nil && e.Move.Processed > 0 {
			moving[e.Move.Index] = true
			if len(moving) == 2 {
				cancel()
			}
		}
	}
	a, err := Prepare(context.Background(), p, opt)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := a.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", renderText(rep))
	want := map[string]Outcome{}
	for _, a := range p.Actions {
		if a.Op == planner.OpMove {
			want[a.Guest] = OutcomeInterrupted
			if a.Move.Wave > 1 {
				want[a.Guest] = OutcomeNotAttempted // its wave never started
			}
		}
	}
	if diff := cmp.Diff(want, moveOutcomes(rep)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	mustRunOn(t, k, guests, hypervisor.MoveOnSource, p.ID)
	records, _ := ReadJournalFile(journal)
	for g, o := range want {
		if last := lastMoveRecord(records, g); o == OutcomeInterrupted && last.Event != EventAborted {
			t.Errorf("the journal's last record of %s: %+v, want aborted", g, last)
		}
	}
}

// lastMoveRecord is the journal's last record of a move of guest.
func lastMoveRecord(records []Record, guest string) Record {
	var last Record
	for _, r := range records {
		if r.Guest == guest && (r.Step == StepMigrate || r.Step == StepMoveOffline) {
			last = r
		}
	}
	return last
}

func renderText(rep *Report) string {
	var b bytes.Buffer
	rep.Render(&b)
	return b.String()
}
