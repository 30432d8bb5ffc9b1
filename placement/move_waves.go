package placement

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// WaveOptions selects how PlanWaves partitions the hosts.
type WaveOptions struct {
	// MaxHostsPerWave bounds the hosts drained together (0 = no limit).
	MaxHostsPerWave int
	// Strategy, Candidates, Seed, ExactNodes and Deadline are as in
	// MoveOptions; the budgets there do not apply to maintenance.
	Move MoveOptions
}

// MaintenanceWave is one step of rolling maintenance: its hosts are
// drained together, maintained, and back in service for the next wave.
type MaintenanceWave struct {
	Hosts []int32 // ascending
	// Start, len E: where every guest is when the wave starts (as the
	// waves before it left them).
	Start []int32
	// Drain empties Hosts from Start; its moves, waves and costs are
	// relative to Start (CheckMoves it against WaveProblem).
	Drain *MovePlan
}

// MaintenancePlan partitions the hosts into maintenance waves.
type MaintenancePlan struct {
	Waves []MaintenanceWave
	// Undrainable: hosts that cannot be drained even alone, with what
	// keeps each guest there (Explain's reasons for a guest no host
	// takes). They are in no wave.
	Undrainable []int32
	Stuck       []Stuck
	// LowerBound: no partition of the drainable hosts has fewer waves
	// (see wavesBound).
	LowerBound int
	// Final, len E: where the guests are after the last wave.
	Final []int32
}

// WaveProblem is mp with its guests where wave w starts, the problem its
// Drain plan is relative to.
func (mp *MoveProblem) WaveProblem(w *MaintenanceWave) *MoveProblem {
	q := *mp.P
	q.ExistingHost = slices.Clone(w.Start)
	out := *mp
	out.P = &q
	return &out
}

// PlanWaves partitions the hosts that take guests (not excluded) into as
// few maintenance waves as its method finds, such that all hosts of one
// wave can be drained together — their guests fit on the other hosts
// under every rule — and gives each wave's moves. Waves run one after the
// other; a wave starts from where the previous one left the guests (they
// do not move back), and its drained hosts are destinations again in the
// next.
//
// The method is first fit decreasing over hosts: hosts hardest to drain
// first (most guests, then most load), each wave filled with every host
// that can join it — its guests, and the guests earlier hosts of the wave
// had sent to it, find other hosts — up to MaxHostsPerWave. Empty hosts
// come last and fill what room is left. A host that cannot be drained even
// alone at the start of a wave is undrainable. The lower bound compares:
// see wavesBound.
func PlanWaves(mp *MoveProblem, opt WaveOptions) (*MaintenancePlan, error) {
	if err := mp.Validate(); err != nil {
		return nil, err
	}
	if opt.MaxHostsPerWave < 0 {
		return nil, fmt.Errorf("placement: MaxHostsPerWave = %d, want ≥ 0 (0 = no limit)", opt.MaxHostsPerWave)
	}
	mo := opt.Move
	mo.MaxMoves, mo.MaxBytes, mo.Drain = 0, 0, nil
	if err := mo.validate(mp, GoalConsolidate); err != nil {
		return nil, err
	}
	var deadline time.Time
	if mo.Deadline > 0 {
		deadline = time.Now().Add(mo.Deadline)
	}
	out := &MaintenancePlan{Waves: []MaintenanceWave{}, Undrainable: []int32{}, Stuck: []Stuck{}}
	start := slices.Clone(mp.P.ExistingHost)
	remaining := maintenanceOrder(mp)
	var drained []int32
	for len(remaining) > 0 {
		wmp := mp.WaveProblem(&MaintenanceWave{Start: start})
		hosts, rest, pl, err := drainWave(wmp, mo, remaining, opt.MaxHostsPerWave, deadline)
		if err != nil {
			return nil, err
		}
		if len(hosts) == 0 {
			// No host joins a wave by moving its own guests alone. The
			// first may still drain with room made by moving a guest of
			// another host (the drain planner's eviction): a wave of its
			// own. Otherwise it is undrainable, with the reasons that
			// drain gives.
			h := remaining[0]
			remaining = remaining[1:]
			pl, err := Rebalance(wmp, GoalDrain, withDrain(mo, []int32{h}))
			if err != nil {
				return nil, err
			}
			if len(pl.Stuck) == 0 {
				drained = append(drained, h)
				out.Waves = append(out.Waves, MaintenanceWave{Hosts: []int32{h}, Start: slices.Clone(start), Drain: pl})
				start = slices.Clone(pl.Final)
				continue
			}
			out.Undrainable = append(out.Undrainable, h)
			out.Stuck = append(out.Stuck, pl.Stuck...)
			continue
		}
		drained = append(drained, hosts...)
		slices.Sort(hosts)
		out.Waves = append(out.Waves, MaintenanceWave{Hosts: hosts, Start: slices.Clone(start), Drain: pl})
		start = slices.Clone(pl.Final)
		remaining = rest
	}
	out.Final = start
	out.LowerBound = wavesBound(mp, drained, opt.MaxHostsPerWave)
	return out, nil
}

