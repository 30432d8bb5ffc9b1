package apply

import (
	"fmt"

	"github.com/berth-dev/berth/planner"
)

// knownSteps are the steps a journal record may name: every forward step
// and every undo step.
var knownSteps = map[Step]bool{
	StepVolume: true, StepDefine: true, StepStart: true,
	StepDestroy: true, StepUndefine: true, StepDeleteVolume: true,
	StepMigrate: true, StepMoveOffline: true,
	StepStop: true, StepRemoveVolumes: true, StepRemove: true,
}

// moveSteps are the steps of a move action (move_journal.go), removeSteps
// (remove.go) those of a removal; every other step belongs to a create.
var moveSteps = map[Step]bool{StepMigrate: true, StepMoveOffline: true}

// stepEvents are the events of one step of one action; the others (begin,
// end) belong to a whole run.
var stepEvents = map[string]bool{EventStarted: true, EventFinished: true, EventFailed: true, EventLost: true, EventAborted: true}

// checkRecord says what makes a well-formed journal record unusable for
// plan p: an event or step this berth does not know, a step record whose
// action is not one of the plan's create or move actions (a move's host
// is its destination) or names another guest or host than the plan's
// action, a run record with a step. A journal is
// what resume trusts about the hosts, so a record that cannot be true of
// this plan is refused, not skipped.
func checkRecord(r Record, p *planner.Plan) error {
	if r.Run < 1 {
		return fmt.Errorf("run %d, want 1 or more", r.Run)
	}
	switch {
	case r.Event == EventBegin || r.Event == EventEnd:
		if r.Step != "" || r.Action != 0 || r.Guest != "" || r.Host != "" {
			return fmt.Errorf("a %q record names an action or a step; it belongs to a whole run", r.Event)
		}
		return nil
	case !stepEvents[r.Event]:
		return fmt.Errorf("unknown event %q (want begin, started, finished, failed, lost, aborted or end)", r.Event)
	case !knownSteps[r.Step]:
		return fmt.Errorf("unknown step %q", r.Step)
	case r.Action < 0 || r.Action >= len(p.Actions):
		return fmt.Errorf("action %d is not in the plan (its actions are numbered 0 to %d)", r.Action, len(p.Actions)-1)
	}
	act := p.Actions[r.Action]
	switch {
	case act.Op == planner.OpMove && !moveSteps[r.Step]:
		return fmt.Errorf("action %d of the plan moves %s; step %q is not a step of a move (migrate, move-offline)", r.Action, act.Guest, r.Step)
	case act.Op == planner.OpCreate && moveSteps[r.Step]:
		return fmt.Errorf("action %d of the plan creates %s; step %q is a step of a move", r.Action, act.Guest, r.Step)
	case act.Op == planner.OpRemove && !removeSteps[r.Step]:
		return fmt.Errorf("action %d of the plan removes %s; step %q is not a step of a removal (stop, remove-volumes, remove)", r.Action, act.Guest, r.Step)
	case act.Op != planner.OpRemove && removeSteps[r.Step]:
		return fmt.Errorf("action %d of the plan %s %s; step %q is a step of a removal", r.Action, act.Op+"s", act.Guest, r.Step)
	case act.Op != planner.OpCreate && act.Op != planner.OpMove && act.Op != planner.OpRemove:
		return fmt.Errorf("action %d of the plan %s %s; only create, move and remove actions have steps", r.Action, act.Op+"s", act.Guest)
	case r.Guest != act.Guest || r.Host != act.Host:
		return fmt.Errorf("action %d is guest %s on host %s in the plan, but the record says guest %s on host %s", r.Action, act.Guest, act.Host, orDash(r.Guest), orDash(r.Host))
	}
	return nil
}
