package apply

import (
	"fmt"
	"slices"

	"github.com/berth-dev/berth/planner"
)

// A plan's moves are its move actions: each migrates an existing guest
// from Move.From to the action's Host, in wave Move.Wave. apply runs them
// before the plan's creates (which may need the room they make), wave by
// wave: every move of a wave runs at once, within the plan's limits of
// migrations out of and into one host, and the next wave starts only once
// every move of this one has ended on its destination.
//
// Before each wave the hosts are looked at again (move_gate.go): each
// guest is located by UUID on both hosts of its move, and a wave whose
// guest is not where the plan says, or whose destination has no room now,
// stops there. A running guest migrates live (hypervisor.Conn.Migrate,
// peer to peer), a shut-off one moves offline (MoveOffline); every move is
// journaled (move_journal.go), and a resumed apply locates each guest
// before it acts (move_locate.go).

// moveWork is one move action of the plan.
type moveWork struct {
	i        int // index in the plan's Actions
	act      planner.Action
	from, to planner.HostPlan
	// chain is every host of this guest's moves in order (the first
	// move's source, then each destination) and hop this move's place in
	// it: a guest that hops through a third host to break a cycle moves
	// twice.
	chain []planner.HostPlan
	hop   int
}

func (m *moveWork) guest() string { return m.act.Guest }
func (m *moveWork) wave() int     { return m.act.Move.Wave }

// live reports whether the plan moves the guest live (it ran when the
// plan was made).
func (m *moveWork) live() bool { return m.act.Move.Live }

// copyStorage reports whether a live migration of m copies the guest's
// disks: unless both hosts' storage is shared, as the plan says.
func (m *moveWork) copyStorage() bool {
	return !(m.from.Storage == planner.StorageShared && m.to.Storage == planner.StorageShared)
}

// moveWave is the moves of one wave, in plan order.
type moveWave struct {
	n     int
	moves []*moveWork
}

// moveSet is a plan's moves by wave, and the limits they run within.
type moveSet struct {
	waves  []moveWave
	byIdx  map[int]*moveWork
	maxOut int
	maxIn  int
}

func (s *moveSet) count() int { return len(s.byIdx) }

// all is every move in plan order (wave by wave).
func (s *moveSet) all() []*moveWork {
	var out []*moveWork
	for _, w := range s.waves {
		out = append(out, w.moves...)
	}
	return out
}

// hosts is every host a move touches, in the plan's order.
func (s *moveSet) hosts(p *planner.Plan) []planner.HostPlan {
	touched := map[string]bool{}
	for _, m := range s.byIdx {
		touched[m.from.Name], touched[m.to.Name] = true, true
	}
	var out []planner.HostPlan
	for _, h := range p.Hosts {
		if touched[h.Name] {
			out = append(out, h)
		}
	}
	return out
}

// prepareMoves reads the plan's move actions into waves, refusing moves
// apply cannot carry out: a host the plan does not list, one still to be
// bought, or without a URI, and a guest whose moves do not follow on from
// each other.
func (a *Apply) prepareMoves() error {
	p := a.plan
	byName := map[string]planner.HostPlan{}
	for _, h := range p.Hosts {
		byName[h.Name] = h
	}
	set := moveSet{byIdx: map[int]*moveWork{}, maxOut: 1, maxIn: 1}
	if p.Moves != nil {
		set.maxOut, set.maxIn = max(1, p.Moves.Limits.MaxOut), max(1, p.Moves.Limits.MaxIn)
	}
	chains := map[string][]*moveWork{}
	var order []string
	var inPlanOrder []*moveWork
	for i, act := range p.Actions {
		if act.Op != planner.OpMove {
			continue
		}
		m, err := a.moveWork(i, act, byName)
		if err != nil {
			return err
		}
		set.byIdx[i] = m
		inPlanOrder = append(inPlanOrder, m)
		if chains[act.Guest] == nil {
			order = append(order, act.Guest)
		}
		chains[act.Guest] = append(chains[act.Guest], m)
	}
	for _, g := range order {
		if err := linkChain(p.ID, chains[g]); err != nil {
			return err
		}
	}
	waves := map[int]*moveWave{}
	for _, m := range inPlanOrder {
		w := waves[m.wave()]
		if w == nil {
			w = &moveWave{n: m.wave()}
			waves[m.wave()] = w
		}
		w.moves = append(w.moves, m)
	}
	for _, n := range sortedKeys(waves) {
		set.waves = append(set.waves, *waves[n])
	}
	a.moves = set
	return nil
}

// moveWork checks move action i and resolves its hosts.
func (a *Apply) moveWork(i int, act planner.Action, hosts map[string]planner.HostPlan) (*moveWork, error) {
	bad := func(format string, args ...any) error {
		return &NotApplicableError{Plan: a.plan.ID, Reason: fmt.Sprintf("action %d (move of %s): ", i+1, act.Guest) + fmt.Sprintf(format, args...)}
	}
	if act.Move == nil {
		return nil, bad("it says nothing of where the guest comes from")
	}
	from, ok := hosts[act.Move.From]
	if !ok {
		return nil, bad("its source host %s is not in the plan", act.Move.From)
	}
	to, ok := hosts[act.Host]
	if !ok {
		return nil, bad("its destination host %s is not in the plan", act.Host)
	}
	switch {
	case from.Name == to.Name:
		return nil, bad("it moves the guest from %s to the same host", from.Name)
	case act.Move.Wave < 1:
		return nil, bad("its wave is %d; waves are numbered from 1", act.Move.Wave)
	}
	for _, h := range []planner.HostPlan{from, to} {
		switch {
		case h.New:
			return nil, bad("host %s must be bought first; add it to the fleet and make a new plan", h.Name)
		case a.opt.Moves.route(h).URI == "":
			return nil, bad("host %s has no libvirt URI; plan from live hosts (berth drain -c URI ...), from a snapshot saved by berth inventory --save, or give the host a uri in the config", h.Name)
		}
	}
	return &moveWork{i: i, act: act, from: from, to: to}, nil
}

// linkChain gives each move of one guest its chain of hosts, refusing
// moves that do not follow on from each other in later and later waves.
func linkChain(plan string, ms []*moveWork) error {
	chain := []planner.HostPlan{ms[0].from}
	for k, m := range ms {
		if k > 0 && (m.from.Name != ms[k-1].to.Name || m.wave() <= ms[k-1].wave()) {
			return &NotApplicableError{Plan: plan, Reason: fmt.Sprintf(
				"guest %s moves to %s in wave %d, then from %s in wave %d: a guest's moves must follow on from each other, in later waves",
				m.guest(), ms[k-1].to.Name, ms[k-1].wave(), m.from.Name, m.wave())}
		}
		chain = append(chain, m.to)
	}
	for k, m := range ms {
		m.chain, m.hop = chain, k
	}
	return nil
}

func sortedKeys[V any](m map[int]V) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// beginNote is the moves' part of a run's begin record.
func (s *moveSet) beginNote() string {
	if s.count() == 0 {
		return ""
	}
	return fmt.Sprintf(", %d moves in %d waves", s.count(), len(s.waves))
}

// firstWaveOf is the first wave with a move from or to the named host.
func (s *moveSet) firstWaveOf(host string) int {
	for _, w := range s.waves {
		for _, m := range w.moves {
			if m.from.Name == host || m.to.Name == host {
				return w.n
			}
		}
	}
	return 0
}
