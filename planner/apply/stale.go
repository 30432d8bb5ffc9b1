package apply

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

// StaleHost is one host that changed since the plan was made.
type StaleHost struct {
	Host string
	// Changes say what changed, one finding each ("guest web-9 was added").
	Changes []string
}

// StaleError refuses a plan made on hosts that have changed since.
type StaleError struct {
	Plan  string
	Hosts []StaleHost
}

func (e *StaleError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "plan %s is stale: the hosts changed since it was made", e.Plan)
	for _, h := range e.Hosts {
		for _, c := range h.Changes {
			fmt.Fprintf(&b, "\n  %s: %s", h.Host, c)
		}
	}
	b.WriteString("\nmake a new plan (berth plan ... --out PLAN), re-plan now with --refresh, or apply anyway with --force")
	return b.String()
}

// checkStale re-reads the hosts the plan changes and compares each with
// the fingerprint the plan recorded. Guests this plan created itself (an
// earlier, interrupted run) are not changes.
func (a *Apply) checkStale(ctx context.Context) error {
	if len(a.hosts) == 0 && a.moves.count() == 0 {
		return nil
	}
	if a.opt.ReadFleet == nil {
		if a.opt.Force {
			a.Warnings = append(a.Warnings, "the hosts were not re-read: the plan may be stale")
			return nil
		}
		return fmt.Errorf("apply: no way to re-read the hosts for the staleness check")
	}
	var hosts []planner.HostPlan
	for _, w := range a.hosts {
		hosts = append(hosts, w.host)
	}
	hosts = a.withMoveHosts(hosts)
	fleet, err := a.opt.ReadFleet(ctx, hosts)
	if err != nil {
		return fmt.Errorf("re-reading the plan's hosts: %w", err)
	}
	var stale []StaleHost
	var unreachable []string
	live := map[string]*inventory.Host{}
	for i := range fleet.Hosts {
		live[fleet.Hosts[i].Name] = &fleet.Hosts[i]
	}
	for _, st := range fleet.Status {
		if !st.OK() {
			unreachable = append(unreachable, fmt.Sprintf("%s: %s: %s", st.Name, st.Reason, st.Error))
		}
	}
	for _, h := range hosts {
		lh := live[h.Name]
		if lh == nil {
			continue // reported through fleet.Status
		}
		if changes := HostChanges(a.plan, h, lh); len(changes) > 0 {
			stale = append(stale, StaleHost{Host: h.Name, Changes: changes})
		}
	}
	if len(unreachable) > 0 {
		return fmt.Errorf("plan %s: %d of its hosts cannot be re-read, so nothing was changed:\n  %s",
			a.plan.ID, len(unreachable), strings.Join(unreachable, "\n  "))
	}
	if len(stale) == 0 {
		return nil
	}
	err = &StaleError{Plan: a.plan.ID, Hosts: stale}
	if a.opt.Force {
		a.Warnings = append(a.Warnings, "applying anyway (--force): "+err.Error())
		return nil
	}
	return err
}

// HostChanges compares a host as read now with the host as the plan saw
// it, and says what changed; nil when nothing the plan depends on did: its
// CPUs and memory, its guests with their vCPUs and memory (the
// fingerprint), and the labels the config gives it. What the plan does
// not depend on may drift freely: free memory and page cache, observed
// use, a guest's state. Guests carrying this plan's metadata whose names
// the plan creates on this host are left out first: they are the plan's
// own work, not a change.
func HostChanges(p *planner.Plan, h planner.HostPlan, live *inventory.Host) []string {
	creates := map[string]bool{}
	keeps := map[string]planner.Action{}
	for _, act := range p.Actions {
		if act.Host != h.Name {
			continue
		}
		switch act.Op {
		case planner.OpCreate:
			creates[act.Guest] = true
		case planner.OpKeep:
			keeps[act.Guest] = act
		}
	}
	now := *live
	now.Guests = slices.DeleteFunc(slices.Clone(live.Guests), func(g inventory.Guest) bool {
		return creates[g.Name] && g.PlanID == p.ID
	})
	now.Guests = movedBack(p, h, now.Guests)
	now.Guests = removedBack(p, h, now.Guests)
	labels := labelChanges(h, live.Labels)
	if planner.HostFingerprint(&now) == h.Fingerprint {
		return labels
	}
	var out []string
	was := map[string]bool{}
	for _, name := range h.Existing {
		was[name] = true
	}
	is := map[string]inventory.Guest{}
	for _, g := range now.Guests {
		is[g.Name] = g
	}
	for _, g := range now.Guests {
		if !was[g.Name] {
			note := ""
			if creates[g.Name] {
				note = " (a guest the plan means to create has that name, and this plan did not create it)"
			}
			out = append(out, fmt.Sprintf("guest %s was added%s", g.Name, note))
		}
	}
	for _, name := range h.Existing {
		g, ok := is[name]
		if !ok {
			out = append(out, fmt.Sprintf("guest %s was removed", name))
			continue
		}
		if k, ok := keeps[name]; ok && (k.Allocation[inventory.CPU] != g.Allocation[inventory.CPU] || k.Allocation[inventory.Memory] != g.Allocation[inventory.Memory]) {
			out = append(out, fmt.Sprintf("guest %s's allocation changed from %s to %s", name, planner.VectorText(k.Allocation), planner.VectorText(g.Allocation)))
		}
	}
	if len(out) == 0 {
		out = append(out, fmt.Sprintf("its CPUs or memory changed (now %s CPUs, %s)", inventory.FormatQuantity(inventory.CPU, live.Capacity[inventory.CPU]), inventory.FormatQuantity(inventory.Memory, live.Capacity[inventory.Memory])))
	}
	return append(out, labels...)
}

// labelChanges compares the labels a host has now (from the config: its
// own, its class's) with those the plan was made with (selectors and rack
// or zone rules placed guests by them). Only the labels the host has now
// are compared: a label only the scenario gave it is not something the
// hosts or the config can confirm or deny.
func labelChanges(h planner.HostPlan, now map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(now)) {
		was := h.Labels[k]
		switch k {
		case "rack":
			was = h.Rack
		case "zone":
			was = h.Zone
		}
		switch v := now[k]; {
		case was == v:
		case was == "":
			out = append(out, fmt.Sprintf("label %s=%s was added", k, v))
		default:
			out = append(out, fmt.Sprintf("label %s changed from %s to %s", k, was, v))
		}
	}
	return out
}
