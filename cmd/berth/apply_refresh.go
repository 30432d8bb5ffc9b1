package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/live"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/apply"
	"github.com/spf13/cobra"
)

// refreshPlan re-plans the scenario given with -f, --scenario or -d on
// the plan's hosts as they are now, with the plan's edits and whole
// policy. The hosts re-read are validated as live hosts are (inventory's
// Merge), so running guests whose berth metadata names a group the demand
// file does not define are a warning, as with plan -d, not an error.
func (a *app) refreshPlan(ctx context.Context, cmd *cobra.Command, f *applyFlags, old *planner.Plan, read apply.FleetReader) (*planner.Plan, error) {
	if a.v.GetString("file") == "" && a.v.GetString("scenario") == "" && a.v.GetString("demand") == "" {
		return nil, fmt.Errorf("--refresh re-plans, so it needs what the plan was made from: -f SCENARIO.yaml, --scenario NAME, or -d DEMAND.yaml (live hosts)")
	}
	sc, err := f.source.load(a, cmd)
	if err != nil {
		return nil, err
	}
	var existing []planner.HostPlan
	for _, h := range old.Hosts {
		if h.URI != "" && !h.New {
			existing = append(existing, h)
		}
	}
	fleet, err := read(ctx, existing)
	if err != nil {
		return nil, err
	}
	if failed := fleet.Failed(); len(failed) > 0 {
		return nil, &live.FailedHostsError{Failed: failed}
	}
	hosts := slices.Clone(sc.Hosts)
	for _, lh := range fleet.Hosts {
		i := slices.IndexFunc(hosts, func(h inventory.Host) bool { return h.Name == lh.Name })
		if i < 0 {
			return nil, fmt.Errorf("--refresh: the plan's host %s is not in the scenario %s", lh.Name, sc.Source)
		}
		h := &hosts[i]
		h.Guests = lh.Guests
		for _, d := range []inventory.Dimension{inventory.CPU, inventory.Memory} {
			h.Capacity[d] = lh.Capacity[d]
		}
		h.Facts = lh.Facts
	}
	base := sc.Clone()
	base.Hosts = nil
	now, err := base.Merge(hosts)
	if err != nil {
		return nil, fmt.Errorf("--refresh: the scenario with the hosts as they are now: %w", err)
	}
	// The policy the plan was made under, whole: a refresh re-plans the
	// same request on new facts, and must not drop a failover reserve or
	// an overcommit given on the command line when the plan was made.
	pl := planner.New(now)
	if err := pl.SetPolicy(planner.PolicyFromView(old.Policy)); err != nil {
		return nil, err
	}
	pl.SetEdits(old.Edits)
	return pl.Plan()
}

// refreshedPath is where a refreshed plan is saved: PLAN.refreshed.json
// next to PLAN.json.
func refreshedPath(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + ".refreshed" + ext
}

// savePlan writes a plan file the way plan --out does (signed when a key
// is configured).
func (a *app) savePlan(path string, p *planner.Plan) error {
	pf, err := a.planFiles()
	if err != nil {
		return err
	}
	return pf.Write(path, p)
}

// showRefresh says how the refreshed plan differs from the one reviewed,
// on stderr, before the refreshed plan is shown and asked about.
func (a *app) showRefresh(old, fresh *planner.Plan, path string) {
	diff := planDiff(old, fresh)
	if len(diff) == 0 {
		fmt.Fprintf(a.stderr, "The refreshed plan %s makes the same guests on the same hosts as the plan %s you reviewed.\n", fresh.ID, old.ID)
	} else {
		fmt.Fprintf(a.stderr, "The refreshed plan %s differs from the plan %s you reviewed:\n", fresh.ID, old.ID)
		for _, d := range diff {
			fmt.Fprintf(a.stderr, "  %s\n", d)
		}
	}
	for _, w := range fresh.Warnings {
		fmt.Fprintf(a.stderr, "Warning: %s\n", w)
	}
	if a.v.GetBool("dry-run") {
		fmt.Fprintf(a.stderr, "Dry run: the refreshed plan is not saved (it would be saved to %s).\n\n", path)
	}
}

// planDiff lists, guest by guest, how the new guests of fresh differ from
// those of old: created only in one of them, placed on another host, or
// given another allocation; and guests left unplaced by one but not the
// other.
func planDiff(old, fresh *planner.Plan) []string {
	creates := func(p *planner.Plan) (map[string]planner.Action, []string) {
		m := map[string]planner.Action{}
		var order []string
		for _, act := range p.Actions {
			if act.Op == planner.OpCreate {
				m[act.Guest] = act
				order = append(order, act.Guest)
			}
		}
		return m, order
	}
	was, wasOrder := creates(old)
	is, isOrder := creates(fresh)
	var out []string
	for _, g := range isOrder {
		n, ok := was[g]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("+ %s on %s (not in the reviewed plan)", g, is[g].Host))
		case n.Host != is[g].Host:
			out = append(out, fmt.Sprintf("~ %s: %s → %s", g, n.Host, is[g].Host))
		case n.Allocation != is[g].Allocation:
			out = append(out, fmt.Sprintf("~ %s: %s → %s", g, planner.VectorText(n.Allocation), planner.VectorText(is[g].Allocation)))
		}
	}
	for _, g := range wasOrder {
		if _, ok := is[g]; !ok {
			out = append(out, fmt.Sprintf("- %s (was on %s): not created by the refreshed plan", g, was[g].Host))
		}
	}
	unplaced := func(p *planner.Plan) []string {
		var names []string
		for _, u := range p.Unplaced {
			names = append(names, u.Guest)
		}
		return names
	}
	for _, g := range unplaced(fresh) {
		if !slices.Contains(unplaced(old), g) {
			out = append(out, fmt.Sprintf("! %s cannot be placed any more", g))
		}
	}
	return append(out, removalDiff(old, fresh)...)
}

// removalDiff lists the guests one plan removes and the other does not.
func removalDiff(old, fresh *planner.Plan) []string {
	removes := func(p *planner.Plan) map[string]string {
		m := map[string]string{}
		for _, act := range p.Actions {
			if act.Op == planner.OpRemove {
				m[act.Guest] = act.Host
			}
		}
		return m
	}
	was, is := removes(old), removes(fresh)
	var out []string
	for _, act := range fresh.Actions {
		if _, ok := was[act.Guest]; act.Op == planner.OpRemove && !ok {
			out = append(out, fmt.Sprintf("- %s removed from %s (not in the reviewed plan)", act.Guest, act.Host))
		}
	}
	for _, act := range old.Actions {
		if _, ok := is[act.Guest]; act.Op == planner.OpRemove && !ok {
			out = append(out, fmt.Sprintf("= %s (on %s): not removed by the refreshed plan", act.Guest, act.Host))
		}
	}
	return out
}
