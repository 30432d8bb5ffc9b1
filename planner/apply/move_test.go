package apply

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/live"
	"github.com/berth-dev/berth/planner"
	"github.com/google/go-cmp/cmp"
	"libvirt.org/go/libvirt"
)

// These tests apply moves between two hosts of libvirt's test driver
// (testdata/apply/kvm-move1.xml and kvm-move2.xml). The test driver cannot
// migrate a running guest, so they move shut-off guests (offline), and
// check what does not depend on the migration itself: waves, the checks
// before each wave, the journal, resume and the report. A test-driver
// connection keeps its own state, so apply is given the test's own
// connections, for moves and for re-reading the hosts.

// moveHosts opens the two test-driver hosts, by plan name.
func moveHosts(t *testing.T) (uris map[string]string, conns map[string]*hypervisor.Conn) {
	uris = map[string]string{"kvm-move1": applyHostURI(t, "kvm-move1"), "kvm-move2": applyHostURI(t, "kvm-move2")}
	conns = map[string]*hypervisor.Conn{}
	for name, uri := range uris {
		conns[name] = connectTest(t, uri)
	}
	return uris, conns
}

// offlineDrain plans draining kvm-move1 (its running guest kept: the test
// driver cannot migrate it), at most perHost migrations out of and into a
// host at a time: with 2, cold-1 and cold-2 in wave 1, cold-3 in wave 2;
// with 1, one guest a wave.
func offlineDrain(t *testing.T, uris map[string]string, perHost int) *planner.Plan {
	t.Helper()
	sc := readFleet(t, uris).Scenario("moves")
	for i := range sc.Hosts {
		sc.Hosts[i].Labels = map[string]string{planner.StorageLabel: planner.StorageShared}
	}
	pl := planner.New(sc)
	pl.Keep("warm-1", true)
	p, err := pl.Drain([]string{"kvm-move1"}, planner.MoveOptions{MaxOut: perHost, MaxIn: perHost})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := planner.WritePlanFile(path, p); err != nil {
		t.Fatal(err)
	}
	if p, err = planner.ReadPlanFile(path); err != nil {
		t.Fatal(err)
	}
	waves := map[string]int{}
	for _, a := range p.Actions {
		if a.Op == planner.OpMove {
			waves[a.Guest] = a.Move.Wave
		}
	}
	want := map[string]int{"cold-1": 1, "cold-2": 1, "cold-3": 2}
	if perHost == 1 {
		want = map[string]int{"cold-1": 1, "cold-2": 2, "cold-3": 3}
	}
	if diff := cmp.Diff(want, waves); diff != "" {
		t.Fatalf("the drain's waves (-want +got):\n%s", diff)
	}
	return p
}

// moveOptions are apply options over the test's connections.
func moveOptions(t *testing.T, conns map[string]*hypervisor.Conn, journal string) Options {
	return Options{
		Connect:   sharedConns(conns),
		ReadFleet: sharedFleet(conns),
		Journal:   journal,
		Progress:  testWriter{t},
		Moves: MoveOptions{Connect: func(_ context.Context, h planner.HostPlan) (*hypervisor.Conn, func(), error) {
			c, ok := conns[h.Name]
			if !ok {
				return nil, nil, &hypervisor.Error{Kind: hypervisor.KindUnreachable, URI: h.URI, Op: "connect", Msg: "no test connection"}
			}
			return c, func() {}, nil
		}},
	}
}

