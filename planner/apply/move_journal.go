package apply

import "fmt"

// The steps of a move action: one libvirt operation each, journaled as a
// create's steps are (started before it, then finished, failed, aborted
// or lost). Neither has an undo step: a move that fails leaves the guest
// on its source (libvirt's migration, and MoveOffline, see to that), and
// one whose outcome is not known is located before anything else is done.
const (
	StepMigrate     Step = "migrate"      // live migration, peer to peer, persistent, undefining the source
	StepMoveOffline Step = "move-offline" // define on the destination, then undefine on the source
)

// EventAborted: a live migration was aborted (Ctrl-C, or its migration
// timeout) and libvirt confirmed it: the guest still runs on its source.
const EventAborted = "aborted"

// moveLog is what the journal says of one move action.
type moveLog struct {
	// last is the event of its last record ("" when there is none) and
	// run the run that wrote it; runs counts the runs that started it.
	last string
	run  int
	runs int
	// finished is set once a record says the guest is on its destination.
	finished bool
}

// moveLogs folds the journal's move records by action index.
func moveLogs(records []Record) map[int]*moveLog {
	out := map[int]*moveLog{}
	for _, r := range records {
		if r.Step != StepMigrate && r.Step != StepMoveOffline {
			continue
		}
		l := out[r.Action]
		if l == nil {
			l = &moveLog{}
			out[r.Action] = l
		}
		if r.Event == EventStarted {
			l.runs++
		}
		l.last, l.run = r.Event, r.Run
		l.finished = l.finished || r.Event == EventFinished
	}
	return out
}

// unsettled reports whether the journal leaves the move's outcome open: it
// was started and its answer never came (berth died, or the connection was
// lost). The guest must be located before anything else is done.
func (l *moveLog) unsettled() bool {
	return l != nil && (l.last == EventStarted || l.last == EventLost)
}

// note says what the journal records of the move, for the preview.
func (l *moveLog) note() string {
	switch {
	case l == nil:
		return ""
	case l.last == EventFinished:
		return "done earlier"
	case l.unsettled():
		return fmt.Sprintf("run %d got no answer: the guest is located first", l.run)
	case l.last == EventAborted:
		return fmt.Sprintf("aborted in run %d", l.run)
	case l.last == EventFailed:
		return fmt.Sprintf("failed in run %d", l.run)
	}
	return ""
}
