package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/hypervisor/hvtest"
	"github.com/berth-dev/berth/planner/apply"
)

// The end-to-end tests of moves run the built berth binary, as a user
// would, against two real libvirt daemons (hvtest.StartTwoHosts) named a
// and b in the config: berth inventory --save, berth drain, berth apply.

// moveKit is the two daemons, the berth binary and its working directory
// with the config.
type moveKit struct {
	t   *testing.T
	k   *hvtest.TwoHosts
	bin string
	dir string
	env []string
}

// startMoveKit starts the kit; its hosts' storage is labelled storage
// ("shared" or "local").
func startMoveKit(t *testing.T, storage string) *moveKit {
	t.Helper()
	k := hvtest.StartTwoHosts(t) // skips under -short
	mk := &moveKit{t: t, k: k, bin: berthBinary(t), dir: t.TempDir()}
	config := "hosts:\n"
	for _, h := range []*hvtest.SessionHost{k.A, k.B} {
		config += fmt.Sprintf("  - {name: %s, uri: %q, iops: 20k, net: 10Gbps, labels: {storage: %s}, migrationURI: %q, migrationListen: %q}\n",
			h.Name, h.URI, storage, hvtest.MigrationURI, hvtest.MigrationListen)
	}
	if err := os.WriteFile(filepath.Join(mk.dir, "berth.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	mk.env = []string{"HOME=" + mk.dir, "XDG_CONFIG_HOME=" + mk.dir, "NO_COLOR=1", "PATH=" + os.Getenv("PATH")}
	return mk
}

// command is berth with args, run in the kit's directory.
func (mk *moveKit) command(args ...string) *exec.Cmd {
	cmd := exec.Command(mk.bin, args...)
	cmd.Dir, cmd.Env = mk.dir, mk.env
	return cmd
}

// berth runs berth with args and returns its output and exit code.
func (mk *moveKit) berth(args ...string) (string, int) {
	mk.t.Helper()
	var out bytes.Buffer
	cmd := mk.command(args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	case err != nil:
		mk.t.Fatalf("berth %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), 0
}

// mustBerth runs berth and fails the test unless it exits with code.
func (mk *moveKit) mustBerth(code int, args ...string) string {
	mk.t.Helper()
	out, got := mk.berth(args...)
	if got != code {
		mk.t.Fatalf("berth %s: exit %d, want %d\n%s", strings.Join(args, " "), got, code, out)
	}
	return out
}

// drainPlan reads the hosts (berth inventory --save) and plans draining
// host, three migrations out of and into a host at a time, into plan.
func (mk *moveKit) drainPlan(host, plan string, extra ...string) {
	mk.t.Helper()
	mk.mustBerth(0, "inventory", "--save", "fleet.yaml")
	args := append([]string{"drain", host, "-f", "fleet.yaml", "--overcommit", "cpu=16", "--max-out", "3", "--max-in", "3", "--out", plan}, extra...)
	mk.mustBerth(0, args...)
}

// journal reads the plan's journal.
func (mk *moveKit) journal(plan string) []apply.Record {
	mk.t.Helper()
	records, err := apply.ReadJournalFile(filepath.Join(mk.dir, plan+".journal"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		mk.t.Fatal(err)
	}
	return records
}

// where says where g is between the kit's hosts (as a move from a to b).
func (mk *moveKit) where(g hvtest.Guest) (hypervisor.MoveState, [2]hypervisor.Sighting) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return hypervisor.LocateMove(ctx, g.UUID, mk.k.A.Conn, mk.k.B.Conn)
}

// mustRunOnce checks that each guest runs, once, on host on ("a" or "b"),
// and is defined there only.
func (mk *moveKit) mustRunOnce(gs []hvtest.Guest, on string) {
	mk.t.Helper()
	want := hypervisor.MoveOnDestination
	if on == "a" {
		want = hypervisor.MoveOnSource
	}
	for _, g := range gs {
		state, s := mk.where(g)
		run := s[1]
		if on == "a" {
			run = s[0]
		}
		if state != want || !run.Runs() || !run.Persistent {
			mk.t.Errorf("guest %s is %v, want running (and defined) on %s only\n  a: %+v\n  b: %+v", g.Name, state, on, s[0], s[1])
		}
	}
}

// TestApplyMovesEndToEnd drains six tiny guests from a to b in two waves,
// as a user would: berth inventory --save, berth drain, berth apply
// --dry-run, berth apply; then the same apply again changes nothing. Then
// berth is killed (SIGKILL) at points inside a wave, each time on a new
// plan that moves the guests back: the next run finishes the plan, each
// guest runs exactly once, none is defined on both hosts, and the journal
// accounts for every move.
func TestApplyMovesEndToEnd(t *testing.T) {
	// Local storage: the migrations ask libvirt to copy the disks (these
	// guests have none).
	mk := startMoveKit(t, "local")
	var guests []hvtest.Guest
	for i := 1; i <= 6; i++ {
		guests = append(guests, mk.k.IdleGuest(t, mk.k.A, fmt.Sprintf("e2e-%d", i)))
	}
	mk.drainPlan("a", "plan.json")
	out := mk.mustBerth(0, "apply", "plan.json", "--dry-run")
	for _, want := range []string{"Moves: 6 migrations in 2 waves", "Checks of the moves", "Every move can start", "Dry run: nothing was changed."} {
		if !strings.Contains(out, want) {
			t.Errorf("the dry run lacks %q:\n%s", want, out)
		}
	}
	mk.mustRunOnce(guests, "a")

	t0 := time.Now()
	out = mk.mustBerth(0, "apply", "plan.json", "--yes")
	t.Logf("applied in %v:\n%s", time.Since(t0), out)
	for _, want := range []string{"6 done", "The hosts, read again, match the plan's after state."} {
		if !strings.Contains(out, want) {
			t.Errorf("the apply's report lacks %q", want)
		}
	}
	mk.mustRunOnce(guests, "b")
	out = mk.mustBerth(0, "apply", "plan.json", "--yes")
	if !strings.Contains(out, "0 done, 6 skipped") {
		t.Errorf("the same apply again: want 0 done, 6 skipped:\n%s", out)
	}

	// Kill points, each on a plan moving the guests to the other host.
	from, to := "b", "a"
	for n, kp := range []struct {
		name string
		when func(mk *moveKit, run []apply.Record) bool
	}{
		{"a migration just started", func(_ *moveKit, run []apply.Record) bool {
			return countEvents(run, apply.EventStarted) >= 1
		}},
		{"a migration in flight", func(mk *moveKit, run []apply.Record) bool {
			for _, r := range run {
				if r.Event == apply.EventStarted {
					if state, _ := mk.where(guestNamed(guests, r.Guest)); state == hypervisor.MoveInFlight {
						return true
					}
				}
			}
			return false
		}},
		{"the first migration of a wave finished", func(_ *moveKit, run []apply.Record) bool {
			return countEvents(run, apply.EventFinished) >= 1
		}},
		{"the first wave finished", func(_ *moveKit, run []apply.Record) bool {
			return countEvents(run, apply.EventFinished) >= 3
		}},
	} {
		t.Run(kp.name, func(t *testing.T) {
			mk.t = t
			plan := fmt.Sprintf("kill%d.json", n+1)
			mk.drainPlan(from, plan)
			mk.killAt(plan, kp.when, guests)
			out := mk.mustBerth(0, "apply", plan, "--yes")
			t.Logf("the run after the kill:\n%s", out)
			mk.mustRunOnce(guests, to)
			checkMoveJournal(t, mk.journal(plan), 6)
		})
		from, to = to, from
	}
}

// killAt runs berth apply PLAN --yes and kills it (SIGKILL) once the
// journal's records of this run satisfy when; meanwhile no guest may ever
// run on both hosts.
func (mk *moveKit) killAt(plan string, when func(*moveKit, []apply.Record) bool, guests []hvtest.Guest) {
	mk.t.Helper()
	cmd := mk.command("apply", plan, "--yes")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		mk.t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	run := len(runsOf(mk.journal(plan))) + 1
	deadline := time.Now().Add(3 * time.Minute)
	for {
		select {
		case err := <-exited:
			mk.t.Fatalf("berth apply ended (%v) before the kill point:\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if records := runsOf(mk.journal(plan))[run]; when(mk, records) {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			mk.t.Fatalf("the kill point was never reached:\n%s", out.String())
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	for _, g := range guests {
		if state, s := mk.where(g); state == hypervisor.MoveRunsOnBoth {
			mk.t.Errorf("after the kill, guest %s runs on both hosts: %+v", g.Name, s)
		}
	}
	records := runsOf(mk.journal(plan))[run]
	mk.t.Logf("killed in run %d after %d records, the last %+v", run, len(records), records[len(records)-1])
}

// runsOf groups journal records by run.
func runsOf(records []apply.Record) map[int][]apply.Record {
	out := map[int][]apply.Record{}
	for _, r := range records {
		out[r.Run] = append(out[r.Run], r)
	}
	return out
}

func countEvents(records []apply.Record, event string) int {
	n := 0
	for _, r := range records {
		if r.Event == event && r.Step != "" {
			n++
		}
	}
	return n
}

func guestNamed(gs []hvtest.Guest, name string) hvtest.Guest {
	for _, g := range gs {
		if g.Name == name {
			return g
		}
	}
	return hvtest.Guest{Name: name}
}

// checkMoveJournal checks that the journal of a plan of moves moves
// accounts for each: its last record is "finished"; in every run but the
// last, a move started and not ended in that run (berth was killed) is
// taken up by the next run that mentions it — found done, or located and
// started again — and no move is ever recorded as failed; the last run
// begins and ends.
func checkMoveJournal(t *testing.T, records []apply.Record, moves int) {
	t.Helper()
	last := map[int]apply.Record{}
	open := map[int]int{} // action → run that started it and did not end it
	runs := runsOf(records)
	final := 0
	for run := range runs {
		final = max(final, run)
	}
	for _, r := range records {
		if r.Step == "" {
			continue
		}
		if r.Event == apply.EventFailed || r.Event == apply.EventAborted {
			t.Errorf("the journal records a move that %s: %+v", r.Event, r)
		}
		if was, ok := open[r.Action]; ok && r.Run > was {
			taken := r.Event == apply.EventFinished && strings.HasPrefix(r.Note, "found:") ||
				r.Event == apply.EventStarted && strings.Contains(r.Note, "located first")
			if !taken {
				t.Errorf("action %d was cut off in run %d; run %d goes on with %+v, without saying what it found", r.Action, was, r.Run, r)
			}
			delete(open, r.Action)
		}
		switch r.Event {
		case apply.EventStarted:
			open[r.Action] = r.Run
		case apply.EventFinished:
			delete(open, r.Action)
		}
		last[r.Action] = r
	}
	if len(last) != moves {
		t.Errorf("the journal records %d moves, want %d", len(last), moves)
	}
	for i, r := range last {
		if r.Event != apply.EventFinished {
			t.Errorf("action %d's last record is %+v, want finished", i, r)
		}
	}
	fr := runs[final]
	if len(fr) < 2 || fr[0].Event != apply.EventBegin || fr[len(fr)-1].Event != apply.EventEnd {
		t.Errorf("the last run (%d) does not begin and end: %+v", final, fr)
	}
}

// TestApplyMovesInterrupt applies, in a terminal (tmux), a plan that
// moves busy guests at 8 Mbps (they never converge): the live display
// shows each migration's data sent by wave; Ctrl-C aborts the
// migrations, the guests still run on their sources, and the report says
// so.
func TestApplyMovesInterrupt(t *testing.T) {
	// The busy guests boot from a read-only disk on storage both hosts
	// share (hvtest.TwoHosts.Shared).
	mk := startMoveKit(t, "shared")
	var guests []hvtest.Guest
	for i := 1; i <= 3; i++ {
		guests = append(guests, mk.k.BusyGuest(t, mk.k.A, fmt.Sprintf("intr-%d", i)))
	}
	mk.drainPlan("a", "plan.json")
	env := append(mk.env[:len(mk.env):len(mk.env)], "TERM=xterm-256color")
	p := startBerth(t, mk.bin, mk.dir, env, "apply", "plan.json", "--yes", "--bandwidth", "8Mbps")
	screen := waitScreen(p, 2*time.Minute, func(s string) bool {
		return strings.Count(s, " MiB sent") >= 3 || strings.Contains(s, "EXIT=")
	})
	t.Logf("during the wave:\n%s", screen)
	for _, want := range []string{"berth apply · 0 of 3 moves done · wave 1 of 1", " wave 1  moving", "a → b"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the live display lacks %q", want)
		}
	}
	p.keys("C-c")
	screen = waitScreen(p, 2*time.Minute, func(s string) bool { return strings.Contains(s, "EXIT=") })
	t.Logf("after Ctrl-C:\n%s", screen)
	for _, want := range []string{"3 interrupted", "aborted (apply was interrupted): the guest still runs on its source a", "EXIT=1"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the screen lacks %q", want)
		}
	}
	mk.mustRunOnce(guests, "a")
	for _, r := range runsOf(mk.journal("plan.json"))[1] {
		if r.Step != "" && r.Event != apply.EventStarted && r.Event != apply.EventAborted {
			t.Errorf("journal: %+v, want only started and aborted moves", r)
		}
	}
}

// waitScreen waits until the pane's screen satisfies ok, and returns it,
// its wrapped lines joined.
func waitScreen(p *tmuxPane, limit time.Duration, ok func(string) bool) string {
	p.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		s := p.tmux("capture-pane", "-p", "-J", "-t", "berth")
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the screen never showed what was awaited:\n%s", s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