// sharedFleet re-reads the hosts through the test's connections, as
// live.ReadFleet reads a host (capacity: CPUs and memory; guests: vCPUs,
// memory, berth's metadata).
func sharedFleet(conns map[string]*hypervisor.Conn) FleetReader {
	return func(ctx context.Context, hosts []planner.HostPlan) (*live.Fleet, error) {
		f := &live.Fleet{}
		for _, h := range hosts {
			c := conns[h.Name]
			facts, err := c.HostFacts(ctx)
			if err != nil {
				return nil, err
			}
			doms, err := c.Domains(ctx)
			if err != nil {
				return nil, err
			}
			host := inventory.Host{Name: h.Name, Capacity: inventory.Vector{inventory.CPU: float64(facts.CPUs), inventory.Memory: float64(facts.MemoryTotal)}}
			for _, d := range doms {
				g := inventory.Guest{Name: d.Name, UUID: d.UUID, State: d.State,
					Allocation: inventory.Vector{inventory.CPU: float64(d.VCPUs), inventory.Memory: float64(d.MemoryMax)}}
				if d.Metadata != nil {
					g.PlanID = d.Metadata.PlanID
				}
				host.Guests = append(host.Guests, g)
			}
			f.Hosts = append(f.Hosts, host)
			f.Status = append(f.Status, live.HostStatus{Name: h.Name})
		}
		return f, nil
	}
}

// TestApplyMovesOffline drains the shut-off guests of kvm-move1 in two
// waves: each is defined on kvm-move2 with the plan recorded and gone
// from kvm-move1; the journal has a start and a finish per move; the
// hosts re-read match the plan's after state; a second apply changes
// nothing.
func TestApplyMovesOffline(t *testing.T) {
	uris, conns := moveHosts(t)
	p := offlineDrain(t, uris, 2)
	journal := filepath.Join(t.TempDir(), "plan.json.journal")
	opt := moveOptions(t, conns, journal)
	rep := mustApply(t, p, opt)
	t.Logf("%s", renderText(rep))
	want := map[string]Outcome{"cold-1": OutcomeDone, "cold-2": OutcomeDone, "cold-3": OutcomeDone}
	if diff := cmp.Diff(want, moveOutcomes(rep)); diff != "" {
		t.Fatalf("outcomes (-want +got):\n%s", diff)
	}
	if got := domainNames(t, conns["kvm-move1"]); !cmp.Equal(got, []string{"warm-1"}) {
		t.Errorf("kvm-move1 has %v, want only warm-1", got)
	}
	if got := domainNames(t, conns["kvm-move2"]); !cmp.Equal(got, []string{"cold-1", "cold-2", "cold-3", "resident-1"}) {
		t.Errorf("kvm-move2 has %v", got)
	}
	for _, g := range []string{"cold-1", "cold-2", "cold-3"} {
		d, err := conns["kvm-move2"].LookupDomain(context.Background(), g)
		if err != nil || d == nil || d.Metadata == nil || d.Metadata.PlanID != p.ID || d.Running() {
			t.Errorf("%s on kvm-move2: %+v (%v), want shut off, with plan %s", g, d, err, p.ID)
		}
	}
	if !rep.Moves.AfterChecked || len(rep.Moves.After) != 0 {
		t.Errorf("after state: checked %v, %q", rep.Moves.AfterChecked, rep.Moves.After)
	}
	records, err := ReadJournalFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, r := range records {
		if r.Step != "" {
			events = append(events, r.Guest+" "+string(r.Step)+" "+r.Event)
		}
	}
	wantEvents := []string{
		"cold-1 move-offline started", "cold-2 move-offline started", "cold-1 move-offline finished", "cold-2 move-offline finished",
		"cold-3 move-offline started", "cold-3 move-offline finished",
	}
	if diff := cmp.Diff(sortedWave(wantEvents), sortedWave(events)); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}

	again := mustApply(t, p, opt)
	if again.Changed() || again.Count(OutcomeSkipped) != 3 {
		t.Errorf("the same apply again: %s", renderText(again))
	}
}

// sortedWave sorts journal lines within runs of the same wave (moves of
// one wave run at once, so their records interleave): here, the first
// four lines and the rest.
func sortedWave(lines []string) []string {
	out := append([]string(nil), lines...)
	if len(out) >= 4 {
		slices.Sort(out[:4])
	}
	return out
}