// drainWave fills one wave (fillWave) and schedules its moves. When the
// scheduler is left with moves it cannot make (a cycle with no third host
// outside the wave), the hosts those guests come from leave the wave and
// it is filled again without them.
func drainWave(mp *MoveProblem, opt MoveOptions, remaining []int32, maxHosts int, deadline time.Time) (hosts, rest []int32, pl *MovePlan, err error) {
	skip := map[int32]bool{}
	for {
		var final []int32
		hosts, rest, final, err = fillWave(mp, opt, remaining, skip, maxHosts, deadline)
		if err != nil || len(hosts) == 0 {
			return hosts, rest, nil, err
		}
		start := newFleet(mp)
		closed := start.closed
		for _, h := range hosts {
			closed[h] = true
		}
		ws := wantsFrom(mp, final, func(e int) Reason {
			return Reason{Kind: MoveDrain, Host: mp.P.ExistingHost[e], Group: NoHost, Guest: NoHost}
		})
		pl, err = scheduleTarget(mp, opt, GoalDrain, &target{wants: ws, leaving: hosts, closed: closed})
		if err != nil {
			return nil, nil, nil, err
		}
		if len(pl.Stuck) == 0 {
			pl.Bounds.Moves = 0
			for _, h := range hosts {
				pl.Bounds.Moves += int(start.guests[h])
			}
			return hosts, rest, pl, nil
		}
		for _, st := range pl.Stuck {
			skip[mp.P.ExistingHost[st.Guest]] = true
		}
	}
}

func withDrain(opt MoveOptions, hosts []int32) MoveOptions {
	opt.Drain = slices.Clone(hosts)
	return opt
}

// maintenanceOrder lists the hosts to maintain, hardest to drain first:
// most guests, then most load, then index; excluded hosts are left out.
func maintenanceOrder(mp *MoveProblem) []int32 {
	f := newFleet(mp)
	var hs []int32
	for h := range f.h {
		if !f.closed[h] {
			hs = append(hs, int32(h))
		}
	}
	slices.SortStableFunc(hs, func(a, b int32) int {
		return cmp.Or(cmp.Compare(f.guests[b], f.guests[a]), cmp.Compare(f.load(int(b)), f.load(int(a))))
	})
	return hs
}

// fillWave picks the hosts of one wave from remaining, in order (those in
// skip wait for a later wave): each joins when the hosts already in the
// wave and it can be drained together, checked incrementally on one fleet.
// It returns the wave's hosts, the others in order, and where the guests
// end.
func fillWave(mp *MoveProblem, opt MoveOptions, remaining []int32, skip map[int32]bool, maxHosts int, deadline time.Time) (hosts, rest, final []int32, err error) {
	f := newFleet(mp)
	n, tier := packTiers(f)
	ch, err := newChooser(f, opt, n, tier)
	if err != nil {
		return nil, nil, nil, err
	}
	defer ch.detach()
	for i, h := range remaining {
		if (maxHosts > 0 && len(hosts) >= maxHosts) || (len(hosts) > 0 && timeUp(deadline)) {
			rest = append(rest, remaining[i:]...)
			break
		}
		if !skip[h] && join(f, ch, int(h)) {
			hosts = append(hosts, h)
		} else {
			rest = append(rest, h)
		}
	}
	return hosts, rest, f.snapshot(), nil
}

// join closes host h and moves everything on it — its own guests and those
// the wave sent it — to other open hosts; if one finds none, it takes
// every move back, reopens h and reports false.
func join(f *moveFleet, ch *chooser, h int) bool {
	guests := slices.Clone(f.on[h])
	for _, e := range guests {
		if !f.movable(int(e)) {
			return false
		}
	}
	hardestFirst(f, guests)
	f.closed[h] = true
	ch.refresh(h)
	for i, e := range guests {
		t := ch.best(int(e), -1)
		if t >= 0 {
			f.move(int(e), t)
			continue
		}
		for _, x := range guests[:i] {
			f.move(int(x), h)
		}
		f.closed[h] = false
		ch.refresh(h)
		return false
	}
	return true
}

// wavesBound is a lower bound on the waves of any partition of hosts:
//
//   - ⌈hosts / MaxHostsPerWave⌉;
//   - volume: in every wave the guests of its hosts must fit in the free
//     room of the others, so Σ over the wave's hosts of their offer is at
//     most the fleet's spare S_k = Σ offer − Σ use over the open hosts, in
//     every dimension k, whatever the waves before did (moves do not
//     change the total). Packing the hosts' offers into bins of size S_k,
//     one dimension at a time, needs at least Martello & Toth's L2 bins.
//     (The argument needs every open host within its offer at the start;
//     otherwise only the first bound is used.)
func wavesBound(mp *MoveProblem, hosts []int32, maxHosts int) int {
	if len(hosts) == 0 {
		return 0
	}
	lb := 1
	if maxHosts > 0 {
		lb = (len(hosts) + maxHosts - 1) / maxHosts
	}
	f := newFleet(mp)
	d := f.d
	for h := range f.h {
		for k := range d {
			if !f.closed[h] && !within(f.used[h*d+k], f.p.Offered[h*d+k]) {
				return lb // a host over its offer: the volume argument fails
			}
		}
	}
	for k := range d {
		spare := 0.0
		for h := range f.h {
			if !f.closed[h] {
				spare += f.p.Offered[h*d+k] - f.used[h*d+k]
			}
		}
		var sizes []float64
		for _, h := range hosts {
			if o := f.p.Offered[int(h)*d+k]; o > 0 {
				sizes = append(sizes, o)
			}
		}
		if len(sizes) == 0 {
			continue
		}
		if spare <= 0 {
			continue // nothing can have drained: no hosts in waves
		}
		// Sizes above the spare cannot be in any wave: those hosts are
		// undrainable and the bound is about the others.
		sizes = slices.DeleteFunc(sizes, func(x float64) bool { return x > spare*(1+capEps) })
		lb = max(lb, martelloTothL2(sizes, spare))
	}
	return lb
}
