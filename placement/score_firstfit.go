package placement

// scoreFirstFit is first fit: every feasible host scores 0 and the solver
// takes the first one in host index order (hosts in use first under
// ObjectivePack) — the classic baseline (Johnson, "Near-optimal bin packing
// algorithms", MIT 1973), first-fit decreasing when guests come hardest
// first. Fill, Stranded and Appetite are reported for information only.
func scoreFirstFit(v *hostView) Terms {
	return Terms{
		Fill:     fillAfter(v),
		Stranded: strandedAfter(v),
		Appetite: appetiteCost(v),
		Opens:    !v.InUse,
	}
}
