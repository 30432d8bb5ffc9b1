package inventory

// The checks that need the whole fleet: they run when a scenario is read
// with its hosts (ParseScenario, Validate) and, for a demand file, when
// Merge adds the live hosts.

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// clash returns the first (by number) of the demand's guest names NAME-i
// that a running guest already has, and where that guest is.
func clash(guests seenNames, d *Demand) (name, where string) {
	best := 0
	prefix := d.Name + "-"
	for n, path := range guests {
		rest, ok := strings.CutPrefix(n, prefix)
		if !ok || rest == "" || rest[0] == '0' {
			continue
		}
		i, err := strconv.Atoi(rest)
		if err != nil || i < 1 || i > d.Count || (best != 0 && i >= best) {
			continue
		}
		best, name, where = i, n, path
	}
	return name, where
}

// selector checks that every label of a selector names something a host
// (or host model) has; it returns which hosts and models match, nil when
// the selector is empty (everything matches).
func (c *checker) selector(path string, sel map[string]string) *candidates {
	if len(sel) == 0 || !c.fleetKnown() {
		return nil
	}
	values := map[string]map[string]bool{}
	add := func(labels map[string]string) {
		for k, v := range labels {
			if values[k] == nil {
				values[k] = map[string]bool{}
			}
			values[k][v] = true
		}
	}
	for _, h := range c.s.Hosts {
		add(h.Labels)
	}
	for _, m := range c.s.HostModels {
		add(m.Labels)
	}
	for _, k := range sortedKeys(sel) {
		vals, ok := values[k]
		if !ok {
			c.errorf(join(join(path, "selector"), k), "no host or host model has a label %q (labels in use: %s)%s",
				k, strings.Join(orNone(sortedKeys(values)), ", "), suggestion(k, sortedKeys(values)))
			continue
		}
		if !vals[sel[k]] {
			c.errorf(join(join(path, "selector"), k), "no host or host model has %s=%s (values in use: %s)",
				k, sel[k], strings.Join(sortedKeys(vals), ", "))
		}
	}
	cand := &candidates{}
	for i := range c.s.Hosts {
		cand.hosts = append(cand.hosts, matches(c.s.Hosts[i].Labels, sel))
	}
	for i := range c.s.HostModels {
		cand.models = append(cand.models, matches(c.s.HostModels[i].Labels, sel))
	}
	return cand
}

func orNone(list []string) []string {
	if len(list) == 0 {
		return []string{"none"}
	}
	return list
}

