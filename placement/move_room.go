package placement

import (
	"fmt"
	"slices"
)

// RoomPlan is MakeRoom's answer.
type RoomPlan struct {
	// Without: the new guests placed by Solve with nothing moved.
	Without *Solution
	// Moves: the migrations to run first, before any new guest is created
	// (Kind MoveRoom; Reason.Guest is the new guest given room, Reason.Host
	// where). Empty when moving does not help.
	Moves *MovePlan
	// With: the new guests' hosts once the moves have run, a Solution of
	// AfterMoves(); Without itself when moving does not help.
	With *Solution
	// Better: With places more new guests than Without, or buys fewer
	// hosts.
	Better bool
}

// AfterMoves is p with its existing guests where the plan's moves leave
// them: the problem With solves.
func (rp *RoomPlan) AfterMoves(p *Problem) *Problem {
	q := *p
	q.ExistingHost = slices.Clone(rp.Moves.Final)
	return &q
}

// MakeRoom places the new guests of mp.P, moving at most maxMoves running
// guests when that places demand that Solve leaves unplaced or puts on a
// bought host.
//
// Solve runs first (Without). Its placements on existing hosts stay. Each
// guest it left unplaced or put on a bought host (hardest first) then goes
// where the strategy puts it among the existing hosts, or, when none has
// room, where one running guest can make room by moving elsewhere itself
// (makeRoomFor), until the budget is spent. The evictions are scheduled as
// a move plan (safe at every step; the new guests are created after its
// last wave), and Solve runs again on the fleet as the moves leave it,
// warm-started with these placements, for what is still left (With). The
// moves are kept only when With is better: fewer unplaced guests, then
// fewer bought hosts.
func MakeRoom(mp *MoveProblem, opt Options, maxMoves int) (*RoomPlan, error) {
	if err := mp.Validate(); err != nil {
		return nil, err
	}
	if maxMoves <= 0 {
		return nil, fmt.Errorf("placement: a move budget of %d moves nothing; give at least 1", maxMoves)
	}
	without, err := Solve(mp.P, opt)
	if err != nil {
		return nil, err
	}
	mo := MoveOptions{MaxMoves: maxMoves, Strategy: opt.Strategy, Candidates: opt.Candidates, Seed: opt.Seed, ExactNodes: -1}
	none := func() (*RoomPlan, error) {
		pl, err := scheduleTarget(mp, mo, GoalRoom, &target{closed: newFleet(mp).closed})
		if err != nil {
			return nil, err
		}
		return &RoomPlan{Without: without, With: without, Moves: pl}, nil
	}
	h := mp.P.H()
	var needy []int
	for g, x := range without.Host {
		if x == NoHost || int(x) >= h {
			needy = append(needy, g)
		}
	}
	if len(needy) == 0 {
		return none()
	}
	rm, err := newRoomMaker(mp, without, needy, mo)
	if err != nil {
		return nil, err
	}
	rm.place(maxMoves)
	if len(rm.wants) == 0 {
		return none()
	}
	pl, err := scheduleTarget(mp, mo, GoalRoom, &target{wants: rm.wants, closed: newFleet(mp).closed})
	if err != nil {
		return nil, err
	}
	rp := &RoomPlan{Without: without, Moves: pl}
	warm := &Solution{Host: slices.Clone(rm.hosts), NewHosts: []int32{}, Strategy: without.Strategy}
	opt.Warm = warm
	with, err := Solve(rp.AfterMoves(mp.P), opt)
	if err != nil {
		return nil, err
	}
	if !roomBetter(with, without) {
		return none()
	}
	rp.With, rp.Better = with, true
	return rp, nil
}

// roomBetter: fewer unplaced new guests, then fewer bought hosts.
func roomBetter(a, b *Solution) bool {
	ua, ub := 0, 0
	for g := range a.Host {
		if a.Host[g] == NoHost {
			ua++
		}
		if b.Host[g] == NoHost {
			ub++
		}
	}
	if ua != ub {
		return ua < ub
	}
	return len(a.NewHosts) < len(b.NewHosts)
}

// roomMaker places needy new guests on a fleet where they wait on a
// virtual host V (index H: closed, offering exactly their demand), so that
// placing one is moving it off V, and making room for it is the drain's
// eviction. Existing guests are indices 0..E−1, then the new guests Solve
// placed on existing hosts (kept where they are), then the needy ones.
type roomMaker struct {
	mp      *MoveProblem
	x       *MoveProblem // the extended fleet
	f       *moveFleet
	ch      *chooser
	e       int           // existing guests
	needy   []int         // new guest of each needy extended guest
	hosts   []int32       // per new guest: its host so far (NoHost: none yet)
	moved   []bool        // per existing guest
	wants   []want        // the evictions
	extOf   map[int]int32 // new guest → its index in the extended fleet
	evicted int
}

