package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

// Removals: a plan removes the running guests berth made from a demand
// entry whose count was lowered (planner.OpRemove). apply carries them out
// only when asked (Options.AllowRemovals), before the host's creates (they
// may need the room), in three journaled steps: stop (ask the guest to
// shut down, power it off if it has not within the shutdown timeout),
// remove-volumes (only with Options.DeleteVolumes: delete the pool
// volumes its disks use) and remove (undefine it). A run cut short resumes
// from the journal and libvirt: a step already done is found done.
const (
	StepStop          Step = "stop"           // shut the guest down (power off after the timeout)
	StepRemoveVolumes Step = "remove-volumes" // delete its pool volumes (--delete-volumes)
	StepRemove        Step = "remove"         // undefine it
)

// removeSteps are the steps of a remove action.
var removeSteps = map[Step]bool{StepStop: true, StepRemoveVolumes: true, StepRemove: true}

// DefaultShutdownTimeout is how long a removal waits for a guest to shut
// down before it powers it off.
const DefaultShutdownTimeout = 2 * time.Minute

// RemovalsNotAllowedError refuses a plan that removes guests when apply was
// not allowed to (nothing was changed).
type RemovalsNotAllowedError struct {
	Plan   string
	Guests []string // "guest on host"
}

func (e *RemovalsNotAllowedError) Error() string {
	return fmt.Sprintf("plan %s removes %s (%s), beyond their demand entry's count: apply removes guests only with --allow-removals "+
		"(each is shut down, then undefined; its volumes are kept unless --delete-volumes); nothing was changed",
		e.Plan, planner.CountOf(len(e.Guests), "guest", "guests"), fewWords(e.Guests))
}

// checkRemovals refuses removals unless they are allowed.
func (a *Apply) checkRemovals() *RemovalsNotAllowedError {
	if a.plan.Removals() == 0 || a.opt.AllowRemovals {
		return nil
	}
	e := &RemovalsNotAllowedError{Plan: a.plan.ID}
	for _, act := range a.plan.Actions {
		if act.Op == planner.OpRemove {
			e.Guests = append(e.Guests, act.Guest+" on "+act.Host)
		}
	}
	return e
}

// removals counts the remove actions apply will carry out.
func (a *Apply) removals() int {
	n := 0
	for _, w := range a.hosts {
		n += len(w.removes)
	}
	return n
}

// shutdownTimeout is how long a removal waits for a guest to shut down.
func (a *Apply) shutdownTimeout() time.Duration {
	if a.opt.ShutdownTimeout <= 0 {
		return DefaultShutdownTimeout
	}
	return a.opt.ShutdownTimeout
}

// summaryRemovals writes one host's removals for Summary.
func (a *Apply) summaryRemovals(w io.Writer, wk hostWork) {
	for _, i := range wk.removes {
		act := a.plan.Actions[i]
		vols := "volumes kept"
		if a.opt.DeleteVolumes {
			vols = "volumes deleted"
		}
		fmt.Fprintf(w, "    - %-16s shut down (power off after %s), undefine, %s: %s, %s", act.Guest,
			a.shutdownTimeout(), vols, orDash(act.Profile), planner.VectorText(act.Allocation))
		if a.Refused != nil {
			fmt.Fprint(w, " [needs --allow-removals]")
		}
		if note := a.removeResumeNote(i); note != "" {
			fmt.Fprintf(w, " [%s]", note)
		}
		fmt.Fprintln(w)
	}
}

// removeResumeNote says what the journal records for remove action i.
func (a *Apply) removeResumeNote(i int) string {
	return a.stepsNote(i, StepStop, StepRemoveVolumes, StepRemove)
}

// removal is one remove action being applied. It shares creation's
// journaling, calls and progress lines (its spec names the guest).
type removal struct {
	creation
}

func (a *Apply) newRemoval(hv Hypervisor, i int, host string, p *progress) *removal {
	r := &removal{creation{a: a, hv: hv, i: i, host: host, spec: hypervisor.GuestSpec{Name: a.plan.Actions[i].Guest}, p: p, log: a.logs[i]}}
	if r.log == nil {
		r.log = &actionLog{steps: map[Step]stepState{}}
	}
	return r
}

