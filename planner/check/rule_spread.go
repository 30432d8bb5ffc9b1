package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"gopkg.in/yaml.v3"
)

// Spread of named groups over failure domains:
//
//	spread:
//	  - {group: db-main, across: rack, atLeast: 2}
//
// The group's guests (running and new, where they are after the plan) must
// sit in at least atLeast distinct racks (or hosts, or zones). A host with
// no rack (zone) label counts for none. A group the plan does not know is
// an error in the rules file, not a violation: it is most likely a typo.

var (
	spreadFields = []string{"group", "across", "atLeast"}
	scopes       = []string{"host", "rack", "zone"}
)

type spread struct {
	group   string
	across  string
	atLeast int
}

func (d *decoder) spreads(n *yaml.Node, path string) []Rule {
	var rules []Rule
	for i, item := range d.sequence(n, path) {
		ip := index(path, i)
		fields, ok := d.object(item, ip, spreadFields...)
		if !ok {
			continue
		}
		s := spread{across: "rack"}
		good := true
		for _, f := range fields {
			fp := join(ip, f.key)
			switch f.key {
			case "group":
				s.group, ok = d.name(f.value, fp, "a group name")
			case "across":
				s.across, ok = d.scope(f.value, fp)
			case "atLeast":
				s.atLeast, ok = d.count(f.value, fp, 1)
			}
			good = good && ok
		}
		for _, need := range []string{"group", "atLeast"} {
			if !slices.ContainsFunc(fields, func(f field) bool { return f.key == need }) {
				d.fail(d.resolve(item), ip, "missing %s: write e.g. {group: db-main, across: rack, atLeast: 2}", need)
				good = false
			}
		}
		if good {
			text := fmt.Sprintf("group %s spread over at least %s", s.group, planner.CountOf(s.atLeast, s.across, s.across+"s"))
			rules = append(rules, newRule(ip, d.resolve(item), text, s.eval))
		}
	}
	return rules
}

// scope reads host, rack or zone.
func (d *decoder) scope(n *yaml.Node, path string) (string, bool) {
	s, sn, ok := d.scalar(n, path, "host, rack or zone")
	if ok && !slices.Contains(scopes, s) {
		d.fail(sn, path, "unknown scope %q: expected host, rack or zone%s", s, inventory.Suggestion(s, scopes))
		return "", false
	}
	return s, ok
}

func (s spread) eval(f *facts) ([]Violation, error) {
	known := false
	var names []string
	for _, g := range f.plan.Groups {
		known = known || g.Name == s.group
		names = append(names, g.Name)
	}
	var members []guest
	for _, g := range f.guests {
		if g.Group == s.group {
			members = append(members, g)
		}
	}
	if !known && len(members) == 0 {
		return nil, fmt.Errorf("the plan has no group %q (its groups: %s)%s", s.group, orNone(names), inventory.Suggestion(s.group, names))
	}
	domains := map[string]bool{}
	var where, unlabelled, guests, hosts []string
	for _, g := range members {
		dom := f.domain(g.Host, s.across)
		guests = append(guests, g.Name)
		if !slices.Contains(hosts, g.Host) {
			hosts = append(hosts, g.Host)
		}
		if dom == "" {
			unlabelled = append(unlabelled, g.Host)
			where = append(where, g.Name+" on "+g.Host)
			continue
		}
		domains[dom] = true
		if s.across == "host" {
			where = append(where, g.Name+" on "+g.Host)
		} else {
			where = append(where, fmt.Sprintf("%s on %s (%s %s)", g.Name, g.Host, s.across, dom))
		}
	}
	if len(domains) >= s.atLeast {
		return nil, nil
	}
	msg := fmt.Sprintf("group %s is in %s, not %d", s.group, planner.CountOf(len(domains), s.across, s.across+"s"), s.atLeast)
	if len(where) > 0 {
		msg += ": " + strings.Join(where, ", ")
	} else {
		msg += ": it has no guest on any host"
	}
	if len(unlabelled) > 0 {
		msg += fmt.Sprintf(" (%s no %s label)", joinHosts(unlabelled), s.across)
	}
	if n := unplacedOf(f.plan, s.group); n > 0 {
		msg += fmt.Sprintf("; %s of the group unplaced", planner.CountOf(n, "guest is", "guests are"))
	}
	return []Violation{{Message: msg, Hosts: hosts, Guests: guests}}, nil
}

func unplacedOf(p *planner.Plan, group string) int {
	n := 0
	for _, u := range p.Unplaced {
		if u.Group == group {
			n++
		}
	}
	return n
}

func joinHosts(hosts []string) string {
	hosts = slices.Compact(slices.Sorted(slices.Values(hosts)))
	if len(hosts) == 1 {
		return hosts[0] + " has"
	}
	return strings.Join(hosts, ", ") + " have"
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