func matches(labels, sel map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// candidates says which hosts and models a selector allows (index-aligned
// with Scenario.Hosts and HostModels).
type candidates struct{ hosts, models []bool }

// fitsSomewhere reports a request (a demand's, with the policy's overhead
// and headroom; or an existing guest's allocation, raw against capacity −
// reserved × overcommit) that no host and no host model could ever hold,
// even empty, naming the dimension and the largest host.
func (c *checker) fitsSomewhere(path, what string, req Vector, demand bool, cand *candidates) {
	if c.policyBroken {
		return
	}
	p := &c.s.Policy
	need := req
	if demand {
		need = p.WithOverhead(req)
	}
	type offer struct {
		name string
		v    Vector
	}
	var offers []offer
	for i := range c.s.Hosts {
		h := &c.s.Hosts[i]
		if cand != nil && !cand.hosts[i] {
			continue
		}
		v := p.Offered(h)
		if !demand {
			v = h.Capacity.Sub(h.Reserved).Mul(p.HostOvercommit(h))
		}
		offers = append(offers, offer{"host " + h.Name, v})
	}
	for i := range c.s.HostModels {
		m := &c.s.HostModels[i]
		if cand != nil && !cand.models[i] {
			continue
		}
		v := p.ModelOffered(m)
		if !demand {
			v = m.Capacity.Sub(m.Reserved).Mul(p.Overcommit)
		}
		offers = append(offers, offer{"host model " + m.Name, v})
	}
	if len(offers) == 0 {
		return
	}
	for _, o := range offers {
		if need.Fits(o.v) {
			return
		}
	}
	overheadNote := func(d Dimension) string {
		if demand && p.Overhead[d] > 0 {
			return fmt.Sprintf(" (%s with %g%% overhead)", FormatQuantity(d, need[d]), 100*p.Overhead[d])
		}
		return ""
	}
	offerNote := "capacity − reserved, × overcommit × headroom"
	if !demand {
		offerNote = "capacity − reserved, × overcommit"
	}
	reported := false
	for _, d := range Dimensions {
		best := offers[0]
		for _, o := range offers[1:] {
			if o.v[d] > best.v[d] {
				best = o
			}
		}
		if need[d] > best.v[d] {
			c.errorf(dimPath(path, d), "%s %s%s is more than any host offers: the largest is %s with %s (%s)",
				what, FormatQuantity(d, req[d]), overheadNote(d), best.name, FormatQuantity(d, best.v[d]), offerNote)
			reported = true
		}
	}
	if !reported {
		// Each dimension fits somewhere, but never all on one host: name
		// the host that falls short by the least (as a share of the request).
		var best offer
		bestShort := math.Inf(1)
		var bestDim Dimension
		for _, o := range offers {
			short, dim := 0.0, Dimension(0)
			for _, d := range Dimensions {
				if need[d] > o.v[d] && need[d] > 0 {
					if s := (need[d] - o.v[d]) / need[d]; s > short {
						short, dim = s, d
					}
				}
			}
			if short < bestShort {
				best, bestShort, bestDim = o, short, dim
			}
		}
		c.errorf(path, "no single host offers all of this %s; the closest is %s, short of %s by %s",
			what, best.name, bestDim, FormatQuantity(bestDim, need[bestDim]-best.v[bestDim]))
	}
}

// groupDomains checks that each group's rule can hold at all: an
// anti-affinity group needs as many hosts/racks/zones as it has members.
// When that is provably impossible (no host model could add a domain) it
// is an error; when it depends on hosts still to be bought, a warning.
func (c *checker) groupDomains() {
	members := map[string]int{}
	existing := map[string][]*Host{}
	for i := range c.s.Hosts {
		for _, g := range c.s.Hosts[i].Guests {
			if g.Group != "" {
				members[g.Group]++
				existing[g.Group] = append(existing[g.Group], &c.s.Hosts[i])
			}
		}
	}
	for _, d := range c.s.Demand {
		if d.Group != "" && d.Count > 0 && d.Count <= maxCount {
			members[d.Group] += d.Count
		}
	}
	for i, g := range c.s.Groups {
		path := index("groups", i)
		n := members[g.Name]
		if n < 2 {
			continue
		}
		label := string(g.Scope)
		domains := map[string]bool{}
		unlabelled := 0
		for j := range c.s.Hosts {
			h := &c.s.Hosts[j]
			if g.Scope == ScopeHost {
				domains[h.Name] = true
			} else if v, ok := h.Labels[label]; ok {
				domains[v] = true
			} else {
				unlabelled++
			}
		}
		canGrow := false
		for _, m := range c.s.HostModels {
			if v, ok := m.Labels[label]; ok && g.Scope != ScopeHost {
				domains[v] = true
			} else {
				canGrow = true
			}
		}
		if g.Together {
			seen := map[string]bool{}
			for _, h := range existing[g.Name] {
				seen[domainOf(h, g.Scope)] = true
			}
			if len(seen) > 1 {
				c.warnf(path, "group %q asks its members to share a %s, but its running guests are already on %d different ones", g.Name, g.Scope, len(seen))
			}
			continue
		}
		if n <= len(domains) {
			continue
		}
		msg := fmt.Sprintf("group %q has %d members that must each be on a different %s, but the fleet has only %d %ss",
			g.Name, n, g.Scope, len(domains), g.Scope)
		if g.Scope != ScopeHost && len(domains) > 0 {
			msg += " (" + strings.Join(sortedKeys(domains), ", ") + ")"
		}
		switch {
		case canGrow:
			c.warnf(path, "%s; it can hold only if new hosts are bought in new %ss", msg, g.Scope)
		case unlabelled > 0:
			c.warnf(path, "%s; %d of the hosts have no %s label, so whether it can hold depends on where they are", msg, unlabelled, label)
		default:
			c.errorf(path, "%s: lower the count, widen the scope, or add %ss", msg, g.Scope)
		}
	}
}

func domainOf(h *Host, s Scope) string {
	if s == ScopeHost {
		return h.Name
	}
	return h.Labels[string(s)]
}
