package report

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

// openUnplacedUpTo is how many unplaced groups start open; past it they
// start collapsed, their summaries still visible.
const openUnplacedUpTo = 3

// unplacedGroup is one or more unplaced guests refused for the same
// reasons (guests of one shape are, and the plan explains each shape once),
// with the why-not matrix: a row per refusing host, nearest first, a column
// per dimension (how much it is short) and one for the other rules.
type unplacedGroup struct {
	Guests  []string
	Profile string
	Group   string
	Demand  string
	Summary []string
	Nearest string
	Rows    []matrixRow
	Omitted int
	Open    bool
	Search  string
}

type matrixRow struct {
	Host  string
	Cells []matrixCell // one per dimension
	Other []string     // "anti-affinity db-main", "excluded"…
}

type matrixCell struct {
	Text  string // "short 2 GiB", or "" when the dimension has room
	Title string // "requests 16 GiB, 14 GiB free"
}

// unplacedGroups merges unplaced guests with the same reasons and builds
// each group's matrix.
func unplacedGroups(us []planner.Unplaced) []unplacedGroup {
	var out []unplacedGroup
	index := map[string]int{}
	for _, u := range us {
		key := reasonKey(u)
		if gi, ok := index[key]; ok {
			out[gi].Guests = append(out[gi].Guests, u.Guest)
			out[gi].Search += " " + strings.ToLower(u.Guest)
			continue
		}
		index[key] = len(out)
		g := unplacedGroup{
			Guests: []string{u.Guest}, Profile: u.Profile, Group: u.Group,
			Demand: planner.VectorText(u.Demand), Summary: u.Summary,
			Rows: matrixRows(u.Refusals), Omitted: u.RefusalsOmitted,
			Search: searchKey(u.Guest, u.Profile, u.Group),
		}
		if u.Nearest != nil {
			g.Nearest = u.Nearest.Hint
		}
		out = append(out, g)
	}
	for i := range out {
		out[i].Open = len(out) <= openUnplacedUpTo
		if len(out[i].Guests) > 1 && out[i].Nearest != "" {
			// The hint names the first guest; it holds for each of them.
			out[i].Nearest = strings.Replace(out[i].Nearest, out[i].Guests[0], "each of them", 1)
		}
	}
	return out
}

// reasonKey is equal for unplaced guests refused for the same reasons.
func reasonKey(u planner.Unplaced) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%v|%q|%d|", u.Profile, u.Group, u.Demand, u.Summary, u.RefusalsOmitted)
	for _, r := range u.Refusals {
		fmt.Fprintf(&b, "%s/%s/%s/%s/%g/%g;", r.Host, r.Rule, r.Dimension, r.Group, r.Requested, r.Free)
	}
	return b.String()
}

// matrixRows gathers each host's refusals into one row, nearest host first
// (the order the plan lists them in).
func matrixRows(rs []planner.Refusal) []matrixRow {
	dims := dimensions()
	var rows []matrixRow
	index := map[string]int{}
	for _, r := range rs {
		ri, ok := index[r.Host]
		if !ok {
			ri = len(rows)
			index[r.Host] = ri
			rows = append(rows, matrixRow{Host: r.Host, Cells: make([]matrixCell, len(dims))})
		}
		row := &rows[ri]
		d, isDim := inventory.ParseDimension(r.Dimension)
		col := dimIndex(dims, d)
		switch {
		case r.Rule == "capacity" && isDim && col >= 0:
			row.Cells[col] = matrixCell{
				Text:  "short " + amount(d, r.Requested-r.Free),
				Title: fmt.Sprintf("requests %s, %s free", amount(d, r.Requested), amount(d, r.Free)),
			}
		default:
			row.Other = append(row.Other, ruleText(r))
		}
	}
	return rows
}

// ruleText names a refusal that is not a shortfall.
func ruleText(r planner.Refusal) string {
	switch {
	case r.Group != "":
		return r.Rule + " " + r.Group
	case r.Dimension != "":
		return r.Rule + " " + r.Dimension
	}
	return r.Rule
}
