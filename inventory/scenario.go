package inventory

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
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
	return probs
}

// ProblemAt is a problem with a policy field of s ("policy.strategy"),
// located where s's file wrote it (or its nearest written parent): for
// checks made after the scenario was read, such as the planner's of the
// strategy name, so that they point into the file as the reader's do.
func (s *Scenario) ProblemAt(field string, sev Severity, format string, args ...any) Problem {
	p := Problem{Source: s.Source, Field: field, Message: fmt.Sprintf(format, args...), Severity: sev}
	for path := field; path != ""; {
		if at, ok := s.Positions.pos[path]; ok && at.Line > 0 {
			p.Line, p.Column = at.Line, at.Column
			break
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return p
}
