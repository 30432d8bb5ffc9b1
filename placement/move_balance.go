package placement

import (
	"slices"
	"time"
)

// balance lowers the most loaded host's utilisation (its dominant share:
// max over dimensions of used/offered) with the fewest migrations its
// method finds. It repeats the single best move off the most loaded host:
// the guest and destination that leave the lower of the two hosts' loads
// smallest (ties: fewer bytes, then host index), made only when it lowers
// that host below where it was without raising another above it. Each move
// thus lowers the sorted vector of host loads, so the loop ends; it stops
// when the most loaded host cannot be lowered. A last pass takes back every
// move whose guest can return to its source without raising the final
// peak: those moves only relieved hosts that did not end at the peak.
// Destinations are every open host, empty ones included.
func balance(mp *MoveProblem, opt MoveOptions, deadline time.Time) (*MovePlan, error) {
	f := newFleet(mp)
	start := slices.Clone(f.at)
	moved := make([]bool, mp.E())
	why := map[int32]Reason{}
	n, bytes := 0, 0.0
	for !timeUp(deadline) {
		h := heaviest(f)
		if h < 0 {
			break
		}
		e, t := bestRelief(f, h, moved, opt, n, bytes)
		if e < 0 {
			break
		}
		f.move(e, t)
		moved[e] = true
		why[int32(e)] = Reason{Kind: MoveBalance, Host: int32(h), Group: NoHost, Guest: NoHost}
		n++
		bytes += mp.Cost[e]
	}
	// Take back the moves the final peak does not need.
	peak := f.peak()
	for e := mp.E() - 1; e >= 0; e-- {
		s, t := int(start[e]), int(f.at[e])
		if !moved[e] || !f.fits(e, s) {
			continue
		}
		f.move(e, s)
		if f.load(s) > peak+1e-9 {
			f.move(e, t)
		}
	}
	final := f.snapshot()
	t := &target{wants: wantsFrom(mp, final, func(e int) Reason { return why[int32(e)] }), closed: newFleet(mp).closed}
	exact := exactImprove(mp, opt, GoalBalance, t, deadline)
	pl, err := scheduleTarget(mp, opt, GoalBalance, t)
	if err != nil {
		return nil, err
	}
	pl.Proven = exact && len(pl.Stuck) == 0
	pl.Bounds.Moves = peakBound(newFleet(mp), pl.PeakAfter)
	return pl, nil
}

// heaviest is the host with the largest load (ties: lowest index), −1 when
// every host is empty.
func heaviest(f *moveFleet) int {
	best, bl := -1, 0.0
	for h := range f.h {
		if f.guests[h] > 0 && (best < 0 || f.load(h) > bl) {
			best, bl = h, f.load(h)
		}
	}
	return best
}

// bestRelief is the move off host h that leaves max(load of h, load of the
// destination) smallest, if that is below h's load now; −1 when none.
func bestRelief(f *moveFleet, h int, moved []bool, opt MoveOptions, n int, bytes float64) (int, int) {
	d := f.d
	cur := f.load(h)
	bestE, bestT := -1, -1
	bestV, bestB := cur-1e-9, 0.0
	for _, e32 := range f.on[h] {
		e := int(e32)
		if moved[e] || !f.movable(e) || !opt.withinBudget(n, 1, bytes, f.mp.Cost[e]) {
			continue
		}
		dem := f.demand(e)
		left := 0.0
		for k := range d {
			left = max(left, frac(f.used[h*d+k]-dem[k], f.p.Offered[h*d+k]))
		}
		for t := range f.h {
			if t == h || !f.fits(e, t) {
				continue
			}
			v := left
			for k := range d {
				v = max(v, frac(f.used[t*d+k]+dem[k], f.p.Offered[t*d+k]))
			}
			b := f.mp.Cost[e]
			if v < bestV-1e-12 || (bestE >= 0 && v <= bestV+1e-12 && b < bestB) {
				bestE, bestT, bestV, bestB = e, t, v, b
			}
		}
	}
	return bestE, bestT
}

// peakBound: to bring every host to at most peak, a host above it must
// lose, in each dimension, at least as many guests as its largest guests
// there that cover its excess over peak·offered. Hosts add up.
func peakBound(f *moveFleet, peak float64) int {
	p, d := f.p, f.d
	lb := 0
	for h := range f.h {
		need := 0
		for k := range d {
			excess := f.used[h*d+k] - peak*p.Offered[h*d+k] - 1e-9*p.Offered[h*d+k]
			if excess <= 0 || p.Offered[h*d+k] <= 0 {
				continue
			}
			need = max(need, fewestToShed(f, h, k, excess))
		}
		lb += need
	}
	return lb
}

// fewestToShed is how many guests host h must lose, at the least, for its
// use in dimension k to drop by excess: its largest guests there first.
func fewestToShed(f *moveFleet, h, k int, excess float64) int {
	xs := make([]float64, 0, len(f.on[h]))
	for _, e := range f.on[h] {
		xs = append(xs, f.demand(int(e))[k])
	}
	slices.SortFunc(xs, cmpDesc)
	n, s := 0, 0.0
	for _, x := range xs {
		if s >= excess {
			break
		}
		s += x
		n++
	}
	return n
}
