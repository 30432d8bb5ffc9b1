package planner

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/placement"
)

// newGuest is one demanded guest, expanded from a Demand entry.
type newGuest struct {
	Name       string
	Profile    string
	Group      string
	Allocation inventory.Vector
	Demand     inventory.Vector
	// Selector restricts the hosts (by label) the guest may go on.
	Selector map[string]string
}

// existingGuest is a guest that stays on its host.
type existingGuest struct {
	Host   int
	Guest  *inventory.Guest
	Demand inventory.Vector
}

// model is the placement problem together with the maps back to the fleet's
// names: placement works on indices, the plan speaks names.
type model struct {
	prob     *placement.Problem
	hosts    []*inventory.Host
	hostIdx  map[string]int
	guests   []newGuest
	guestIdx map[string]int
	existing []existingGuest
	// removed are the running guests the plan removes: beyond their demand
	// entry's count (see desired.go). A plan with moves keeps them, in
	// existing, and names them in surplusKept.
	removed     []existingGuest
	surplusKept []string
	// running counts the demanded guests that run already.
	running int
	groups  []string
	offered []inventory.Vector // per host
	models  []*inventory.HostModel
	// implicitGroups are groups named only by running guests, kept as
	// host-scope anti-affinity groups.
	implicitGroups []string
}

// expandDemand turns demand entries into named guests: NAME-1 … NAME-N,
// where NAME defaults to the profile's name.
func expandDemand(sc *inventory.Scenario, demand []inventory.Demand, pol *inventory.Policy) ([]newGuest, error) {
	var out []newGuest
	for _, dm := range demand {
		req, ok := sc.DemandRequest(&dm)
		if !ok {
			return nil, fmt.Errorf("demand %q: unknown profile %q", dm.Name, dm.Profile)
		}
		name := dm.Name
		if name == "" {
			name = dm.Profile
		}
		for i := 1; i <= dm.Count; i++ {
			out = append(out, newGuest{
				Name:       fmt.Sprintf("%s-%d", name, i),
				Profile:    dm.Profile,
				Group:      dm.Group,
				Allocation: req,
				Demand:     pol.Charge(req),
				Selector:   dm.Selector,
			})
		}
	}
	return out, nil
}

// appetiteOf is a profile's dominant dimension for the same-appetite rule,
// or -1 when the profile has none or is unknown.
func appetiteOf(sc *inventory.Scenario, profile string) int8 {
	if p, ok := sc.Profile(profile); ok && p.HasAppetite {
		return int8(p.Appetite)
	}
	return -1
}

// buildModel lays the scenario, the effective policy and the edits out as a
// dense placement problem, in the order its indices follow: hosts, groups
// (the scenario's, then those only running guests name), running guests,
// demanded guests with their host sets and pins, host models. The problem
// is sealed: validated once, here, for every placement call made on it.
//
// Running guests the demand already asks for are kept, not created again;
// running guests beyond their entry's count are removed when removals is
// set (an ordinary plan) and kept otherwise (a plan with moves).
func buildModel(sc *inventory.Scenario, pol *inventory.Policy, ed *Edits, removals bool) (*model, error) {
	b := &modelBuilder{sc: sc, pol: pol, groupIdx: map[string]int32{}, removals: removals,
		m: &model{hostIdx: map[string]int{}, guestIdx: map[string]int{},
			prob: &placement.Problem{DimNames: inventory.DimensionNames()}}}
	b.demand = allDemand(sc, ed.Demand)
	st, err := reconcile(sc, b.demand)
	if err != nil {
		return nil, err
	}
	b.state = st
	if err := b.addHosts(ed.Excluded); err != nil {
		return nil, err
	}
	b.addGroups()
	if err := b.addRunning(); err != nil {
		return nil, err
	}
	if err := b.addDemand(); err != nil {
		return nil, err
	}
	b.addHostSets()
	if err := b.addPins(ed.Pins); err != nil {
		return nil, err
	}
	b.addModels()
	b.m.prob.Policy = placementPolicy(pol)
	if err := b.m.prob.Seal(); err != nil {
		return nil, err
	}
	return b.m, nil
}

// modelBuilder carries what buildModel's steps share.
type modelBuilder struct {
	sc  *inventory.Scenario
	pol *inventory.Policy
	m   *model
	// racks and zones number failure domains across hosts and models.
	racks, zones domainIDs
	groupIdx     map[string]int32
	// demand is every entry (scenario's, then edits'); state how the
	// running guests stand against it; removals whether surplus guests go.
	demand   []inventory.Demand
	state    *demandState
	removals bool
}

