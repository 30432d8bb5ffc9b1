package pages

import (
	"fmt"
	"math"

	"github.com/berth-dev/berth/planner"
)

// moveKnob is one line of the move budget in the policy dialog: the
// migrations, the bytes they copy, or the hosts one maintenance step
// drains. typed takes a digit (or '\b', backspace) typed on a count.
type moveKnob struct {
	name  string
	show  func(o *planner.MoveOptions) string
	step  func(o *planner.MoveOptions, dir int)
	typed func(o *planner.MoveOptions, r rune)
}

// maxCount bounds a count typed in the dialog.
const maxCount = 100000

// moveKnobs are the budget knobs that goal takes (planner.MoveOptions):
// a rebalance or drain takes the migrations and the bytes (0 = no limit);
// making room takes the migrations allowed (at least 1); rolling
// maintenance the hosts per step (0 = no limit).
func moveKnobs(goal planner.Goal) []moveKnob {
	moves := countKnob("max moves", func(o *planner.MoveOptions) *int { return &o.MaxMoves }, 0)
	switch goal {
	case planner.GoalRoom:
		return []moveKnob{countKnob("allowed moves", func(o *planner.MoveOptions) *int { return &o.MaxMoves }, 1)}
	case planner.GoalWaves:
		return []moveKnob{countKnob("max hosts per step", func(o *planner.MoveOptions) *int { return &o.MaxHostsPerWave }, 0)}
	}
	return []moveKnob{moves, {
		name: "max bytes copied",
		show: func(o *planner.MoveOptions) string {
			if o.MaxBytes == 0 {
				return "no limit"
			}
			return planner.BytesText(o.MaxBytes)
		},
		step: func(o *planner.MoveOptions, dir int) { o.MaxBytes = byteStep(o.MaxBytes, dir) },
	}}
}

// countKnob is a whole-number knob of at least least; 0, when least is 0,
// means no limit.
func countKnob(name string, field func(*planner.MoveOptions) *int, least int) moveKnob {
	return moveKnob{
		name: name,
		show: func(o *planner.MoveOptions) string {
			if n := *field(o); n > 0 || least > 0 {
				return fmt.Sprint(n)
			}
			return "no limit"
		},
		step: func(o *planner.MoveOptions, dir int) { *field(o) = min(max(*field(o)+dir, least), maxCount) },
		typed: func(o *planner.MoveOptions, r rune) {
			n := field(o)
			if r == '\b' {
				*n = max(*n/10, least)
				return
			}
			if v := *n*10 + int(r-'0'); v <= maxCount {
				*n = max(v, least)
			}
		},
	}
}

// byteStep is the next byte budget on a ladder of powers of two from
// 8 GiB (no limit below it): → doubles, ← halves; a budget between two
// steps goes to the step in that direction.
func byteStep(b float64, dir int) float64 {
	const first = 8 << 30
	if dir > 0 {
		if b < first {
			return first
		}
		return math.Pow(2, math.Floor(math.Log2(b))+1)
	}
	if b <= first {
		return 0
	}
	return math.Pow(2, math.Ceil(math.Log2(b))-1)
}