// TestApplyMoveGate: before each wave the hosts are checked; a guest no
// longer where the plan says, or a destination that has no room now,
// stops the wave before any of its moves starts, with the reason; the
// waves before it ran, and the report and the exit code say so.
func TestApplyMoveGate(t *testing.T) {
	for _, tc := range []struct {
		name string
		// change changes the hosts after the plan was made (through the
		// test's connections, which apply uses).
		change func(t *testing.T, conns map[string]*hypervisor.Conn)
		want   map[string]Outcome
		wave   int    // the wave that stops
		reason string // in its reason
	}{
		{
			name: "guest gone",
			change: func(t *testing.T, conns map[string]*hypervisor.Conn) {
				if err := conns["kvm-move1"].UndefineDomain(context.Background(), "cold-3"); err != nil {
					t.Fatal(err)
				}
			},
			want:   map[string]Outcome{"cold-1": OutcomeDone, "cold-2": OutcomeDone, "cold-3": OutcomeFailed},
			wave:   2,
			reason: "cold-3: the guest is on neither kvm-move1 nor kvm-move2, not where the plan says",
		},
		{
			name: "no room",
			change: func(t *testing.T, conns map[string]*hypervisor.Conn) {
				squat := hypervisor.GuestSpec{Name: "squatter", VCPUs: 4, Memory: 24 << 30,
					Template: hypervisor.Template{DomainType: "test"}}
				if err := conns["kvm-move2"].DefineGuest(context.Background(), squat); err != nil {
					t.Fatal(err)
				}
			},
			want:   map[string]Outcome{"cold-1": OutcomeFailed, "cold-2": OutcomeFailed, "cold-3": OutcomeNotAttempted},
			wave:   1,
			reason: "host kvm-move2 has no room for cold-1, cold-2 (cpu: ",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			uris, conns := moveHosts(t)
			p := offlineDrain(t, uris, 2)
			tc.change(t, conns)
			opt := moveOptions(t, conns, filepath.Join(t.TempDir(), "plan.json.journal"))
			opt.Force = true // the re-read sees the change; the gate must stop the wave all the same
			rep := mustApply(t, p, opt)
			text := renderText(rep)
			t.Logf("%s", text)
			if diff := cmp.Diff(tc.want, moveOutcomes(rep)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			var stopped WaveReport
			for _, w := range rep.Moves.Waves {
				if w.Wave == tc.wave {
					stopped = w
				}
			}
			if !strings.Contains(stopped.Stopped, "stopped before any move started") || !strings.Contains(stopped.Stopped, tc.reason) {
				t.Errorf("wave %d: %q, want it stopped: %q", tc.wave, stopped.Stopped, tc.reason)
			}
			if !strings.Contains(text, tc.reason) {
				t.Errorf("the report does not give the reason %q", tc.reason)
			}
			if rep.Complete() {
				t.Error("the report says complete")
			}
		})
	}
}

