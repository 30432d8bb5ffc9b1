package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/dustin/go-humanize"
)

// move carries out one move whose guest the checks found on its source:
// a live migration when it runs, an offline move when it is shut off.
// It journals the move as started before libvirt is asked, and as
// finished, aborted, failed or lost (no answer: the next run locates the
// guest) once libvirt has answered.
func (r *movesRun) move(ctx context.Context, t *moveTask) ActionResult {
	m := t.m
	step, how := StepMoveOffline, "offline"
	if t.live {
		step, how = StepMigrate, "live"
		if m.copyStorage() {
			how += ", copying its disks"
		}
	}
	note := fmt.Sprintf("%s from %s, uuid %s", how, m.from.Name, t.g.uuid)
	if t.live != m.live() {
		note += fmt.Sprintf(" (the plan saw it %s)", map[bool]string{true: "running", false: "shut off"}[m.live()])
	}
	if t.note != "" {
		note += "; " + t.note
	}
	if err := r.write(m, Record{Event: EventStarted, Step: step, Note: note}); err != nil {
		return r.journalFailed(err)
	}
	start := time.Now()
	var res ActionResult
	if t.live {
		res = r.migrate(ctx, t, start)
	} else {
		res = r.moveOffline(ctx, t)
	}
	if t.note != "" && res.Outcome == OutcomeDone {
		res.Detail = "resumed: " + res.Detail
	}
	r.rep.addStats(MoveStats{Index: m.i, Guest: m.guest(), From: m.from.Name, To: m.to.Name, Wave: m.wave(), Live: t.live,
		Wall: time.Since(start), Outcome: res.Outcome})
	return res
}

// migrate migrates t's guest live and says how it ended.
func (r *movesRun) migrate(ctx context.Context, t *moveTask, start time.Time) ActionResult {
	m := t.m
	o := r.a.opt.Moves.migrateOptions(m.to, m.copyStorage(), r.a.plan.ID)
	o.Progress = func(p hypervisor.MigrationProgress) { r.p.migrating(m, p) }
	r.p.moveLine(m, "migrating live"+map[bool]string{true: ", copying its disks", false: ""}[m.copyStorage()])
	mr, err := t.src.Migrate(ctx, t.g.uuid, t.dst, o)
	if err == nil {
		r.rep.setCall(m.i, mr)
		detail := fmt.Sprintf("migrated live from %s in %s (libvirt's call %s", m.from.Name, round(time.Since(start)), round(mr.Call))
		if mr.DataProcessed > 0 {
			detail += ", " + humanize.IBytes(mr.DataProcessed) + " sent"
		}
		if mr.Downtime > 0 {
			detail += fmt.Sprintf(", paused %s", mr.Downtime)
		}
		return r.finished(m, StepMigrate, detail+")", "")
	}
	if mr != nil {
		r.rep.setCall(m.i, mr)
	}
	return r.failedMove(ctx, m, StepMigrate, err)
}

// moveOffline moves t's shut-off guest; an interrupt lets it finish (it
// is two quick definitions), bounded by the step timeout.
func (r *movesRun) moveOffline(ctx context.Context, t *moveTask) ActionResult {
	m := t.m
	r.p.moveLine(m, "moving offline")
	bc, cancel := r.bound(ctx)
	defer cancel()
	if err := t.src.MoveOffline(bc, t.g.uuid, t.dst, r.a.plan.ID); err != nil {
		return r.failedMove(ctx, m, StepMoveOffline, err)
	}
	return r.finished(m, StepMoveOffline, "moved offline from "+m.from.Name+" (defined here, then undefined there)", "")
}

// finished journals m's step as done and returns its result.
func (r *movesRun) finished(m *moveWork, step Step, detail, note string) ActionResult {
	if err := r.write(m, Record{Event: EventFinished, Step: step, Note: note}); err != nil {
		return r.journalFailed(err)
	}
	return ActionResult{Outcome: OutcomeDone, Detail: detail, Changed: true}
}

