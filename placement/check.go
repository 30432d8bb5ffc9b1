package placement

import (
	"cmp"
	"slices"
)

// Check recomputes every hard rule of s from scratch — it shares no
// bookkeeping with the solver — and returns what is broken, sorted by host,
// guest, rule, dimension and group:
//
//   - RuleCapacity: a host's load (existing + new) exceeds Offered in Dim
//     (Guest = NoHost; Used and Offered give the numbers);
//   - RuleAppetite: a host holds more than MaxPerHost guests of appetite Dim
//     under the hard rule (Guest = NoHost; Used = count, Offered = limit);
//   - RuleAntiAffinity: a new guest shares its group's domain with another
//     member (one violation per new guest involved; Guest = NoHost when only
//     existing guests collide);
//   - RuleAffinity: a member of a Together group sits outside the domain
//     holding most of the group (ties: the domain of the lowest-numbered
//     member, existing guests first);
//   - RuleExcluded: a new guest sits on an excluded host;
//   - RulePinned: a pinned guest is not on its pin;
//   - RuleSelector: a new guest sits on a host outside its Eligible set.
//
// Violations already present in the existing fleet are reported too: the
// plan inherits them. Host indices out of range are ignored.
func Check(p *Problem, s *Solution) []Violation {
	if s == nil || p.validated() != nil {
		return nil
	}
	d, nh := p.D(), p.H()+len(s.NewHosts)
	off := make([]float64, nh*d)
	copy(off, p.Offered)
	rack := make([]int32, nh)
	zone := make([]int32, nh)
	copy(rack, p.Rack)
	copy(zone, p.Zone)
	maxRack, maxZone := p.domainBase()
	for i, m := range s.NewHosts {
		h := p.H() + i
		if m < 0 || int(m) >= len(p.Models) {
			continue
		}
		md := p.Models[m]
		copy(off[h*d:h*d+d], md.Offered)
		rack[h], zone[h] = md.Rack, md.Zone
		if md.Rack < 0 {
			rack[h] = maxRack + 1 + int32(i)
		}
		if md.Zone < 0 {
			zone[h] = maxZone + 1 + int32(i)
		}
	}
	hostOf := func(g int) int {
		if g >= len(s.Host) {
			return NoHost
		}
		h := int(s.Host[g])
		if h < 0 || h >= nh {
			return NoHost
		}
		return h
	}

	var out []Violation
	used := make([]float64, nh*d)
	apps := make([]int32, nh*d)
	for e, h := range p.ExistingHost {
		for k := range d {
			used[int(h)*d+k] += p.ExistingDemand[e*d+k]
		}
		if a := p.ExistingAppetite[e]; a >= 0 {
			apps[int(h)*d+int(a)]++
		}
	}
	for g := range p.G() {
		h := hostOf(g)
		if p.Pin != nil && p.Pin[g] != NoHost && int(p.Pin[g]) != h {
			out = append(out, Violation{Host: int32(h), Guest: int32(g), Rule: RulePinned, Group: NoHost})
		}
		if h == NoHost {
			continue
		}
		for k := range d {
			used[h*d+k] += p.Demand[g*d+k]
		}
		if a := p.Appetite[g]; a >= 0 {
			apps[h*d+int(a)]++
		}
		if h < p.H() && p.Excluded != nil && p.Excluded[h] {
			out = append(out, Violation{Host: int32(h), Guest: int32(g), Rule: RuleExcluded, Group: NoHost})
		}
		if !eligibleOn(p, g, h, s.NewHosts) {
			out = append(out, Violation{Host: int32(h), Guest: int32(g), Rule: RuleSelector, Group: NoHost})
		}
	}
	rule := p.Policy.SameAppetite
	for h := range nh {
		for k := range d {
			if u, o := used[h*d+k], off[h*d+k]; u > o*(1+capEps) {
				out = append(out, Violation{Host: int32(h), Guest: NoHost, Rule: RuleCapacity, Dim: k, Group: NoHost, Used: u, Offered: o})
			}
			if rule.Hard && rule.MaxPerHost > 0 && apps[h*d+k] > int32(rule.MaxPerHost) {
				out = append(out, Violation{Host: int32(h), Guest: NoHost, Rule: RuleAppetite, Dim: k, Group: NoHost,
					Used: float64(apps[h*d+k]), Offered: float64(rule.MaxPerHost)})
			}
		}
	}
	out = append(out, checkGroups(p, hostOf, rack, zone)...)
	slices.SortFunc(out, func(a, b Violation) int {
		return cmp.Or(cmp.Compare(a.Host, b.Host), cmp.Compare(a.Guest, b.Guest), cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Dim, b.Dim), cmp.Compare(a.Group, b.Group))
	})
	return out
}

