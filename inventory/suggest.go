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

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
