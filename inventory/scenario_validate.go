package inventory

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
)

// validateMode says how much of the fleet is known.
type validateMode int

const (
	// modeFull: the scenario is the whole fleet; it needs hosts (or host
	// models to buy from) and every cross-check runs.
	modeFull validateMode = iota
	// modeDemand: a demand file whose hosts come later (Merge); checks
	// that need the fleet are left to Merge.
	modeDemand
)

// validateMeta is what the checker knows beyond the Scenario itself: where
// each field was written and which fields already failed to decode.
type validateMeta struct {
	pos         map[string]Pos
	bad         map[string]bool
	profilePath []string // where Profiles[i] was written; "" = built-in untouched
	rootBad     bool     // the document is not a mapping: nothing to validate
	// liveFrom is the index of the first host added by Merge (len(Hosts)
	// when none): problems with those are named by host, not by file
	// position, and references they make to profiles or groups the file
	// does not define are warnings.
	liveFrom int
}

// metaFromItems builds positions from the items' own Pos, for scenarios
// that did not come straight from a file.
func metaFromItems(s *Scenario, liveFrom int) *validateMeta {
	m := &validateMeta{pos: map[string]Pos{}, liveFrom: liveFrom}
	for i, h := range s.Hosts[:liveFrom] {
		p := index("hosts", i)
		m.pos[p] = h.Pos
		for j, g := range h.Guests {
			m.pos[index(join(p, "guests"), j)] = g.Pos
		}
	}
	for i, x := range s.HostModels {
		m.pos[index("hostModels", i)] = x.Pos
	}
	for i, x := range s.Groups {
		m.pos[index("groups", i)] = x.Pos
	}
	for i, x := range s.Demand {
		m.pos[index("demand", i)] = x.Pos
	}
	for i, x := range s.Profiles {
		p := index("profiles", i)
		m.profilePath = append(m.profilePath, p)
		m.pos[p] = x.Pos
	}
	return m
}

// checker collects problems for one scenario.
type checker struct {
	s     *Scenario
	meta  *validateMeta
	mode  validateMode
	probs Problems
	// policyBroken is set when the policy has errors; checks that compute
	// offered capacity from it are skipped then (they would only repeat the
	// policy's problem in other words).
	policyBroken bool

	// brokenDim[d] is set when some host's or host model's capacity,
	// reservation or overcommit in dimension d is missing or wrong: what
	// hosts offer in d is then unknown, and checks that compare requests
	// with it would only repeat that problem as "the largest host offers
	// 0" (issue 13.5).
	brokenDim [NumDims]bool
	// unknownLive lists the live hosts (added by Merge) whose capacity
	// lacks only what libvirt cannot report (iops, net), reported once,
	// first, as the cause (issue 13.4).
	unknownLive []*Host
	unknownDims map[Dimension]bool
	// causes are root causes, said before every other problem.
	causes Problems

	// Indexes built on first use, so that checks made once per guest or
	// demand entry cost about the same on 10 hosts as on 10,000.
	names     map[string]map[string]bool // "profile"/"group" → defined names
	offerSets map[offerKey]*offerSet
	labels    *labelIndex
}

// defined is the set of profile or group names the scenario defines.
func (c *checker) defined(kind string) map[string]bool {
	if c.names == nil {
		c.names = map[string]map[string]bool{"profile": {}, "group": {}}
		for _, p := range c.s.Profiles {
			c.names["profile"][p.Name] = true
		}
		for _, g := range c.s.Groups {
			c.names["group"][g.Name] = true
		}
	}
	return c.names[kind]
}

// validate returns every problem: root causes first, then the rest by
// line (sortProblems).
func validate(s *Scenario, meta *validateMeta, mode validateMode) Problems {
	if meta.pos == nil {
		meta.pos = map[string]Pos{}
	}
	if len(meta.profilePath) != len(s.Profiles) {
		meta.profilePath = metaFromItems(s, len(s.Hosts)).profilePath
	}
	c := &checker{s: s, meta: meta, mode: mode}
	c.header()
	c.policy()
	c.profiles()
	c.hostModels()
	c.groups()
	guestNames := c.hosts()
	c.liveCapacityUnknown()
	c.demand(guestNames)
	if c.fleetKnown() {
		c.groupDomains()
	}
	sortProblems(c.probs)
	return append(c.causes, c.probs...)
}

