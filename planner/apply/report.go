package apply

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/berth-dev/berth/planner"
)

// Outcome is what became of one action in a run of apply.
type Outcome string

const (
	OutcomeDone         Outcome = "done"          // this run made the changes
	OutcomeSkipped      Outcome = "skipped"       // already done: nothing to change
	OutcomeFailed       Outcome = "failed"        // refused or failed, rolled back
	OutcomeInterrupted  Outcome = "interrupted"   // stopped half-way: a later run resumes it
	OutcomeNotAttempted Outcome = "not attempted" // never started
)

// ActionResult is the outcome of one create action.
type ActionResult struct {
	// Index is the action's index in the plan's Actions.
	Index   int
	Action  planner.Action
	Outcome Outcome
	// Detail says what was done or why nothing was; Error is the failure
	// (libvirt's own words) of a failed action, or of one interrupted
	// because its host stopped answering ("connection lost during …").
	Detail string
	Error  string
	// Changed is true when the run left a change on the host for this
	// action (done, or a failure whose rollback did not finish).
	Changed bool
}

// Report is the end of a run of apply: every create action with its
// outcome, in plan order (hosts as the plan lists them).
type Report struct {
	Plan    string
	Journal string
	Run     int
	Results []ActionResult
	// Kept is the number of existing guests the plan leaves alone.
	Kept    int
	Elapsed time.Duration
	// Moves is what became of the plan's moves (nil: it has none).
	Moves *MovesReport
}

// Count returns how many actions ended with o.
func (r *Report) Count(o Outcome) int {
	n := 0
	for _, a := range r.Results {
		if a.Outcome == o {
			n++
		}
	}
	return n
}

// Complete reports whether every action is done or was already done.
func (r *Report) Complete() bool {
	return r.Count(OutcomeDone)+r.Count(OutcomeSkipped) == len(r.Results)
}

// Changed reports whether this run changed any host.
func (r *Report) Changed() bool {
	for _, a := range r.Results {
		if a.Changed {
			return true
		}
	}
	return false
}

func (r *Report) counts() string {
	var parts []string
	for _, o := range []Outcome{OutcomeDone, OutcomeSkipped, OutcomeFailed, OutcomeInterrupted, OutcomeNotAttempted} {
		if n := r.Count(o); n > 0 || o == OutcomeDone {
			parts = append(parts, fmt.Sprintf("%d %s", n, o))
		}
	}
	return strings.Join(parts, ", ")
}

// Render writes the report for people: a line per action, grouped by host,
// then the totals and what to do next.
func (r *Report) Render(w io.Writer) {
	fmt.Fprintf(w, "\nApply of plan %s (run %d, journal %s):\n", r.Plan, r.Run, r.Journal)
	r.renderMoves(w)
	host := ""
	for _, a := range r.Results {
		if a.Action.Op == planner.OpMove {
			continue // renderMoves
		}
		if a.Action.Host != host {
			host = a.Action.Host
			fmt.Fprintf(w, "  %s:\n", host)
		}
		text := a.Detail
		if a.Error != "" {
			text = a.Error
			if a.Detail != "" {
				text += "; " + a.Detail
			}
		}
		fmt.Fprintf(w, "    %-13s  %-16s  %s\n", a.Outcome, a.Action.Guest, text)
	}
	if r.Kept > 0 {
		fmt.Fprintf(w, "  %s.\n", planner.CountOf(r.Kept, "existing guest kept as it is", "existing guests kept as they are"))
	}
	fmt.Fprintf(w, "%s in %s.\n", capitalize(r.counts()), r.Elapsed.Round(time.Millisecond))
	switch {
	case r.Complete():
	case r.Count(OutcomeInterrupted)+r.Count(OutcomeNotAttempted) > 0:
		fmt.Fprintln(w, "Run the same berth apply again to resume: finished steps are not repeated.")
	default:
		fmt.Fprintln(w, "Fix the failures above and run the same berth apply again: done actions are skipped, failed ones retried.")
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
