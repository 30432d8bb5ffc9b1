package planner

import (
	"fmt"
	"strings"
)

// CountOf is "1 guest" or "2 guests": n with the word that fits it.
func CountOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// JoinAnd is "a", "a and b", "a, b and c".
func JoinAnd(xs []string) string {
	if len(xs) <= 1 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
