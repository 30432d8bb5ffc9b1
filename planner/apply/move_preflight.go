package apply

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/planner"
)

// MoveFinding is one thing PreflightMoves found about a host of the plan's
// moves.
type MoveFinding struct {
	// Host is the plan's name of the host the finding is about; Guest and
	// Wave the move it is about ("" and 0 for the host itself).
	Host  string
	Guest string
	Wave  int
	Check hypervisor.PreflightCheck
	hypervisor.Verdict
	Detail string
}

// MovePreflight is what PreflightMoves found, per host, and the wave at
// which the real run would stop.
type MovePreflight struct {
	// Hosts are the hosts the moves touch, in plan order, with their URIs
	// (masked) and findings.
	Hosts []HostFindings
	// StopWave is the first wave that would not run (0: none would stop)
	// and Stop why.
	StopWave int
	Stop     string
	// Done counts the moves found done already (an earlier run).
	Done int
	// firstToDo is the first wave with a move still to make.
	firstToDo int
}

// HostFindings are the findings about one host.
type HostFindings struct {
	Host, URI string
	Findings  []MoveFinding
}

// ExitCode is the exit code the real run would have, as far as the moves
// go: 0 when every check passes (or only warns), 1 when the first wave
// with something to do would stop before anything changed, 4 when a later
// wave would (a partial apply).
func (p *MovePreflight) ExitCode() int {
	switch {
	case p.StopWave == 0:
		return 0
	case p.StopWave <= p.firstToDo && p.Done == 0:
		return 1
	}
	return 4
}

// PreflightMoves checks, changing nothing, every prerequisite of the
// plan's moves it can on every host they touch: the hosts answer; each
// guest is where the plan says (or already where it goes); for each move
// whose guest is on its source now, what hypervisor.PreflightMove checks
// (the destination's CPUs and free memory now, its migration URIs, the
// disks); and, wave by wave, that each destination has room in the
// plan's terms once the waves before have run.
func (a *Apply) PreflightMoves(ctx context.Context) *MovePreflight {
	out := &MovePreflight{}
	if a.moves.count() == 0 {
		return out
	}
	r := &movesRun{a: a, logs: moveLogs(a.journal.History()), hostByName: map[string]planner.HostPlan{},
		demand: demandByGuest(a.plan), policy: planner.PolicyFromView(a.plan.Policy), dryRun: true,
		p: newMoveProgress(nil, nil, &a.moves)}
	hosts := a.moves.hosts(a.plan)
	index := map[string]int{}
	for i, h := range hosts {
		r.hostByName[h.Name] = h
		index[h.Name] = i
		out.Hosts = append(out.Hosts, HostFindings{Host: h.Name, URI: hypervisor.MaskURI(a.opt.Moves.route(h).URI)})
	}
	var mu sync.Mutex
	add := func(f MoveFinding) {
		mu.Lock()
		defer mu.Unlock()
		hf := &out.Hosts[index[f.Host]]
		hf.Findings = append(hf.Findings, f)
		if f.Verdict == hypervisor.Fail && (out.StopWave == 0 || f.Wave < out.StopWave) {
			out.StopWave, out.Stop = f.Wave, f.Host+": "+f.Detail
		}
	}
	conns := newHostConns(r)
	defer conns.close()
	for _, h := range hosts {
		first := a.moves.firstWaveOf(h.Name)
		c, err := conns.open(h.Name)
		if err != nil {
			add(MoveFinding{Host: h.Name, Wave: first, Check: hypervisor.CheckReachable, Verdict: hypervisor.Fail, Detail: err.Error()})
			continue
		}
		bc, cancel := r.bound(ctx)
		f, err := c.HostFacts(bc)
		cancel()
		if err != nil {
			add(MoveFinding{Host: h.Name, Wave: first, Check: hypervisor.CheckReachable, Verdict: hypervisor.Fail, Detail: err.Error()})
			continue
		}
		add(MoveFinding{Host: h.Name, Check: hypervisor.CheckReachable, Verdict: hypervisor.Pass,
			Detail: fmt.Sprintf("libvirt %s, %s %s on %s", f.LibvirtVersion, f.Hypervisor, f.HypervisorVersion, f.Hostname)})
	}
	done := r.preflightGuests(ctx, conns, out, add)
	r.simulateRoom(ctx, conns, done, add)
	return out
}