func newRoomMaker(mp *MoveProblem, s *Solution, needy []int, opt MoveOptions) (*roomMaker, error) {
	p := mp.P
	d, h, e := p.D(), p.H(), mp.E()
	q := &Problem{DimNames: p.DimNames, Groups: p.Groups, Policy: p.Policy,
		HostNames: append(slices.Clone(p.HostNames), "(new guests)"),
		Offered:   slices.Clone(p.Offered),
		Rack:      append(slices.Clone(p.Rack), 0), Zone: append(slices.Clone(p.Zone), 0),
		ExistingHost: slices.Clone(p.ExistingHost), ExistingDemand: slices.Clone(p.ExistingDemand),
		ExistingAppetite: slices.Clone(p.ExistingAppetite), ExistingGroup: slices.Clone(p.ExistingGroup),
		GuestNames: []string{}, Demand: []float64{}, Appetite: []int8{}, Group: []int32{}}
	rack, zone := p.domainBase()
	q.Rack[h], q.Zone[h] = rack+1, zone+1
	q.Excluded = make([]bool, h+1)
	if p.Excluded != nil {
		copy(q.Excluded, p.Excluded)
	}
	q.Excluded[h] = true
	for _, hs := range p.HostSets {
		q.HostSets = append(q.HostSets, HostSet{Name: hs.Name, Hosts: append(slices.Clone(hs.Hosts), false), Models: []bool{}})
	}
	x := &MoveProblem{P: q, Cost: slices.Clone(mp.Cost), Keep: make([]bool, e), Eligible: make([]int32, e)}
	if mp.Keep != nil {
		copy(x.Keep, mp.Keep)
	}
	for i := range x.Eligible {
		x.Eligible[i] = NoHost
		if mp.Eligible != nil {
			x.Eligible[i] = mp.Eligible[i]
		}
	}
	rm := &roomMaker{mp: mp, x: x, e: e, hosts: slices.Clone(s.Host), moved: make([]bool, e), extOf: map[int]int32{}}
	isNeedy := make([]bool, p.G())
	for _, g := range needy {
		isNeedy[g] = true
		rm.hosts[g] = NoHost
	}
	vOffer := make([]float64, d)
	add := func(g int, host int32, keep bool) {
		rm.extOf[g] = int32(len(q.ExistingHost))
		q.ExistingHost = append(q.ExistingHost, host)
		q.ExistingDemand = append(q.ExistingDemand, p.Demand[g*d:g*d+d]...)
		q.ExistingAppetite = append(q.ExistingAppetite, p.Appetite[g])
		q.ExistingGroup = append(q.ExistingGroup, p.Group[g])
		x.Cost = append(x.Cost, 0)
		x.Keep = append(x.Keep, keep)
		el := int32(NoHost)
		if p.Eligible != nil {
			el = p.Eligible[g]
		}
		x.Eligible = append(x.Eligible, el)
	}
	for g, host := range s.Host {
		if !isNeedy[g] && host != NoHost {
			add(g, host, true)
		}
	}
	for _, g := range needy {
		add(g, int32(h), false)
		rm.needy = append(rm.needy, g)
		for k := range d {
			vOffer[k] += p.Demand[g*d+k]
		}
	}
	q.Offered = append(q.Offered, vOffer...)
	rm.f = newFleet(x)
	n, tier := packTiers(rm.f)
	ch, err := newChooser(rm.f, opt, n, tier)
	if err != nil {
		return nil, err
	}
	rm.ch = ch
	return rm, nil
}

// place gives each needy guest a host, hardest first, evicting at most
// budget running guests in all.
func (rm *roomMaker) place(budget int) {
	defer rm.ch.detach()
	f := rm.f
	ext := make([]int32, len(rm.needy))
	for i, g := range rm.needy {
		ext[i] = rm.extOf[g]
	}
	hardestFirst(f, ext)
	newOf := map[int32]int{}
	for _, g := range rm.needy {
		newOf[rm.extOf[g]] = g
	}
	for _, xe := range ext {
		g := newOf[xe]
		if t := rm.ch.best(int(xe), -1); t >= 0 {
			f.move(int(xe), t)
			rm.hosts[g] = int32(t)
			continue
		}
		if rm.evicted >= budget {
			continue
		}
		may := func(x int) bool { return x < rm.e && !rm.moved[x] && !rm.mp.kept(x) }
		x, u, t, ok := makeRoomFor(f, rm.ch, int(xe), may)
		if !ok {
			continue
		}
		f.move(int(xe), t)
		rm.hosts[g] = int32(t)
		rm.moved[x] = true
		rm.evicted++
		rm.wants = append(rm.wants, want{e: int32(x), to: int32(u), why: Reason{Kind: MoveRoom, Host: int32(t), Group: NoHost, Guest: int32(g)}})
	}
}
