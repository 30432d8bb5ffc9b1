package components

import (
	"cmp"
	"strings"
)

// CompareNames orders host, guest, rack and group names as people read
// them: a run of digits compares by its value, so cache-2 comes before
// cache-10 and kvm9 before kvm10, where a byte-wise order puts "10" first.
// The rest compares byte by byte. Names equal but for leading zeros
// ("web-01", "web-1") fall back to the byte-wise order, so the order is
// total and sorting is deterministic.
func CompareNames(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if isDigit(a[i]) && isDigit(b[j]) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			// Without leading zeros, a longer run is a larger number.
			x, y := strings.TrimLeft(a[si:i], "0"), strings.TrimLeft(b[sj:j], "0")
			if c := cmp.Or(cmp.Compare(len(x), len(y)), strings.Compare(x, y)); c != 0 {
				return c
			}
			continue
		}
		if a[i] != b[j] {
			return cmp.Compare(a[i], b[j])
		}
		i, j = i+1, j+1
	}
	// One is a prefix of the other (in value): the shorter comes first.
	return cmp.Or(cmp.Compare(len(a)-i, len(b)-j), strings.Compare(a, b))
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
