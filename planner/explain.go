package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/placement"
)

// On fleets of more than maxRefusalHosts hosts, an unplaced guest's
// Refusals keep the keptRefusalHosts nearest hosts only (Explain ranks them
// nearest first) and count the rest, so a plan for 10,000 hosts with many
// unplaced guests stays a file a person can open; the Summary still counts
// every host.
const (
	maxRefusalHosts  = 500
	keptRefusalHosts = 100
)

// unplaced describes why new guest gi fits nowhere: every host's every
// reason (complete, for JSON), the same aggregated per cause for people,
// and the nearest miss.
func unplaced(m *model, sol *placement.Solution, names []string, gi int) Unplaced {
	g := m.guests[gi]
	u := Unplaced{Guest: g.Name, Profile: g.Profile, Group: g.Group, Demand: g.Demand, Refusals: []Refusal{}}
	var all []Refusal
	cands := placement.Explain(m.prob, sol, gi)
	for i, c := range cands {
		rs := refusalsOf(m, names, c.Refusals)
		all = append(all, rs...)
		if len(cands) <= maxRefusalHosts || i < keptRefusalHosts {
			u.Refusals = append(u.Refusals, rs...)
		} else {
			u.RefusalsOmitted += len(rs)
		}
	}
	if lines, dims := tooLarge(m.prob, gi); len(lines) > 0 {
		// No host could hold it even empty: that is the reason, and no
		// re-arrangement is a "nearest" fix (issue 11.7). "6 hosts lack
		// cpu" would only repeat it for each host.
		var rest []Refusal
		for _, r := range all {
			if r.Rule != placement.RuleCapacity.String() || !dims[r.Dimension] {
				rest = append(rest, r)
			}
		}
		u.Summary = append(lines, summarise(rest)...)
		return u
	}
	u.Summary = summarise(all)
	if c, ok := placement.Nearest(m.prob, sol, gi); ok {
		n := &Nearest{Host: names[c.Host]}
		var parts []string
		for _, r := range c.Refusals {
			if r.Rule != placement.RuleCapacity {
				continue
			}
			d := inventory.Dimension(r.Dim)
			n.Short[d] = r.Short()
			parts = append(parts, fmt.Sprintf("%s more %s", inventory.FormatQuantity(d, r.Short()), d))
		}
		n.Hint = fmt.Sprintf("%s would fit %s with %s free (move or resize a guest there, or raise its overcommit)",
			g.Name, n.Host, strings.Join(parts, " and "))
		u.Nearest = n
	}
	return u
}

// tooLarge says, for a new guest that no host and no host model could
// hold even empty, why, one line per dimension that is too large ("no host
// has cpu 65.92, even empty (at most 14.4, on a)"), and which dimensions
// those are; or one line when each dimension fits somewhere but never all
// on one host. It says nothing (nil) when some host or model could hold
// the guest empty. Hosts and models outside the guest's selector do not
// count.
func tooLarge(p *placement.Problem, g int) (lines []string, dims map[string]bool) {
	d := len(p.DimNames)
	set := -1
	if p.Eligible != nil {
		set = int(p.Eligible[g])
	}
	need := p.Demand[g*d : g*d+d]
	type offer struct {
		name string
		v    []float64
	}
	var offers []offer
	for h := range p.HostNames {
		if set >= 0 && !p.HostSets[set].Hosts[h] {
			continue
		}
		offers = append(offers, offer{p.HostNames[h], p.Offered[h*d : h*d+d]})
	}
	for i, m := range p.Models {
		if set >= 0 && !p.HostSets[set].Models[i] {
			continue
		}
		offers = append(offers, offer{"model " + m.Name, m.Offered})
	}
	if len(offers) == 0 {
		return nil, nil
	}
	noHost := "no host"
	if set >= 0 {
		noHost = "no host its selector allows"
	}
	dims = map[string]bool{}
	for k := range d {
		best := offers[0]
		for _, o := range offers[1:] {
			if o.v[k] > best.v[k] {
				best = o
			}
		}
		if need[k] > best.v[k]*(1+inventory.FitSlack) {
			dim := inventory.Dimension(k)
			dims[dim.String()] = true
			lines = append(lines, fmt.Sprintf("%s has %s %s, even empty (at most %s, on %s)",
				noHost, dim, inventory.FormatQuantity(dim, need[k]), inventory.FormatQuantity(dim, best.v[k]), best.name))
		}
	}
	if len(lines) > 0 {
		return lines, dims
	}
	for _, o := range offers {
		if fitsEmpty(need, o.v) {
			return nil, nil
		}
	}
	return []string{noHost + " has all of its request, even empty (each dimension fits somewhere, never all together)"}, dims
}

// fitsEmpty reports whether need fits offer in every dimension, with
// inventory.Fits's slack.
func fitsEmpty(need, offer []float64) bool {
	for k := range need {
		if need[k] > offer[k]*(1+inventory.FitSlack) {
			return false
		}
	}
	return true
}

