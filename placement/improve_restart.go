package placement

import (
	"cmp"
	"math"
	"slices"
)

// Limits that keep the restarts from dominating on large fleets: the
// first-fit passes cost up to guests × hosts capacity checks, the
// bin-centric one guests² dot products.
const (
	restartWork   = 50_000_000
	binCentricMax = 5_000
)

// restart re-packs every movable guest first fit decreasing, for a few
// size measures, onto the hosts of the solution (those in use first, in
// index order), and keeps the result when it needs fewer hosts: the
// search then starts from the best of the construction and these.
func (se *search) restart() {
	st := se.st
	var mov []int32
	for g, x := range st.host {
		if x != NoHost && st.movable[g] {
			mov = append(mov, int32(g))
		}
	}
	if len(mov) == 0 || len(mov)*st.nh > restartWork {
		return
	}
	d := st.D
	norm := st.normaliser()
	keys := []func(g int32) float64{
		func(g int32) float64 { return st.weights[1][g] }, // weighted volume (FFD-L1)
		func(g int32) float64 { // largest normalised size
			m := 0.0
			for k := range d {
				m = math.Max(m, st.p.Demand[int(g)*d+k]/norm[k])
			}
			return m
		},
		func(g int32) float64 { // Euclidean norm of the normalised size
			m := 0.0
			for k := range d {
				x := st.p.Demand[int(g)*d+k] / norm[k]
				m += x * x
			}
			return m
		},
	}
	snap := slices.Clone(st.host)
	used0, _ := st.hostsInUse()
	bestUsed, best := used0, snap
	var hosts []int
	for h := range st.nh {
		if st.inUse(h) {
			hosts = append(hosts, h)
		}
	}
	for h := range st.nh {
		if !st.inUse(h) && !st.closed[h] {
			hosts = append(hosts, h)
		}
	}
	ff := newFirstFit(st, hosts)
	for _, key := range keys {
		if se.tick() {
			break
		}
		for _, g := range mov {
			if st.host[g] != NoHost {
				st.remove(int(g))
			}
		}
		kv := make([]float64, len(st.host))
		for _, g := range mov {
			kv[g] = key(g)
		}
		// by key, ties in guest order (mov is ascending): a stable sort,
		// by the faster unstable one
		order := slices.Clone(mov)
		slices.SortFunc(order, func(a, b int32) int {
			if c := cmpDesc(kv[a], kv[b]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		all := ff.pass(se, order, bestUsed)
		if used, _ := st.hostsInUse(); all && used < bestUsed {
			bestUsed, best = used, slices.Clone(st.host)
		}
	}
	if !se.tick() && len(mov) <= binCentricMax {
		for _, g := range mov {
			if st.host[g] != NoHost {
				st.remove(int(g))
			}
		}
		if se.binCentric(mov, hosts, norm) {
			if used, _ := st.hostsInUse(); used < bestUsed {
				bestUsed, best = used, slices.Clone(st.host)
			}
		}
	}
	for _, g := range mov {
		if st.host[g] != NoHost {
			st.remove(int(g))
		}
	}
	for _, g := range mov {
		st.add(int(g), int(best[g]))
	}
	if bestUsed < used0 {
		se.changed = true
	}
}

// binCentric packs the unplaced guests mov host by host, in the order
// given: each host takes, while any fits, the guest whose normalised
// demand has the largest dot product with the host's normalised free room,
// dimensions weighted by the demand still to place (the bin-centric
// "DP1, dynamic weights" heuristic, the best single heuristic of Mommessin,
// Erlebach & Shakhlevich 2025; after Panigrahy et al. 2011). It reports
// whether every guest found a host.
func (se *search) binCentric(mov []int32, hosts []int, norm []float64) bool {
	st := se.st
	d := st.D
	dem := st.p.Demand
	left := slices.Clone(mov)
	lam := make([]float64, d)
	for _, g := range left {
		for k := range d {
			lam[k] += dem[int(g)*d+k] / norm[k]
		}
	}
	for _, h := range hosts {
		if len(left) == 0 {
			break
		}
		for len(left) > 0 {
			if se.timeUp() {
				return false
			}
			best, bestScore := -1, math.Inf(-1)
			for i, g := range left {
				if !st.fits(int(g), h) {
					continue
				}
				sc := 0.0
				for k := range d {
					sc += lam[k] * dem[int(g)*d+k] / norm[k] * (st.off[h*d+k] - st.used[h*d+k]) / norm[k]
				}
				if sc > bestScore {
					best, bestScore = i, sc
				}
			}
			if best < 0 {
				break
			}
			g := left[best]
			st.add(int(g), h)
			for k := range d {
				lam[k] -= dem[int(g)*d+k] / norm[k]
			}
			left[best] = left[len(left)-1]
			left = left[:len(left)-1]
		}
	}
	return len(left) == 0
}
