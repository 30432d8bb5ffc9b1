package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/placement"
)

// Planner plans one scenario under a policy and an operator's edits. The
// TUI and `berth plan` both drive it, so an edit means the same thing
// everywhere: the TUI has no placement logic of its own.
//
// A Planner is not safe for concurrent use.
type Planner struct {
	sc    *inventory.Scenario
	pol   inventory.Policy
	edits Edits

	// last is the model and solution of the latest Plan call, for
	// Candidates; built is the construction it started from (before the
	// improvement phase and the failover spares), shared with Preview.
	// Every edit clears both (changed).
	last, built *result
	// prints caches the scenario's fingerprints (computed on first use).
	prints *inputPrints
}

type result struct {
	m   *model
	sol *placement.Solution
}

// New returns a planner for sc under the scenario's own policy.
func New(sc *inventory.Scenario) *Planner {
	return &Planner{sc: sc, pol: sc.Policy}
}

// Scenario is the scenario being planned.
func (pl *Planner) Scenario() *inventory.Scenario { return pl.sc }

// Policy is the effective policy.
func (pl *Planner) Policy() inventory.Policy { return pl.pol }

// SetPolicy replaces the policy after checking it.
func (pl *Planner) SetPolicy(pol inventory.Policy) error {
	if err := checkPolicy(&pol, -1); err != nil {
		return err
	}
	pl.pol = pol
	pl.changed()
	return nil
}

// Edits are the operator's edits so far (a copy).
func (pl *Planner) Edits() Edits { return cloneEdits(pl.edits) }

// SetEdits replaces every edit (the TUI's undo and redo use it).
func (pl *Planner) SetEdits(e Edits) {
	pl.edits = cloneEdits(e)
	pl.changed()
}

// Pin fixes guest on host (a move is a pin to another host). Pinning to a
// host that breaks a rule is allowed: the plan reports the violation.
func (pl *Planner) Pin(guest, host string) {
	pl.Unpin(guest)
	pl.edits.Pins = append(pl.edits.Pins, Pin{Guest: guest, Host: host})
	slices.SortFunc(pl.edits.Pins, func(a, b Pin) int { return strings.Compare(a.Guest, b.Guest) })
	pl.changed()
}

// Unpin releases guest.
func (pl *Planner) Unpin(guest string) {
	pl.edits.Pins = slices.DeleteFunc(pl.edits.Pins, func(p Pin) bool { return p.Guest == guest })
	pl.changed()
}

// Exclude takes host out of (on) or back into (off) planning.
func (pl *Planner) Exclude(host string, on bool) {
	pl.edits.Excluded = slices.DeleteFunc(pl.edits.Excluded, func(h string) bool { return h == host })
	if on {
		pl.edits.Excluded = append(pl.edits.Excluded, host)
		slices.Sort(pl.edits.Excluded)
	}
	pl.changed()
}

// AddDemand asks for more guests.
func (pl *Planner) AddDemand(d DemandEdit) error {
	if d.Count <= 0 {
		return fmt.Errorf("add demand: count must be at least 1, got %d", d.Count)
	}
	if _, ok := pl.sc.Profile(d.Profile); !ok {
		return fmt.Errorf("add demand: unknown profile %q", d.Profile)
	}
	if d.Name == "" {
		d.Name = fmt.Sprintf("%s-extra%d", d.Profile, len(pl.edits.Demand)+1)
	}
	pl.edits.Demand = append(pl.edits.Demand, d)
	pl.changed()
	return nil
}

func (pl *Planner) changed() { pl.last, pl.built = nil, nil }

// Plan solves the scenario with the current policy and edits and describes
// the result.
func (pl *Planner) Plan() (*Plan, error) {
	r, err := pl.solve()
	if err != nil {
		return nil, err
	}
	return pl.describe(&pl.pol, r)
}

// Improves reports whether Plan runs the improvement phase after the
// construction, so that Preview differs from Plan and is worth showing
// first.
func (pl *Planner) Improves() bool {
	return pl.pol.Objective == inventory.ObjectivePack && (pl.pol.Iterations > 0 || pl.pol.Budget > 0)
}

// Preview is the plan of the construction alone under the current policy
// and edits: what Plan returns with iterations 0 (its policy says so, and
// its ID is that plan's). It is quick, and Plan then improves the same
// construction rather than building it again, so a caller can show the
// preview while Plan runs: the explorer does, after every edit. When the
// policy improves nothing (Improves is false: no steps, no budget, or the
// spread objective), Preview is Plan itself.
func (pl *Planner) Preview() (*Plan, error) {
	if !pl.Improves() {
		return pl.Plan()
	}
	b, err := pl.construct()
	if err != nil {
		return nil, err
	}
	pol := pl.pol
	pol.Iterations, pol.Budget = 0, 0
	sol := keepFailover(b.m.prob, b.sol.Clone(), &pol, pl.options())
	return pl.describe(&pol, &result{m: b.m, sol: sol})
}

func (pl *Planner) describe(pol *inventory.Policy, r *result) (*Plan, error) {
	if pl.prints == nil {
		pl.prints = newInputPrints(pl.sc)
	}
	return describe(pl.sc, pl.prints, pol, &pl.edits, r.m, r.sol)
}

