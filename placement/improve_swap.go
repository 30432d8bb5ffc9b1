package placement

import "math"

// Limits on the swap neighbourhood of one step.
const (
	// maxSwapReceivers bounds the hosts bestSwap tries per step: on a
	// large fleet a seeded sample, since the full scan costs
	// O(hosts · guests²) a step. Instances of the public benchmarks (a few
	// hundred bins at most) are scanned whole.
	maxSwapReceivers = 256
	// maxPoolForPairs: pairs of pool guests go in together only while the
	// pool is this small (the pairs grow with its square).
	maxPoolForPairs = 40
	// maxHostForPairs: pairs of a host's guests come out together only
	// while the host holds this many movable guests.
	maxHostForPairs = 24
)

// bestSwap finds the swap of up to two guests on one open host in use with
// one or two pool guests that lowers the pool's weight most (or raises it
// least): a tabu search step. A move that puts a guest back on the host it
// just left is tabu unless it makes the pool lighter than ever before in
// this repair (aspiration). The returned slices are scratch, valid until
// the next call.
//
// Most of the neighbourhood cannot beat the best swap found so far or
// cannot fit, and the scan skips it without looking: the pool side is
// sorted heaviest first and each host's guests lightest first, so once the
// heaviest pool entry minus what leaves is no gain, neither is anything
// after it on that host; and per host, only the pool entries that would
// fit were its heaviest guests to leave are tried at all (hostPairs).
func (se *search) bestSwap(pool []int32, w, bestW float64) (h int, out, in []int32, ok bool) {
	se.pool.update(se.st, pool)
	if len(se.pool.list) == 0 {
		return 0, nil, nil, false
	}
	sc := swapScan{w: w, bestW: bestW, maxIn: se.pool.list[0].w, delta: math.Inf(-1)}
	se.sampleReceivers()
	for _, x := range se.recv {
		se.swapsOn(int(x), &sc)
	}
	if math.IsInf(sc.delta, -1) {
		return 0, nil, nil, false
	}
	se.lastDelta = sc.delta
	se.outBuf, se.inBuf = sc.out, [2]int32{sc.in.a, sc.in.b}
	out, in = se.outBuf[:1], se.inBuf[:1]
	if sc.out[1] != NoHost {
		out = se.outBuf[:2]
	}
	if sc.in.b != NoHost {
		in = se.inBuf[:2]
	}
	return sc.host, out, in, true
}

// swapScan is one bestSwap: the pool's weight and the lightest it has been
// in this repair (for the tabu's aspiration), the heaviest pool entry, and
// the best swap so far (delta −Inf before any).
type swapScan struct {
	w, bestW, maxIn float64

	delta float64
	host  int
	out   [2]int32
	in    pair
}

// swapsOn tries the swaps on host x of the sample: its guests lightest
// first, each alone and then with each heavier one (while the host has
// few), against the pool entries that could fit once they leave.
func (se *search) swapsOn(x int, sc *swapScan) {
	st := se.st
	d := st.D
	m := st.lightFirst(x)
	if len(m) == 0 || sc.maxIn-st.weight[m[0]] <= sc.delta {
		return
	}
	two := len(m) >= 2 && len(m) <= maxHostForPairs
	for k := range d {
		se.slack[k] = st.off[x*d+k] - st.used[x*d+k]
	}
	if !se.hostPairsFor(x, m, two, sc.delta) {
		return
	}
	for i, o1 := range m {
		w1 := st.weight[o1]
		if sc.maxIn-w1 <= sc.delta {
			break // the rest of m is heavier
		}
		se.trySwap(x, o1, NoHost, w1, sc)
		if !two {
			continue
		}
		for _, o2 := range m[i+1:] {
			wOut := w1 + st.weight[o2]
			if sc.maxIn-wOut <= sc.delta {
				break
			}
			se.trySwap(x, o1, o2, wOut, sc)
		}
	}
}

// trySwap tries the pool entries se.hostPairs for host x with o1 (and o2,
// unless NoHost) out, weighing wOut together, and keeps the first that
// beats the best swap: they are sorted heaviest first, so none after it
// gains more.
func (se *search) trySwap(x int, o1, o2 int32, wOut float64, sc *swapScan) {
	st := se.st
	d := st.D
	free, dem, minDem := se.free, st.p.Demand, se.pool.minDem
	// free = room on x once o1 (and o2) leave
	for k := range d {
		f := se.slack[k] + dem[int(o1)*d+k]
		if o2 != NoHost {
			f += dem[int(o2)*d+k]
		}
		if f < minDem[k] {
			return // not even the smallest pool guest fits
		}
		free[k] = f
	}
scan:
	for j := range se.hostPairs {
		hp := &se.hostPairs[j]
		delta := hp.w - wOut
		if delta <= sc.delta {
			return // sorted: nothing better follows
		}
		for k, v := range se.hostDem[j*d : j*d+d] {
			if v > free[k] {
				continue scan
			}
		}
		pr := se.pool.list[hp.i]
		if (se.tabu(pr.a, x) || (pr.b != NoHost && se.tabu(pr.b, x))) && sc.w-delta >= sc.bestW-1e-12 {
			continue
		}
		if !st.simple && !se.allowed(x, o1, o2, hp) {
			continue
		}
		sc.delta, sc.host, sc.out, sc.in = delta, x, [2]int32{o1, o2}, pr
		return
	}
}

