package history

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/berth-dev/berth/inventory"
)

// Defaults for AppetiteRule.
const (
	// DefaultMargin is how many percentage points of its allocation the
	// leading dimension must be ahead of the next (10).
	DefaultMargin = 10
	// DefaultIdleShare is the share of its allocation under which a guest
	// counts as idle in a dimension (1%).
	DefaultIdleShare = 0.01
)

// AppetiteRule says when history is clear enough to name an appetite.
type AppetiteRule struct {
	// Margin in percentage points of allocation (10 = the leader's share
	// must be at least 10 points above the next one's).
	Margin float64
	// IdleShare is the largest share (0.01 = 1%) below which the guest is
	// idle and has no appetite.
	IdleShare float64
	// Ignore leaves dimensions out (Usage.Occupancy: a figure that is
	// what the guest holds, not what it uses).
	Ignore [inventory.NumDims]bool
}

// DefaultAppetiteRule is a 10-point margin and a 1% idle share.
func DefaultAppetiteRule() AppetiteRule {
	return AppetiteRule{Margin: DefaultMargin, IdleShare: DefaultIdleShare}
}

// Verdict is how a classification ended.
type Verdict string

const (
	VerdictClassified Verdict = "classified" // the leader is ahead by the margin
	VerdictMargin     Verdict = "margin"     // the leader is not far enough ahead
	VerdictIdle       Verdict = "idle"       // every share under IdleShare
	VerdictTooFew     Verdict = "too-few"    // fewer than two dimensions to compare
)

// Appetite is a guest's appetite from its history, and why.
type Appetite struct {
	// Dimension is the appetite when Verdict is VerdictClassified.
	Dimension inventory.Dimension
	Verdict   Verdict
	// Shares are quantile / allocation per dimension (0.25 = 25%), for
	// the dimensions in Compared.
	Shares   inventory.Vector
	Compared [inventory.NumDims]bool
	// Leader and Next are the dimensions with the largest and second
	// largest share (Next is meaningful with two or more compared).
	Leader, Next inventory.Dimension
	// Margin and IdleShare are the rule's, as applied.
	Margin, IdleShare float64
}

// Classified reports whether the history names an appetite.
func (a Appetite) Classified() bool { return a.Verdict == VerdictClassified }

// Lead is the leader's share minus the next one's, in percentage points.
func (a Appetite) Lead() float64 { return 100 * (a.Shares[a.Leader] - a.Shares[a.Next]) }

// String is the appetite or "none", with the reason:
//
//	cpu: cpu 80% vs iops 12%: lead 68 points ≥ 10
//	none: cpu 25% vs iops 18.5%: margin 6.5 points < 10
func (a Appetite) String() string {
	switch a.Verdict {
	case VerdictClassified:
		return fmt.Sprintf("%s: %s: lead %s ≥ %s", a.Dimension, a.versus(), points(a.Lead()), num(a.Margin))
	case VerdictMargin:
		return fmt.Sprintf("none: %s: margin %s < %s", a.versus(), points(a.Lead()), num(a.Margin))
	case VerdictIdle:
		return fmt.Sprintf("none: idle: the largest share, %s %s%%, is under %s%%",
			a.Leader, num(100*a.Shares[a.Leader]), num(100*a.IdleShare))
	}
	if n := a.compared(); n == 1 {
		return fmt.Sprintf("none: only %s has history and an allocation: nothing to compare it with", a.Leader)
	}
	return "none: no dimension has both history and an allocation"
}

func (a Appetite) versus() string {
	return fmt.Sprintf("%s %s%% vs %s %s%%", a.Leader, num(100*a.Shares[a.Leader]), a.Next, num(100*a.Shares[a.Next]))
}

func (a Appetite) compared() int {
	n := 0
	for _, c := range a.Compared {
		if c {
			n++
		}
	}
	return n
}

// num writes a figure with at most one decimal (6.5, 25, 0.4).
func num(x float64) string { return strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64) }

// points writes a lead in percentage points: "1 point", "6.5 points".
func points(x float64) string {
	if n := num(x); n != "1" {
		return n + " points"
	}
	return "1 point"
}

// leadTolerance absorbs floating-point error in a lead: 30% − 20% is
// 9.999999999999998 points, which is a 10-point lead.
const leadTolerance = 1e-9

// Classify names a guest's appetite from its history: the dimension in
// which its quantile is the largest share of its allocation
// (use[d] / allocation[d]), provided that share leads the next largest by
// at least r.Margin percentage points. Only dimensions with a figure
// (known[d]), a positive allocation and not in r.Ignore are compared; at
// least two must be. Ties go to the earlier dimension (cpu, memory, iops,
// net).
//
// Example: 4 vCPUs and 1,000 IOPS allocated, 1 core and 185 IOPS at the
// 95th percentile: cpu 1/4 = 25%, iops 185/1000 = 18.5%; the lead is
// 25 − 18.5 = 6.5 points, under a 10-point margin: none.
func Classify(use inventory.Vector, known [inventory.NumDims]bool, allocation inventory.Vector, r AppetiteRule) Appetite {
	a := Appetite{Margin: r.Margin, IdleShare: r.IdleShare}
	var order []inventory.Dimension
	for _, d := range inventory.Dimensions {
		if known[d] && allocation[d] > 0 && !r.Ignore[d] {
			a.Compared[d] = true
			a.Shares[d] = use[d] / allocation[d]
			order = append(order, d)
		}
	}
	// Stable: equal shares keep dimension order.
	slices.SortStableFunc(order, func(x, y inventory.Dimension) int {
		switch {
		case a.Shares[x] > a.Shares[y]:
			return -1
		case a.Shares[x] < a.Shares[y]:
			return 1
		}
		return 0
	})
	switch len(order) {
	case 0:
		a.Verdict = VerdictTooFew
		return a
	case 1:
		a.Verdict, a.Leader, a.Next = VerdictTooFew, order[0], order[0]
		return a
	}
	a.Leader, a.Next = order[0], order[1]
	switch {
	case a.Shares[a.Leader] < r.IdleShare:
		a.Verdict = VerdictIdle
	case a.Lead() < r.Margin-leadTolerance:
		a.Verdict = VerdictMargin
	default:
		a.Verdict, a.Dimension = VerdictClassified, a.Leader
	}
	return a
}

// Classify is Classify on guest g's figures, leaving out the dimensions
// whose metric measures occupancy (Usage.Occupancy) besides r.Ignore.
func (u *Usage) Classify(g *GuestUsage, allocation inventory.Vector, r AppetiteRule) Appetite {
	for d, occ := range u.Occupancy {
		r.Ignore[d] = r.Ignore[d] || occ
	}
	return Classify(g.Quantile, g.Has, allocation, r)
}

// ProfileFor is the profile whose appetite is d (web for cpu with the
// built-in profiles); ok is false when no profile has it (net, with the
// built-ins). The first in the list wins.
func ProfileFor(d inventory.Dimension, profiles []inventory.Profile) (name string, ok bool) {
	for _, p := range profiles {
		if p.HasAppetite && p.Appetite == d {
			return p.Name, true
		}
	}
	return "", false
}