// fleetKnown reports whether host-dependent checks can run.
func (c *checker) fleetKnown() bool { return c.mode == modeFull }

// at finds where path (or its nearest written parent) was written.
func (c *checker) at(path string) Pos {
	for path != "" {
		if p, ok := c.meta.pos[path]; ok && p.Line > 0 {
			return p
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return Pos{}
}

// related reports whether path failed to decode already (or a part of it,
// or a field within it), so that the same mistake is not reported twice.
func (c *checker) related(path string) bool {
	for b := range c.meta.bad {
		if within(b, path) || within(path, b) {
			return true
		}
	}
	return false
}

// anyBad reports whether anything at or below path failed to decode.
func (c *checker) anyBad(path string) bool {
	for b := range c.meta.bad {
		if within(b, path) {
			return true
		}
	}
	return false
}

// within reports whether path is prefix or a field or element below it.
func within(path, prefix string) bool {
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	rest := path[len(prefix):]
	return rest == "" || rest[0] == '.' || rest[0] == '['
}

func (c *checker) report(sev Severity, path, format string, args ...any) {
	if c.related(path) {
		return
	}
	source, p := c.s.Source, c.at(path)
	if h := c.liveHost(path); h != nil {
		source, p = "host "+h.Name, Pos{}
		if h.URI != "" {
			source += " (" + MaskURI(h.URI) + ")"
		}
	}
	c.probs = append(c.probs, Problem{Source: source, Line: p.Line, Column: p.Column, Field: path,
		Message: fmt.Sprintf(format, args...), Severity: sev})
}

// liveHost returns the host a path is about when Merge added that host.
func (c *checker) liveHost(path string) *Host {
	var i int
	if _, err := fmt.Sscanf(path, "hosts[%d]", &i); err != nil || i < c.meta.liveFrom || i >= len(c.s.Hosts) {
		return nil
	}
	return &c.s.Hosts[i]
}

func (c *checker) errorf(path, format string, args ...any) {
	c.report(SeverityError, path, format, args...)
}

func (c *checker) warnf(path, format string, args ...any) {
	c.report(SeverityWarning, path, format, args...)
}

// name checks a name field: present, printable, no spaces.
func (c *checker) name(path, what, name string) bool {
	if name == "" {
		c.errorf(join(path, "name"), "every %s needs a name", what)
		return false
	}
	if len(name) > 253 {
		c.errorf(join(path, "name"), "name is %d characters long; at most 253", len(name))
		return false
	}
	for _, r := range name {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			c.errorf(join(path, "name"), "name %q has a space or control character; use letters, digits, '-', '_' or '.'", name)
			return false
		}
	}
	return true
}

// unique reports the second and later uses of a name.
type seenNames map[string]string // name → path of first use

func (c *checker) unique(seen seenNames, path, what, name string) bool {
	if name == "" {
		return false
	}
	if first, dup := seen[name]; dup {
		where := first
		if p := c.at(first); p.Line > 0 {
			where = fmt.Sprintf("%s (line %d)", first, p.Line)
		}
		c.errorf(join(path, "name"), "duplicate %s name %q: already used by %s", what, name, where)
		return false
	}
	seen[name] = path
	return true
}

func (c *checker) header() {
	switch v := c.s.APIVersion; {
	case v == "":
		c.errorf("apiVersion", "missing: a scenario starts with \"apiVersion: %s\"", APIVersion)
	case v != APIVersion:
		c.errorf("apiVersion", "unsupported version %q: this berth reads %q", v, APIVersion)
	}
	if c.mode == modeFull && len(c.s.Hosts) == 0 && len(c.s.HostModels) == 0 {
		c.errorf("hosts", "no hosts and no host models: a scenario needs hosts to place guests on (or use it as a demand file with live hosts: berth plan -c URI -d FILE)")
	}
}

// dimPath is the path of one dimension of a per-dimension policy value.
func dimPath(path string, d Dimension) string { return join(path, d.String()) }

// perDim checks every dimension of a per-dimension policy value with ok,
// reporting once for the whole value when it was written as one number.
func (c *checker) perDim(path string, v Vector, ok func(x float64) bool, format string) {
	var bad []Dimension
	for _, d := range Dimensions {
		if !ok(v[d]) {
			bad = append(bad, d)
		}
	}
	if len(bad) == 0 {
		return
	}
	_, perDimWritten := c.meta.pos[dimPath(path, bad[0])]
	if !perDimWritten && len(bad) == int(NumDims) && v == Uniform(v[0]) {
		c.errorf(path, format, v[0])
		return
	}
	for _, d := range bad {
		c.errorf(dimPath(path, d), format, v[d])
	}
}

func (c *checker) policy() {
	hosts := -1
	if c.fleetKnown() {
		hosts = len(c.s.Hosts)
	}
	capacityOK := checkPolicy(&c.s.Policy, hosts, c)
	c.policyBroken = !capacityOK || len(c.meta.bad) > 0 && c.anyBad("policy")
}

// amounts checks that every dimension of v is a finite amount ≥ 0 and at
// most AmountMax.
func (c *checker) amounts(path string, v Vector) bool {
	ok := true
	for _, d := range Dimensions {
		if x := v[d]; !(x >= 0) || math.IsInf(x, 0) {
			c.errorf(dimPath(path, d), "amounts must be 0 or more, found %g", x)
			ok = false
		} else if !c.bounded(path, d, x, false) {
			ok = false
		}
	}
	return ok
}

// capacity checks a host's or model's capacity and reservation; a
// dimension found wrong is marked broken (brokenDim). A live host that
// lacks only the capacities libvirt cannot report is not reported here but
// gathered for liveCapacityUnknown.
func (c *checker) capacity(path string, capacity, reserved Vector) {
	if !c.amounts(join(path, "reserved"), reserved) {
		for _, d := range Dimensions {
			if !(reserved[d] >= 0) || math.IsInf(reserved[d], 0) {
				c.brokenDim[d] = true
			}
		}
	}
	var missing []string
	var missingDims []Dimension
	for _, d := range Dimensions {
		x := capacity[d]
		if c.anyBad(dimPath(join(path, "capacity"), d)) || c.anyBad(dimPath(join(path, "reserved"), d)) {
			c.brokenDim[d] = true
		}
		switch {
		case x == 0:
			missing = append(missing, d.String())
			missingDims = append(missingDims, d)
			c.brokenDim[d] = true
		case !(x > 0) || math.IsInf(x, 0):
			c.errorf(dimPath(join(path, "capacity"), d), "capacity must be greater than 0, found %g", x)
			c.brokenDim[d] = true
		case !c.bounded(join(path, "capacity"), d, x, true):
			c.brokenDim[d] = true
		case reserved[d] > x:
			c.errorf(dimPath(join(path, "reserved"), d), "reserved %s is more than the capacity %s",
				FormatQuantity(d, reserved[d]), FormatQuantity(d, x))
			c.brokenDim[d] = true
		case reserved[d] == x:
			c.warnf(dimPath(join(path, "reserved"), d), "reserved %s is all of the capacity: nothing is left for guests",
				FormatQuantity(d, x))
		}
	}
	if len(missing) == 0 {
		return
	}
	if h := c.liveHost(path); h != nil && !slices.ContainsFunc(missingDims, func(d Dimension) bool { return d != IOPS && d != Net }) {
		c.unknownLive = append(c.unknownLive, h)
		if c.unknownDims == nil {
			c.unknownDims = map[Dimension]bool{}
		}
		for _, d := range missingDims {
			c.unknownDims[d] = true
		}
		return
	}
	c.errorf(join(path, "capacity"), "capacity needs every dimension greater than 0; missing or 0: %s (e.g. %s)",
		strings.Join(missing, ", "), SampleVector(false))
}

// liveCapacityUnknown reports, once and first, the live hosts whose disk
// IOPS or network capacity is unknown: libvirt cannot report them, so they
// come from the config. It names the config keys and a command, and the
// first few hosts ("and N more") rather than one line per host.
func (c *checker) liveCapacityUnknown() {
	if len(c.unknownLive) == 0 {
		return
	}
	var dims []string
	for _, d := range Dimensions {
		if c.unknownDims[d] {
			dims = append(dims, d.String())
		}
	}
	names := make([]string, len(c.unknownLive))
	for i, h := range c.unknownLive {
		names[i] = h.Name
		if h.URI != "" {
			names[i] += " (" + MaskURI(h.URI) + ")"
		}
	}
	h := c.unknownLive[0]
	uri := "URI"
	if h.URI != "" {
		uri = MaskURI(h.URI)
	}
	which := "host " + names[0]
	if len(names) > 1 {
		which = fmt.Sprintf("%d hosts: %s", len(names), SummariseNames(names, 3))
	}
	demand := "demand.yaml"
	if c.s.Source != "" {
		demand = c.s.Source
	}
	c.causes = append(c.causes, Problem{Source: which, Severity: SeverityError, Message: fmt.Sprintf(
		"%s capacity unknown: libvirt cannot report disk IOPS or network capacity, so berth takes them from the config file. "+
			"Add for example \"hosts: [{uri: %s, iops: 20k, net: 10Gbps}]\" (or a hostClasses entry, docs/inventory.md) "+
			"to berth.yaml, then run: berth plan --config berth.yaml -c %s -d %s",
		strings.Join(dims, " and "), uri, uri, demand)})
}

func (c *checker) profiles() {
	seen := seenNames{}
	for i, p := range c.s.Profiles {
		path := c.meta.profilePath[i]
		if path == "" {
			path = index("profiles", i)
			if p.BuiltIn {
				seen[p.Name] = path
				continue
			}
		}
		c.name(path, "profile", p.Name)
		c.unique(seen, path, "profile", p.Name)
		if p.HasAppetite && (p.Appetite < 0 || p.Appetite >= NumDims) {
			c.errorf(join(path, "appetite"), "unknown appetite %v: expected %s", p.Appetite, strings.Join(appetiteNames(), ", "))
		}
		if c.amounts(join(path, "request"), p.Request) && p.Request.IsZero() {
			c.errorf(join(path, "request"), "profile %q requests nothing: write e.g. request: %s", p.Name, SampleVector(true))
		}
	}
}

func (c *checker) hostModels() {
	seen := seenNames{}
	for i, m := range c.s.HostModels {
		path := index("hostModels", i)
		c.name(path, "host model", m.Name)
		c.unique(seen, path, "host model", m.Name)
		c.capacity(path, m.Capacity, m.Reserved)
		if m.Max < 0 {
			c.errorf(join(path, "max"), "max is how many may be bought (0 = no limit), found %d", m.Max)
		}
	}
}

func (c *checker) groups() {
	seen := seenNames{}
	for i, g := range c.s.Groups {
		path := index("groups", i)
		c.name(path, "group", g.Name)
		c.unique(seen, path, "group", g.Name)
		if !Scopes.Has(g.Scope) {
			c.errorf(join(path, "scope"), "unknown scope %q: expected %s", g.Scope, Scopes.Or())
		}
	}
}

// reference checks that a named profile and group exist.
func (c *checker) reference(path, kind, name string) {
	if name == "" {
		return
	}
	if c.defined(kind)[name] {
		return
	}
	var known []string
	switch kind {
	case "profile":
		for _, p := range c.s.Profiles {
			known = append(known, p.Name)
		}
	case "group":
		for _, g := range c.s.Groups {
			known = append(known, g.Name)
		}
	}
	list := "none are defined"
	if len(known) > 0 {
		list = "known: " + strings.Join(known, ", ")
	}
	if c.liveHost(path) != nil {
		c.warnf(join(path, kind), "unknown %s %q (%s): the running guest is planned around as it is, without its %s's rules", kind, name, list, kind)
		return
	}
	c.errorf(join(path, kind), "unknown %s %q (%s)%s", kind, name, list, suggestion(name, known))
}

// hosts checks the hosts and their guests; it returns where each guest
// name was first used.
func (c *checker) hosts() seenNames {
	hostNames, guestNames := seenNames{}, seenNames{}
	for i := range c.s.Hosts {
		h := &c.s.Hosts[i]
		path := index("hosts", i)
		c.name(path, "host", h.Name)
		c.unique(hostNames, path, "host", h.Name)
		c.capacity(path, h.Capacity, h.Reserved)
		for _, d := range Dimensions {
			if c.anyBad(dimPath(join(path, "overcommit"), d)) {
				c.brokenDim[d] = true
			}
			if x := h.Overcommit[d]; !(x >= 0) || math.IsInf(x, 0) || x != 0 && (x < OvercommitMin || x > OvercommitMax) {
				c.brokenDim[d] = true
				c.errorf(dimPath(join(path, "overcommit"), d), "overcommit must be from %g to %g (or left out for the policy's), found %g", OvercommitMin, OvercommitMax, x)
			}
		}
		for k := range h.Labels {
			if k == "" {
				c.errorf(join(path, "labels"), "a label needs a name")
			}
		}
		var load Vector
		for j := range h.Guests {
			g := &h.Guests[j]
			gp := index(join(path, "guests"), j)
			c.name(gp, "guest", g.Name)
			c.unique(guestNames, gp, "guest", g.Name)
			c.reference(gp, "profile", g.Profile)
			c.reference(gp, "group", g.Group)
			if c.amounts(join(gp, "allocation"), g.Allocation) && g.Profile == "" && g.Allocation.IsZero() {
				c.errorf(gp, "guest %q needs a profile or an allocation", g.Name)
			}
			if g.Observed != nil {
				c.amounts(join(gp, "observed"), *g.Observed)
			}
			if c.fleetKnown() {
				c.fitsSomewhere(join(gp, "allocation"), "allocation", g.Allocation, c.offers(allocatable, nil))
			}
			if c.s.Policy.Counts(g) {
				load = load.Add(g.Allocation)
			}
		}
		c.overAllocated(path, h, load)
	}
	return guestNames
}

// overAllocated warns when the guests a host runs are allocated more than
// it can allocate (capacity − reserved, × overcommit) in some dimension.
func (c *checker) overAllocated(path string, h *Host, load Vector) {
	if c.policyBroken || len(h.Guests) == 0 {
		return
	}
	alloc := c.s.Policy.HostAllocatable(h)
	for _, d := range Dimensions {
		if !c.brokenDim[d] && alloc[d] > 0 && load[d] > alloc[d]*(1+FitSlack) {
			c.warnf(join(path, "guests"), "the guests are allocated %s of %s, more than the host's %s (capacity − reserved, × overcommit)",
				FormatQuantity(d, load[d]), d, FormatQuantity(d, alloc[d]))
		}
	}
}

// maxCount bounds one demand entry; beyond it the planner would be asked
// for more guests than any fleet berth plans for.
const maxCount = 1_000_000

func (c *checker) demand(guestNames seenNames) {
	seen := seenNames{}
	for i := range c.s.Demand {
		d := &c.s.Demand[i]
		path := index("demand", i)
		named := c.name(path, "demand", d.Name) && c.unique(seen, path, "demand", d.Name)
		if d.Profile == "" {
			c.errorf(join(path, "profile"), "every demand needs a profile (e.g. web, db or cache)")
		}
		c.reference(path, "profile", d.Profile)
		c.reference(path, "group", d.Group)
		switch {
		case d.Count < 0:
			c.errorf(join(path, "count"), "count must be 0 or more, found %d (0 keeps none: the guests berth made from this entry are planned as removals)", d.Count)
		case d.Count > maxCount:
			c.errorf(join(path, "count"), "count %d is more than %d", d.Count, maxCount)
		}
		c.amounts(join(path, "request"), d.Request)
		c.wholeVCPUs(path, d)
		if c.fleetKnown() && named && d.Count >= 1 && d.Count <= maxCount {
			if n, first := clash(c.s.withoutMadeFrom(guestNames, d), d); n != "" {
				c.errorf(join(path, "name"), "demand %q would create guest %q, which already exists (%s); choose another name", d.Name, n, first)
			}
		}
		if c.selector(path, d.Selector) && c.fleetKnown() {
			if req, known := c.s.DemandRequest(d); known {
				c.fitsSomewhere(join(path, "request"), "request", req, c.offers(offered, d.Selector))
			}
		}
	}
}
