package apply

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

// movesRun is one run of a plan's moves.
type movesRun struct {
	a          *Apply
	logs       map[int]*moveLog
	hostByName map[string]planner.HostPlan
	demand     map[string]inventory.Vector
	policy     inventory.Policy
	p          *moveProgress
	// dryRun: locate without waiting for a guest between two hosts, and
	// without settling one left on both (--dry-run changes nothing).
	dryRun bool

	mu      sync.Mutex
	results map[int]*ActionResult
	rep     *MovesReport
}

// runMoves carries out the plan's moves, wave by wave, appending their
// results to rep. It returns why the plan's creates must not run after
// them ("" when every move is on its destination): a wave stopped, a move
// failed or was interrupted, or apply was interrupted.
func (a *Apply) runMoves(ctx context.Context, rep *Report) (blocked string) {
	if a.moves.count() == 0 {
		return ""
	}
	r := &movesRun{a: a, logs: moveLogs(a.journal.History()), hostByName: map[string]planner.HostPlan{},
		demand: demandByGuest(a.plan), policy: planner.PolicyFromView(a.plan.Policy),
		results: map[int]*ActionResult{}, rep: &MovesReport{}}
	for _, h := range a.plan.Hosts {
		r.hostByName[h.Name] = h
	}
	r.p = newMoveProgress(a.opt.Progress, a.opt.Watch, &a.moves)
	for _, m := range a.moves.all() {
		r.results[m.i] = &ActionResult{Index: m.i, Action: m.act, Outcome: OutcomeNotAttempted}
	}
	rep.Moves = r.rep
	defer func() {
		for _, m := range a.moves.all() {
			rep.Results = append(rep.Results, *r.results[m.i])
		}
	}()
	for k, w := range a.moves.waves {
		if blocked = r.wave(ctx, w); blocked != "" {
			for _, later := range a.moves.waves[k+1:] {
				r.rep.Waves = append(r.rep.Waves, WaveReport{Wave: later.n, Moves: len(later.moves), Stopped: fmt.Sprintf("not started: wave %d did not complete", w.n)})
				for _, m := range later.moves {
					r.results[m.i].Detail = "wave " + fmt.Sprint(w.n) + " did not complete"
				}
			}
			return fmt.Sprintf("the moves did not all run (wave %d: %s)", w.n, blocked)
		}
	}
	return ""
}

// wave runs one wave: connect its hosts, check them, then run its moves
// in parallel within the plan's limits. It returns why the next wave
// must not start ("" when every move of this one is on its destination).
func (r *movesRun) wave(ctx context.Context, w moveWave) string {
	start := time.Now()
	wr := WaveReport{Wave: w.n, Moves: len(w.moves)}
	defer func() {
		wr.Elapsed = time.Since(start)
		r.rep.Waves = append(r.rep.Waves, wr)
	}()
	if ctx.Err() != nil || r.a.journal.stopped() != nil {
		wr.Stopped = "apply was interrupted first"
		r.notAttempted(w, wr.Stopped)
		return wr.Stopped
	}
	r.p.waveStarted(w)
	conns := newHostConns(r)
	defer conns.close()
	conns.connect(ctx, w)
	check := r.gate(ctx, w, conns)
	wr.Checked = time.Since(start)
	if ctx.Err() != nil {
		// Interrupted while the hosts were checked (waiting for a guest
		// between two hosts, perhaps): nothing of this wave was started.
		wr.Stopped = "apply was interrupted before its moves started"
		r.notAttempted(w, wr.Stopped)
		r.p.waveEnded(w, wr.Stopped)
		return wr.Stopped
	}
	if check.stop != "" {
		wr.Stopped = "stopped before any move started: " + check.stop
		for _, m := range w.moves {
			switch why, ok := check.problems[m.i]; {
			case ok:
				r.setResult(m, ActionResult{Outcome: OutcomeFailed, Error: why, Detail: "wave stopped before its moves started"})
			case r.results[m.i].Outcome == OutcomeNotAttempted:
				r.setResult(m, ActionResult{Outcome: OutcomeNotAttempted, Detail: fmt.Sprintf("wave %d stopped before its moves started", w.n)})
			}
		}
		r.p.waveEnded(w, wr.Stopped)
		return check.stop
	}
	r.runTasks(ctx, check.tasks)
	var unfinished []string
	for _, m := range w.moves {
		if res := r.results[m.i]; res.Outcome != OutcomeDone && res.Outcome != OutcomeSkipped {
			unfinished = append(unfinished, fmt.Sprintf("%s %s", m.guest(), res.Outcome))
		}
	}
	if len(unfinished) > 0 {
		wr.Stopped = fmt.Sprintf("not every move ended on its destination: %s", planner.JoinAnd(unfinished))
	}
	r.p.waveEnded(w, wr.Stopped)
	return wr.Stopped
}

// notAttempted gives the moves of w nobody touched why.
func (r *movesRun) notAttempted(w moveWave, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range w.moves {
		if res := r.results[m.i]; res.Outcome == OutcomeNotAttempted && res.Detail == "" {
			res.Detail = why
		}
	}
}

// runTasks runs the wave's moves at once, each when its source has a
// free migration out and its destination one in (the plan's limits;
// the plan's waves keep them already, this makes sure).
func (r *movesRun) runTasks(ctx context.Context, tasks []*moveTask) {
	out, in := map[string]chan struct{}{}, map[string]chan struct{}{}
	for _, t := range tasks {
		if out[t.m.from.Name] == nil {
			out[t.m.from.Name] = make(chan struct{}, r.a.moves.maxOut)
		}
		if in[t.m.to.Name] == nil {
			in[t.m.to.Name] = make(chan struct{}, r.a.moves.maxIn)
		}
	}
	var wg sync.WaitGroup
	for _, t := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Out first, then in: a move holding a slot out never waits
			// on one holding a slot in without running.
			for _, sem := range []chan struct{}{out[t.m.from.Name], in[t.m.to.Name]} {
				if ctx.Err() != nil {
					r.setResult(t.m, ActionResult{Outcome: OutcomeNotAttempted, Detail: "apply was interrupted first"})
					return
				}
				select {
				case sem <- struct{}{}:
					defer func() { <-sem }()
				case <-ctx.Done():
					r.setResult(t.m, ActionResult{Outcome: OutcomeNotAttempted, Detail: "apply was interrupted first"})
					return
				}
			}
			res := r.move(ctx, t)
			r.setResult(t.m, res)
		}()
	}
	wg.Wait()
}

// setResult records m's outcome and tells the display.
func (r *movesRun) setResult(m *moveWork, res ActionResult) {
	res.Index, res.Action = m.i, m.act
	r.mu.Lock()
	*r.results[m.i] = res
	r.mu.Unlock()
	r.p.moveDone(m, &res)
}
