package report

import (
	"fmt"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/report/extra"
)

// wave is the migrations that run together, with their totals.
type wave struct {
	Number  int
	Moves   []moveRow
	Summary string // "2 moves · 40 GiB to copy · about 30 s …"
}

type moveRow struct {
	Guest, From, To string
	Bytes           string
	Reason          string
	Search          string
}

// waves groups the moves (sorted by wave) into waves; none without moves.
func waves(moves []extra.Move) []wave {
	var out []wave
	var bytes, secs float64
	flush := func() {
		if len(out) > 0 {
			w := &out[len(out)-1]
			w.Summary = planner.CountOf(len(w.Moves), "move", "moves") + " · " + amount(inventory.Memory, bytes) + " to copy"
			if secs > 0 {
				w.Summary += fmt.Sprintf(" · about %.0f s (its longest move; the moves of a wave run together)", secs)
			}
		}
		bytes, secs = 0, 0
	}
	for i, m := range moves {
		if i == 0 || m.Wave != moves[i-1].Wave {
			flush()
			out = append(out, wave{Number: m.Wave})
		}
		w := &out[len(out)-1]
		w.Moves = append(w.Moves, moveRow{Guest: m.Guest, From: m.From, To: m.To,
			Bytes: amount(inventory.Memory, m.Bytes), Reason: m.Reason, Search: searchKey(m.Guest, m.From, m.To)})
		bytes += m.Bytes
		secs = max(secs, m.Seconds)
	}
	flush()
	return out
}

// waveCount counts the distinct waves of moves sorted by wave.
func waveCount(moves []extra.Move) int {
	n := 0
	for i, m := range moves {
		if i == 0 || m.Wave != moves[i-1].Wave {
			n++
		}
	}
	return n
}
