package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/planner"
)

// Run applies the plan: the hosts in parallel (at most Parallel at once),
// each host's create actions one after the other in plan order. Every step
// is journaled before and after it changes a host; a create that fails is
// rolled back; when ctx ends, each host finishes the step it is in and
// stops, leaving the rest to a later run. The report lists every action;
// the error is non-nil only when the journal could not be written, or when
// the hosts lack what the templates need (Missing: then nothing is done).
func (a *Apply) Run(ctx context.Context) (*Report, error) {
	defer a.Close()
	if a.Missing != nil {
		return nil, a.Missing
	}
	if a.Refused != nil {
		return nil, a.Refused
	}
	start := time.Now()
	rep := &Report{Plan: a.plan.ID, Journal: a.journal.Path(), Run: a.journal.Run(), Kept: a.kept}
	results := map[int]*ActionResult{}
	for _, w := range a.hosts {
		for _, i := range w.work() {
			results[i] = &ActionResult{Index: i, Action: a.plan.Actions[i], Outcome: OutcomeNotAttempted}
		}
	}
	note := fmt.Sprintf("%d create actions on %d hosts", len(results)-a.removals(), len(a.hosts))
	if n := a.removals(); n > 0 {
		note = fmt.Sprintf("%d create and %d remove actions on %d hosts", len(results)-n, n, len(a.hosts))
	}
	if err := a.journal.Write(Record{Event: EventBegin, Note: note + a.moves.beginNote()}); err != nil {
		return nil, err
	}
	if blocked := a.runMoves(ctx, rep); blocked != "" {
		return a.endBlocked(rep, results, blocked, start)
	}
	parallel := a.opt.Parallel
	if parallel <= 0 {
		parallel = 4
	}
	p := newProgress(a.opt.Progress, a.opt.Watch, a.hosts)
	p.queued(a.hosts)
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, w := range a.hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				p.finished(w.host.Name, "not started: apply was interrupted")
				return
			}
			defer func() { <-sem }()
			a.runHost(ctx, w, results, p)
		}()
	}
	wg.Wait()
	for _, w := range a.hosts {
		for _, i := range w.work() {
			r := results[i]
			if r.Outcome == OutcomeNotAttempted && r.Detail == "" && ctx.Err() != nil {
				r.Detail = "apply was interrupted first"
			}
			rep.Results = append(rep.Results, *r)
		}
	}
	a.checkAfter(ctx, rep)
	rep.Elapsed = time.Since(start)
	if err := a.journal.stopped(); err != nil {
		return rep, err
	}
	return rep, a.journal.Write(Record{Event: EventEnd, Note: rep.counts()})
}

// runHost works through one host's actions.
func (a *Apply) runHost(ctx context.Context, w hostWork, results map[int]*ActionResult, p *progress) {
	ended := "finished"
	defer func() {
		if ended == "finished" && ctx.Err() != nil {
			ended = "stopped: apply was interrupted"
		}
		p.finished(w.host.Name, ended)
	}()
	p.line(w.host.Name, "", "connecting")
	hv, release, err := a.opt.Connect(ctx, w.host)
	if err != nil {
		ended = "cannot connect: " + err.Error()
		for _, i := range w.work() {
			results[i].Outcome = OutcomeFailed
			results[i].Error = ended
			p.done(w.host.Name, results[i])
		}
		return
	}
	defer release()
	work := w.work()
	for n, i := range work {
		if ctx.Err() != nil || a.journal.stopped() != nil {
			ended = "stopped: apply was interrupted"
			return
		}
		var lost bool
		if a.plan.Actions[i].Op == planner.OpRemove {
			r := a.newRemoval(hv, i, w.host.Name, p)
			*results[i] = r.run(ctx)
			lost = r.lost
		} else {
			r := &creation{a: a, hv: hv, i: i, host: w.host.Name, spec: a.spec(i), tmpl: a.template(i), p: p, log: a.logs[i]}
			if r.log == nil {
				r.log = &actionLog{steps: map[Step]stepState{}}
			}
			*results[i] = r.run(ctx)
			lost = r.lost
		}
		p.done(w.host.Name, results[i])
		if lost {
			for _, j := range work[n+1:] {
				results[j].Detail = "host " + w.host.Name + " stopped answering"
			}
			ended = "stopped: the host stopped answering"
			return
		}
	}
}

