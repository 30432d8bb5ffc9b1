package placement

import (
	"math"
	"slices"
)

// packTargets tries to put the whole pool on the targets but one, first fit
// decreasing (the pool is sorted heaviest first by insert); on success the
// pool is placed and the remaining target is empty. A target left out is
// not tried when the pool's demand exceeds the others' free room in some
// dimension, which is most steps: the pool shrinks to fit only at the end.
func (se *search) packTargets(pool []int32, targets []int) bool {
	st := se.st
	if len(pool) == 0 {
		return true
	}
	d := st.D
	need := se.need
	clear(need)
	for _, g := range pool {
		for k, v := range st.p.Demand[int(g)*d : int(g)*d+d] {
			need[k] += v
		}
	}
	for skip := range targets {
		if !roomFor(st, need, targets, skip) {
			if st.simple && allSameShape(st, targets) {
				break
			}
			continue
		}
		ok := true
		for i, t := range targets {
			st.setClosed(t, i == skip)
		}
		placed := 0
		for _, g := range pool {
			done := false
			for i, t := range targets {
				if i != skip && st.fits(int(g), t) {
					st.add(int(g), t)
					done = true
					break
				}
			}
			if !done {
				ok = false
				break
			}
			placed++
		}
		if ok {
			for _, t := range targets {
				st.setClosed(t, st.excluded[t])
			}
			return true
		}
		for _, g := range pool[:placed] {
			st.remove(int(g))
		}
		for _, t := range targets {
			st.setClosed(t, true)
		}
		if st.simple && allSameShape(st, targets) {
			break
		}
	}
	return false
}

// roomFor reports whether the targets but skip may have room for demand
// need: summed free room at least need in every dimension (widened a
// little for rounding; packing decides).
func roomFor(st *imState, need []float64, targets []int, skip int) bool {
	d := st.D
	for k, v := range need {
		room := 0.0
		for i, t := range targets {
			if i != skip {
				room += st.off[t*d+k] - st.used[t*d+k]
			}
		}
		if v > room+math.Abs(room)*1e-9+1e-9 {
			return false
		}
	}
	return true
}

func allSameShape(st *imState, targets []int) bool {
	d := st.D
	for _, t := range targets[1:] {
		for k := range d {
			if st.off[t*d+k] != st.off[targets[0]*d+k] || st.used[t*d+k] != st.used[targets[0]*d+k] {
				return false
			}
		}
	}
	return true
}

// packHosts is how many hosts packSome tries per call, and packNodes the
// search nodes packBin may spend on one host.
const (
	packHosts = 6
	packNodes = 400
)

// packSome is the descent step of Buljubašić & Vasquez (2016) with
// unlimited add/drop moves: for a few random hosts in use, refill the host
// with the heaviest subset of its movable guests and the pool that fits
// (a small multi-dimensional knapsack, depth-first with a bound). The
// first host whose refill lightens the pool is changed, and the pool
// returned.
func (se *search) packSome(pool []int32) ([]int32, bool) {
	st := se.st
	se.recv = append(se.recv[:0], st.recv...)
	for range min(packHosts, len(se.recv)) {
		i := se.rng.IntN(len(se.recv))
		x := int(se.recv[i])
		se.recv[i] = se.recv[len(se.recv)-1]
		se.recv = se.recv[:len(se.recv)-1]
		if se.tick() {
			return pool, false
		}
		chosen, ok := se.packBin(x, pool)
		if !ok {
			continue
		}
		old := slices.Clone(st.members[x])
		for _, g := range old {
			st.remove(int(g))
		}
		for _, g := range chosen {
			st.add(int(g), x)
		}
		for _, g := range old {
			if st.host[g] == NoHost {
				se.makeTabu(g, x)
			}
		}
		pool = slices.DeleteFunc(pool, func(g int32) bool { return st.host[g] != NoHost })
		for _, g := range old {
			if st.host[g] == NoHost {
				pool = append(pool, g)
			}
		}
		return pool, true
	}
	return pool, false
}

// packBin finds the heaviest set of host x's movable guests and pool
// guests (not tabu for x) that fits on x, if heavier than what x holds.
func (se *search) packBin(x int, pool []int32) ([]int32, bool) {
	st := se.st
	d := st.D
	dem := st.p.Demand
	cands := append(se.cands[:0], st.members[x]...)
	cur := 0.0
	for _, g := range cands {
		cur += st.weight[g]
	}
	for _, g := range pool {
		if !se.tabu(g, x) {
			cands = append(cands, g)
		}
	}
	slices.SortFunc(cands, func(a, b int32) int { return cmpDesc(st.weight[a], st.weight[b]) })
	if len(cands) > 30 {
		cands = cands[:30]
	}
	se.cands = cands
	suffix := slices.Grow(se.suffix[:0], len(cands)+1)[:len(cands)+1]
	se.suffix = suffix
	suffix[len(cands)] = 0
	for i := len(cands) - 1; i >= 0; i-- {
		suffix[i] = suffix[i+1] + st.weight[cands[i]]
	}
	free := se.free
	for k := range d {
		free[k] = st.off[x*d+k] - st.used[x*d+k]
	}
	for _, g := range st.members[x] {
		for k := range d {
			free[k] += dem[int(g)*d+k]
		}
	}
	best := cur + 1e-9
	var bestSet, set []int32
	nodes := 0
	var dfs func(i int, w float64)
	dfs = func(i int, w float64) {
		if w > best {
			best, bestSet = w, slices.Clone(set)
		}
		if i == len(cands) || w+suffix[i] <= best || nodes >= packNodes {
			return
		}
		nodes++
		g := cands[i]
		row := dem[int(g)*d : int(g)*d+d]
		fits := true
		for k, v := range row {
			if v > free[k] {
				fits = false
				break
			}
		}
		if fits {
			for k, v := range row {
				free[k] -= v
			}
			set = append(set, g)
			dfs(i+1, w+st.weight[g])
			set = set[:len(set)-1]
			for k, v := range row {
				free[k] += v
			}
		}
		dfs(i+1, w)
	}
	dfs(0, 0)
	return bestSet, bestSet != nil
}
