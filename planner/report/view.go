package report

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/report/extra"
)

// openGroupsUpTo is the fleet size up to which the host groups start open;
// larger fleets start collapsed, so the page opens on the summary and a
// person expands or filters what they want.
const openGroupsUpTo = 60

// page is everything the report shows, worked out in Go so that the
// template only lays it out (and escapes it).
type page struct {
	Title    string
	ID       string
	Scenario string
	Complete bool
	Verdict  string
	Strategy string
	Seed     uint64

	Dims  []dimension
	Cards []card
	Fleet []fleetDim

	Groups     []hostGroup
	HostCount  int
	OpenGroups bool
	History    bool // some host has load history: the hosts table gets a column

	Creates []createRow
	Waves   []wave
	// MovesSummary is "5 moves in 2 waves · 88 GiB to copy".
	MovesSummary string
	Freed        []string
	Buy          []planner.Purchase
	Unplaced     []unplacedGroup
	Failover     failover
	Policy       []keyValue
	Inputs       []keyValue
	Warnings     []string
}

// card is one key number of the summary.
type card struct {
	Label, Value, Note string
	Bad                bool
}

// keyValue is one line of the policy and inputs tables.
type keyValue struct{ Key, Value string }

// build turns a plan (and its optional parts) into the page.
func build(p *planner.Plan, ex extra.Extras) *page {
	m := &p.Metrics
	pg := &page{
		Title:    fmt.Sprintf("berth plan %s · %s", p.ID, p.Scenario),
		ID:       p.ID,
		Scenario: p.Scenario,
		Complete: p.Complete(),
		Verdict:  "everything placed",
		Strategy: p.Policy.Strategy,
		Seed:     p.Policy.Seed,
		Dims:     dimensions(),
		Buy:      p.Buy,
		Freed:    ex.Freed,
		Warnings: p.Warnings,
	}
	if !pg.Complete {
		pg.Verdict = "incomplete"
	}
	pg.Cards = cards(p, ex)
	pg.Fleet = fleetDims(p)
	pg.Groups, pg.History = hostGroups(p, ex)
	pg.HostCount = len(p.Hosts)
	pg.OpenGroups = len(p.Hosts) <= openGroupsUpTo
	pg.Creates = createRows(p)
	pg.Waves = waves(ex.Moves)
	if len(ex.Moves) > 0 {
		pg.MovesSummary = fmt.Sprintf("%s in %s · %s to copy", planner.CountOf(len(ex.Moves), "move", "moves"),
			planner.CountOf(len(pg.Waves), "wave", "waves"), amount(inventory.Memory, ex.BytesMoved()))
	}
	pg.Unplaced = unplacedGroups(p.Unplaced)
	pg.Failover = failoverOf(m.Failover)
	pg.Policy = policyRows(&p.Policy)
	pg.Inputs = inputRows(p)
	return pg
}

// cards are the numbers a reader looks at first.
func cards(p *planner.Plan, ex extra.Extras) []card {
	m := &p.Metrics
	out := []card{
		{Label: "hosts in use", Value: fmt.Sprintf("%d", m.HostsUsed),
			Note: fmt.Sprintf("was %d · lower bound %d · of %d", m.HostsBefore, m.LowerBound, m.Hosts)},
		{Label: "guests placed", Value: fmt.Sprintf("%d of %d", m.Placed, m.Guests),
			Note: fmt.Sprintf("%d unplaced", m.Unplaced), Bad: m.Unplaced > 0},
		{Label: "hosts to buy", Value: fmt.Sprintf("%d", m.NewHosts), Note: buyNote(p.Buy)},
		{Label: "failover", Value: failoverWord(m.Failover), Note: fmt.Sprintf("k=%d", m.Failover.K),
			Bad: m.Failover.K > 0 && !m.Failover.Holds},
	}
	if len(ex.Moves) > 0 {
		out = append(out, card{Label: "moves", Value: fmt.Sprintf("%d", len(ex.Moves)),
			Note: fmt.Sprintf("%s copied · %s", amount(inventory.Memory, ex.BytesMoved()), planner.CountOf(waveCount(ex.Moves), "wave", "waves"))})
	}
	if m.Violations > 0 {
		out = append(out, card{Label: "violations", Value: fmt.Sprintf("%d", m.Violations), Note: "see warnings", Bad: true})
	}
	return out
}

func buyNote(buy []planner.Purchase) string {
	var parts []string
	for _, b := range buy {
		parts = append(parts, fmt.Sprintf("%d × %s", b.Count, b.Model))
	}
	if len(parts) == 0 {
		return "nothing to buy"
	}
	return strings.Join(parts, " · ")
}

func failoverWord(f planner.FailoverView) string {
	switch {
	case f.K == 0:
		return "not checked"
	case f.Holds:
		return "holds"
	}
	return "fails"
}

// createRow is one new guest and where it goes.
type createRow struct {
	Guest, Host, Profile, Group string
	Demand                      string
	Score                       string
	Pinned                      bool
	Search                      string
}

func createRows(p *planner.Plan) []createRow {
	var out []createRow
	for _, a := range p.Actions {
		if a.Op != planner.OpCreate {
			continue
		}
		r := createRow{Guest: a.Guest, Host: a.Host, Profile: a.Profile, Group: a.Group,
			Demand: planner.VectorText(a.Demand), Pinned: a.Pinned}
		if a.Score != nil {
			r.Score = fmt.Sprintf("align %.2f · fill %.2f · stranded %.2f", a.Score.Align, a.Score.Fill, a.Score.Stranded)
		}
		r.Search = searchKey(a.Guest, a.Host, a.Profile, a.Group)
		out = append(out, r)
	}
	return out
}

// failover is the failover check in words.
type failover struct {
	K           int
	Holds       bool
	Text        string
	FailedHosts []string
	Homeless    int
}

func failoverOf(f planner.FailoverView) failover {
	return failover{K: f.K, Holds: f.Holds, Text: planner.FailoverText(f), FailedHosts: f.FailedHosts, Homeless: f.Homeless}
}

// searchKey is what the filter box matches a row against: its words, lower
// case, space-separated.
func searchKey(words ...string) string {
	var parts []string
	for _, w := range words {
		if w != "" {
			parts = append(parts, strings.ToLower(w))
		}
	}
	return strings.Join(parts, " ")
}
