package components

import (
	"math"
	"strings"
)

// sparkGlyphs are the eight heights of a sparkline cell, lowest first.
var sparkGlyphs = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values (oldest first) in at most width cells, one
// glyph per cell scaled from 0 to the largest value: ▁ is 0 (or under an
// eighth of the peak), █ the peak. With more values than cells, each cell
// is the largest of the values it covers, so that a peak is never lost.
// A cell with no value (NaN) is a space. An all-zero series is a row of ▁.
//
// Example: [0 1 2 4], width 4 → "▁▂▄█".
func Sparkline(values []float64, width int) string {
	if width <= 0 || len(values) == 0 {
		return ""
	}
	cells := values
	if len(values) > width {
		cells = make([]float64, width)
		for c := range cells {
			from, to := c*len(values)/width, (c+1)*len(values)/width
			m := math.NaN()
			for _, v := range values[from:to] {
				if !math.IsNaN(v) && (math.IsNaN(m) || v > m) {
					m = v
				}
			}
			cells[c] = m
		}
	}
	peak := 0.0
	for _, v := range cells {
		if v > peak {
			peak = v
		}
	}
	var b strings.Builder
	for _, v := range cells {
		switch {
		case math.IsNaN(v):
			b.WriteByte(' ')
		case peak <= 0 || v <= 0:
			b.WriteRune(sparkGlyphs[0])
		default:
			i := int(math.Ceil(v/peak*float64(len(sparkGlyphs)))) - 1
			b.WriteRune(sparkGlyphs[min(max(i, 0), len(sparkGlyphs)-1)])
		}
	}
	return b.String()
}