// work is the host's actions in the order they run: removals, then
// creates.
func (w hostWork) work() []int {
	return append(append([]int(nil), w.removes...), w.actions...)
}

// creation is one create action being applied.
type creation struct {
	a    *Apply
	hv   Hypervisor
	i    int
	host string
	spec hypervisor.GuestSpec
	tmpl GuestTemplate
	log  *actionLog
	p    *progress

	did    []string // what this run changed, in words
	undone []string // what the rollback took back, in words
	undo   bool     // rolling back
	// resumed is set when an earlier run got part of the way.
	resumed bool
	// unchecked is set when the rollback could not look the domain up.
	unchecked bool
	// lost is set when the host stopped answering: a call of the rollback
	// could not reach it, or its first, a mere look-up, got no answer in
	// time.
	lost bool
}

// errInterrupted stops an action between steps when apply is interrupted.
var errInterrupted = errors.New("interrupted")

func (c *creation) run(ctx context.Context) ActionResult {
	res := ActionResult{Index: c.i, Action: c.a.plan.Actions[c.i]}
	detail, err := c.forward(ctx)
	switch {
	case err == nil && len(c.did) == 0:
		res.Outcome, res.Detail = OutcomeSkipped, detail
	case err == nil:
		res.Outcome, res.Detail, res.Changed = OutcomeDone, strings.Join(c.did, ", "), true
		if c.resumed {
			res.Detail = "resumed: " + res.Detail
		}
	case c.a.journal.stopped() != nil:
		res.Outcome, res.Detail = OutcomeInterrupted, "stopped: the journal cannot be written; run apply again to resume"
		res.Changed = len(c.did) > 0
	case errors.Is(err, errInterrupted):
		res.Outcome = OutcomeInterrupted
		res.Detail = "stopped between steps; run apply again to resume"
		if len(c.did) > 0 {
			res.Detail = strings.Join(c.did, ", ") + "; " + res.Detail
		}
		res.Changed = len(c.did) > 0
	default:
		c.fail(ctx, err, &res)
	}
	return res
}

// fail rolls back the action that failed with err and says how it ended:
// failed (and rolled back, or with what was left on the host), or
// interrupted when the host stopped answering half-way, so that neither
// the create nor its rollback could finish.
func (c *creation) fail(ctx context.Context, err error, res *ActionResult) {
	res.Outcome, res.Error = OutcomeFailed, err.Error()
	left, rbErr := c.rollback(ctx)
	c.lost = hostLost(rbErr) || c.unchecked && unanswered(rbErr)
	switch {
	case c.a.journal.stopped() != nil:
		res.Outcome, res.Detail = OutcomeInterrupted, "stopped while rolling back: the journal cannot be written; run apply again to resume"
		res.Changed = true
	case c.lost && unanswered(err):
		// Cut off half-way, and the rollback could not reach the host
		// either: nothing is wrong with the guest, it is unfinished.
		// The journal says which steps may have been done; the next
		// run checks them against libvirt.
		res.Outcome, res.Error = OutcomeInterrupted, c.lostText(err)
		res.Detail = "host " + c.host + " stopped answering"
		if len(c.undone) > 0 {
			res.Detail += "; rolled back: " + strings.Join(c.undone, ", ")
		}
		if len(left) > 0 {
			res.Detail += "; may be left on it: " + strings.Join(left, ", ")
		}
		res.Detail += "; run apply again to resume: it checks what is on the host"
		res.Changed = len(c.did) > 0 || len(left) > 0
	case c.lost:
		res.Detail = "host " + c.host + " stopped answering during the rollback (" + c.lostText(rbErr) + ")"
		if len(left) > 0 {
			res.Detail += "; may be left on it: " + strings.Join(left, ", ")
		}
		res.Detail += "; run apply again: it checks what is on the host"
		res.Changed = len(c.did) > 0 || len(left) > 0
	case rbErr != nil:
		res.Detail = "rollback failed, left on the host: " + strings.Join(left, ", ") + " (" + rbErr.Error() + ")"
		res.Changed = true
	case len(c.undone) > 0:
		res.Detail = "rolled back: " + strings.Join(c.undone, ", ")
	}
}

