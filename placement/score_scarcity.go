package placement

import "math"

// scarcity is, per dimension, how much of the fleet's supply the whole
// demand takes, relative to the scarcest dimension: s_k = demand_k /
// supply_k, weight_k = s_k / max_j s_j, 0..1. Demand is every guest's,
// existing and new; supply is what the hosts that take guests offer (the
// first model's offer when there are none: only the ratios matter).
//
// The scarcest dimension decides how many hosts a plan needs; the others
// will be left over whatever the plan does. A score that weighs every
// dimension alike chases balance in dimensions that cannot be balanced —
// 25 Gbps of network on every host when the guests need a fifth of it —
// at the cost of filling the one that counts.
//
// Example: demand (cpu 900, memory 4,000 GiB, net 50 Gbps) on 20 hosts of
// (64, 512 GiB, 25 Gbps): s = (0.70, 0.39, 0.10), weight = (1, 0.56,
// 0.14).
func scarcity(p *Problem) []float64 {
	d := p.D()
	dem := make([]float64, d)
	sup := make([]float64, d)
	for g := range p.G() {
		for k := range d {
			dem[k] += p.Demand[g*d+k]
		}
	}
	for e := range p.ExistingHost {
		for k := range d {
			dem[k] += p.ExistingDemand[e*d+k]
		}
	}
	for h := range p.H() {
		if p.Excluded != nil && p.Excluded[h] {
			continue
		}
		for k := range d {
			sup[k] += p.Offered[h*d+k]
		}
	}
	w := make([]float64, d)
	top := 0.0
	for k := range d {
		s := sup[k]
		if s <= 0 && len(p.Models) > 0 {
			s = p.Models[0].Offered[k]
		}
		if s > 0 {
			w[k] = dem[k] / s
		}
		top = math.Max(top, w[k])
	}
	for k := range w {
		if top > 0 {
			w[k] /= top
		} else {
			w[k] = 1
		}
	}
	return w
}

// weight is v.Weight[k], or 1 when the view has no weights.
func (v *hostView) weight(k int) float64 {
	if v.Weight == nil {
		return 1
	}
	return v.Weight[k]
}

// weightedAlignment is alignment with each dimension's shares scaled by
// its scarcity: the cosine of (w_k·demand_k/offered_k) and
// (w_k·free_k/offered_k).
func weightedAlignment(v *hostView) float64 {
	var dot, na, nb float64
	for k, c := range v.Offered {
		if c <= 0 {
			continue
		}
		w := v.weight(k)
		a := w * v.Demand[k] / c
		b := w * max(0, (c-v.Used[k])/c)
		dot += a * b
		na += a * a
		nb += b * b
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// weightedFill is fillAfter with the mean weighted by scarcity.
func weightedFill(v *hostView) float64 {
	s, n := 0.0, 0.0
	for k, c := range v.Offered {
		if c > 0 {
			w := v.weight(k)
			s += w * (v.Used[k] + v.Demand[k]) / c
			n += w
		}
	}
	if n == 0 {
		return 0
	}
	return s / n
}

// weightedStranded is strandedAfter on the leftover shares scaled by
// scarcity: max_k w_k·l_k − min_k w_k·l_k.
func weightedStranded(v *hostView) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, c := range v.Offered {
		if c <= 0 {
			continue
		}
		l := v.weight(k) * leftoverAfter(v, k)
		lo, hi = min(lo, l), max(hi, l)
	}
	if hi < lo {
		return 0
	}
	return hi - lo
}