func (r *removal) run(ctx context.Context) ActionResult {
	res := ActionResult{Index: r.i, Action: r.a.plan.Actions[r.i]}
	for _, st := range r.log.steps {
		r.resumed = r.resumed || st != stepNone
	}
	detail, err := r.forward(ctx)
	switch {
	case err == nil && len(r.did) == 0:
		res.Outcome, res.Detail = OutcomeSkipped, detail
	case err == nil:
		res.Outcome, res.Detail, res.Changed = OutcomeDone, "removed: "+strings.Join(r.did, ", "), true
		if detail != "" {
			res.Detail += "; " + detail
		}
		if r.resumed {
			res.Detail = "resumed: " + res.Detail
		}
	case r.a.journal.stopped() != nil:
		res.Outcome, res.Detail = OutcomeInterrupted, "stopped: the journal cannot be written; run apply again to resume"
		res.Changed = len(r.did) > 0
	case errors.Is(err, errInterrupted) || unanswered(err):
		res.Outcome, res.Detail, res.Changed = OutcomeInterrupted, "stopped half-way; run apply again to resume", len(r.did) > 0
		if unanswered(err) {
			res.Error = r.lostText(err)
			r.lost = hostLost(err)
		}
		if len(r.did) > 0 {
			res.Detail = strings.Join(r.did, ", ") + "; " + res.Detail
		}
	default:
		// A removal is not rolled back: a guest half removed is on its
		// way out, and the next run finishes the job.
		res.Outcome, res.Error, res.Changed = OutcomeFailed, err.Error(), len(r.did) > 0
		res.Detail = "nothing was changed"
		if len(r.did) > 0 {
			res.Detail = strings.Join(r.did, ", ") + "; run apply again to finish the removal"
		}
	}
	return res
}

// forward brings the host to the action's end state: no domain of that
// name. The string says why nothing was done, or what was kept.
func (r *removal) forward(ctx context.Context) (string, error) {
	act := r.a.plan.Actions[r.i]
	dom, err := r.lookup(ctx)
	if err != nil {
		return "", err
	}
	if dom == nil {
		if r.log.state(StepRemove) == stepFinished {
			return "already removed by an earlier run", nil
		}
		if r.log.state(StepStop) != stepNone || r.log.state(StepRemove) != stepNone {
			return "already removed", r.found(StepRemove, "no domain by that name")
		}
		return "already gone from " + r.host + ": nothing to remove", nil
	}
	if !removable(dom, act) {
		return "", fmt.Errorf("domain %s on %s is not the guest the plan removes (%s): berth leaves it alone; re-plan", act.Guest, r.host, whoseText(dom, act))
	}
	if err := r.stop(ctx, dom); err != nil {
		return "", err
	}
	if err := r.between(ctx); err != nil {
		return "", err
	}
	kept, err := r.volumes(ctx, dom)
	if err != nil {
		return "", err
	}
	if err := r.between(ctx); err != nil {
		return "", err
	}
	if err := r.step(ctx, StepRemove, "undefined", func(ctx context.Context) error {
		return r.hv.UndefineDomain(ctx, act.Guest)
	}); err != nil {
		return "", err
	}
	return kept, nil
}

// removable reports whether dom is the guest act removes: berth made it
// with the action's profile and group (the plan's reason to remove it).
func removable(dom *hypervisor.Domain, act planner.Action) bool {
	m := dom.Metadata
	return m != nil && m.Profile == act.Profile && m.Group == act.Group
}

func whoseText(dom *hypervisor.Domain, act planner.Action) string {
	m := dom.Metadata
	switch {
	case m == nil:
		return "it carries no berth metadata"
	case m.Profile != act.Profile:
		return fmt.Sprintf("its metadata says profile %s, the plan %s", orDash(m.Profile), orDash(act.Profile))
	}
	return fmt.Sprintf("its metadata says group %s, the plan %s", orDash(m.Group), orDash(act.Group))
}

