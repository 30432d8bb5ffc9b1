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
	groups   []string
	offered  []inventory.Vector // per host
	models   []*inventory.HostModel
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
// dense placement problem.
func buildModel(sc *inventory.Scenario, pol *inventory.Policy, ed *Edits) (*model, error) {
	const D = int(inventory.NumDims)
	m := &model{hostIdx: map[string]int{}, guestIdx: map[string]int{}}
	p := &placement.Problem{DimNames: inventory.DimensionNames()}
	m.prob = p

	excluded := map[string]bool{}
	for _, h := range ed.Excluded {
		excluded[h] = true
	}
	racks, zones := domainIDs{}, domainIDs{}
	for i := range sc.Hosts {
		h := &sc.Hosts[i]
		m.hosts = append(m.hosts, h)
		m.hostIdx[h.Name] = i
		off := pol.HostOffered(h)
		m.offered = append(m.offered, off)
		p.HostNames = append(p.HostNames, h.Name)
		p.Offered = append(p.Offered, off[:]...)
		p.Rack = append(p.Rack, racks.id(h.Rack()))
		p.Zone = append(p.Zone, zones.id(h.Zone()))
		p.Excluded = append(p.Excluded, excluded[h.Name])
	}
	for _, name := range ed.Excluded {
		if _, ok := m.hostIdx[name]; !ok {
			return nil, fmt.Errorf("exclude: no host named %q", name)
		}
	}

	groupIdx := map[string]int32{}
	for _, g := range sc.Groups {
		groupIdx[g.Name] = int32(len(p.Groups))
		m.groups = append(m.groups, g.Name)
		p.Groups = append(p.Groups, placement.Group{Name: g.Name, Scope: scopeOf(g.Scope), Together: g.Together})
	}
	group := func(name string) (int32, error) {
		if name == "" {
			return placement.NoHost, nil
		}
		i, ok := groupIdx[name]
		if !ok {
			return 0, fmt.Errorf("unknown group %q", name)
		}
		return i, nil
	}

	// A running guest may belong to a group the scenario does not define
	// (berth's metadata on a live host names it, the demand file does not):
	// such a group is kept as a host-scope anti-affinity group, the safe
	// reading of "replicas".
	for _, h := range m.hosts {
		for _, g := range h.Guests {
			if _, ok := groupIdx[g.Group]; g.Group != "" && !ok {
				groupIdx[g.Group] = int32(len(p.Groups))
				m.groups = append(m.groups, g.Group)
				p.Groups = append(p.Groups, placement.Group{Name: g.Group, Scope: placement.ScopeHost})
				m.implicitGroups = append(m.implicitGroups, g.Group)
			}
		}
	}
	for hi, h := range m.hosts {
		for gi := range h.Guests {
			g := &h.Guests[gi]
			gr, err := group(g.Group)
			if err != nil {
				return nil, fmt.Errorf("host %s guest %s: %w", h.Name, g.Name, err)
			}
			ld := pol.RunningCharge(g)
			m.existing = append(m.existing, existingGuest{Host: hi, Guest: g, Demand: ld})
			p.ExistingHost = append(p.ExistingHost, int32(hi))
			p.ExistingDemand = append(p.ExistingDemand, ld[:]...)
			p.ExistingAppetite = append(p.ExistingAppetite, appetiteOf(sc, g.Profile))
			p.ExistingGroup = append(p.ExistingGroup, gr)
		}
	}

	demand := append([]inventory.Demand(nil), sc.Demand...)
	for _, de := range ed.Demand {
		demand = append(demand, inventory.Demand{Name: de.Name, Profile: de.Profile, Count: de.Count, Group: de.Group})
	}
	guests, err := expandDemand(sc, demand, pol)
	if err != nil {
		return nil, err
	}
	m.guests = guests
	running := map[string]string{}
	for _, e := range m.existing {
		running[e.Guest.Name] = m.hosts[e.Host].Name
	}
	for gi, g := range guests {
		if _, dup := m.guestIdx[g.Name]; dup {
			return nil, fmt.Errorf("two demanded guests are named %q: give the demand entries distinct names", g.Name)
		}
		if host, dup := running[g.Name]; dup {
			return nil, fmt.Errorf("demanded guest %q has the name of a guest already on host %s: rename the demand entry", g.Name, host)
		}
		m.guestIdx[g.Name] = gi
		gr, err := group(g.Group)
		if err != nil {
			return nil, fmt.Errorf("guest %s: %w", g.Name, err)
		}
		p.GuestNames = append(p.GuestNames, g.Name)
		p.Demand = append(p.Demand, g.Demand[:]...)
		p.Appetite = append(p.Appetite, appetiteOf(sc, g.Profile))
		p.Group = append(p.Group, gr)
	}
	setOf := map[string]int32{}
	for gi, g := range guests {
		if len(g.Selector) == 0 {
			continue
		}
		if p.Eligible == nil {
			p.Eligible = make([]int32, len(guests))
			for i := range p.Eligible {
				p.Eligible[i] = placement.NoHost
			}
		}
		key := selectorText(g.Selector)
		set, ok := setOf[key]
		if !ok {
			set = int32(len(p.HostSets))
			setOf[key] = set
			hs := placement.HostSet{Name: key, Hosts: make([]bool, len(m.hosts)), Models: make([]bool, len(sc.HostModels))}
			for i, h := range m.hosts {
				hs.Hosts[i] = matches(h.Labels, g.Selector)
			}
			for i := range sc.HostModels {
				hs.Models[i] = matches(sc.HostModels[i].Labels, g.Selector)
			}
			p.HostSets = append(p.HostSets, hs)
		}
		p.Eligible[gi] = set
	}
	if len(ed.Pins) > 0 {
		p.Pin = make([]int32, len(guests))
		for i := range p.Pin {
			p.Pin[i] = placement.NoHost
		}
		for _, pin := range ed.Pins {
			gi, ok := m.guestIdx[pin.Guest]
			if !ok {
				return nil, fmt.Errorf("pin: no new guest named %q", pin.Guest)
			}
			hi, ok := m.hostIdx[pin.Host]
			if !ok {
				return nil, fmt.Errorf("pin %s: no host named %q", pin.Guest, pin.Host)
			}
			p.Pin[gi] = int32(hi)
		}
	}

	for i := range sc.HostModels {
		hm := &sc.HostModels[i]
		m.models = append(m.models, hm)
		off := pol.ModelOffered(hm)
		pm := placement.Model{Name: hm.Name, Offered: off[:D:D], Max: hm.Max, Rack: -1, Zone: -1}
		if r := hm.Labels["rack"]; r != "" {
			pm.Rack = racks.id(r)
		}
		if z := hm.Labels["zone"]; z != "" {
			pm.Zone = zones.id(z)
		}
		p.Models = append(p.Models, pm)
	}
	p.Policy = placement.Policy{Objective: placement.ObjectivePack}
	if pol.Objective == inventory.ObjectiveSpread {
		p.Policy.Objective = placement.ObjectiveSpread
	}
	switch pol.SameAppetite.Mode {
	case inventory.AppetiteHard:
		p.Policy.SameAppetite = placement.AppetiteRule{Hard: true, MaxPerHost: pol.SameAppetite.MaxPerHost}
	case inventory.AppetiteSoft:
		p.Policy.SameAppetite = placement.AppetiteRule{Penalty: pol.SameAppetite.Penalty}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return m, nil
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
