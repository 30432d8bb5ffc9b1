package check

import (
	"fmt"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"gopkg.in/yaml.v3"
)

// Utilisation bounds, per host or for the fleet, per dimension:
//
//	hostUtilisation:  {max: {memory: 80%, cpu: 90%}, min: {cpu: 20%}}
//	fleetUtilisation: {max: 85%, min: {cpu: 50%}}
//
// A share is of what a host offers to guests (after reservation,
// overcommit and headroom), the denominator of the table's percentages;
// the fleet's is over the hosts in use. One value instead of a mapping
// bounds every dimension. A host's minimum applies to hosts in use only.

// bound is one parsed bound: a limit on some dimensions.
type bound struct {
	dims  []inventory.Dimension
	limit float64
	max   bool
	at    *yaml.Node
	path  string
}

// slack absorbs floating-point noise: 80% of 100 is not above 80%.
const slack = 1e-9

func (d *decoder) hostUtilisation(n *yaml.Node, path string) []Rule {
	var rules []Rule
	for _, b := range d.bounds(n, path) {
		rules = append(rules, newRule(b.path, b.at, hostBoundText(b), b.hostEval))
	}
	return rules
}

func (d *decoder) fleetUtilisation(n *yaml.Node, path string) []Rule {
	var rules []Rule
	for _, b := range d.bounds(n, path) {
		rules = append(rules, newRule(b.path, b.at, fleetBoundText(b), b.fleetEval))
	}
	return rules
}

// bounds reads {max: …, min: …} and refuses a minimum above a maximum.
func (d *decoder) bounds(n *yaml.Node, path string) []bound {
	fields, _ := d.object(n, path, "max", "min")
	var out []bound
	for _, f := range fields {
		out = append(out, d.perDimBounds(f, join(path, f.key), f.key == "max")...)
	}
	for _, lo := range out {
		for _, hi := range out {
			if lo.max || !hi.max {
				continue
			}
			for _, dim := range lo.dims {
				if containsDim(hi.dims, dim) && lo.limit > hi.limit+slack {
					d.fail(lo.at, lo.path, "the minimum %s is above the maximum %s (%s): no plan can keep both; lower the minimum or raise the maximum",
						pct(lo.limit), pct(hi.limit), hi.path)
				}
			}
		}
	}
	return out
}

// perDimBounds reads one share for every dimension, or one per dimension.
func (d *decoder) perDimBounds(f field, path string, isMax bool) []bound {
	v := d.resolve(f.value)
	if v == nil {
		return nil
	}
	if v.Kind == yaml.ScalarNode {
		if s, ok := d.share(v, path); ok {
			return []bound{{dims: inventory.Dimensions[:], limit: s, max: isMax, at: f.keyN, path: path}}
		}
		return nil
	}
	fields, _ := d.object(v, path, inventory.DimensionNames()...)
	var out []bound
	for _, df := range fields {
		dim, ok := inventory.ParseDimension(df.key)
		if !ok {
			continue
		}
		fp := join(path, df.key)
		if s, ok := d.share(df.value, fp); ok {
			out = append(out, bound{dims: []inventory.Dimension{dim}, limit: s, max: isMax, at: df.keyN, path: fp})
		}
	}
	return out
}

func hostBoundText(b bound) string {
	if b.max {
		return fmt.Sprintf("no host above %s %s", pct(b.limit), dimsText(b.dims))
	}
	return fmt.Sprintf("every host in use at least %s %s", pct(b.limit), dimsText(b.dims))
}

func fleetBoundText(b bound) string {
	word := "at most"
	if !b.max {
		word = "at least"
	}
	if len(b.dims) == 1 {
		return fmt.Sprintf("fleet %s use %s %s", b.dims[0], word, pct(b.limit))
	}
	return fmt.Sprintf("fleet use %s %s in every dimension", word, pct(b.limit))
}

// breaks reports whether share is on the wrong side of the bound.
func (b bound) breaks(share float64) bool {
	if b.max {
		return share > b.limit+slack
	}
	return share < b.limit-slack
}

// hostEval finds every host (every host in use, for a minimum) on the wrong
// side of the bound; the guests involved are the ones the plan adds there.
func (b bound) hostEval(f *facts) ([]Violation, error) {
	var vs []Violation
	for i := range f.plan.Hosts {
		h := &f.plan.Hosts[i]
		if !b.max && h.After.IsZero() {
			continue
		}
		for _, dim := range b.dims {
			off := h.Offered[dim]
			if off <= 0 || !b.breaks(h.After[dim]/off) {
				continue
			}
			vs = append(vs, Violation{
				Message: fmt.Sprintf("%s: %s %s, %s %s (%s before the plan)", h.Name, dim, pct(h.After[dim]/off),
					sideWord(b.max), pct(b.limit), pct(h.Before[dim]/off)),
				Hosts:  []string{h.Name},
				Guests: h.Placed,
			})
		}
	}
	return vs, nil
}

// fleetEval compares the fleet's utilisation with the bound; the hosts
// involved are those on the wrong side of it themselves.
func (b bound) fleetEval(f *facts) ([]Violation, error) {
	var vs []Violation
	m := &f.plan.Metrics
	for _, dim := range b.dims {
		if !b.breaks(m.Utilisation[dim]) {
			continue
		}
		var hosts []string
		for i := range f.plan.Hosts {
			h := &f.plan.Hosts[i]
			if off := h.Offered[dim]; off > 0 && !h.After.IsZero() && b.breaks(h.After[dim]/off) {
				hosts = append(hosts, h.Name)
			}
		}
		vs = append(vs, Violation{
			Message: fmt.Sprintf("fleet %s use %s, %s %s (%s before the plan); %s %s it",
				dim, pct(m.Utilisation[dim]), sideWord(b.max), pct(b.limit), pct(m.UtilisationBefore[dim]),
				planner.CountOf(len(hosts), "host is", "hosts are"), sideWord(b.max)),
			Hosts: hosts,
		})
	}
	return vs, nil
}

func sideWord(isMax bool) string {
	if isMax {
		return "above"
	}
	return "below"
}

// pct writes a share with one decimal where it matters: "80%", "80.4%".
func pct(x float64) string {
	s := fmt.Sprintf("%.1f", x*100)
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		s = s[:len(s)-2]
	}
	return s + "%"
}

func dimsText(dims []inventory.Dimension) string {
	if len(dims) == 1 {
		return dims[0].String()
	}
	return "in any dimension"
}

func containsDim(dims []inventory.Dimension, d inventory.Dimension) bool {
	for _, x := range dims {
		if x == d {
			return true
		}
	}
	return false
}
