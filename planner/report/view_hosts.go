package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/report/extra"
)

// bar is one stacked bar: existing load, what this plan adds, and free,
// with the same meaning as the table's █ ▓ ░. Widths are in percent of the
// bar (what the host offers), rounded to 0.1 so the page's bytes do not
// depend on floating-point noise.
type bar struct {
	Existing, Added string // widths, "0.0".."100.0"
	AddedX          string // where the added part starts
	HasExisting     bool
	HasAdded        bool
	Over            bool   // the load exceeds what is offered
	Percent         string // after, of offered ("81%")
	Title           string // the amounts, for the tooltip
	Frac            string // after/offered, for sorting
}

// newBar draws before → after of offered in dimension d.
func newBar(d inventory.Dimension, before, after, offered float64) bar {
	b := bar{Percent: planner.Percent(after, offered), Frac: "0"}
	if offered > 0 {
		e := clampPct(before / offered * 100)
		a := max(clampPct(after/offered*100), e)
		b.Existing, b.AddedX, b.Added = width(e), width(e), width(a-e)
		b.HasExisting, b.HasAdded = b.Existing != "0.0", b.Added != "0.0"
		b.Over = after > offered*(1+1e-9)
		b.Frac = strconv.FormatFloat(after/offered, 'f', 4, 64)
	} else {
		b.Existing, b.AddedX, b.Added = "0.0", "0.0", "0.0"
	}
	b.Title = fmt.Sprintf("%s: %s existing · %s this plan · %s free · %s offered",
		d, amount(d, before), amount(d, max(after-before, 0)), amount(d, max(offered-after, 0)), amount(d, offered))
	return b
}

func clampPct(x float64) float64 { return min(max(x, 0), 100) }

func width(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// fleetDim is the fleet's use of one dimension before and after.
type fleetDim struct {
	Dim           dimension
	Before, After bar
}

// fleetDims draws the fleet's utilisation per dimension, over the hosts in
// use, before the plan and after it. The after bar splits into the load
// that was there (█) and the load the plan adds (▓), both as shares of the
// hosts in use after the plan (bought hosts included).
func fleetDims(p *planner.Plan) []fleetDim {
	m := &p.Metrics
	var existing, offered inventory.Vector
	for i := range p.Hosts {
		h := &p.Hosts[i]
		if !h.After.IsZero() {
			existing, offered = existing.Add(h.Before), offered.Add(h.Offered)
		}
	}
	var out []fleetDim
	for _, d := range dimensions() {
		before, after := m.UtilisationBefore[d.ID], m.Utilisation[d.ID]
		stayed := 0.0
		if offered[d.ID] > 0 {
			stayed = min(existing[d.ID]/offered[d.ID], after)
		}
		out = append(out, fleetDim{
			Dim:    d,
			Before: ratioBar(d, before, before),
			After:  ratioBar(d, stayed, after),
		})
	}
	return out
}

// ratioBar is a bar of shares (0..1) rather than amounts.
func ratioBar(d dimension, before, after float64) bar {
	b := newBar(d.ID, before, after, 1)
	b.Title = fmt.Sprintf("%s: %s of what the hosts in use offer", d.Name, b.Percent)
	return b
}

// hostGroup is the hosts of one zone and rack (or the hosts to buy).
type hostGroup struct {
	Name      string
	Hosts     []hostRow
	NewGuests int
	// Use is the group's load after the plan over what it offers, per
	// dimension ("74%").
	Use []string

	after, offered inventory.Vector
}

// hostRow is one host before and after the plan.
type hostRow struct {
	Name     string
	Note     string // "buy compute-64", "spare", "excluded"
	Rack     string
	Zone     string
	Existing int
	Placed   []string
	Bars     []bar
	Sort     string // numbers the table sorts by, see report.js
	Search   string
	Spark    *sparkline
}

// hostGroups puts the hosts in groups by zone and rack, in the order the
// plan lists them, with bought hosts last.
func hostGroups(p *planner.Plan, ex extra.Extras) ([]hostGroup, bool) {
	var groups []hostGroup
	index := map[string]int{}
	history := false
	for i := range p.Hosts {
		h := &p.Hosts[i]
		key := groupName(h)
		gi, ok := index[key]
		if !ok {
			gi = len(groups)
			index[key] = gi
			groups = append(groups, hostGroup{Name: key})
		}
		row := newHostRow(h, ex.History[h.Name])
		history = history || row.Spark != nil
		groups[gi].Hosts = append(groups[gi].Hosts, row)
		groups[gi].NewGuests += len(h.Placed)
		groups[gi].after = groups[gi].after.Add(h.After)
		groups[gi].offered = groups[gi].offered.Add(h.Offered)
	}
	// Bought hosts last, whatever rack their model names.
	if gi, ok := index[boughtGroup]; ok && gi != len(groups)-1 {
		g := groups[gi]
		groups = append(append(groups[:gi:gi], groups[gi+1:]...), g)
	}
	for gi := range groups {
		g := &groups[gi]
		for _, d := range dimensions() {
			g.Use = append(g.Use, planner.Percent(g.after[d.ID], g.offered[d.ID]))
		}
	}
	return groups, history
}

const boughtGroup = "to buy"

func groupName(h *planner.HostPlan) string {
	switch {
	case h.New:
		return boughtGroup
	case h.Zone != "" && h.Rack != "":
		return "zone " + h.Zone + " · rack " + h.Rack
	case h.Rack != "":
		return "rack " + h.Rack
	case h.Zone != "":
		return "zone " + h.Zone
	}
	return "no rack or zone"
}

func newHostRow(h *planner.HostPlan, history []extra.Sample) hostRow {
	r := hostRow{Name: h.Name, Rack: h.Rack, Zone: h.Zone, Existing: len(h.Existing), Placed: h.Placed}
	switch {
	case h.Spare:
		r.Note = "buy " + h.Model + ", spare"
	case h.New:
		r.Note = "buy " + h.Model
	case h.Excluded:
		r.Note = "excluded"
	}
	sortKeys := []string{strconv.Itoa(len(h.Existing) + len(h.Placed))}
	for _, d := range dimensions() {
		b := newBar(d.ID, h.Before[d.ID], h.After[d.ID], h.Offered[d.ID])
		r.Bars = append(r.Bars, b)
		sortKeys = append(sortKeys, b.Frac)
	}
	r.Sort = strings.Join(sortKeys, " ")
	words := append([]string{h.Name, h.Rack, h.Zone, r.Note}, h.Placed...)
	r.Search = searchKey(append(words, h.Existing...)...)
	r.Spark = newSparkline(h.Offered, history)
	return r
}
