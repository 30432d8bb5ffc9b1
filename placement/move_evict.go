package placement

import (
	"cmp"
	"slices"
)

// makeRoomFor finds a place for guest e, which fits on no host as things
// are, by moving one other guest out of its way: among the open hosts
// closest to taking e (by capacity shortfall, at most 16), the first where
// one of its guests x — the cheapest that may (may(x)) and can go to some
// other host u — leaves room for e once gone. It moves x to u (the fleet
// changes) and returns x, u and e's host t; ok is false, and nothing
// changed, when no such guest exists. The caller moves e. At most
// evictTries guests whose leaving would make room are looked at.
func makeRoomFor(f *moveFleet, ch *chooser, e int, may func(x int) bool) (x, u, t int, ok bool) {
	tries := 0
	for _, t := range closestHosts(f, e, 16) {
		cands := slices.Clone(f.on[t])
		slices.SortFunc(cands, func(a, b int32) int { return cmp.Or(cmp.Compare(f.mp.Cost[a], f.mp.Cost[b]), cmp.Compare(a, b)) })
		for _, x32 := range cands {
			x := int(x32)
			if x == e || !f.movable(x) || !may(x) || !f.roomWithout(e, t, x) {
				continue
			}
			if tries++; tries > evictTries {
				return -1, -1, -1, false
			}
			u := ch.best(x, t)
			if u < 0 {
				continue
			}
			f.move(x, u)
			if f.fits(e, t) {
				return x, u, t, true
			}
			f.move(x, t)
		}
	}
	return -1, -1, -1, false
}

// evictTries bounds the destination searches of one makeRoomFor: on a
// tight fleet most guests that could make room have nowhere to go, and each
// failed search walks much of the host index.
const evictTries = 8

// roomWithout reports whether host t has room for guest e once guest x
// (on t) is gone, by capacity alone.
func (f *moveFleet) roomWithout(e, t, x int) bool {
	d := f.d
	dx := f.demand(x)
	for k, v := range f.demand(e) {
		if !within(f.used[t*d+k]-dx[k]+v, f.p.Offered[t*d+k]) {
			return false
		}
	}
	return true
}

// closestHosts lists up to n open hosts other than e's own that refuse
// guest e by capacity alone, smallest normalised shortfall first (ties:
// index): the hosts where moving one guest away most likely makes room.
func closestHosts(f *moveFleet, e, n int) []int {
	d := f.d
	type hs struct {
		h     int
		short float64
	}
	var out []hs
	dem := f.demand(e)
	for t := range f.h {
		if f.closed[t] || int(f.at[e]) == t || f.guests[t] == 0 || !f.eligible(e, t) || !f.rulesAllow(e, t) {
			continue
		}
		s := 0.0
		for k, x := range dem {
			o := f.p.Offered[t*d+k]
			if short := f.used[t*d+k] + x - o; short > 0 {
				s += frac(short, o)
			}
		}
		out = append(out, hs{t, s})
	}
	slices.SortStableFunc(out, func(a, b hs) int { return cmp.Compare(a.short, b.short) })
	var hosts []int
	for _, x := range out[:min(n, len(out))] {
		hosts = append(hosts, x.h)
	}
	return hosts
}
