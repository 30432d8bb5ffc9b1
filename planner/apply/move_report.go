package apply

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

// MovesReport is what became of a plan's moves in one run, beside their
// results in Report.Results: each wave (whether it ran, and if not, why),
// each migration's times, and whether the hosts, re-read at the end,
// match the plan's after state.
type MovesReport struct {
	Waves []WaveReport
	Stats []MoveStats
	// AfterChecked is set when the hosts were re-read once every action
	// was done; After then lists how they differ from the plan's after
	// state (empty: they match).
	AfterChecked bool
	After        []string

	mu sync.Mutex
}

// WaveReport is one wave of moves in a run.
type WaveReport struct {
	Wave, Moves int
	// Stopped says why the wave did not run, or did not run to its end
	// ("" when every move of it is on its destination).
	Stopped string
	// Checked is how long the checks before the wave took, Elapsed the
	// whole wave.
	Checked, Elapsed time.Duration
}

// MoveStats are the times of one move this run made.
type MoveStats struct {
	Index           int
	Guest, From, To string
	Wave            int
	Live            bool
	Outcome         Outcome
	// Wall is apply's time for the move, from its journal record
	// "started" to libvirt's answer; Call the part in libvirt's migrate
	// call and Job libvirt's job time, as hypervisor.MigrationResult
	// has them (0 for an offline move).
	Wall, Call, Job time.Duration
	DataProcessed   uint64
}

func (r *MovesReport) addStats(s MoveStats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.Stats {
		if r.Stats[i].Index == s.Index {
			s.Call, s.Job, s.DataProcessed = r.Stats[i].Call, r.Stats[i].Job, r.Stats[i].DataProcessed
			r.Stats[i] = s
			return
		}
	}
	r.Stats = append(r.Stats, s)
}

// setCall keeps libvirt's times of move i's migration.
func (r *MovesReport) setCall(i int, mr *hypervisor.MigrationResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.Stats {
		if r.Stats[k].Index == i {
			r.Stats[k].Call, r.Stats[k].Job, r.Stats[k].DataProcessed = mr.Call, mr.Job, mr.DataProcessed
			return
		}
	}
	r.Stats = append(r.Stats, MoveStats{Index: i, Call: mr.Call, Job: mr.Job, DataProcessed: mr.DataProcessed})
}

// renderMoves writes the moves' part of the report: each wave with its
// moves' outcomes, and why a wave stopped.
func (r *Report) renderMoves(w io.Writer) {
	if r.Moves == nil {
		return
	}
	byWave := map[int][]ActionResult{}
	for _, a := range r.Results {
		if a.Action.Op == planner.OpMove && a.Action.Move != nil {
			byWave[a.Action.Move.Wave] = append(byWave[a.Action.Move.Wave], a)
		}
	}
	fmt.Fprintln(w, "  moves:")
	for _, wr := range r.Moves.Waves {
		fmt.Fprintf(w, "    wave %d", wr.Wave)
		if wr.Stopped != "" {
			fmt.Fprintf(w, " (%s)", wr.Stopped)
		}
		fmt.Fprintln(w, ":")
		for _, a := range byWave[wr.Wave] {
			text := a.Detail
			if a.Error != "" {
				text = a.Error
				if a.Detail != "" {
					text += "; " + a.Detail
				}
			}
			fmt.Fprintf(w, "      %-13s  %-16s  %s → %s  %s\n", a.Outcome, a.Action.Guest, a.Action.Move.From, a.Action.Host, text)
		}
	}
	switch {
	case !r.Moves.AfterChecked:
	case len(r.Moves.After) == 0:
		fmt.Fprintln(w, "  The hosts, read again, match the plan's after state.")
	default:
		fmt.Fprintln(w, "  The hosts, read again, differ from the plan's after state:")
		for _, d := range r.Moves.After {
			fmt.Fprintf(w, "    %s\n", d)
		}
	}
}

// summaryMoves writes the moves of the plan for the preview: wave by
// wave, each guest with its hosts, how it moves and what the journal
// says of it.
func (a *Apply) summaryMoves(w io.Writer) {
	if a.moves.count() == 0 {
		return
	}
	fmt.Fprintf(w, "\nMoves: %s in %s, at most %d out of and %d into one host at a time",
		planner.CountOf(a.moves.count(), "migration", "migrations"), planner.CountOf(len(a.moves.waves), "wave", "waves"), a.moves.maxOut, a.moves.maxIn)
	var limits []string
	if b := a.opt.Moves.Bandwidth; b > 0 {
		limits = append(limits, "each at most "+inventory.FormatQuantity(inventory.Net, float64(b)*8))
	}
	if d := a.opt.Moves.Timeout; d > 0 {
		limits = append(limits, "aborted after "+d.String())
	}
	if len(limits) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(limits, ", "))
	}
	if a.plan.Creates() > 0 {
		fmt.Fprint(w, "; the new guests are created once they are done")
	}
	fmt.Fprintln(w, ".")
	logs := moveLogs(a.journal.History())
	for _, wv := range a.moves.waves {
		fmt.Fprintf(w, "  wave %d:\n", wv.n)
		for _, m := range wv.moves {
			how := "offline (it is shut off): defined there, then undefined here"
			if m.live() {
				how = "live, " + inventory.FormatQuantity(inventory.Memory, m.act.Move.Memory) + " of memory"
				if m.copyStorage() {
					how += ", copying its disks (storage not shared)"
				} else {
					how += ", storage shared"
				}
			}
			fmt.Fprintf(w, "    → %-16s %s → %s  %s", m.guest(), m.from.Name, m.to.Name, how)
			if note := logs[m.i].note(); note != "" {
				fmt.Fprintf(w, " [%s]", note)
			}
			fmt.Fprintln(w)
		}
	}
}