// solve is the construction, improved as the policy asks, with failover
// spares bought: Solve with the policy's options, in two steps (construct,
// placement.Refine) so that Preview and Plan share the construction.
func (pl *Planner) solve() (*result, error) {
	if pl.last != nil {
		return pl.last, nil
	}
	b, err := pl.construct()
	if err != nil {
		return nil, err
	}
	sol, err := placement.Refine(b.m.prob, b.sol, pl.options())
	if err != nil {
		return nil, err
	}
	if sol == b.sol {
		sol = sol.Clone() // keepFailover adds to it; built stays as built
	}
	sol = keepFailover(b.m.prob, sol, &pl.pol, pl.options())
	pl.last = &result{m: b.m, sol: sol}
	return pl.last, nil
}

func (pl *Planner) options() placement.Options {
	return placement.Options{
		Strategy:   pl.pol.Strategy,
		Seed:       pl.pol.Seed,
		Iterations: pl.pol.Iterations,
		Deadline:   pl.pol.Budget,
	}
}

// construct builds the model and the construction (no improvement).
func (pl *Planner) construct() (*result, error) {
	if pl.built != nil {
		return pl.built, nil
	}
	if err := checkPolicy(&pl.pol, len(pl.sc.Hosts)); err != nil {
		return nil, err
	}
	m, err := buildModel(pl.sc, &pl.pol, &pl.edits, true)
	if err != nil {
		return nil, err
	}
	opt := pl.options()
	opt.Iterations, opt.Deadline = 0, 0
	sol, err := placement.Solve(m.prob, opt)
	if err != nil {
		return nil, err
	}
	pl.built = &result{m: m, sol: sol}
	return pl.built, nil
}

// keepFailoverRoom makes the fleet keep room for the guests of any k failed
// hosts: while the failover check fails and a host model may still be
// bought, it adds the empty spare host that leaves the fewest guests
// homeless over the failing host sets (ties: the largest model, in units
// of the fleet's average host) and checks again. A spare that helps no
// one (every loss is a group rule the spare's rack or zone cannot lift) is
// not bought: the check's verdict then stands, and the plan lists who
// finds no room after which failure (exit code 3).
func keepFailoverRoom(p *placement.Problem, sol *placement.Solution, k int) {
	if k <= 0 || len(p.Models) == 0 {
		return
	}
	d := p.D()
	ref := make([]float64, d)
	for h := range p.H() {
		for x := range d {
			ref[x] += p.Offered[h*d+x] / float64(p.H())
		}
	}
	size := func(m int) float64 {
		t := 0.0
		for x, o := range p.Models[m].Offered {
			if ref[x] > 0 {
				t += o / ref[x]
			}
		}
		return t
	}
	bought := make([]int, len(p.Models))
	for _, mi := range sol.NewHosts {
		bought[mi]++
	}
	lost := homelessTotal(placement.FailoverCheck(p, sol, k))
	for spares := 0; spares <= p.H()+k && lost > 0; spares++ {
		best, bestLost := -1, lost
		for m := range p.Models {
			if mx := p.Models[m].Max; mx > 0 && bought[m] >= mx {
				continue
			}
			sol.NewHosts = append(sol.NewHosts, int32(m))
			n := homelessTotal(placement.FailoverCheck(p, sol, k))
			sol.NewHosts = sol.NewHosts[:len(sol.NewHosts)-1]
			if n < bestLost || (n == bestLost && best >= 0 && size(m) > size(best)) {
				best, bestLost = m, n
			}
		}
		if best < 0 {
			return
		}
		bought[best]++
		sol.NewHosts = append(sol.NewHosts, int32(best))
		lost = bestLost
	}
}

// homelessTotal counts the guests left without a host over every failing
// set of a failover check.
func homelessTotal(fo placement.Failover) int {
	n := 0
	for _, l := range fo.Losses {
		n += len(l.Guests)
	}
	return n
}

// CandidateView is one host's standing for one guest, in names.
type CandidateView struct {
	Host     string
	Feasible bool
	Score    Score
	Refusals []Refusal
}

// Candidates ranks every host for a new guest, best first: feasible hosts
// with their score terms, then the others with their reasons. The TUI's
// "why here / why not" screens and its move dialog use it.
func (pl *Planner) Candidates(guest string) ([]CandidateView, error) {
	r, err := pl.solve()
	if err != nil {
		return nil, err
	}
	gi, ok := r.m.guestIdx[guest]
	if !ok {
		return nil, fmt.Errorf("no new guest named %q", guest)
	}
	names := r.m.hostNames(r.sol)
	var out []CandidateView
	for _, c := range placement.Explain(r.m.prob, r.sol, gi) {
		out = append(out, CandidateView{
			Host:     names[c.Host],
			Feasible: c.Feasible,
			Score:    scoreOf(c.Terms),
			Refusals: refusalsOf(r.m, names, c.Refusals),
		})
	}
	return out, nil
}

func cloneEdits(e Edits) Edits {
	return Edits{
		Pins:     slices.Clone(e.Pins),
		Excluded: slices.Clone(e.Excluded),
		Demand:   slices.Clone(e.Demand),
		Keep:     slices.Clone(e.Keep),
	}
}
