package placement

// scoreKube is kube-scheduler's MostAllocated score
// (pkg/scheduler/framework/plugins/noderesources/most_allocated.go:
// requested·MaxNodeScore/capacity per resource, where requested includes the
// pod being placed, then the weighted mean), with equal weights and divided
// by MaxNodeScore = 100: Total = Fill = mean over dimensions of
// (used+demand)/offered, 0..1.
//
// Example: offered (32, 128), used (8, 120), demand (4, 8):
// (12/32 + 128/128)/2 = (0.375 + 1)/2 = 0.6875.
func scoreKube(v *hostView) Terms {
	t := Terms{
		Fill:     fillAfter(v),
		Stranded: strandedAfter(v),
		Appetite: appetiteCost(v),
		Opens:    !v.InUse,
	}
	t.Total = t.Fill
	return t
}
