package inventory

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// WriteScenario writes s in the scenario format (docs/scenario.md) with
// exact amounts in human units ("256Gi", "20k", "10Gbps") and a
// deterministic order: sections as documented, items in slice order,
// labels sorted. What equals a default is left out: policy keys equal to
// DefaultPolicy, built-in profiles left unchanged, guest allocations equal
// to their profile's request. ParseScenario of the output gives back an
// equal Scenario (apart from Source, positions and warnings).
func WriteScenario(w io.Writer, s *Scenario) error {
	root := flowless(yaml.MappingNode)
	root.HeadComment = "Scenario for berth (format: docs/scenario.md)."
	apiVersion := s.APIVersion
	if apiVersion == "" {
		apiVersion = APIVersion
	}
	put(root, "apiVersion", strNode(apiVersion))
	if s.Name != "" {
		put(root, "name", strNode(s.Name))
	}
	if s.Description != "" {
		put(root, "description", textNode(s.Description))
	}
	if p := policyNode(&s.Policy); len(p.Content) > 0 {
		put(root, "policy", p)
	}
	if seq := profilesNode(s.Profiles); len(seq.Content) > 0 {
		put(root, "profiles", seq)
	}
	if len(s.HostModels) > 0 {
		seq := flowless(yaml.SequenceNode)
		for i := range s.HostModels {
			seq.Content = append(seq.Content, hostModelNode(&s.HostModels[i]))
		}
		put(root, "hostModels", seq)
	}
	if len(s.Groups) > 0 {
		seq := flowless(yaml.SequenceNode)
		for _, g := range s.Groups {
			m := flow(yaml.MappingNode)
			put(m, "name", strNode(g.Name))
			put(m, "scope", strNode(string(g.Scope)))
			if g.Together {
				put(m, "together", plain("true"))
			}
			seq.Content = append(seq.Content, m)
		}
		put(root, "groups", seq)
	}
	if len(s.Hosts) > 0 {
		seq := flowless(yaml.SequenceNode)
		for i := range s.Hosts {
			seq.Content = append(seq.Content, hostNode(s, &s.Hosts[i]))
		}
		put(root, "hosts", seq)
	}
	if len(s.Demand) > 0 {
		seq := flowless(yaml.SequenceNode)
		for i := range s.Demand {
			seq.Content = append(seq.Content, demandNode(&s.Demand[i]))
		}
		put(root, "demand", seq)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return fmt.Errorf("writing scenario: %w", err)
	}
	return enc.Close()
}

func flowless(kind yaml.Kind) *yaml.Node { return &yaml.Node{Kind: kind} }

func flow(kind yaml.Kind) *yaml.Node { return &yaml.Node{Kind: kind, Style: yaml.FlowStyle} }

// strNode is a string scalar, quoted when it would read as something else;
// strings with line breaks, tabs or other unprintable characters are
// written double-quoted, with escapes (the YAML library's own choice of
// block style does not always read back the same, e.g. for "\n").
func strNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if strings.ContainsFunc(s, func(r rune) bool { return r != ' ' && !unicode.IsGraphic(r) }) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// textNode is strNode for prose: several plain lines are written as a
// literal block (|-), which reads best.
func textNode(s string) *yaml.Node {
	n := strNode(s)
	if plainLines(s) {
		n.Style = yaml.LiteralStyle
	}
	return n
}

// plainLines reports whether s is two or more lines of printable text with
// no leading or trailing blanks and no empty last line: text a literal
// block holds exactly.
func plainLines(s string) bool {
	lines := strings.Split(s, "\n")
	if len(lines) < 2 {
		return false
	}
	for i, l := range lines {
		if l != strings.TrimSpace(l) || (l == "" && (i == 0 || i == len(lines)-1)) {
			return false
		}
		if strings.ContainsFunc(l, func(r rune) bool { return r != ' ' && !unicode.IsGraphic(r) }) {
			return false
		}
	}
	return true
}

// plain is a scalar written as is (numbers, amounts, booleans).
func plain(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

func put(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, strNode(key), v)
}

// vectorNode writes the dimensions of v for which keep is true.
func vectorNode(v Vector, keep func(d Dimension) bool) *yaml.Node {
	m := flow(yaml.MappingNode)
	for _, d := range Dimensions {
		if keep(d) {
			put(m, d.String(), plain(FormatQuantityExact(d, v[d])))
		}
	}
	return m
}