// forward brings the host to the action's end state, from whatever the
// journal and libvirt say it is in now: a domain already there is adopted
// (if this plan made it), else the guest is created; then it is started.
// The string says why nothing was done when nothing was.
func (c *creation) forward(ctx context.Context) (string, error) {
	for _, st := range c.log.steps {
		c.resumed = c.resumed || st != stepNone
	}
	dom, err := c.lookup(ctx)
	if err != nil {
		return "", err
	}
	already := ""
	if dom != nil {
		if already, err = c.adopt(dom); err != nil {
			return "", err
		}
	} else if err := c.define(ctx); err != nil {
		return "", err
	}
	if !c.tmpl.Start {
		return already, nil
	}
	if err := c.between(ctx); err != nil {
		return "", err
	}
	return c.start(ctx, dom, already)
}

// adopt takes dom, found on the host under the guest's name, as the
// action's own: only if it carries this plan's metadata. The steps that
// made it and the journal does not show finished are journaled as found.
func (c *creation) adopt(dom *hypervisor.Domain) (string, error) {
	if !c.ours(dom) {
		return "", fmt.Errorf("a domain named %s already exists on %s and %s: berth leaves it alone", c.spec.Name, c.host, ownerText(dom))
	}
	for _, s := range []Step{StepVolume, StepDefine} {
		if s == StepVolume && !c.tmpl.HasDisk() {
			continue
		}
		if c.log.state(s) != stepFinished {
			if err := c.found(s, "domain exists with this plan's metadata"); err != nil {
				return "", err
			}
		}
	}
	return "already exists (created by this plan)", nil
}

// define creates the guest's volume (when its template has a disk) and
// defines its domain.
func (c *creation) define(ctx context.Context) error {
	if c.log.state(StepDefine) == stepFinished {
		c.p.line(c.host, c.spec.Name, "was defined by an earlier run but is gone: creating it again")
	}
	if c.tmpl.HasDisk() {
		if err := c.volume(ctx); err != nil {
			return err
		}
	}
	if err := c.between(ctx); err != nil {
		return err
	}
	return c.step(ctx, StepDefine, "defined", func(ctx context.Context) error {
		return c.hv.DefineGuest(ctx, c.spec)
	})
}

// start starts the guest. dom is the domain found before this run changed
// anything (nil when this run defined it): one running already is
// journaled as started, and one an earlier run started that was shut off
// since is left as it is (someone stopped it).
func (c *creation) start(ctx context.Context, dom *hypervisor.Domain, already string) (string, error) {
	if dom != nil {
		if dom.Running() {
			if c.log.state(StepStart) != stepFinished {
				return already, c.found(StepStart, "domain is running")
			}
			return already, nil
		}
		if c.log.state(StepStart) == stepFinished {
			return already + "; started by an earlier run and shut off since: left as it is", nil
		}
	}
	return already, c.step(ctx, StepStart, "started", func(ctx context.Context) error {
		return c.hv.StartDomain(ctx, c.spec.Name)
	})
}

