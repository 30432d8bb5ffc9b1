package planner

import "fmt"

// CountOf is "1 guest" or "2 guests": n with the word that fits it.
func CountOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