// addHosts lays out every host: what it offers (the capacity model),
// its failure domains, and whether an edit excluded it.
func (b *modelBuilder) addHosts(excludedNames []string) error {
	m, p := b.m, b.m.prob
	excluded := map[string]bool{}
	for _, h := range excludedNames {
		excluded[h] = true
	}
	for i := range b.sc.Hosts {
		h := &b.sc.Hosts[i]
		m.hosts = append(m.hosts, h)
		m.hostIdx[h.Name] = i
		off := b.pol.HostOffered(h)
		m.offered = append(m.offered, off)
		p.HostNames = append(p.HostNames, h.Name)
		p.Offered = append(p.Offered, off[:]...)
		p.Rack = append(p.Rack, b.racks.id(h.Rack()))
		p.Zone = append(p.Zone, b.zones.id(h.Zone()))
		p.Excluded = append(p.Excluded, excluded[h.Name])
	}
	for _, name := range excludedNames {
		if _, ok := m.hostIdx[name]; !ok {
			return fmt.Errorf("exclude: no host named %q", name)
		}
	}
	return nil
}

// addGroups lays out the scenario's groups, then the groups only running
// guests name: berth's metadata on a live host names one the demand file
// does not define. Such a group is kept as host-scope anti-affinity, the
// safe reading of "replicas".
func (b *modelBuilder) addGroups() {
	m, p := b.m, b.m.prob
	for _, g := range b.sc.Groups {
		b.groupIdx[g.Name] = int32(len(p.Groups))
		m.groups = append(m.groups, g.Name)
		p.Groups = append(p.Groups, placement.Group{Name: g.Name, Scope: scopeOf(g.Scope), Together: g.Together})
	}
	for _, h := range m.hosts {
		for _, g := range h.Guests {
			if _, ok := b.groupIdx[g.Group]; g.Group != "" && !ok {
				b.groupIdx[g.Group] = int32(len(p.Groups))
				m.groups = append(m.groups, g.Group)
				p.Groups = append(p.Groups, placement.Group{Name: g.Group, Scope: placement.ScopeHost})
				m.implicitGroups = append(m.implicitGroups, g.Group)
			}
		}
	}
}

// group is the index of a named group (NoHost for none).
func (b *modelBuilder) group(name string) (int32, error) {
	if name == "" {
		return placement.NoHost, nil
	}
	i, ok := b.groupIdx[name]
	if !ok {
		return 0, fmt.Errorf("unknown group %q", name)
	}
	return i, nil
}

// addRunning lays out the guests that stay on their hosts, each charged
// what the capacity model says a running guest costs.
func (b *modelBuilder) addRunning() error {
	m, p := b.m, b.m.prob
	for hi, h := range m.hosts {
		for gi := range h.Guests {
			g := &h.Guests[gi]
			gr, err := b.group(g.Group)
			if err != nil {
				return fmt.Errorf("host %s guest %s: %w", h.Name, g.Name, err)
			}
			charge := b.pol.RunningCharge(g)
			if b.state.surplus[g.Name] {
				if b.removals {
					m.removed = append(m.removed, existingGuest{Host: hi, Guest: g, Demand: charge})
					continue
				}
				m.surplusKept = append(m.surplusKept, g.Name)
			}
			m.existing = append(m.existing, existingGuest{Host: hi, Guest: g, Demand: charge})
			p.ExistingHost = append(p.ExistingHost, int32(hi))
			p.ExistingDemand = append(p.ExistingDemand, charge[:]...)
			p.ExistingAppetite = append(p.ExistingAppetite, appetiteOf(b.sc, g.Profile))
			p.ExistingGroup = append(p.ExistingGroup, gr)
		}
	}
	return nil
}

// addDemand lays out the demanded guests (the scenario's demand, then the
// edits') that do not run yet, refusing names that clash with each other or
// a running guest.
func (b *modelBuilder) addDemand() error {
	m, p := b.m, b.m.prob
	all, err := expandDemand(b.sc, b.demand, b.pol)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var guests []newGuest
	for _, g := range all {
		if seen[g.Name] {
			return fmt.Errorf("two demanded guests are named %q: give the demand entries distinct names", g.Name)
		}
		seen[g.Name] = true
		if b.state.satisfied[g.Name] {
			m.running++
		} else {
			guests = append(guests, g)
		}
	}
	m.guests = guests
	running := map[string]string{}
	for _, e := range m.existing {
		running[e.Guest.Name] = m.hosts[e.Host].Name
	}
	for gi, g := range guests {
		if host, dup := running[g.Name]; dup {
			return fmt.Errorf("demanded guest %q has the name of a guest already on host %s: rename the demand entry", g.Name, host)
		}
		m.guestIdx[g.Name] = gi
		gr, err := b.group(g.Group)
		if err != nil {
			return fmt.Errorf("guest %s: %w", g.Name, err)
		}
		p.GuestNames = append(p.GuestNames, g.Name)
		p.Demand = append(p.Demand, g.Demand[:]...)
		p.Appetite = append(p.Appetite, appetiteOf(b.sc, g.Profile))
		p.Group = append(p.Group, gr)
	}
	return nil
}