// volume makes sure the guest's volume exists and is berth's own.
func (c *creation) volume(ctx context.Context) error {
	pool, vol := c.tmpl.Pool, c.spec.VolumeName()
	var exists bool
	err := c.call(ctx, func(ctx context.Context) (err error) {
		exists, err = c.hv.VolumeExists(ctx, pool, vol)
		return err
	})
	if err != nil {
		return err
	}
	switch st := c.log.state(StepVolume); {
	case exists && st == stepFinished:
		return nil
	case exists && st == stepStarted:
		// Half made by an interrupted run: it cannot be trusted, so it is
		// made again.
		return c.step(ctx, StepVolume, "volume "+pool+"/"+vol+" made again (an earlier run left it half-done)", func(ctx context.Context) error {
			if err := c.hv.DeleteVolume(ctx, pool, vol); err != nil {
				return err
			}
			return c.hv.CreateVolume(ctx, c.spec)
		})
	case exists:
		return fmt.Errorf("volume %s already exists in pool %s on %s and berth did not create it: berth leaves it alone (remove it, or rename the guest and re-plan)", vol, pool, c.host)
	}
	return c.step(ctx, StepVolume, "volume "+pool+"/"+vol+" created", func(ctx context.Context) error {
		return c.hv.CreateVolume(ctx, c.spec)
	})
}

// rollback undoes what this action left on the host: it powers off and
// undefines the domain if it carries this plan's metadata, and deletes the
// volume if the journal says berth created it. It returns what it could
// not remove.
func (c *creation) rollback(ctx context.Context) (left []string, err error) {
	name := c.spec.Name
	ctx = context.WithoutCancel(ctx) // a rollback runs to its end
	c.undo = true
	dom, err := c.lookup(ctx)
	if err != nil {
		c.unchecked = true
		// Whether the domain is there is not known: nothing is undone
		// (its volume may be in use), nothing is journaled as found.
		if c.log.state(StepDefine) != stepNone || c.log.state(StepStart) != stepNone {
			left = append(left, "domain "+name)
		}
		return append(left, c.volumeLeft()...), err
	}
	if dom != nil && c.ours(dom) {
		if dom.Running() || c.log.state(StepStart) != stepNone {
			if e := c.step(ctx, StepDestroy, "powered off", func(ctx context.Context) error {
				return c.hv.DestroyDomain(ctx, name)
			}); e != nil {
				return append(append(left, "running domain "+name), c.volumeLeft()...), e
			}
		}
		if e := c.step(ctx, StepUndefine, "undefined", func(ctx context.Context) error {
			return c.hv.UndefineDomain(ctx, name)
		}); e != nil {
			return append(append(left, "domain "+name), c.volumeLeft()...), e
		}
	} else if c.log.state(StepStart) != stepNone || c.log.state(StepDefine) != stepNone {
		// The journal's definition is gone (or was never ours): nothing to undo.
		for _, s := range []Step{StepDestroy, StepUndefine} {
			if e := c.found(s, "no domain of this plan by that name"); e != nil {
				return append(left, c.volumeLeft()...), e
			}
		}
	}
	if c.tmpl.HasDisk() && c.log.state(StepVolume) != stepNone {
		pool, vol := c.tmpl.Pool, c.spec.VolumeName()
		if e := c.step(ctx, StepDeleteVolume, "volume "+pool+"/"+vol+" deleted", func(ctx context.Context) error {
			return c.hv.DeleteVolume(ctx, pool, vol)
		}); e != nil {
			return append(left, c.volumeLeft()...), e
		}
	}
	return left, nil
}

// volumeLeft names the guest's volume when the journal says berth may
// have created it (and not deleted it since).
func (c *creation) volumeLeft() []string {
	if !c.tmpl.HasDisk() || c.log.state(StepVolume) == stepNone {
		return nil
	}
	return []string{"volume " + c.tmpl.Pool + "/" + c.spec.VolumeName()}
}

// hostLost reports whether err says the host cannot be reached any more.
func hostLost(err error) bool {
	return err != nil && hypervisor.KindOf(err) == hypervisor.KindUnreachable
}

// unanswered reports whether a call that failed with err may have been
// carried out all the same: its answer was lost with the connection, or
// it was given up on (it goes on in the background).
func unanswered(err error) bool {
	k := hypervisor.KindOf(err)
	return k == hypervisor.KindUnreachable || k == hypervisor.KindTimeout
}

