package inventory

// The bounds of every number a scenario (or a policy from flags) may hold,
// documented in docs/scenario.md ("Bounds"). They are far beyond any real
// fleet, and tight enough that nothing validate accepts can overflow later:
// the largest amount over the smallest non-zero one, times the largest
// ratio, stays a finite float64, so no offer becomes +Inf, no share a NaN
// and no percentage an overflowed integer (issue 12.5).

// AmountMax bounds each dimension of every amount (capacity, reserved,
// request, allocation, observed); AmountMin bounds a capacity from below
// (what hosts offer is divided by, so it may not be vanishingly small): a
// capacity from 1m vCPU to a million vCPUs, 1 byte to 1 EiB, 0.001 to 10¹²
// IOPS, 1 bit/s to 1 Pbit/s; other amounts from 0 to the same maxima.
var (
	AmountMin = Vector{CPU: 0.001, Memory: 1, IOPS: 0.001, Net: 1}
	AmountMax = Vector{CPU: 1e6, Memory: 1 << 60, IOPS: 1e12, Net: 1e15}
)

// Bounds of the policy's (and a host's) ratios.
const (
	OvercommitMin   = 0.001 // overcommit, per dimension
	OvercommitMax   = 1000.0
	HeadroomMin     = 0.01 // headroom: from 1% to 100% of a host
	SafetyFactorMin = 0.01
	SafetyFactorMax = 100.0
	PenaltyMax      = 1000.0 // sameAppetite.penalty, ≥ 0
)

// bounded reports whether a finite amount ≥ 0 is within the bounds of its
// dimension (from AmountMin for a capacity, else from 0, to AmountMax),
// and says which they are when not.
func (c *checker) bounded(path string, d Dimension, x float64, capacity bool) bool {
	lo := 0.0
	if capacity {
		lo = AmountMin[d]
	}
	if x >= lo && x <= AmountMax[d] {
		return true
	}
	if capacity {
		c.errorf(dimPath(path, d), "capacity %s is outside what berth plans with: from %s to %s",
			FormatQuantityExact(d, x), FormatQuantityExact(d, lo), FormatQuantityExact(d, AmountMax[d]))
	} else {
		c.errorf(dimPath(path, d), "%s is more than berth plans with: at most %s",
			FormatQuantityExact(d, x), FormatQuantityExact(d, AmountMax[d]))
	}
	return false
}
