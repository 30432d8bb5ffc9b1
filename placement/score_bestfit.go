package placement

// normLeft is the squared L2 norm of the host's normalised leftover after
// placing, averaged over dimensions: (1/D)·Σ_k ((offered_k − used_k −
// demand_k)/offered_k)², 0..1. Smaller is a tighter fit. It is the "L2
// norm-based greedy" of Panigrahy et al., "Heuristics for Vector Bin Packing"
// (2011), which reported it as one of the best simple vector best-fit rules.
//
// Example: offered (32, 128), used (8, 120), demand (4, 8): leftovers
// (32−12)/32 = 0.625 and (128−128)/128 = 0; (0.625² + 0²)/2 = 0.1953125.
func normLeft(v *hostView) float64 {
	s, n := 0.0, 0
	for k, c := range v.Offered {
		if c <= 0 {
			continue
		}
		l := leftoverAfter(v, k)
		s += l * l
		n++
	}
	if n == 0 {
		return 0
	}
	return s / float64(n)
}

// scoreBestFit is vector best fit: Total = −normLeft, −1..0, so the host
// left with the least room (in the L2 sense) after placing wins.
func scoreBestFit(v *hostView) Terms {
	t := Terms{
		Fill:     fillAfter(v),
		Stranded: strandedAfter(v),
		Appetite: appetiteCost(v),
		Opens:    !v.InUse,
	}
	t.Total = -normLeft(v)
	return t
}