func nonZero(v Vector) func(Dimension) bool { return func(d Dimension) bool { return v[d] != 0 } }

func all(Dimension) bool { return true }

// ratioVector writes a per-dimension ratio: one number when all dimensions
// agree, else the dimensions that differ from def.
func ratioVector(v, def Vector) *yaml.Node {
	if v == Uniform(v[0]) {
		return plain(formatNumber(v[0]))
	}
	m := flow(yaml.MappingNode)
	for _, d := range Dimensions {
		if v[d] != def[d] {
			put(m, d.String(), plain(formatNumber(v[d])))
		}
	}
	return m
}

func policyNode(p *Policy) *yaml.Node {
	def := DefaultPolicy()
	m := flowless(yaml.MappingNode)
	if p.Overcommit != def.Overcommit {
		put(m, "overcommit", ratioVector(p.Overcommit, def.Overcommit))
	}
	if p.Headroom != def.Headroom {
		put(m, "headroom", ratioVector(p.Headroom, def.Headroom))
	}
	if p.Overhead != def.Overhead {
		put(m, "overhead", ratioVector(p.Overhead, def.Overhead))
	}
	if p.Basis != def.Basis {
		if p.Basis == uniformBasis(p.Basis[0]) {
			put(m, "basis", strNode(string(p.Basis[0])))
		} else {
			b := flow(yaml.MappingNode)
			for _, d := range Dimensions {
				if p.Basis[d] != def.Basis[d] {
					put(b, d.String(), strNode(string(p.Basis[d])))
				}
			}
			put(m, "basis", b)
		}
	}
	if p.SafetyFactor != def.SafetyFactor {
		put(m, "safetyFactor", plain(formatNumber(p.SafetyFactor)))
	}
	if p.Shutoff != def.Shutoff && p.Shutoff != "" {
		put(m, "shutoff", strNode(string(p.Shutoff)))
	}
	if p.SameAppetite != def.SameAppetite {
		a := flow(yaml.MappingNode)
		if p.SameAppetite.Mode != def.SameAppetite.Mode {
			put(a, "mode", strNode(string(p.SameAppetite.Mode)))
		}
		if p.SameAppetite.MaxPerHost != def.SameAppetite.MaxPerHost {
			put(a, "maxPerHost", plain(strconv.Itoa(p.SameAppetite.MaxPerHost)))
		}
		if p.SameAppetite.Penalty != def.SameAppetite.Penalty {
			put(a, "penalty", plain(formatNumber(p.SameAppetite.Penalty)))
		}
		put(m, "sameAppetite", a)
	}
	if p.FailoverHosts != def.FailoverHosts {
		put(m, "failoverHosts", plain(strconv.Itoa(p.FailoverHosts)))
	}
	if p.FailoverMode != "" && p.FailoverMode != def.FailoverMode {
		put(m, "failoverMode", strNode(string(p.FailoverMode)))
	}
	if p.Objective != def.Objective {
		put(m, "objective", strNode(string(p.Objective)))
	}
	if p.Strategy != def.Strategy {
		put(m, "strategy", strNode(p.Strategy))
	}
	if p.Seed != def.Seed {
		put(m, "seed", plain(strconv.FormatUint(p.Seed, 10)))
	}
	if p.Iterations != def.Iterations {
		put(m, "iterations", plain(strconv.Itoa(p.Iterations)))
	}
	return m
}

// profilesNode writes the profiles that are not an unchanged built-in.
func profilesNode(profiles []Profile) *yaml.Node {
	builtins := map[string]Profile{}
	for _, b := range BuiltInProfiles() {
		builtins[b.Name] = b
	}
	seq := flowless(yaml.SequenceNode)
	for _, p := range profiles {
		b, isBuiltIn := builtins[p.Name]
		if isBuiltIn && sameProfile(p, b) {
			continue
		}
		m := flowless(yaml.MappingNode)
		put(m, "name", strNode(p.Name))
		if p.Description != "" && (!isBuiltIn || p.Description != b.Description) {
			put(m, "description", textNode(p.Description))
		}
		appetite := "none"
		if p.HasAppetite {
			appetite = p.Appetite.String()
		}
		put(m, "appetite", strNode(appetite))
		put(m, "request", vectorNode(p.Request, all))
		seq.Content = append(seq.Content, m)
	}
	return seq
}

func sameProfile(a, b Profile) bool {
	return a.Name == b.Name && a.Description == b.Description && a.HasAppetite == b.HasAppetite &&
		(!a.HasAppetite || a.Appetite == b.Appetite) && a.Request == b.Request
}