// TestApplyMoveDryRun: PreflightMoves finds, changing nothing, what the
// real run would: every move can start (exit 0), or the wave that would
// stop and the exit code (1 when nothing would change, 4 when waves before
// it would run).
func TestApplyMoveDryRun(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, conns map[string]*hypervisor.Conn)
		code   int
		stop   string
	}{
		{"clean", func(*testing.T, map[string]*hypervisor.Conn) {}, 0, ""},
		{"guest gone", func(t *testing.T, conns map[string]*hypervisor.Conn) {
			if err := conns["kvm-move1"].UndefineDomain(context.Background(), "cold-3"); err != nil {
				t.Fatal(err)
			}
		}, 4, "cold-3: the guest is on neither"},
		{"no room", func(t *testing.T, conns map[string]*hypervisor.Conn) {
			squat := hypervisor.GuestSpec{Name: "squatter", VCPUs: 4, Memory: 24 << 30, Template: hypervisor.Template{DomainType: "test"}}
			if err := conns["kvm-move2"].DefineGuest(context.Background(), squat); err != nil {
				t.Fatal(err)
			}
		}, 1, "host kvm-move2 has no room for cold-1, cold-2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			uris, conns := moveHosts(t)
			p := offlineDrain(t, uris, 2)
			tc.change(t, conns)
			opt := moveOptions(t, conns, filepath.Join(t.TempDir(), "plan.json.journal"))
			opt.DryRun, opt.Force = true, true
			a, err := Prepare(context.Background(), p, opt)
			if err != nil {
				t.Fatal(err)
			}
			before := domainNames(t, conns["kvm-move2"])
			pf := a.PreflightMoves(context.Background())
			var b strings.Builder
			pf.Render(&b)
			t.Logf("%s", b.String())
			if pf.ExitCode() != tc.code || !strings.Contains(pf.Stop, tc.stop) {
				t.Errorf("exit %d, stop %q; want %d, %q", pf.ExitCode(), pf.Stop, tc.code, tc.stop)
			}
			if got := domainNames(t, conns["kvm-move2"]); !cmp.Equal(got, before) {
				t.Errorf("the dry run changed kvm-move2: %v, was %v", got, before)
			}
			for _, h := range pf.Hosts {
				if len(h.Findings) == 0 || h.Findings[0].Check != hypervisor.CheckReachable {
					t.Errorf("host %s: findings %+v, want reachable first", h.Host, h.Findings)
				}
			}
		})
	}
}

// TestApplyMoveResume: a run dies in the middle of a move (an injected
// crash after cold-1 moved and before the journal knew); the next run
// locates the guest before it acts: on its destination it is done (the
// journal gets its finish, "found"); left defined on both hosts (as an
// offline move that died before undefining its source leaves it), the
// move is finished. Never a copy too many, never none.
func TestApplyMoveResume(t *testing.T) {
	const cold1 = "7b1c2d3e-0000-4000-8000-00000000d001"
	for _, tc := range []struct {
		name string
		// between changes the hosts between the two runs.
		between func(t *testing.T, src, dst *hypervisor.Conn)
		want    Outcome
		note    string // in the journal's last record of cold-1
	}{
		{"moved", func(*testing.T, *hypervisor.Conn, *hypervisor.Conn) {}, OutcomeSkipped, "found: on its destination with this plan's metadata"},
		{"on both", func(t *testing.T, src, dst *hypervisor.Conn) {
			raw, err := dst.Raw().LookupDomainByUUIDString(cold1)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := raw.GetXMLDesc(libvirt.DOMAIN_XML_INACTIVE)
			raw.Free()
			if err != nil {
				t.Fatal(err)
			}
			d, err := src.Raw().DomainDefineXML(doc)
			if err != nil {
				t.Fatal(err)
			}
			d.Free()
			if state, _ := hypervisor.LocateMove(context.Background(), cold1, src, dst); state != hypervisor.MoveOnBoth {
				t.Fatalf("set-up: cold-1 is %v, want on both", state)
			}
		}, OutcomeDone, "it was defined on both hosts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			uris, conns := moveHosts(t)
			src, dst := conns["kvm-move1"], conns["kvm-move2"]
			p := offlineDrain(t, uris, 1)
			journal := filepath.Join(t.TempDir(), "plan.json.journal")
			opt := moveOptions(t, conns, journal)
			// Run 1 dies before its 3rd record (begin, cold-1 started,
			// then cold-1 finished): cold-1 has moved.
			opt.crashAt = 3
			if _, err := applyPlan(t, p, opt); !errors.Is(err, errCrashed) {
				t.Fatalf("run 1: %v, want the injected crash", err)
			}
			tc.between(t, src, dst)
			opt.crashAt = 0
			rep := mustApply(t, p, opt)
			t.Logf("%s", renderText(rep))
			want := map[string]Outcome{"cold-1": tc.want, "cold-2": OutcomeDone, "cold-3": OutcomeDone}
			if diff := cmp.Diff(want, moveOutcomes(rep)); diff != "" {
				t.Fatalf("outcomes (-want +got):\n%s", diff)
			}
			if got := domainNames(t, src); !cmp.Equal(got, []string{"warm-1"}) {
				t.Errorf("kvm-move1 has %v, want only warm-1", got)
			}
			if got := domainNames(t, dst); !cmp.Equal(got, []string{"cold-1", "cold-2", "cold-3", "resident-1"}) {
				t.Errorf("kvm-move2 has %v", got)
			}
			records, _ := ReadJournalFile(journal)
			if last := lastMoveRecord(records, "cold-1"); last.Event != EventFinished || last.Run != 2 || !strings.Contains(last.Note, tc.note) {
				t.Errorf("cold-1's last record: %+v, want finished in run 2, %q", last, tc.note)
			}
		})
	}
}

