package check

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/berth-dev/berth/planner"
)

// Forbidden co-location of profiles:
//
//	forbidTogether:
//	  - profiles: [db, batch]              # never a db and a batch guest on one host
//	  - profiles: [cache, cache]           # never two cache guests on one host
//	  - {profiles: [db, db], scope: rack}  # never two db guests in one rack
//
// A host (rack, zone) breaks the rule when it runs, after the plan, a guest
// of every profile listed, as many of each as the profile is listed.

var togetherFields = []string{"profiles", "scope"}

type together struct {
	// need counts the guests of each profile that may not meet, in the
	// order first written.
	profiles []string
	need     map[string]int
	scope    string
}

func (d *decoder) forbidTogether(n *yaml.Node, path string) []Rule {
	var rules []Rule
	for i, item := range d.sequence(n, path) {
		ip := index(path, i)
		fields, ok := d.object(item, ip, togetherFields...)
		if !ok {
			continue
		}
		t := together{need: map[string]int{}, scope: "host"}
		good, listed := true, 0
		for _, f := range fields {
			fp := join(ip, f.key)
			switch f.key {
			case "profiles":
				for j, pn := range d.sequence(f.value, fp) {
					p, ok := d.name(pn, index(fp, j), "a profile name")
					good = good && ok
					if !ok {
						continue
					}
					if t.need[p] == 0 {
						t.profiles = append(t.profiles, p)
					}
					t.need[p]++
					listed++
				}
				if good && listed < 2 {
					d.fail(d.resolve(f.value), fp, "list two or more profiles (write one twice, [db, db], to forbid two guests of it on one host)")
					good = false
				}
			case "scope":
				t.scope, ok = d.scope(f.value, fp)
				good = good && ok
			}
		}
		if !slices.ContainsFunc(fields, func(f field) bool { return f.key == "profiles" }) {
			d.fail(d.resolve(item), ip, "missing profiles: write e.g. {profiles: [db, batch]}")
			good = false
		}
		if good {
			rules = append(rules, newRule(ip, d.resolve(item), t.text(), t.eval))
		}
	}
	return rules
}

// text is "db and batch never on one host", "never 2 cache guests in one rack".
func (t together) text() string {
	where := "on one host"
	if t.scope != "host" {
		where = "in one " + t.scope
	}
	if len(t.profiles) == 1 {
		p := t.profiles[0]
		return fmt.Sprintf("never %d %s guests %s", t.need[p], p, where)
	}
	var parts []string
	for _, p := range t.profiles {
		if t.need[p] > 1 {
			parts = append(parts, fmt.Sprintf("%d %s", t.need[p], p))
		} else {
			parts = append(parts, p)
		}
	}
	return planner.JoinAnd(parts) + " never " + where
}

func (t together) eval(f *facts) ([]Violation, error) {
	// Guests of the listed profiles, per domain, in the plan's order.
	byDomain := map[string][]guest{}
	var order []string
	for _, g := range f.guests {
		if t.need[g.Profile] == 0 {
			continue
		}
		dom := f.domain(g.Host, t.scope)
		if dom == "" {
			continue
		}
		if _, seen := byDomain[dom]; !seen {
			order = append(order, dom)
		}
		byDomain[dom] = append(byDomain[dom], g)
	}
	var vs []Violation
	for _, dom := range order {
		gs := byDomain[dom]
		count := map[string]int{}
		for _, g := range gs {
			count[g.Profile]++
		}
		if !t.met(count) {
			continue
		}
		var parts, guests, hosts []string
		for _, p := range t.profiles {
			var names []string
			for _, g := range gs {
				if g.Profile == p {
					names = append(names, g.Name)
					guests = append(guests, g.Name)
					if !slices.Contains(hosts, g.Host) {
						hosts = append(hosts, g.Host)
					}
				}
			}
			parts = append(parts, fmt.Sprintf("%s (%s)", p, strings.Join(names, ", ")))
		}
		where := dom
		if t.scope != "host" {
			where = t.scope + " " + dom
		}
		vs = append(vs, Violation{Message: where + " runs " + planner.JoinAnd(parts), Hosts: hosts, Guests: guests})
	}
	return vs, nil
}

// met reports whether count has every listed profile as often as listed.
func (t together) met(count map[string]int) bool {
	for p, n := range t.need {
		if count[p] < n {
			return false
		}
	}
	return true
}
