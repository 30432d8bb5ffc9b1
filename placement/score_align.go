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

// scoreAlign is berth's own strategy, the default. Under ObjectivePack:
//
//	Total = ½·Align + Fill − Appetite
//
// with every dimension weighted by its scarcity over the fleet
// (score_scarcity.go). Align (0..1, weightedAlignment): put a guest where
// the resource it eats is left over, at half the weight of Fill (0..1,
// weightedFill): a best-fit term that prefers the host this guest fills
// most in the dimensions that decide how many hosts are needed. Appetite (Penalty per
// same-appetite guest already on the host) is the soft same-appetite rule.
// Stranded (weightedStranded) is reported, not counted: with the scarcity
// weights, a dimension that must be left over anyway no longer looks
// stranded, and what remained of the term only held hosts back from
// filling (docs/algorithms.md, "Why align wins"). Range −Appetite .. 1.5.
// The preference for hosts already in use is structural (the solver only
// opens a host when no host in use fits), so it is not a term.
//
// Under ObjectiveSpread, unweighted: Total = Align − Fill − Stranded −
// Appetite (alignment, fillAfter, strandedAfter): the emptiest host whose
// leftover matches the guest. A view without weights — the move planner's,
// which finds running guests a destination one at a time while emptying
// hosts — gets the earlier unweighted form, Align + Fill − Stranded −
// Appetite, which frees more hosts there (`berth bench rebalance`).
//
// Example (pack, no penalty, weights (1, 0.5)): offered (32 cpu, 128 GiB),
// used (8, 120), web demand (4, 8). Align: a = (1·4/32, 0.5·8/128) =
// (0.125, 0.03125), b = (1·24/32, 0.5·8/128) = (0.75, 0.03125), a·b =
// 0.0947266, |a| = 0.128847, |b| = 0.750651, Align = 0.97940. Fill:
// (1·12/32 + 0.5·128/128)/1.5 = 0.58333. Total = 0.97940/2 + 0.58333 =
// 1.07303 (Stranded: leftovers 1·0.625 and 0.5·0, 0.625, not counted).
func scoreAlign(v *hostView) Terms {
	if v.Objective == ObjectiveSpread || v.Weight == nil {
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
	t := Terms{
		Align:    weightedAlignment(v),
		Fill:     weightedFill(v),
		Stranded: weightedStranded(v),
		Appetite: appetiteCost(v),
		Opens:    !v.InUse,
	}
	t.Total = t.Align/2 + t.Fill - t.Appetite
	return t
}
