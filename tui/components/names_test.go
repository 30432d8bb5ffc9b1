package components

import (
	"slices"
	"testing"
)

func TestCompareNames(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{"number by value", "cache-2", "cache-10", -1},
		{"number by value, reversed", "cache-10", "cache-2", 1},
		{"trailing number", "kvm9", "kvm10", -1},
		{"same", "kvm01", "kvm01", 0},
		{"text before the number decides", "db-10", "web-2", -1},
		{"prefix first", "web", "web-1", -1},
		{"number before a letter", "t1", "ta", -1},
		{"numbers in the middle", "r2-slot10", "r2-slot9", 1},
		{"two runs", "r10-s1", "r9-s2", 1},
		// Equal values: leading zeros fall back to bytes ("0" < "1").
		{"leading zeros", "web-01", "web-1", -1},
		{"huge numbers", "h123456789012345678901234567890", "h99", 1},
		{"empty", "", "a", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CompareNames(tt.a, tt.b); got != tt.want {
				t.Errorf("CompareNames(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := CompareNames(tt.b, tt.a); got != -tt.want {
				t.Errorf("CompareNames(%q, %q) = %d, want %d (antisymmetric)", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

func TestCompareNamesSorts(t *testing.T) {
	names := []string{"cache-10", "cache-2", "cache-1", "web-api-12", "web-api-3", "cache-20"}
	slices.SortFunc(names, CompareNames)
	want := []string{"cache-1", "cache-2", "cache-10", "cache-20", "web-api-3", "web-api-12"}
	if !slices.Equal(names, want) {
		t.Errorf("sorted %v, want %v", names, want)
	}
}