// preflightGuests locates each move's guest and, for the moves whose
// guest is on its source now, runs hypervisor.PreflightMove. It returns
// the moves found done already.
func (r *movesRun) preflightGuests(ctx context.Context, conns *hostConns, out *MovePreflight, add func(MoveFinding)) map[int]bool {
	done := map[int]bool{}
	for _, m := range r.a.moves.all() {
		src, dst := conns.get(m.from.Name), conns.get(m.to.Name)
		if src == nil || dst == nil {
			continue
		}
		note := func(host string, v hypervisor.Verdict, check hypervisor.PreflightCheck, detail string) {
			if !strings.HasPrefix(detail, "guest "+m.guest()+" ") {
				detail = m.guest() + ": " + detail
			}
			add(MoveFinding{Host: host, Guest: m.guest(), Wave: m.wave(), Check: check, Verdict: v, Detail: detail})
		}
		if m.hop > 0 && r.earlierNotDone(m, done) {
			note(m.from.Name, hypervisor.Warn, hypervisor.CheckGuest, fmt.Sprintf("reaches %s by an earlier move of this plan first: checked when that move has run", m.from.Name))
			continue
		}
		g := r.locate(ctx, m, src, dst, conns.open)
		switch {
		case g.movedOn != "" || g.state == hypervisor.MoveOnDestination:
			done[m.i] = true
			out.Done++
			note(m.to.Name, hypervisor.Pass, hypervisor.CheckGuest, "already on "+m.to.Name+" or beyond (moved earlier): nothing to do")
			continue
		case g.state != hypervisor.MoveOnSource:
			why := "the guest is " + g.where(m) + ", not where the plan says"
			if g.err != nil {
				why = "cannot be located: " + g.err.Error()
			}
			note(m.from.Name, hypervisor.Fail, hypervisor.CheckGuest, why)
			continue
		}
		if out.firstToDo == 0 || m.wave() < out.firstToDo {
			out.firstToDo = m.wave()
		}
		bc, cancel := r.bound(ctx)
		live := g.s[0].Runs()
		p := hypervisor.PreflightMove(bc, g.uuid, src, dst, r.a.opt.Moves.migrateOptions(m.to, m.copyStorage() && live, ""))
		cancel()
		for _, f := range p {
			if f.Check == hypervisor.CheckReachable {
				continue // once per host, above
			}
			host := m.to.Name
			if f.Host == src.URI() {
				host = m.from.Name
			}
			note(host, f.Verdict, f.Check, f.Detail)
		}
	}
	return done
}

// earlierNotDone reports whether an earlier move of m's guest is still to
// make (then m cannot be checked yet).
func (r *movesRun) earlierNotDone(m *moveWork, done map[int]bool) bool {
	for _, o := range r.a.moves.all() {
		if o.guest() == m.guest() && o.hop < m.hop && !done[o.i] {
			return true
		}
	}
	return false
}

// simulateRoom checks each wave's destinations in the plan's terms, from
// the hosts' guests now, the waves before it counted as run.
func (r *movesRun) simulateRoom(ctx context.Context, conns *hostConns, done map[int]bool, add func(MoveFinding)) {
	loads := map[string]*hostLoad{}
	for name := range r.hostByName {
		c := conns.get(name)
		if c == nil {
			continue
		}
		bc, cancel := r.bound(ctx)
		l, err := r.loadOn(bc, r.hostByName[name], c)
		cancel()
		if err == nil {
			loads[name] = l
		}
	}
	for _, w := range r.a.moves.waves {
		arriving := map[string][]*moveWork{}
		var dests []string
		for _, m := range w.moves {
			if done[m.i] {
				continue
			}
			if arriving[m.to.Name] == nil {
				dests = append(dests, m.to.Name)
			}
			arriving[m.to.Name] = append(arriving[m.to.Name], m)
		}
		for _, d := range dests {
			l := loads[d]
			if l == nil {
				continue
			}
			if why := l.fits(r.hostByName[d], arriving[d]); why != "" {
				add(MoveFinding{Host: d, Wave: w.n, Check: hypervisor.CheckRoom, Verdict: hypervisor.Fail, Detail: fmt.Sprintf("wave %d: %s", w.n, why)})
			} else {
				add(MoveFinding{Host: d, Wave: w.n, Check: hypervisor.CheckRoom, Verdict: hypervisor.Pass,
					Detail: fmt.Sprintf("wave %d: room for %s in the plan's terms", w.n, guestNames(arriving[d]))})
			}
		}
		for _, ms := range arriving {
			for _, m := range ms {
				if l := loads[m.to.Name]; l != nil {
					l.charge, l.guests = l.charge.Add(m.act.Demand), l.guests+1
				}
				if l := loads[m.from.Name]; l != nil {
					l.charge, l.guests = l.charge.Sub(m.act.Demand), l.guests-1
				}
			}
		}
	}
}

// Render writes the findings per host, then what the real run would do.
func (p *MovePreflight) Render(w io.Writer) {
	if len(p.Hosts) == 0 {
		return
	}
	fmt.Fprintln(w, "\nChecks of the moves (nothing was changed):")
	for _, h := range p.Hosts {
		fmt.Fprintf(w, "  %s (%s):\n", h.Host, h.URI)
		for _, f := range h.Findings {
			fmt.Fprintf(w, "    %-4s  %-13s  %s\n", f.Verdict, f.Check, f.Detail)
		}
	}
	switch p.ExitCode() {
	case 0:
		fmt.Fprintln(w, "Every move can start (exit code 0).")
	case 1:
		fmt.Fprintf(w, "Wave %d would stop before any move starts, so nothing would change (exit code 1): %s\n", p.StopWave, p.Stop)
	default:
		fmt.Fprintf(w, "Wave %d would stop, after the moves before it (exit code 4, partially applied): %s\n", p.StopWave, p.Stop)
	}
}
