package inventory

// The checks that need the whole fleet: they run when a scenario is read
// with its hosts (ParseScenario, Validate) and, for a demand file, when
// Merge adds the live hosts. Each is made once per running guest, demand
// entry or group, so each answers from an index built once (offerSet,
// labelIndex, scopeDomains): checking 10,000 running guests against 10,000
// hosts costs about as much as reading them.

import (
	"fmt"
	"strings"
)

// clash returns the first (by number) of the demand's guest names NAME-i
// that a running guest already has, and where that guest is. It looks up
// whichever is fewer, the demand's names or the running guests.
func clash(guests seenNames, d *Demand) (name, where string) {
	if d.Count <= len(guests) {
		for i := 1; i <= d.Count; i++ {
			if path, ok := guests[d.GuestName(i)]; ok {
				return d.GuestName(i), path
			}
		}
		return "", ""
	}
	best := 0
	prefix := d.Name + "-"
	for n, path := range guests {
		rest, ok := strings.CutPrefix(n, prefix)
		if !ok || rest == "" || rest[0] == '0' {
			continue
		}
		i, err := atoiStrict(rest)
		if err != nil || i < 1 || i > d.Count || (best != 0 && i >= best) {
			continue
		}
		best, name, where = i, n, path
	}
	return name, where
}

// atoiStrict reads a decimal count without sign or spaces.
func atoiStrict(s string) (int, error) {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' || n > maxCount {
			return 0, fmt.Errorf("not a count: %q", s)
		}
		n = n*10 + int(r-'0')
	}
	return n, nil
}

// labelIndex is which hosts carry each label value, and which values each
// label takes on hosts and host models, for selectors.
type labelIndex struct {
	hosts  map[string]map[string][]int // label → value → host indices, in order
	values map[string]map[string]bool  // label → values, on hosts and models
}

func (c *checker) labelIndex() *labelIndex {
	if c.labels != nil {
		return c.labels
	}
	ix := &labelIndex{hosts: map[string]map[string][]int{}, values: map[string]map[string]bool{}}
	see := func(k, v string) {
		if ix.values[k] == nil {
			ix.values[k] = map[string]bool{}
		}
		ix.values[k][v] = true
	}
	for i := range c.s.Hosts {
		for k, v := range c.s.Hosts[i].Labels {
			see(k, v)
			if ix.hosts[k] == nil {
				ix.hosts[k] = map[string][]int{}
			}
			ix.hosts[k][v] = append(ix.hosts[k][v], i)
		}
	}
	for i := range c.s.HostModels {
		for k, v := range c.s.HostModels[i].Labels {
			see(k, v)
		}
	}
	c.labels = ix
	return ix
}

// matching lists the hosts and host models (indices, in order) whose labels
// match every label of a non-empty selector.
func (c *checker) matching(sel map[string]string) (hosts, models []int) {
	ix := c.labelIndex()
	var rarest []int
	first := true
	for k, v := range sel {
		if l := ix.hosts[k][v]; first || len(l) < len(rarest) {
			rarest, first = l, false
		}
	}
	for _, i := range rarest {
		if matches(c.s.Hosts[i].Labels, sel) {
			hosts = append(hosts, i)
		}
	}
	for i := range c.s.HostModels {
		if matches(c.s.HostModels[i].Labels, sel) {
			models = append(models, i)
		}
	}
	return hosts, models
}

// selector checks that every label of a selector names something a host
// (or host model) has, and that some host or model has them all; it
// reports whether any host or model matches (true for an empty selector).
func (c *checker) selector(path string, sel map[string]string) bool {
	if len(sel) == 0 || !c.fleetKnown() {
		return true
	}
	values := c.labelIndex().values
	each := true
	for _, k := range sortedKeys(sel) {
		vals, ok := values[k]
		if !ok {
			c.errorf(join(join(path, "selector"), k), "no host or host model has a label %q (labels in use: %s)%s",
				k, strings.Join(orNone(sortedKeys(values)), ", "), suggestion(k, sortedKeys(values)))
			each = false
			continue
		}
		if !vals[sel[k]] {
			c.errorf(join(join(path, "selector"), k), "no host or host model has %s=%s (values in use: %s)",
				k, sel[k], strings.Join(sortedKeys(vals), ", "))
			each = false
		}
	}
	hosts, models := c.matching(sel)
	if len(hosts)+len(models) > 0 {
		return true
	}
	if each {
		c.errorf(join(path, "selector"), "no host or host model has all of %s: each label is in use, never all together",
			selectorKey(sel))
	}
	return false
}

