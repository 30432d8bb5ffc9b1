package check

import (
	"strconv"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/report/extra"
)

// facts is what the rules read from a plan, looked up once.
type facts struct {
	plan  *planner.Plan
	hosts map[string]*planner.HostPlan
	// guests is every guest on a host after the plan (kept and created), in
	// the plan's order.
	guests []guest
	extra  extra.Extras
}

// guest is one guest where it runs after the plan.
type guest struct {
	Name, Host, Profile, Group string
}

func newFacts(p *planner.Plan) (*facts, error) {
	ex, err := extra.Of(p)
	if err != nil {
		return nil, err
	}
	return factsWith(p, ex), nil
}

// factsWith is the facts of p with its optional parts ex.
func factsWith(p *planner.Plan, ex extra.Extras) *facts {
	f := &facts{plan: p, hosts: make(map[string]*planner.HostPlan, len(p.Hosts)), extra: ex}
	for i := range p.Hosts {
		f.hosts[p.Hosts[i].Name] = &p.Hosts[i]
	}
	// A moved guest runs on its destination after the plan.
	movedTo := map[string]string{}
	for _, m := range ex.Moves {
		movedTo[m.Guest] = m.To
	}
	for _, a := range p.Actions {
		switch a.Op {
		case planner.OpCreate, planner.OpKeep:
		default:
			continue
		}
		host := a.Host
		if to, ok := movedTo[a.Guest]; ok {
			host = to
		}
		f.guests = append(f.guests, guest{Name: a.Guest, Host: host, Profile: a.Profile, Group: a.Group})
	}
	return f
}

// domain is the host's failure domain at scope (host, rack or zone); "" when
// the host has no such label.
func (f *facts) domain(host, scope string) string {
	h := f.hosts[host]
	switch {
	case scope == "host":
		return host
	case h == nil:
		return ""
	case scope == "rack":
		return h.Rack
	case scope == "zone":
		return h.Zone
	}
	return ""
}

func itoa(i int) string { return strconv.Itoa(i) }
