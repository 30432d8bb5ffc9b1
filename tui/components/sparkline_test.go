package components

import (
	"math"
	"testing"
)

func TestSparkline(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		values []float64
		width  int
		want   string
	}{
		{[]float64{0, 1, 2, 4}, 4, "▁▂▄█"},
		{[]float64{0, 0, 0}, 5, "▁▁▁"},
		{[]float64{1, nan, 8}, 3, "▁ █"},
		// Eight values in four cells: the largest of each pair.
		{[]float64{1, 8, 2, 2, 4, 0, nan, nan}, 4, "█▂▄ "},
		{[]float64{3}, 0, ""},
		{nil, 4, ""},
	} {
		if got := Sparkline(tc.values, tc.width); got != tc.want {
			t.Errorf("Sparkline(%v, %d) = %q, want %q", tc.values, tc.width, got, tc.want)
		}
	}
}