// TestApplyMoveLiveRefused: the test driver cannot migrate a running
// guest; the move fails with libvirt's words, the guest stays on its
// source, and nothing of it is left on the destination.
func TestApplyMoveLiveRefused(t *testing.T) {
	uris, conns := moveHosts(t)
	sc := readFleet(t, uris).Scenario("moves")
	pl := planner.New(sc)
	for _, g := range []string{"cold-1", "cold-2", "cold-3"} {
		pl.Keep(g, true)
	}
	p, err := pl.Drain([]string{"kvm-move1"}, planner.MoveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	opt := moveOptions(t, conns, filepath.Join(t.TempDir(), "plan.json.journal"))
	// The test host's name resolves to loopback, which the checks refuse
	// as where the memory goes: a migration URI of its own.
	opt.Moves.Route = func(h planner.HostPlan) MoveRoute {
		return MoveRoute{URI: uris[h.Name], MigrationURI: "tcp://192.0.2.10"}
	}
	rep := mustApply(t, p, opt)
	t.Logf("%s", renderText(rep))
	r := rep.Results[len(rep.Results)-1]
	if r.Action.Guest != "warm-1" || r.Outcome != OutcomeFailed || !strings.Contains(r.Detail, "still on its source kvm-move1") {
		t.Errorf("warm-1: %+v, want failed, still on its source", r)
	}
	if got := domainNames(t, conns["kvm-move2"]); !cmp.Equal(got, []string{"resident-1"}) {
		t.Errorf("kvm-move2 has %v, want only resident-1", got)
	}
}

// TestMovedBack: the staleness check puts the guests the plan moves back
// where it found them, so that moves an earlier run made are no change,
// while any other change still is.
func TestMovedBack(t *testing.T) {
	p := &planner.Plan{Actions: []planner.Action{
		{Op: planner.OpKeep, Guest: "stay", Host: "a", Allocation: inventory.Vector{inventory.CPU: 1}},
		{Op: planner.OpMove, Guest: "go", Host: "b", Allocation: inventory.Vector{inventory.CPU: 2}, Move: &planner.MoveStep{From: "a", Wave: 1}},
	}}
	a := planner.HostPlan{Name: "a", Existing: []string{"stay", "go"}}
	b := planner.HostPlan{Name: "b", Existing: []string{}}
	stay := inventory.Guest{Name: "stay", Allocation: inventory.Vector{inventory.CPU: 1}}
	moved := inventory.Guest{Name: "go", Allocation: inventory.Vector{inventory.CPU: 2}, PlanID: "x"}
	extra := inventory.Guest{Name: "extra", Allocation: inventory.Vector{inventory.CPU: 1}}
	names := func(gs []inventory.Guest) []string {
		var out []string
		for _, g := range gs {
			out = append(out, g.Name)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		h    planner.HostPlan
		now  []inventory.Guest
		want []string
	}{
		{"source before the move", a, []inventory.Guest{stay, moved}, []string{"stay", "go"}},
		{"source after the move", a, []inventory.Guest{stay}, []string{"stay", "go"}},
		{"destination after the move", b, []inventory.Guest{moved}, nil},
		{"destination with another guest", b, []inventory.Guest{moved, extra}, []string{"extra"}},
	} {
		if got := names(movedBack(p, tc.h, tc.now)); !cmp.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
