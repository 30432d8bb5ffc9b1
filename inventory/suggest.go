package inventory

import (
	"fmt"
	"strings"
)

// suggestion returns `; did you mean "x"?` for the known name closest to s,
// or "" when none is close: a case-insensitive match, or an edit distance of
// at most a third of the longer name (at least 1, at most 3).
func suggestion(s string, known []string) string {
	best, bestDist := "", 1<<30
	for _, k := range known {
		if strings.EqualFold(s, k) {
			return fmt.Sprintf("; did you mean %q?", k)
		}
		if d := editDistance(strings.ToLower(s), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	limit := min(3, max(1, max(len(s), len(best))/3))
	if best == "" || bestDist > limit {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// editDistance is the optimal-string-alignment distance between a and b
// (bytes): insertions, deletions, substitutions and swaps of neighbours
// ("wbe" → "web") each cost 1.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	// d[i][j] is the distance between a[:i] and b[:j].
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// Suggestion is suggestion for callers outside the package (the CLI's
// config keys): `; did you mean "x"?` or "".
func Suggestion(s string, known []string) string { return suggestion(s, known) }