// member is one group member as Check sees it.
type member struct {
	dom   int32
	guest int32 // new guest index, or NoHost for an existing guest
	host  int32
	seq   int32 // existing guests first, then new, in index order
}

func checkGroups(p *Problem, hostOf func(int) int, rack, zone []int32) []Violation {
	if len(p.Groups) == 0 {
		return nil
	}
	dom := func(k int32, h int) int32 {
		switch p.Groups[k].Scope {
		case ScopeRack:
			return rack[h]
		case ScopeZone:
			return zone[h]
		}
		return int32(h)
	}
	ms := make([][]member, len(p.Groups))
	seq := int32(0)
	for e, k := range p.ExistingGroup {
		if k >= 0 {
			h := int(p.ExistingHost[e])
			ms[k] = append(ms[k], member{dom: dom(k, h), guest: NoHost, host: int32(h), seq: seq})
		}
		seq++
	}
	for g, k := range p.Group {
		if h := hostOf(g); k >= 0 && h != NoHost {
			ms[k] = append(ms[k], member{dom: dom(k, h), guest: int32(g), host: int32(h), seq: seq})
		}
		seq++
	}
	var out []Violation
	for k, list := range ms {
		if len(list) < 2 {
			continue
		}
		if p.Groups[k].Together {
			out = append(out, checkTogether(int32(k), list)...)
			continue
		}
		slices.SortFunc(list, func(a, b member) int { return cmp.Or(cmp.Compare(a.dom, b.dom), cmp.Compare(a.seq, b.seq)) })
		for i := 0; i < len(list); {
			j := i
			for j < len(list) && list[j].dom == list[i].dom {
				j++
			}
			if j-i > 1 {
				anyNew := false
				for _, m := range list[i:j] {
					if m.guest != NoHost {
						anyNew = true
						out = append(out, Violation{Host: m.host, Guest: m.guest, Rule: RuleAntiAffinity, Group: int32(k)})
					}
				}
				if !anyNew {
					out = append(out, Violation{Host: list[i].host, Guest: NoHost, Rule: RuleAntiAffinity, Group: int32(k)})
				}
			}
			i = j
		}
	}
	return out
}

// checkTogether reports the members of an affinity group outside the
// domain that holds most of them.
func checkTogether(k int32, list []member) []Violation {
	byDom := slices.Clone(list)
	slices.SortFunc(byDom, func(a, b member) int { return cmp.Compare(a.dom, b.dom) })
	held, heldN, heldSeq := int32(0), 0, int32(0)
	for i := 0; i < len(byDom); {
		j, first := i, byDom[i].seq
		for j < len(byDom) && byDom[j].dom == byDom[i].dom {
			first = min(first, byDom[j].seq)
			j++
		}
		if n := j - i; n > heldN || (n == heldN && first < heldSeq) {
			held, heldN, heldSeq = byDom[i].dom, n, first
		}
		i = j
	}
	var out []Violation
	for _, m := range list {
		if m.dom != held {
			out = append(out, Violation{Host: m.host, Guest: m.guest, Rule: RuleAffinity, Group: k})
		}
	}
	return out
}