// lostText says how a call got no answer: the connection was lost during
// it (then libvirt's words: "End of file while reading data: Input/output
// error"), or the host did not answer it within the step timeout.
func (c *creation) lostText(err error) string {
	var he *hypervisor.Error
	switch {
	case errors.As(err, &he) && he.Kind == hypervisor.KindTimeout:
		return fmt.Sprintf("no answer to %s %s within %s", he.Op, he.URI, c.a.stepTimeout())
	case errors.As(err, &he):
		return fmt.Sprintf("connection lost during %s %s: %s", he.Op, he.URI, he.Msg)
	case hypervisor.KindOf(err) == hypervisor.KindTimeout:
		return fmt.Sprintf("no answer within %s: %v", c.a.stepTimeout(), err)
	}
	return "connection lost: " + err.Error()
}

// step journals s as started, runs f, and journals it as finished or
// failed. what says what a successful f did, for the report.
func (c *creation) step(ctx context.Context, s Step, what string, f func(context.Context) error) error {
	if err := c.write(Record{Event: EventStarted, Step: s}); err != nil {
		return err
	}
	t0 := time.Now()
	err := c.call(ctx, f)
	if err != nil {
		ev, text := EventFailed, fmt.Sprintf("%s failed: %v", s, err)
		if unanswered(err) {
			// The host may have done it all the same: the journal keeps
			// the step as begun, for the next run to check.
			ev, text = EventLost, fmt.Sprintf("%s got no answer (the next run checks whether it was done): %v", s, err)
		}
		if werr := c.write(Record{Event: ev, Step: s, Error: err.Error()}); werr != nil {
			return werr
		}
		c.p.line(c.host, c.spec.Name, text)
		return err
	}
	if err := c.write(Record{Event: EventFinished, Step: s}); err != nil {
		return err
	}
	if c.undo {
		c.undone = append(c.undone, what)
	} else {
		c.did = append(c.did, what)
	}
	c.p.line(c.host, c.spec.Name, fmt.Sprintf("%s (%s)", what, time.Since(t0).Round(time.Millisecond)))
	return nil
}

// found journals s as finished without doing it: libvirt shows it done.
func (c *creation) found(s Step, why string) error {
	return c.write(Record{Event: EventFinished, Step: s, Note: "found: " + why})
}

func (c *creation) write(r Record) error {
	r.Action, r.Host, r.Guest = c.i, c.host, c.spec.Name
	if err := c.a.journal.Write(r); err != nil {
		return err
	}
	c.log.apply(r)
	return nil
}

// between stops the action when apply was interrupted.
func (c *creation) between(ctx context.Context) error {
	if ctx.Err() != nil {
		return errInterrupted
	}
	return nil
}

// call runs one libvirt call f: not cancelled by an interrupt (a step in
// flight is finished and journaled), bounded by the step timeout.
func (c *creation) call(ctx context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.a.stepTimeout())
	defer cancel()
	return f(ctx)
}

// stepTimeout bounds one libvirt call.
func (a *Apply) stepTimeout() time.Duration {
	if a.opt.StepTimeout <= 0 {
		return 10 * time.Minute
	}
	return a.opt.StepTimeout
}

// lookup reads the guest's domain (nil when there is none).
func (c *creation) lookup(ctx context.Context) (dom *hypervisor.Domain, err error) {
	err = c.call(ctx, func(ctx context.Context) error {
		dom, err = c.hv.LookupDomain(ctx, c.spec.Name)
		return err
	})
	return dom, err
}

// ours reports whether dom carries this plan's metadata.
func (c *creation) ours(dom *hypervisor.Domain) bool {
	return dom.Metadata != nil && dom.Metadata.PlanID == c.a.plan.ID
}

func ownerText(dom *hypervisor.Domain) string {
	if dom.Metadata == nil || dom.Metadata.PlanID == "" {
		return "was not created by berth"
	}
	return "was created by berth plan " + dom.Metadata.PlanID + ", not this one"
}