// selectorKey writes a selector as "k1=v1, k2=v2" in key order.
func selectorKey(sel map[string]string) string {
	parts := make([]string, 0, len(sel))
	for _, k := range sortedKeys(sel) {
		parts = append(parts, k+"="+sel[k])
	}
	return strings.Join(parts, ", ")
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

// offerKind says which amount of a host a request is held against.
type offerKind uint8

const (
	// allocatable: a running guest's allocation against capacity −
	// reserved, × overcommit (it runs already: no headroom, no overhead).
	allocatable offerKind = iota
	// offered: a demand's charge (request with overhead) against
	// capacity − reserved, × overcommit × headroom.
	offered
)

type offerKey struct {
	kind offerKind
	sel  string
}

// offers is the offerSet of every host and host model a selector allows
// (all of them for an empty selector), built once per kind and selector.
func (c *checker) offers(kind offerKind, sel map[string]string) *offerSet {
	key := offerKey{kind, selectorKey(sel)}
	if s, ok := c.offerSets[key]; ok {
		return s
	}
	var hosts, models []int
	if len(sel) == 0 {
		hosts, models = seq(len(c.s.Hosts)), seq(len(c.s.HostModels))
	} else {
		hosts, models = c.matching(sel)
	}
	p := &c.s.Policy
	all := make([]offer, 0, len(hosts)+len(models))
	for _, i := range hosts {
		h := &c.s.Hosts[i]
		v := p.HostOffered(h)
		if kind == allocatable {
			v = p.HostAllocatable(h)
		}
		all = append(all, offer{"host " + h.Name, v})
	}
	for _, i := range models {
		m := &c.s.HostModels[i]
		v := p.ModelOffered(m)
		if kind == allocatable {
			v = p.ModelAllocatable(m)
		}
		all = append(all, offer{"host model " + m.Name, v})
	}
	if c.offerSets == nil {
		c.offerSets = map[offerKey]*offerSet{}
	}
	s := newOfferSet(kind, all)
	c.offerSets[key] = s
	return s
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// fitsSomewhere reports a request that no host and no host model of set
// could ever hold, even empty, naming the dimension and the largest host:
// a demand's request (charged with the policy's overhead) against what
// hosts offer, or a running guest's allocation against what they can
// allocate. The capacity model (capacity.go) computes both sides.
func (c *checker) fitsSomewhere(path, what string, req Vector, set *offerSet) {
	if c.policyBroken || len(set.all) == 0 {
		return
	}
	p := &c.s.Policy
	need := req
	if set.kind == offered {
		need = p.Charge(req)
	}
	if set.holds(need) {
		return
	}
	overheadNote := func(d Dimension) string {
		if set.kind == offered && p.Overhead[d] > 0 {
			return fmt.Sprintf(" (%s with %g%% overhead)", FormatQuantity(d, need[d]), 100*p.Overhead[d])
		}
		return ""
	}
	offerNote := "capacity − reserved, × overcommit × headroom"
	if set.kind == allocatable {
		offerNote = "capacity − reserved, × overcommit"
	}
	// A running guest that fits no host is a broken fleet; a demand that
	// fits none is one line the planner leaves unplaced, with the reason,
	// while it plans the rest (issue 11.7).
	sev, then := SeverityError, ""
	if set.kind == offered {
		sev, then = SeverityWarning, "; its guests will be left unplaced"
	}
	reported, broken := false, false
	for _, d := range Dimensions {
		best := set.all[set.largest[d]]
		if c.brokenDim[d] {
			// What hosts offer in d is unknown (its own problem is
			// reported): "the largest offers 0" would only repeat it.
			broken = true
			continue
		}
		if need[d] > best.v[d]*(1+FitSlack) {
			c.report(sev, dimPath(path, d), "%s %s%s is more than any host offers: the largest is %s with %s (%s)%s",
				what, FormatQuantity(d, req[d]), overheadNote(d), best.name, FormatQuantity(d, best.v[d]), offerNote, then)
			reported = true
		}
	}
	if !reported && !broken {
		// Each dimension fits somewhere, but never all on one host: name
		// the host that falls short by the least (as a share of the request).
		best, d := set.closest(need)
		c.report(sev, path, "no single host offers all of this %s; the closest is %s, short of %s by %s%s",
			what, best.name, d, FormatQuantity(d, need[d]-best.v[d]), then)
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
	domains := map[Scope]*scopeDomains{}
	for i, g := range c.s.Groups {
		path := index("groups", i)
		n := members[g.Name]
		if n < 2 {
			continue
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
		sd := domains[g.Scope]
		if sd == nil {
			sd = c.scopeDomains(g.Scope)
			domains[g.Scope] = sd
		}
		if n <= len(sd.names) {
			continue
		}
		msg := fmt.Sprintf("group %q has %d members that must each be on a different %s, but the fleet has only %d %ss",
			g.Name, n, g.Scope, len(sd.names), g.Scope)
		if g.Scope != ScopeHost && len(sd.names) > 0 {
			msg += " (" + strings.Join(sortedKeys(sd.names), ", ") + ")"
		}
		switch {
		case sd.canGrow:
			c.warnf(path, "%s; it can hold only if new hosts are bought in new %ss", msg, g.Scope)
		case sd.unlabelled > 0:
			c.warnf(path, "%s; %d of the hosts have no %s label, so whether it can hold depends on where they are", msg, sd.unlabelled, g.Scope)
		default:
			c.errorf(path, "%s: lower the count, widen the scope, or add %ss", msg, g.Scope)
		}
	}
}

// scopeDomains are the failure domains of one scope the fleet has: host
// names, or the rack (zone) labels of hosts and host models; how many hosts
// lack the label; and whether buying could add a domain (a model without
// the label, or any model at host scope).
type scopeDomains struct {
	names      map[string]bool
	unlabelled int
	canGrow    bool
}

func (c *checker) scopeDomains(s Scope) *scopeDomains {
	sd := &scopeDomains{names: map[string]bool{}}
	label := string(s)
	for j := range c.s.Hosts {
		h := &c.s.Hosts[j]
		if s == ScopeHost {
			sd.names[h.Name] = true
		} else if v, ok := h.Labels[label]; ok {
			sd.names[v] = true
		} else {
			sd.unlabelled++
		}
	}
	for _, m := range c.s.HostModels {
		if v, ok := m.Labels[label]; ok && s != ScopeHost {
			sd.names[v] = true
		} else {
			sd.canGrow = true
		}
	}
	return sd
}

func domainOf(h *Host, s Scope) string {
	if s == ScopeHost {
		return h.Name
	}
	return h.Labels[string(s)]
}