// addHostSets gives each distinct selector of the demand a host set (the
// hosts and models whose labels match it) and each selecting guest its set.
func (b *modelBuilder) addHostSets() {
	m, p := b.m, b.m.prob
	setOf := map[string]int32{}
	for gi, g := range m.guests {
		if len(g.Selector) == 0 {
			continue
		}
		if p.Eligible == nil {
			p.Eligible = make([]int32, len(m.guests))
			for i := range p.Eligible {
				p.Eligible[i] = placement.NoHost
			}
		}
		key := selectorText(g.Selector)
		set, ok := setOf[key]
		if !ok {
			set = int32(len(p.HostSets))
			setOf[key] = set
			hs := placement.HostSet{Name: key, Hosts: make([]bool, len(m.hosts)), Models: make([]bool, len(b.sc.HostModels))}
			for i, h := range m.hosts {
				hs.Hosts[i] = matches(h.Labels, g.Selector)
			}
			for i := range b.sc.HostModels {
				hs.Models[i] = matches(b.sc.HostModels[i].Labels, g.Selector)
			}
			p.HostSets = append(p.HostSets, hs)
		}
		p.Eligible[gi] = set
	}
}

// addPins fixes the guests the edits pin to their hosts.
func (b *modelBuilder) addPins(pins []Pin) error {
	m, p := b.m, b.m.prob
	if len(pins) == 0 {
		return nil
	}
	p.Pin = make([]int32, len(m.guests))
	for i := range p.Pin {
		p.Pin[i] = placement.NoHost
	}
	for _, pin := range pins {
		gi, ok := m.guestIdx[pin.Guest]
		if !ok {
			return fmt.Errorf("pin: no new guest named %q", pin.Guest)
		}
		hi, ok := m.hostIdx[pin.Host]
		if !ok {
			return fmt.Errorf("pin %s: no host named %q", pin.Guest, pin.Host)
		}
		p.Pin[gi] = int32(hi)
	}
	return nil
}

// addModels lays out the host models that may be bought: what a new host
// would offer and, where the model names them, its rack and zone.
func (b *modelBuilder) addModels() {
	const D = int(inventory.NumDims)
	m, p := b.m, b.m.prob
	for i := range b.sc.HostModels {
		hm := &b.sc.HostModels[i]
		m.models = append(m.models, hm)
		off := b.pol.ModelOffered(hm)
		pm := placement.Model{Name: hm.Name, Offered: off[:D:D], Max: hm.Max, Rack: -1, Zone: -1}
		if r := hm.Labels["rack"]; r != "" {
			pm.Rack = b.racks.id(r)
		}
		if z := hm.Labels["zone"]; z != "" {
			pm.Zone = b.zones.id(z)
		}
		p.Models = append(p.Models, pm)
	}
}

// placementPolicy is the part of the policy the solver weighs.
func placementPolicy(pol *inventory.Policy) placement.Policy {
	out := placement.Policy{Objective: placement.ObjectivePack}
	if pol.Objective == inventory.ObjectiveSpread {
		out.Objective = placement.ObjectiveSpread
	}
	switch pol.SameAppetite.Mode {
	case inventory.AppetiteHard:
		out.SameAppetite = placement.AppetiteRule{Hard: true, MaxPerHost: pol.SameAppetite.MaxPerHost}
	case inventory.AppetiteSoft:
		out.SameAppetite = placement.AppetiteRule{Penalty: pol.SameAppetite.Penalty}
	}
	return out
}

// matches reports whether labels carry every key=value of the selector.
func matches(labels, selector map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// selectorText writes a selector as "k1=v1,k2=v2" in key order.
func selectorText(sel map[string]string) string {
	var parts []string
	for _, k := range sortedKeys(sel) {
		parts = append(parts, k+"="+sel[k])
	}
	return strings.Join(parts, ",")
}

func scopeOf(s inventory.Scope) placement.Scope {
	switch s {
	case inventory.ScopeRack:
		return placement.ScopeRack
	case inventory.ScopeZone:
		return placement.ScopeZone
	}
	return placement.ScopeHost
}

// domainIDs gives dense ids to failure-domain labels. A host without the
// label is a domain of its own, so a rack-scoped rule never lumps unlabelled
// hosts together.
type domainIDs struct {
	ids  map[string]int32
	next int32
}

func (d *domainIDs) id(label string) int32 {
	if label == "" {
		d.next++
		return d.next - 1
	}
	if d.ids == nil {
		d.ids = map[string]int32{}
	}
	if id, ok := d.ids[label]; ok {
		return id
	}
	d.ids[label] = d.next
	d.next++
	return d.next - 1
}

// hostNames names every host of a solution: the existing hosts, then the
// bought ones as "new-MODEL-N", numbered per model in opening order and
// skipping any name an existing host already has.
func (m *model) hostNames(sol *placement.Solution) []string {
	names := append([]string(nil), m.prob.HostNames...)
	perModel := map[int32]int{}
	for _, mi := range sol.NewHosts {
		for {
			perModel[mi]++
			name := fmt.Sprintf("new-%s-%d", m.prob.Models[mi].Name, perModel[mi])
			if _, taken := m.hostIdx[name]; !taken {
				names = append(names, name)
				break
			}
		}
	}
	return names
}
