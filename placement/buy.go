package placement

// buyFor buys a host for guest g when no existing host takes it, and
// returns it with g's terms there; −1 when no model may be bought or fits.
//
// Among the models that may still be bought (Max), hold g (capacity) and
// keep its rules (a model with a fixed rack or zone can clash with the
// group), the choice is:
//
//  1. fewest hosts: the smallest volume bound ⌈max_k R_k/C_k⌉ of the demand
//     R still to place (g included) on hosts of the model's offer C — a
//     model that would need fewer hosts for what is left wins;
//  2. cheapest: berth knows no prices, so the smallest model, by its offer
//     summed over dimensions in units of the reference host, stands in;
//  3. the strategy's score for g on the empty model;
//  4. the lower model index.
//
// Example: R = (40 cpu, 160 GiB) left; model A (32, 128), B (64, 256): A
// needs ⌈max(1.25, 1.25)⌉ = 2, B ⌈0.625⌉ = 1 host: B. With R = (8, 16)
// both need 1 and A, the smaller, wins.
func (sv *solver) buyFor(g int) (int, Terms) {
	p, st, d := sv.p, sv.st, sv.st.d
	dem := p.Demand[g*d : g*d+d]
	best := -1
	var bestNeed, bestSize float64
	var bestTerms Terms
	for m := range p.Models {
		md := &p.Models[m]
		if !st.canBuy(m) {
			continue
		}
		if p.Eligible != nil && p.Eligible[g] >= 0 && !p.HostSets[p.Eligible[g]].Models[m] {
			continue
		}
		fits := true
		for k, x := range dem {
			if !within(x, md.Offered[k]) {
				fits = false
				break
			}
		}
		if !fits {
			continue
		}
		rack, zone := md.Rack, md.Zone
		i := int32(len(st.newHosts))
		if rack < 0 {
			rack = st.maxRack + 1 + i
		}
		if zone < 0 {
			zone = st.maxZone + 1 + i
		}
		if !st.groupAllows(g, st.n, rack, zone) {
			continue
		}
		need := ceilNeed(sv.rem, md.Offered)
		size := 0.0
		for k, c := range md.Offered {
			size += c / sv.ref[k]
		}
		v := hostView{Demand: dem, Used: sv.zeros, Offered: md.Offered,
			Penalty: p.Policy.SameAppetite.Penalty, Objective: p.Policy.Objective}
		t := sv.strat.score(&v)
		better := best < 0 || need < bestNeed ||
			(need == bestNeed && (size < bestSize ||
				(size == bestSize && t.Total > bestTerms.Total)))
		if better {
			best, bestNeed, bestSize, bestTerms = m, need, size, t
		}
	}
	if best < 0 {
		return -1, Terms{}
	}
	h := st.buy(best)
	bestTerms.Opens = true
	return h, bestTerms
}
