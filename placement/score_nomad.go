package placement

import "math"

// nomadBinPack is HashiCorp Nomad's bin-packing score generalised from two
// dimensions to D. Nomad's ScoreFitBinPack (nomad/structs/funcs.go, "the
// BestFit v3 on the Google work") is
//
//	score = 20 − (10^freeCpu + 10^freeMem), clamped to 0..18,
//
// with freeX the free share of the node after placing; its ranker divides by
// 18. Over D dimensions: score = 10·D − Σ_k 10^{free_k}, 0..9·D, returned
// divided by 9·D so that it is 0..1 (1 = every dimension exactly full).
//
// Example: offered (32, 128), used (8, 120), demand (4, 8): free shares
// 0.625 and 0; 10^0.625 = 4.21697, 10^0 = 1; score = 20 − 5.21697 =
// 14.78303; /18 = 0.82128.
func nomadBinPack(v *hostView) float64 {
	s, n := 0.0, 0
	for k, c := range v.Offered {
		if c <= 0 {
			continue
		}
		s += math.Pow(10, leftoverAfter(v, k))
		n++
	}
	if n == 0 {
		return 0
	}
	return (10*float64(n) - s) / (9 * float64(n))
}

// scoreNomad ranks hosts by nomadBinPack alone, as Nomad's bin-pack
// scheduler does.
func scoreNomad(v *hostView) Terms {
	t := Terms{
		Fill:     fillAfter(v),
		Stranded: strandedAfter(v),
		Appetite: appetiteCost(v),
		Opens:    !v.InUse,
	}
	t.Total = nomadBinPack(v)
	return t
}
