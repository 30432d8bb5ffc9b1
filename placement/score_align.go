package placement

import "math"

// alignment is the cosine between the guest's demand and the host's leftover,
// both normalised by the host's offer: a_k = demand_k/offered_k,
// b_k = (offered_k − used_k)/offered_k, alignment = a·b / (|a|·|b|), 0..1
// (0 when either vector is zero). It is the dot-product rule of Panigrahy,
// Talwar, Uyeda and Wieder, "Heuristics for Vector Bin Packing" (Microsoft
// Research, 2011), normalised as a cosine so that it measures shape, not
// size: a CPU-hungry guest scores high where CPU is what is left over — the
// leftover rule of berth's design, as a formula.
//
// Example: offered (32 cpu, 128 GiB), used (8, 120), web demand (4, 8):
// a = (0.125, 0.0625), b = (0.75, 0.0625); a·b = 0.09375 + 0.00390625 =
// 0.09765625; |a| = √0.01953125 = 0.139754, |b| = √0.56640625 = 0.752599;
// alignment = 0.09765625 / 0.105180 = 0.92848.
func alignment(v *hostView) float64 {
	var dot, na, nb float64
	for k, c := range v.Offered {
		if c <= 0 {
			continue
		}
		a := v.Demand[k] / c
		b := max(0, (c-v.Used[k])/c)
		dot += a * b
		na += a * a
		nb += b * b
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// scoreAlign is berth's own strategy, the default:
//
//	Total = Align ± Fill − Stranded − Appetite
//
// Align (0..1) is alignment: put a guest where the resource it eats is left
// over. Fill (0..1, fillAfter) is added under ObjectivePack — a best-fit
// term that prefers the host this guest fills most — and subtracted under
// ObjectiveSpread. Stranded (0..1, strandedAfter) is subtracted: a placement
// that leaves one dimension free while exhausting another wastes the free
// one. Appetite (Penalty per same-appetite guest already on the host) is the
// soft same-appetite rule. Range: −2 − Appetite .. 2. The preference for
// hosts already in use under ObjectivePack is structural (the solver only
// opens a host when no host in use fits), so it is not a term.
//
// Example (pack, no penalty): the host of alignment's example after placing
// is used (12, 128) of (32, 128): Align 0.92848, Fill (12/32 + 128/128)/2 =
// 0.6875, leftover shares 0.625 and 0, Stranded 0.625; Total = 0.92848 +
// 0.6875 − 0.625 = 0.99098.
func scoreAlign(v *hostView) Terms {
	t := Terms{
		Align:    alignment(v),
		Fill:     fillAfter(v),
		Stranded: strandedAfter(v),
		Appetite: appetiteCost(v),
		Opens:    !v.InUse,
	}
	t.Total = t.Align - t.Stranded - t.Appetite
	if v.Objective == ObjectiveSpread {
		t.Total -= t.Fill
	} else {
		t.Total += t.Fill
	}
	return t
}
