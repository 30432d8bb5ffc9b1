package inventory

import (
	"maps"
	"slices"
	"strconv"
)

// Profile returns the profile called name (built-in or from the file).
func (s *Scenario) Profile(name string) (*Profile, bool) {
	for i := range s.Profiles {
		if s.Profiles[i].Name == name {
			return &s.Profiles[i], true
		}
	}
	return nil, false
}

// GroupByName returns the group called name.
func (s *Scenario) GroupByName(name string) (*Group, bool) {
	for i := range s.Groups {
		if s.Groups[i].Name == name {
			return &s.Groups[i], true
		}
	}
	return nil, false
}

// HostByName returns the host called name.
func (s *Scenario) HostByName(name string) (*Host, bool) {
	for i := range s.Hosts {
		if s.Hosts[i].Name == name {
			return &s.Hosts[i], true
		}
	}
	return nil, false
}

// HostModelByName returns the host model called name.
func (s *Scenario) HostModelByName(name string) (*HostModel, bool) {
	for i := range s.HostModels {
		if s.HostModels[i].Name == name {
			return &s.HostModels[i], true
		}
	}
	return nil, false
}

// DemandRequest is what each guest of d asks for: its profile's request
// with d.Request's non-zero dimensions written over it. ok is false when
// the profile is unknown (then only d.Request is returned).
func (s *Scenario) DemandRequest(d *Demand) (req Vector, ok bool) {
	if p, found := s.Profile(d.Profile); found {
		req, ok = p.Request, true
	}
	for dim, x := range d.Request {
		if x != 0 {
			req[dim] = x
		}
	}
	return req, ok
}

// GuestName is the name of the i-th (1-based) guest of the demand: NAME-i.
func (d *Demand) GuestName(i int) string { return d.Name + "-" + strconv.Itoa(i) }

// GuestNames lists the names of all Count guests of the demand.
func (d *Demand) GuestNames() []string {
	names := make([]string, 0, max(d.Count, 0))
	for i := 1; i <= d.Count; i++ {
		names = append(names, d.GuestName(i))
	}
	return names
}

// HostOvercommit is the overcommit that applies on h: the host's own ratio
// in the dimensions where it sets one, the policy's elsewhere.
func (p Policy) HostOvercommit(h *Host) Vector {
	oc := p.Overcommit
	for dim, x := range h.Overcommit {
		if x != 0 {
			oc[dim] = x
		}
	}
	return oc
}

// Offer is the capacity a host offers to guests, per dimension:
//
//	(capacity − reserved) × overcommit × headroom
//
// e.g. 32 vCPUs, 2 reserved, overcommit 4, headroom 0.9 → 30 × 4 × 0.9 = 108.
func (p Policy) Offer(capacity, reserved, overcommit Vector) Vector {
	return capacity.Sub(reserved).Mul(overcommit).Mul(p.Headroom)
}

// Offered is the capacity host h offers under the policy (see Offer).
func (p Policy) Offered(h *Host) Vector {
	return p.Offer(h.Capacity, h.Reserved, p.HostOvercommit(h))
}

// ModelOffered is the capacity a new host of model m would offer.
func (p Policy) ModelOffered(m *HostModel) Vector {
	return p.Offer(m.Capacity, m.Reserved, p.Overcommit)
}

// WithOverhead is a request with the virtualisation overhead added:
// v × (1 + overhead), e.g. 8 vCPUs at 3% → 8.24.
func (p Policy) WithOverhead(v Vector) Vector {
	return v.Mul(Uniform(1).Add(p.Overhead))
}

// Clone returns a deep copy of the scenario.
func (s *Scenario) Clone() *Scenario {
	c := *s
	c.Hosts = cloneHosts(s.Hosts)
	c.HostModels = slices.Clone(s.HostModels)
	for i := range c.HostModels {
		c.HostModels[i].Labels = maps.Clone(c.HostModels[i].Labels)
	}
	c.Profiles = slices.Clone(s.Profiles)
	c.Groups = slices.Clone(s.Groups)
	c.Demand = slices.Clone(s.Demand)
	for i := range c.Demand {
		c.Demand[i].Selector = maps.Clone(c.Demand[i].Selector)
	}
	c.Warnings = slices.Clone(s.Warnings)
	return &c
}

func cloneHosts(hosts []Host) []Host {
	out := slices.Clone(hosts)
	for i := range out {
		h := &out[i]
		h.Labels = maps.Clone(h.Labels)
		if h.Facts != nil {
			f := *h.Facts
			h.Facts = &f
		}
		h.Guests = slices.Clone(h.Guests)
		for j := range h.Guests {
			if o := h.Guests[j].Observed; o != nil {
				v := *o
				h.Guests[j].Observed = &v
			}
		}
	}
	return out
}

// Merge returns a copy of s with hosts added after its own (typically the
// live fleet read through libvirt, added to a file read by ParseDemand),
// validated as a whole: every check ParseScenario makes, including those a
// demand file alone cannot answer. Problems with an added host are named
// "host NAME (URI)" instead of a file position, and a running guest whose
// profile or group the file does not define is a warning, not an error.
// s is not changed.
func (s *Scenario) Merge(hosts []Host) (*Scenario, error) {
	c := s.Clone()
	own := len(c.Hosts)
	c.Hosts = append(c.Hosts, cloneHosts(hosts)...)
	probs := validate(c, metaFromItems(c, own), modeFull)
	sortProblems(probs)
	c.Warnings = probs.Warnings()
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks a scenario however it was built (from a file, libvirt or
// code) and returns every error-severity problem at once as Problems (nil
// when there is none). Problems point at the items' Pos where known.
// Warnings are not returned; Scenario.Warnings holds those from parsing.
func (s *Scenario) Validate() error {
	return validate(s, metaFromItems(s, len(s.Hosts)), modeFull).Err()
}

// Check is Validate returning warnings too (callers such as `berth
// validate` that print everything).
func (s *Scenario) Check() Problems {
	probs := validate(s, metaFromItems(s, len(s.Hosts)), modeFull)
	sortProblems(probs)
	return probs
}
