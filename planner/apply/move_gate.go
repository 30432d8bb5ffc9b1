package apply

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/berth-dev/berth/hypervisor"
)

// Before each wave the hosts it touches are looked at again, changing
// nothing but what a resume finishes: each guest is located by UUID on
// both hosts of its move (and a guest an earlier run moved is recorded as
// done), and the moves still to make are checked as --dry-run checks them
// (hypervisor.PreflightMove: the hosts answer, the guest is on its source
// only, the destination has the CPUs and free memory, the migration URIs
// resolve, the disks are there or can be copied), then each destination's
// room in the plan's own terms (move_room.go). If anything fails, no move
// of the wave starts: the wave stops with the reason.

// moveTask is a move the checks found still to make: its guest on its
// source, running (a live migration) or shut off (offline).
type moveTask struct {
	m        *moveWork
	g        *sighted
	live     bool
	src, dst *hypervisor.Conn
	// note says what the check found that the journal should keep (a
	// resumed move's guest found still on its source).
	note string
}

// waveCheck is what the checks before a wave found.
type waveCheck struct {
	tasks []*moveTask
	// problems are the moves that stop the wave, with why.
	problems map[int]string
	// stop sums the problems up ("" = the wave runs).
	stop string
}

func (c *waveCheck) fail(m *moveWork, why string) {
	if c.problems == nil {
		c.problems = map[int]string{}
	}
	if old := c.problems[m.i]; old != "" {
		why = old + "; " + why
	}
	c.problems[m.i] = why
}

// gate checks wave w over conns, the connections to its hosts (a host
// that could not be connected to stops the wave: hostConns.unreachable
// says why).
func (r *movesRun) gate(ctx context.Context, w moveWave, conns *hostConns) *waveCheck {
	out := &waveCheck{}
	found := make([]*sighted, len(w.moves))
	var wg sync.WaitGroup
	for k, m := range w.moves {
		src, dst := conns.get(m.from.Name), conns.get(m.to.Name)
		if src == nil || dst == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			found[k] = r.locate(ctx, m, src, dst, conns.open)
		}()
	}
	wg.Wait()
	for k, m := range w.moves {
		if why := conns.unreachable(m.from.Name, m.to.Name); why != "" {
			out.fail(m, why)
			continue
		}
		r.sort(ctx, m, found[k], conns, out)
	}
	if len(out.problems) == 0 {
		r.preflight(ctx, out)
	}
	if len(out.problems) == 0 {
		for m, why := range r.roomCheck(ctx, out.tasks) {
			out.fail(m, why)
		}
	}
	if len(out.problems) > 0 {
		var reasons []string
		for _, m := range w.moves {
			if why := out.problems[m.i]; why != "" {
				reasons = append(reasons, m.guest()+": "+why)
			}
		}
		out.stop = strings.Join(reasons, "; ")
	}
	return out
}

// sort files m by where its guest was found: a task (on its source), done
// (on its destination, or moved on by a later move), or a problem.
func (r *movesRun) sort(ctx context.Context, m *moveWork, g *sighted, conns *hostConns, out *waveCheck) {
	switch {
	case g.movedOn != "":
		r.foundMovedOn(m, g)
	case g.state == hypervisor.MoveOnDestination:
		r.foundDone(ctx, m, g, conns.get(m.to.Name))
	case g.state == hypervisor.MoveOnSource:
		t := &moveTask{m: m, g: g, live: g.s[0].Runs(), src: conns.get(m.from.Name), dst: conns.get(m.to.Name)}
		if l := r.logs[m.i]; l.unsettled() {
			t.note = fmt.Sprintf("located first: run %d got no answer, and the guest is still on its source", l.run)
		}
		if g.settled != "" {
			t.note = strings.TrimPrefix(t.note+"; "+g.settled, "; ")
		}
		out.tasks = append(out.tasks, t)
	case g.err != nil && g.state == hypervisor.MoveUnknown:
		out.fail(m, "cannot be located: "+g.err.Error())
	case g.err != nil:
		out.fail(m, "the guest is "+g.where(m)+" and could not be settled: "+g.err.Error())
	default:
		out.fail(m, "the guest is "+g.where(m)+", not where the plan says")
	}
}

// preflight runs hypervisor.PreflightMove for each task; a failed check
// stops the wave, a warning is shown.
func (r *movesRun) preflight(ctx context.Context, out *waveCheck) {
	for _, t := range out.tasks {
		c, cancel := r.bound(ctx)
		p := hypervisor.PreflightMove(c, t.g.uuid, t.src, t.dst, r.a.opt.Moves.migrateOptions(t.m.to, t.m.copyStorage() && t.live, ""))
		cancel()
		for _, f := range p {
			host := t.m.to.Name
			if f.Host == t.src.URI() {
				host = t.m.from.Name
			}
			switch f.Verdict {
			case hypervisor.Fail:
				out.fail(t.m, fmt.Sprintf("%s: %s: %s", host, f.Check, f.Detail))
			case hypervisor.Warn:
				r.p.moveLine(t.m, fmt.Sprintf("warning: %s: %s: %s", host, f.Check, f.Detail))
			}
		}
	}
}

// hostConns are the connections of one wave, by host name, opened on
// first use and released when the wave ends.
type hostConns struct {
	r *movesRun

	mu      sync.Mutex
	conns   map[string]*hypervisor.Conn
	errs    map[string]error
	release []func()
}

func newHostConns(r *movesRun) *hostConns {
	return &hostConns{r: r, conns: map[string]*hypervisor.Conn{}, errs: map[string]error{}}
}

// connect opens the hosts of wave w, in parallel.
func (h *hostConns) connect(ctx context.Context, w moveWave) {
	var wg sync.WaitGroup
	seen := map[string]bool{}
	for _, m := range w.moves {
		for _, name := range []string{m.from.Name, m.to.Name} {
			if seen[name] {
				continue
			}
			seen[name] = true
			wg.Add(1)
			go func() {
				defer wg.Done()
				h.open(name)
			}()
		}
	}
	wg.Wait()
}

// open returns the connection to the named host, opening it if need be.
func (h *hostConns) open(name string) (*hypervisor.Conn, error) {
	h.mu.Lock()
	if c := h.conns[name]; c != nil {
		h.mu.Unlock()
		return c, nil
	}
	if err := h.errs[name]; err != nil {
		h.mu.Unlock()
		return nil, err
	}
	h.mu.Unlock()
	host, ok := h.r.hostByName[name]
	if !ok {
		return nil, fmt.Errorf("host %s is not in the plan", name)
	}
	ctx, cancel := h.r.bound(context.Background())
	defer cancel()
	c, release, err := h.r.a.opt.Moves.connect(ctx, host)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.errs[name] = err
		return nil, err
	}
	if old := h.conns[name]; old != nil { // opened twice at once
		release()
		return old, nil
	}
	h.conns[name] = c
	h.release = append(h.release, release)
	return c, nil
}

func (h *hostConns) get(name string) *hypervisor.Conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.conns[name]
}

// unreachable says why a host of names could not be connected to.
func (h *hostConns) unreachable(names ...string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range names {
		if err := h.errs[n]; err != nil {
			return "host " + n + " cannot be reached: " + err.Error()
		}
	}
	return ""
}

func (h *hostConns) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, f := range h.release {
		f()
	}
	h.release, h.conns = nil, map[string]*hypervisor.Conn{}
}