func labelsNode(labels map[string]string) *yaml.Node {
	m := flow(yaml.MappingNode)
	for _, k := range sortedKeys(labels) {
		put(m, k, strNode(labels[k]))
	}
	return m
}

func hostModelNode(hm *HostModel) *yaml.Node {
	m := flowless(yaml.MappingNode)
	put(m, "name", strNode(hm.Name))
	put(m, "capacity", vectorNode(hm.Capacity, all))
	if !hm.Reserved.IsZero() {
		put(m, "reserved", vectorNode(hm.Reserved, nonZero(hm.Reserved)))
	}
	if len(hm.Labels) > 0 {
		put(m, "labels", labelsNode(hm.Labels))
	}
	if hm.Max != 0 {
		put(m, "max", plain(strconv.Itoa(hm.Max)))
	}
	return m
}

func hostNode(s *Scenario, h *Host) *yaml.Node {
	m := flowless(yaml.MappingNode)
	put(m, "name", strNode(h.Name))
	if h.URI != "" {
		put(m, "uri", strNode(fileURI(h.URI)))
	}
	if len(h.Labels) > 0 {
		put(m, "labels", labelsNode(h.Labels))
	}
	put(m, "capacity", vectorNode(h.Capacity, all))
	if !h.Reserved.IsZero() {
		put(m, "reserved", vectorNode(h.Reserved, nonZero(h.Reserved)))
	}
	if !h.Overcommit.IsZero() {
		oc := flow(yaml.MappingNode)
		for _, d := range Dimensions {
			if h.Overcommit[d] != 0 {
				put(oc, d.String(), plain(formatNumber(h.Overcommit[d])))
			}
		}
		put(m, "overcommit", oc)
	}
	if h.Facts != nil {
		f := flowless(yaml.MappingNode)
		_ = f.Encode(h.Facts) // HostFacts is plain fields: encoding cannot fail
		put(m, "facts", f)
	}
	if len(h.Guests) > 0 {
		seq := flowless(yaml.SequenceNode)
		for i := range h.Guests {
			seq.Content = append(seq.Content, guestNode(s, &h.Guests[i]))
		}
		put(m, "guests", seq)
	}
	return m
}

func guestNode(s *Scenario, g *Guest) *yaml.Node {
	m := flow(yaml.MappingNode)
	put(m, "name", strNode(g.Name))
	if g.Profile != "" {
		put(m, "profile", strNode(g.Profile))
	}
	if g.Group != "" {
		put(m, "group", strNode(g.Group))
	}
	// Only what differs from the profile's request (parsing fills the rest
	// back in from the profile).
	var base Vector
	if p, ok := s.Profile(g.Profile); ok {
		base = p.Request
	}
	if g.Allocation != base {
		put(m, "allocation", vectorNode(g.Allocation, func(d Dimension) bool { return g.Allocation[d] != base[d] }))
	}
	if g.Observed != nil {
		put(m, "observed", vectorNode(*g.Observed, nonZero(*g.Observed)))
	}
	if g.Disk != 0 {
		put(m, "disk", plain(FormatQuantityExact(Memory, g.Disk)))
	}
	if g.UUID != "" {
		put(m, "uuid", strNode(g.UUID))
	}
	if g.State != "" {
		put(m, "state", strNode(g.State))
	}
	if g.PlanID != "" {
		put(m, "planID", strNode(g.PlanID))
	}
	if g.RoleSource != RoleDeclared {
		put(m, "roleSource", strNode(string(g.RoleSource)))
	}
	return m
}

func demandNode(d *Demand) *yaml.Node {
	m := flow(yaml.MappingNode)
	put(m, "name", strNode(d.Name))
	put(m, "profile", strNode(d.Profile))
	put(m, "count", plain(strconv.Itoa(d.Count)))
	if d.Group != "" {
		put(m, "group", strNode(d.Group))
	}
	if !d.Request.IsZero() {
		put(m, "request", vectorNode(d.Request, nonZero(d.Request)))
	}
	if len(d.Selector) > 0 {
		put(m, "selector", labelsNode(d.Selector))
	}
	return m
}

// fileURI is the URI as written to a file: with any password masked
// (MaskURI), since scenario files get shared; other URIs are kept as they
// are, even ones MaskURI cannot parse.
func fileURI(uri string) string { return MaskURI(uri) }
