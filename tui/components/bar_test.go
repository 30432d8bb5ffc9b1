package components

import "testing"

func TestBarSegments(t *testing.T) {
	tests := []struct {
		name                          string
		before, after, offered, oh    float64
		width                         int
		existing, added, overhead, fr int
		over                          bool
	}{
		// The doc comment's example: overhead 55×0.1/1.1 = 5; existing
		// 30−30×0.1/1.1 = 27.3 → 3 cells; existing+new 50 → 5; total 55 → 6.
		{"example", 30, 55, 100, 0.1, 10, 3, 2, 1, 4, false},
		// No overhead: 25% existing, 50% after, width 8 → 2 █, 2 ▓, 4 ░.
		{"no overhead", 25, 50, 100, 0, 8, 2, 2, 0, 4, false},
		// Empty host: all free.
		{"empty", 0, 0, 100, 0.1, 10, 0, 0, 0, 10, false},
		// Over capacity: the bar is full and flagged.
		{"over", 80, 120, 100, 0, 10, 8, 2, 0, 0, true},
		// A host that offers nothing in a dimension: all free, over if loaded.
		{"nothing offered", 0, 1, 0, 0, 5, 0, 0, 0, 5, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, n, o, fr, over := BarSegments(tc.before, tc.after, tc.offered, tc.oh, tc.width)
			if e != tc.existing || n != tc.added || o != tc.overhead || fr != tc.fr || over != tc.over {
				t.Errorf("BarSegments = %d %d %d %d %v, want %d %d %d %d %v", e, n, o, fr, over, tc.existing, tc.added, tc.overhead, tc.fr, tc.over)
			}
			if e+n+o+fr != tc.width {
				t.Errorf("cells sum to %d, want %d", e+n+o+fr, tc.width)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want bool
	}{{"", true}, {"kvm", true}, {"r2 KVM", true}, {"r3", false}, {"web-api-6", true}} {
		if got := Match(tc.q, "kvm07", "r2", "z1", "web-api-6"); got != tc.want {
			t.Errorf("Match(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}
