package planner

import (
	"fmt"
	"net/url"
	"strings"
)

// ForReview reports whether the plan can only be reviewed, not applied,
// and why, judged from the plan alone (nothing is contacted): a host the
// plan changes (creates a guest on, removes one from, moves one from or to) must be
// bought first, has no libvirt URI (a scenario's host), or has a URI
// whose host name is reserved for examples (RFC 2606 and 6761:
// example.com, example.net, example.org, and the top-level names
// .example, .invalid and .test), which no apply could reach. A plan that
// changes no host is not for review: there is nothing to apply.
//
// The reason is a clause for people: "its hosts have no libvirt URI (a
// scenario's hosts)", "t1 and t2 have no libvirt URI", "its hosts' URIs
// name example hosts (kvm01.example.net, …)". Package planner/apply
// refuses the same plans when it prepares them; the explorer and the
// commands that save a plan use this to say what the saved file is for.
func (p *Plan) ForReview() (bool, string) {
	touched := map[string]bool{}
	for _, a := range p.Actions {
		switch a.Op {
		case OpCreate, OpRemove:
			touched[a.Host] = true
		case OpMove:
			touched[a.Host] = true
			if a.Move != nil {
				touched[a.Move.From] = true
			}
		}
	}
	var toBuy, noURI, example []string
	exampleHosts := map[string]bool{}
	for _, h := range p.Hosts {
		switch {
		case !touched[h.Name]:
		case h.New:
			toBuy = append(toBuy, h.Name)
		case h.URI == "":
			noURI = append(noURI, h.Name)
		default:
			if name, ok := exampleHost(h.URI); ok {
				example = append(example, h.Name)
				exampleHosts[name] = true
			}
		}
	}
	switch {
	case len(toBuy) > 0:
		return true, fmt.Sprintf("%s must be bought first", fewNames(toBuy, "the new host", "the new hosts"))
	case len(noURI) > 0 && len(noURI) == len(touched):
		return true, "its hosts have no libvirt URI (a scenario's hosts)"
	case len(noURI) > 0:
		return true, fewNames(noURI, "", "") + pluralVerbOnly(len(noURI), " has", " have") + " no libvirt URI"
	case len(example) > 0:
		var names []string
		for _, h := range p.Hosts {
			if name, ok := exampleHost(h.URI); ok && exampleHosts[name] && touched[h.Name] {
				names = append(names, name)
				delete(exampleHosts, name)
			}
		}
		return true, "its hosts' URIs name example hosts (" + fewNames(names, "", "") + "), which cannot be reached"
	}
	return false, ""
}

// exampleHost returns the host name of a libvirt URI and whether it is a
// name reserved for examples and documentation.
func exampleHost(uri string) (string, bool) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", false
	}
	name := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if name == "" {
		return "", false
	}
	for _, d := range []string{"example.com", "example.net", "example.org"} {
		if name == d || strings.HasSuffix(name, "."+d) {
			return name, true
		}
	}
	tld := name[strings.LastIndex(name, ".")+1:]
	switch tld {
	case "example", "invalid", "test":
		return name, true
	}
	return name, false
}

// fewNames lists up to three names, "a, b and c", or "a, b, c and 4
// more"; with a label, "the new host a" or "the new hosts a and b".
func fewNames(names []string, one, many string) string {
	list := JoinAnd(names)
	if len(names) > 3 {
		list = strings.Join(names[:3], ", ") + fmt.Sprintf(" and %d more", len(names)-3)
	}
	switch {
	case one == "":
		return list
	case len(names) == 1:
		return one + " " + list
	}
	return many + " " + list
}

func pluralVerbOnly(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
