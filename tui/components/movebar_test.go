package components

import "testing"

func TestMoveSegments(t *testing.T) {
	tests := []struct {
		name                                 string
		staying, after, leaving, offered, oh float64
		width                                int
		existing, added, overhead, leave, fr int
	}{
		// The doc comment's example: 20 stays (2 cells), 45 after (5, so
		// 3 arrive), 45+30 = 75 (8, so 3 leave), 2 free.
		{"example", 20, 45, 30, 100, 0, 10, 2, 3, 0, 3, 2},
		// A freed host: nothing after, everything it had leaves.
		{"freed", 0, 0, 60, 100, 0, 10, 0, 0, 0, 6, 4},
		// Nothing leaves: the bar is BarSegments' own.
		{"no moves", 30, 55, 0, 100, 0.1, 10, 3, 2, 1, 0, 4},
		// More leaves than the free cells hold: leaving takes them all.
		{"leaving fills the rest", 50, 90, 40, 100, 0, 10, 5, 4, 0, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, n, o, l, fr, _ := MoveSegments(tc.staying, tc.after, tc.leaving, tc.offered, tc.oh, tc.width)
			if e != tc.existing || n != tc.added || o != tc.overhead || l != tc.leave || fr != tc.fr {
				t.Errorf("MoveSegments = %d %d %d %d %d, want %d %d %d %d %d", e, n, o, l, fr, tc.existing, tc.added, tc.overhead, tc.leave, tc.fr)
			}
			if e+n+o+l+fr != tc.width {
				t.Errorf("cells sum to %d, want %d", e+n+o+l+fr, tc.width)
			}
		})
	}
}
