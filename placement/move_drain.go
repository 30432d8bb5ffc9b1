package placement

import (
	"slices"
	"time"
)

// drain empties the hosts of opt.Drain keeping every rule. Their guests,
// hardest first, go where the strategy puts them among the open hosts
// (hosts in use first under the pack objective). A guest no host takes
// gets one more chance: a guest of another host that makes room for it by
// moving elsewhere itself (one extra migration). What still cannot move
// is reported stuck with Explain's reasons, host by host, as for an
// unplaced new guest.
func drain(mp *MoveProblem, opt MoveOptions, deadline time.Time) (*MovePlan, error) {
	f := newFleet(mp)
	for _, h := range opt.Drain {
		f.closed[h] = true
	}
	closed := slices.Clone(f.closed)
	dr, err := newDrainer(mp, opt, f)
	if err != nil {
		return nil, err
	}
	dr.empty(opt.Drain)
	dr.ch.detach()
	t := &target{wants: dr.wants, leaving: slices.Clone(opt.Drain), closed: closed}
	exact := exactImprove(mp, opt, GoalDrain, t, deadline)
	pl, err := scheduleTarget(mp, opt, GoalDrain, t)
	if err != nil {
		return nil, err
	}
	pl.Stuck = append(dr.stuck, pl.Stuck...)
	pl.Proven = exact && len(pl.Stuck) == 0
	// Every guest that leaves a drained host migrates at least once; the
	// stuck ones stay, so the bound is on what the plan achieves.
	n, start := 0, newFleet(mp)
	for _, h := range opt.Drain {
		n += int(start.guests[h])
	}
	pl.Bounds.Moves = n - len(pl.Stuck)
	return pl, nil
}

// drainer empties hosts on a fleet whose drained hosts are closed.
type drainer struct {
	mp    *MoveProblem
	opt   MoveOptions
	f     *moveFleet
	ch    *chooser
	moved []bool
	wants []want
	stuck []Stuck
	bytes float64
}

func newDrainer(mp *MoveProblem, opt MoveOptions, f *moveFleet) (*drainer, error) {
	n, tier := packTiers(f)
	ch, err := newChooser(f, opt, n, tier)
	if err != nil {
		return nil, err
	}
	return &drainer{mp: mp, opt: opt, f: f, ch: ch, moved: make([]bool, mp.E())}, nil
}

// empty moves every guest off hosts, or reports it stuck.
func (dr *drainer) empty(hosts []int32) {
	f := dr.f
	var guests []int32
	for _, h := range hosts {
		guests = append(guests, f.on[h]...)
	}
	hardestFirst(f, guests)
	for _, e := range guests {
		why := Reason{Kind: MoveDrain, Host: f.at[e], Group: NoHost, Guest: NoHost}
		st := Stuck{Guest: e, From: f.at[e], Kind: MoveDrain}
		switch {
		case dr.mp.kept(int(e)):
			st.Why = StuckKept
		case !f.movable(int(e)):
			st.Why = StuckAffinity
			st.Candidates = explainExisting(f, int(e), dr.opt.Strategy)
		case !dr.opt.withinBudget(len(dr.wants), 1, dr.bytes, dr.mp.Cost[e]):
			st.Why = StuckBudget
		default:
			if t := dr.ch.best(int(e), -1); t >= 0 {
				dr.send(int(e), t, why)
				continue
			}
			if dr.makeRoom(int(e), why) {
				continue
			}
			st.Why = StuckNoHost
			st.Candidates = explainExisting(f, int(e), dr.opt.Strategy)
		}
		dr.stuck = append(dr.stuck, st)
	}
}

func (dr *drainer) send(e, t int, why Reason) {
	dr.f.move(e, t)
	dr.moved[e] = true
	dr.bytes += dr.mp.Cost[e]
	dr.wants = append(dr.wants, want{e: int32(e), to: int32(t), why: why})
}

// makeRoom lets guest e in by moving one guest of another host elsewhere
// (makeRoomFor), within the budget; it reports whether it did.
func (dr *drainer) makeRoom(e int, why Reason) bool {
	f := dr.f
	may := func(x int) bool {
		return !dr.moved[x] && dr.opt.withinBudget(len(dr.wants), 2, dr.bytes, dr.mp.Cost[e]+dr.mp.Cost[x])
	}
	x, u, t, ok := makeRoomFor(f, dr.ch, e, may)
	if !ok {
		return false
	}
	dr.send(x, u, why) // x is there already: send records it
	dr.send(e, t, why)
	return true
}
