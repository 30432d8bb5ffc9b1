package apply

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/internal/hosturi"
	"github.com/berth-dev/berth/planner"
)

// NotApplicableError says why a plan cannot be applied at all.
type NotApplicableError struct {
	Plan   string
	Reason string
}

func (e *NotApplicableError) Error() string {
	return fmt.Sprintf("plan %s cannot be applied: %s", e.Plan, e.Reason)
}

// ForReviewError refuses a plan that was made for review, not for apply:
// the hosts it changes cannot be reached (no URI, or a URI in a domain
// reserved for documentation, as the embedded scenarios have).
type ForReviewError struct {
	Plan   string
	Reason string
}

func (e *ForReviewError) Error() string {
	return fmt.Sprintf("plan %s is for review: %s", e.Plan, e.Reason)
}

// Applicable says whether plan can be applied at all, without contacting
// any host: nil, or a *ForReviewError (its hosts have no libvirt URI, or
// URIs in an example domain such as the embedded scenarios'
// kvmNN.example.net) or a *NotApplicableError (hosts still to be bought).
// uri gives the URI apply would use for a host (nil: the plan's own, as
// the explorer knows it). Only the hosts the plan changes are looked at.
func Applicable(plan *planner.Plan, uri func(planner.HostPlan) string) error {
	if uri == nil {
		uri = func(h planner.HostPlan) string { return h.URI }
	}
	touched := map[string]bool{}
	for _, act := range plan.Actions {
		if act.Op != planner.OpKeep {
			touched[act.Host] = true
		}
		if act.Move != nil {
			touched[act.Move.From] = true // a migration needs its source as much as its destination
		}
	}
	var toBuy, noURI, example []string
	var exampleURI string
	for _, h := range plan.Hosts {
		if !touched[h.Name] {
			continue
		}
		u := uri(h)
		switch {
		case h.New:
			toBuy = append(toBuy, h.Name)
		case u == "":
			noURI = append(noURI, h.Name)
		case hosturi.Reserved(hosturi.Host(u)):
			example = append(example, h.Name)
			if exampleURI == "" {
				exampleURI = hosturi.Mask(u)
			}
		}
	}
	changed := len(touched)
	switch {
	case changed == 0:
		return nil
	case len(toBuy) > 0:
		return &NotApplicableError{Plan: plan.ID, Reason: fmt.Sprintf(
			"it places guests on %s, which must be bought first; add the new hosts to the fleet and make a new plan", someNames(toBuy, "host", "hosts"))}
	case len(noURI) == changed:
		return &ForReviewError{Plan: plan.ID, Reason: "its hosts have no libvirt URI; plan on live hosts with -c (or the config's hosts) or give hosts a uri: in the scenario"}
	case len(noURI) > 0:
		return &ForReviewError{Plan: plan.ID, Reason: fmt.Sprintf(
			"%s no libvirt URI (%s); plan on live hosts with -c (or the config's hosts) or give hosts a uri: in the scenario",
			ofChanged(len(noURI), changed, "has", "have"), someNames(noURI, "host", "hosts"))}
	case len(example) > 0:
		return &ForReviewError{Plan: plan.ID, Reason: fmt.Sprintf(
			"%s URIs in a domain reserved for examples, which never resolves (%s, e.g. %s); plan on live hosts with -c (or the config's hosts), or give the hosts their real uri:",
			ofChanged(len(example), changed, "has", "have"), someNames(example, "host", "hosts"), exampleURI)}
	}
	return nil
}

// ofChanged is "1 of the 3 hosts it changes has" or "20 of the 20 hosts
// it changes have".
func ofChanged(n, of int, one, many string) string {
	verb := many
	if n == 1 {
		verb = one
	}
	return fmt.Sprintf("%d of the %s it changes %s", n, planner.CountOf(of, "host", "hosts"), verb)
}

// someNames is "host kvm01" or "hosts kvm01, kvm02, kvm03 and 17 more":
// at most three names, so that a fleet of thousands gives one short line.
func someNames(names []string, one, many string) string {
	if len(names) <= 3 {
		return listWords(names, one, many)
	}
	return fmt.Sprintf("%s %s and %d more", many, strings.Join(names[:3], ", "), len(names)-3)
}