// stop shuts the guest down: it asks, waits up to the shutdown timeout
// for the guest to stop, then powers it off. A guest already shut off is
// found stopped.
func (r *removal) stop(ctx context.Context, dom *hypervisor.Domain) error {
	if !dom.Running() {
		if r.log.state(StepStop) != stepFinished {
			return r.found(StepStop, "domain is shut off")
		}
		return nil
	}
	name := dom.Name
	how := "shut down"
	err := r.stepWithin(ctx, StepStop, r.a.shutdownTimeout()+r.a.stepTimeout(), func(ctx context.Context) error {
		if err := r.hv.ShutdownDomain(ctx, name); err != nil {
			return err
		}
		deadline := time.Now().Add(r.a.shutdownTimeout())
		for {
			d, err := r.hv.LookupDomain(ctx, name)
			if err != nil {
				return err
			}
			if d == nil || !d.Running() {
				return nil
			}
			if time.Now().After(deadline) {
				how = fmt.Sprintf("powered off (it did not shut down within %s)", r.a.shutdownTimeout())
				return r.hv.DestroyDomain(ctx, name)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
	}, func() string { return how })
	return err
}

// volumes deletes the pool volumes of the guest's disks when asked
// (DeleteVolumes), else says which are kept. Disks that are not pool
// volumes are always kept.
func (r *removal) volumes(ctx context.Context, dom *hypervisor.Domain) (string, error) {
	var vols, others []string
	for _, d := range dom.Disks {
		switch {
		case d.Device != "disk" || d.Source == "":
		case d.Type == "volume":
			vols = append(vols, d.Source)
		default:
			others = append(others, d.Source)
		}
	}
	var kept []string
	if !r.a.opt.DeleteVolumes {
		kept = append(vols, others...)
	} else {
		kept = others
		if len(vols) > 0 && r.log.state(StepRemoveVolumes) != stepFinished {
			err := r.step(ctx, StepRemoveVolumes, "volume"+pluralS(len(vols))+" "+strings.Join(vols, ", ")+" deleted", func(ctx context.Context) error {
				for _, v := range vols {
					pool, name, _ := strings.Cut(v, "/")
					if err := r.hv.DeleteVolume(ctx, pool, name); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return "", err
			}
		}
	}
	if len(kept) == 0 {
		return "", nil
	}
	return "kept: " + strings.Join(kept, ", "), nil
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// stepWithin is step with its own bound on the call (a shutdown waits
// longer than one libvirt call may take) and a description known only
// once the call returns.
func (r *removal) stepWithin(ctx context.Context, s Step, within time.Duration, f func(context.Context) error, what func() string) error {
	if err := r.write(Record{Event: EventStarted, Step: s}); err != nil {
		return err
	}
	t0 := time.Now()
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), within)
	err := f(cctx)
	cancel()
	if err != nil {
		ev := EventFailed
		if unanswered(err) {
			ev = EventLost
		}
		if werr := r.write(Record{Event: ev, Step: s, Error: err.Error()}); werr != nil {
			return werr
		}
		r.p.line(r.host, r.spec.Name, fmt.Sprintf("%s failed: %v", s, err))
		return err
	}
	if err := r.write(Record{Event: EventFinished, Step: s}); err != nil {
		return err
	}
	r.did = append(r.did, what())
	r.p.line(r.host, r.spec.Name, fmt.Sprintf("%s (%s)", what(), time.Since(t0).Round(time.Millisecond)))
	return nil
}

// fewWords lists up to four items, then how many more.
func fewWords(xs []string) string {
	if len(xs) > 4 {
		return strings.Join(xs[:4], ", ") + fmt.Sprintf(" and %d more", len(xs)-4)
	}
	return strings.Join(xs, ", ")
}

// removedBack is guests, as read on host h now, with the guests p removes
// from h that are gone put back as the plan found them: their removal is
// the plan's own work (an earlier, interrupted run), not a change.
func removedBack(p *planner.Plan, h planner.HostPlan, guests []inventory.Guest) []inventory.Guest {
	var out []inventory.Guest
	for _, act := range p.Actions {
		if act.Op != planner.OpRemove || act.Host != h.Name || slices.ContainsFunc(guests, func(g inventory.Guest) bool { return g.Name == act.Guest }) {
			continue
		}
		if out == nil {
			out = slices.Clone(guests)
		}
		out = append(out, inventory.Guest{Name: act.Guest, Allocation: act.Allocation})
	}
	if out == nil {
		return guests
	}
	return out
}