// failedMove journals and words a move that did not end on its
// destination (or did, with its record missing), from where the move
// error says the guest is. The report's line names the guest and its
// hosts already: its error is libvirt's (hypervisor.Error's) words.
func (r *movesRun) failedMove(ctx context.Context, m *moveWork, step Step, err error) ActionResult {
	var me *hypervisor.MoveError
	state, cause := hypervisor.MoveUnknown, err
	if errors.As(err, &me) {
		state, cause = me.State, me.Err
	}
	kind := hypervisor.KindOf(err)
	ev, res := EventFailed, ActionResult{Outcome: OutcomeFailed, Error: cause.Error()}
	switch {
	case state == hypervisor.MoveOnDestination:
		// It moved; only recording the plan on it failed.
		ev = EventFinished
		res.Changed = true
		res.Detail = "the guest runs on " + m.to.Name + ", but the plan could not be recorded on it; run apply again to record it"
	case state == hypervisor.MoveOnSource && ctx.Err() != nil:
		// Apply was interrupted and aborted the job: QEMU may end it with
		// its own words (a broken pipe, a closed monitor) rather than
		// libvirt's abort, but the guest stayed where it was because
		// berth asked it to.
		ev = EventAborted
		res.Outcome, res.Error = OutcomeInterrupted, ""
		res.Detail = "aborted (apply was interrupted): the guest still runs on its source " + m.from.Name + "; run apply again to move it"
	case state == hypervisor.MoveOnSource && kind == hypervisor.KindTimeout:
		ev = EventAborted
		res.Detail = "the guest still runs on its source " + m.from.Name + " (give a longer --migration-timeout, or a higher --bandwidth)"
	case state == hypervisor.MoveOnSource:
		res.Detail = "the guest is still on its source " + m.from.Name
	case state == hypervisor.MoveUnknown || state == hypervisor.MoveInFlight:
		ev = EventLost
		res.Outcome = OutcomeInterrupted
		res.Detail = "where the guest is now is not known (a peer-to-peer migration goes on without berth); run apply again: it finds the guest and finishes the move"
	default:
		res.Error = err.Error()
	}
	if werr := r.write(m, Record{Event: ev, Step: step, Error: err.Error()}); werr != nil {
		return r.journalFailed(werr)
	}
	return res
}

// foundDone records a move whose guest the checks found on its
// destination already (an earlier run did it, and may have died before
// the journal knew): the plan is recorded on it when it is not yet.
func (r *movesRun) foundDone(ctx context.Context, m *moveWork, g *sighted, dst *hypervisor.Conn) {
	step := StepMoveOffline
	if g.s[1].Active {
		step = StepMigrate
	}
	res := ActionResult{Outcome: OutcomeSkipped, Detail: "already on " + m.to.Name + " (moved by this plan)"}
	ours := g.s[1].Metadata != nil && g.s[1].Metadata.PlanID == r.a.plan.ID
	note := "found: on its destination with this plan's metadata"
	if !ours {
		bc, cancel := r.bound(ctx)
		err := dst.RecordPlan(bc, g.uuid, r.a.plan.ID)
		cancel()
		if err != nil {
			r.setResult(m, ActionResult{Outcome: OutcomeFailed, Error: err.Error(),
				Detail: "the guest is on its destination, but the plan could not be recorded on it"})
			return
		}
		note = "found: on its destination; the plan recorded on it"
		res = ActionResult{Outcome: OutcomeDone, Changed: true, Detail: "found on " + m.to.Name + " (an earlier run's answer was lost); the plan recorded on it"}
	}
	if g.settled != "" {
		note += "; " + g.settled
		res.Outcome, res.Changed = OutcomeDone, true
		res.Detail += "; " + g.settled
	}
	if l := r.logs[m.i]; l == nil || l.last != EventFinished || res.Outcome == OutcomeDone {
		if err := r.write(m, Record{Event: EventFinished, Step: step, Note: note}); err != nil {
			res = r.journalFailed(err)
		}
	}
	r.setResult(m, res)
}

// foundMovedOn records a move whose guest is already further along its
// moves (an earlier run did this one and the next).
func (r *movesRun) foundMovedOn(m *moveWork, g *sighted) {
	res := ActionResult{Outcome: OutcomeSkipped, Detail: "done: the guest has moved on to " + g.movedOn + " (its next move)"}
	if l := r.logs[m.i]; l == nil || l.last != EventFinished {
		if err := r.write(m, Record{Event: EventFinished, Step: StepMigrate, Note: "found: moved on to " + g.movedOn}); err != nil {
			res = r.journalFailed(err)
		}
	}
	r.setResult(m, res)
}

// write journals r for move m.
func (r *movesRun) write(m *moveWork, rec Record) error {
	rec.Action, rec.Host, rec.Guest = m.i, m.to.Name, m.guest()
	return r.a.journal.Write(rec)
}

// journalFailed is the result of a move whose record could not be written.
func (r *movesRun) journalFailed(err error) ActionResult {
	return ActionResult{Outcome: OutcomeInterrupted, Error: err.Error(),
		Detail: "stopped: the journal cannot be written; run apply again to resume: it locates the guest first"}
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
