package placement

import (
	"math"
	"slices"
)

// insert places pool guests, heaviest first, each on the open host in use
// (or, when open is true, any open host) where it leaves the least room
// (ties to the lowest host index); it returns the guests that fit nowhere.
func (se *search) insert(pool []int32, open bool) []int32 {
	st := se.st
	slices.SortFunc(pool, func(a, b int32) int { return cmpDesc(st.weight[a], st.weight[b]) })
	rest := pool[:0]
	for _, g := range pool {
		var best int
		if open {
			best = se.anyHostFor(g)
		} else {
			best = se.usedHostFor(g)
		}
		if best < 0 {
			rest = append(rest, g)
			continue
		}
		st.add(int(g), best)
	}
	return rest
}

// anyHostFor is insert's choice among all open hosts, opening one only as
// the last resort; it runs once, on the guests the construction left out.
func (se *search) anyHostFor(g int32) int {
	st := se.st
	best, bestLeft := -1, math.Inf(1)
	for h := range st.nh {
		if !st.fits(int(g), h) {
			continue
		}
		left := 1 - st.fill(h)
		if !st.inUse(h) {
			left += 2
		}
		if left < bestLeft {
			best, bestLeft = h, left
		}
	}
	return best
}

// maxChangeScan is how many logged host changes usedHostFor reads instead
// of scanning the room table.
const maxChangeScan = 256

// usedHostFor is insert's choice among the open hosts in use, made each
// search step for every pool guest — most of which fit nowhere, step after
// step. So when g last found no room and only a few hosts changed since,
// only those are asked: no other host can have gained room (or lost a
// guest that blocked g by a host-level rule). Otherwise the room table
// offers the hosts with room. Either way the answer is the one a scan of
// every host would give.
func (se *search) usedHostFor(g int32) int {
	st := se.st
	d := st.D
	best, bestLeft := -1, math.Inf(1)
	blocked := false // room on some host, but a rule refused
	try := func(h int) {
		if !st.fitsCapacity(int(g), h) {
			return
		}
		if !st.simple && !st.rulesAllow(int(g), h) {
			blocked = true
			return
		}
		left := 1 - st.fill(h)
		if left < bestLeft || left == bestLeft && h < best {
			best, bestLeft = h, left
		}
	}
	if hosts, ok := st.changedSince(se.noRoom[g], maxChangeScan); ok {
		for _, h := range hosts {
			if !st.closed[h] && st.inUse(int(h)) {
				try(int(h))
			}
		}
	} else {
		dem := st.p.Demand[int(g)*d : int(g)*d+d]
		k0 := se.tightest[g]
		for h := st.room.next(0, dem, k0); h >= 0; h = st.room.next(h+1, dem, k0) {
			try(h)
		}
	}
	if best < 0 && (!blocked || st.rulesLocal(int(g))) {
		se.noRoom[g] = st.mark()
	}
	return best
}