// hostPair is a pool entry (index into se.pool.list) worth trying on one
// host, and whether the rules allow it there whatever leaves: 0 not asked
// yet, 1 yes, −1 only if a guest that leaves makes room for it.
type hostPair struct {
	w    float64 // pairs[i].w, and its demand in se.hostDem, at hand
	i    int32
	base int8
}

// allowed reports whether the rules let entry hp onto x with o1, o2 out.
// The answer with no one out is asked once per host and step, and holds
// for every swap unless o1 or o2 counts towards the rule that refused.
func (se *search) allowed(x int, o1, o2 int32, hp *hostPair) bool {
	st := se.st
	pr := se.pool.list[hp.i]
	if hp.base == 0 {
		hp.base = -1
		if st.swapAllows(x, NoHost, NoHost, pr.a, pr.b) {
			hp.base = 1
		}
	}
	if hp.base > 0 {
		return true
	}
	return (st.shares(o1, pr) || st.shares(o2, pr)) && st.swapAllows(x, o1, o2, pr.a, pr.b)
}

// hostPairsFor sets se.hostPairs to the pool entries that may beat
// bestDelta on host x (guests m, lightest first) with one of its guests
// leaving, or two if two: those that fit in the room x would have with its
// largest guests gone, in pool order. It reports whether there are any.
func (se *search) hostPairsFor(x int, m []int32, two bool, bestDelta float64) bool {
	st := se.st
	d := st.D
	room := st.roomIfEmptied(x, two)
	w0 := st.weight[m[0]] // the lightest that can leave
	se.hostPairs, se.hostDem = se.hostPairs[:0], se.hostDem[:0]
scan:
	for i, pr := range se.pool.list {
		if pr.w-w0 <= bestDelta {
			break
		}
		for k, v := range se.pool.dem[i*d : i*d+d] {
			if v > room[k] {
				continue scan
			}
		}
		se.hostPairs = append(se.hostPairs, hostPair{w: pr.w, i: int32(i)})
		se.hostDem = append(se.hostDem, se.pool.dem[i*d:i*d+d]...)
	}
	return len(se.hostPairs) > 0
}

// sampleReceivers sets se.recv to the hosts this step's swaps may use:
// every open host with a movable guest, or on a large fleet a seeded
// sample of maxSwapReceivers of them (a partial Fisher–Yates shuffle).
func (se *search) sampleReceivers() {
	recv := append(se.recv[:0], se.st.recv...)
	n := min(len(recv), maxSwapReceivers)
	for i := range n {
		j := i + se.rng.IntN(len(recv)-i)
		recv[i], recv[j] = recv[j], recv[i]
	}
	se.recv = recv[:n]
}

// neverTogether reports whether no host may take new guests a and b
// together whatever else moves: they share an anti-affinity group, or an
// appetite under a hard limit of one per host.
func (st *imState) neverTogether(a, b int32) bool {
	p := st.p
	if ga := p.Group[a]; ga != NoHost && ga == p.Group[b] && !p.Groups[ga].Together {
		return true
	}
	if st.appCount != nil && st.appMax <= 1 {
		if x := p.Appetite[a]; x >= 0 && int(x) < st.D && x == p.Appetite[b] {
			return true
		}
	}
	return false
}

// swapAllows reports whether the group, appetite and host-set rules let
// pool guests a (and b, unless NoHost) take the place of o1 (and o2,
// unless NoHost) on host x: what swap would decide, worked out from the
// counts without moving anyone. Capacity is the caller's.
func (st *imState) swapAllows(x int, o1, o2, a, b int32) bool {
	p := st.p
	for _, g := range [2]int32{a, b} {
		if g == NoHost {
			continue
		}
		if !eligibleOn(p, int(g), x, st.newHosts) {
			return false
		}
		if grp := p.Group[g]; grp != NoHost && !p.Groups[grp].Together {
			// members in x's domain once o1, o2 left and a arrived
			n := st.grpCount[st.domain(grp, x)]
			n -= b2i(o1 != NoHost && p.Group[o1] == grp) + b2i(o2 != NoHost && p.Group[o2] == grp)
			n += b2i(g == b && p.Group[a] == grp)
			if n > 0 {
				return false
			}
		}
		if ap := p.Appetite[g]; st.appCount != nil && ap >= 0 && int(ap) < st.D {
			n := st.appCount[x*st.D+int(ap)]
			n -= b2i(o1 != NoHost && p.Appetite[o1] == ap) + b2i(o2 != NoHost && p.Appetite[o2] == ap)
			n += b2i(g == b && p.Appetite[a] == ap)
			if n >= st.appMax {
				return false
			}
		}
	}
	return true
}

// shares reports whether guest o (NoHost: none) counts towards a group
// or appetite rule that could refuse pool entry pr: only then can o's
// leaving a host let pr on.
func (st *imState) shares(o int32, pr pair) bool {
	if o == NoHost || st.simple {
		return false
	}
	p := st.p
	for _, g := range [2]int32{pr.a, pr.b} {
		if g == NoHost {
			continue
		}
		if grp := p.Group[g]; grp != NoHost && p.Group[o] == grp {
			return true
		}
		if ap := p.Appetite[g]; st.appCount != nil && ap >= 0 && p.Appetite[o] == ap {
			return true
		}
	}
	return false
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}