// renamed is u for another guest of the same shape: same reasons, its own
// name (also in the nearest-miss hint).
func (u *Unplaced) renamed(g newGuest) Unplaced {
	c := *u
	c.Guest, c.Profile, c.Group = g.Name, g.Profile, g.Group
	if u.Nearest != nil {
		n := *u.Nearest
		n.Hint = g.Name + strings.TrimPrefix(n.Hint, u.Guest)
		c.Nearest = &n
	}
	return c
}

// refusalsOf names the hosts, dimensions and groups of placement's refusals.
func refusalsOf(m *model, names []string, rs []placement.Refusal) []Refusal {
	out := make([]Refusal, 0, len(rs))
	for _, r := range rs {
		x := Refusal{Host: names[r.Host], Rule: r.Rule.String()}
		switch r.Rule {
		case placement.RuleCapacity:
			x.Dimension = inventory.Dimension(r.Dim).String()
			x.Requested, x.Free = round6(r.Requested), round6(r.Free)
		case placement.RuleAppetite:
			x.Dimension = inventory.Dimension(r.Dim).String()
		case placement.RuleAntiAffinity, placement.RuleAffinity:
			if r.Group >= 0 && int(r.Group) < len(m.groups) {
				x.Group = m.groups[r.Group]
			}
		}
		out = append(out, x)
	}
	return out
}

// summarise aggregates refusals per cause, most hosts first:
// "14 hosts lack iops (short by 300 to 2k)",
// "4 hosts excluded by anti-affinity group db-main". Hosts the guest may
// not use at all (excluded, pinned elsewhere, outside its selector) are
// counted apart, after the rest, as "not eligible"; placement.Explain
// gives them no other reason, so no host is counted twice, and when some
// are not eligible the others are called "eligible hosts" (issue 11.8).
func summarise(rs []Refusal) []string {
	type cause struct {
		rule, dim, group string
	}
	hosts := map[cause]map[string]bool{}
	worst := map[cause]float64{}
	least := map[cause]float64{}
	ineligible := false
	for _, r := range rs {
		c := cause{r.Rule, r.Dimension, r.Group}
		if hosts[c] == nil {
			hosts[c] = map[string]bool{}
		}
		hosts[c][r.Host] = true
		ineligible = ineligible || isEligibility(r.Rule)
		if r.Rule == placement.RuleCapacity.String() {
			short := r.Requested - r.Free
			if old, ok := least[c]; !ok || short < old {
				least[c] = short
			}
			worst[c] = max(worst[c], short)
		}
	}
	causes := make([]cause, 0, len(hosts))
	for c := range hosts {
		causes = append(causes, c)
	}
	slices.SortFunc(causes, func(a, b cause) int {
		if ea, eb := isEligibility(a.rule), isEligibility(b.rule); ea != eb {
			if eb {
				return -1
			}
			return 1
		}
		if n := len(hosts[b]) - len(hosts[a]); n != 0 {
			return n
		}
		return strings.Compare(a.rule+a.dim+a.group, b.rule+b.dim+b.group)
	})
	host := "host"
	if ineligible {
		host = "eligible host"
	}
	var out []string
	for _, c := range causes {
		n := len(hosts[c])
		switch c.rule {
		case placement.RuleCapacity.String():
			d, _ := inventory.ParseDimension(c.dim)
			short := inventory.FormatQuantity(d, worst[c])
			if lo := inventory.FormatQuantity(d, least[c]); lo != short {
				short = lo + " to " + short
			}
			out = append(out, fmt.Sprintf("%s %s (short by %s)", pluralVerb(n, host, "lacks", "lack"), c.dim, short))
		case placement.RuleAntiAffinity.String():
			out = append(out, fmt.Sprintf("%s excluded by anti-affinity group %s", plural(n, host), c.group))
		case placement.RuleAffinity.String():
			out = append(out, fmt.Sprintf("%s outside the domain that holds group %s", plural(n, host), c.group))
		case placement.RuleAppetite.String():
			out = append(out, fmt.Sprintf("%s at the same-appetite limit for %s", plural(n, host), c.dim))
		case placement.RuleSelector.String():
			out = append(out, fmt.Sprintf("%s not eligible: %s the labels the demand's selector asks for", plural(n, "host"), verb(n, "lacks", "lack")))
		case placement.RuleExcluded.String():
			out = append(out, fmt.Sprintf("%s not eligible: excluded for maintenance", plural(n, "host")))
		case placement.RulePinned.String():
			out = append(out, fmt.Sprintf("%s not eligible: the guest is pinned to another host", plural(n, "host")))
		default:
			out = append(out, fmt.Sprintf("%s refused by rule %s", plural(n, host), c.rule))
		}
	}
	return out
}

// isEligibility reports whether a refusal's rule (by name) says the host
// may not be used at all (placement.Rule.Eligibility).
func isEligibility(rule string) bool {
	return rule == placement.RuleSelector.String() || rule == placement.RuleExcluded.String() ||
		rule == placement.RulePinned.String()
}

// verb is one for n = 1, else many.
func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// pluralVerb is "1 host lacks" or "3 hosts lack".
func pluralVerb(n int, word, one, many string) string {
	if n == 1 {
		return plural(n, word) + " " + one
	}
	return plural(n, word) + " " + many
}

func plural(n int, word string) string { return CountOf(n, word, word+"s") }
