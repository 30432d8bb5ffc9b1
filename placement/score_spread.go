package placement

// scoreSpread is least allocated after placing: Total = 1 − Fill, the mean
// over dimensions of the free share left, 0..1; the emptiest host wins. It
// is kube-scheduler's LeastAllocated score (pkg/scheduler/framework/plugins/
// noderesources/least_allocated.go: (capacity − requested)·MaxNodeScore /
// capacity per resource, weighted mean) divided by MaxNodeScore = 100, with
// equal weights.
//
// Example: offered (32, 128), used (8, 120), demand (4, 8): Fill =
// (12/32 + 128/128)/2 = 0.6875, Total = 0.3125.
func scoreSpread(v *hostView) Terms {
	t := Terms{
		Fill:     fillAfter(v),
		Stranded: strandedAfter(v),
		Appetite: appetiteCost(v),
		Opens:    !v.InUse,
	}
	t.Total = 1 - t.Fill
	return t
}
