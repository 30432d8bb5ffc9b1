package apply

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

// endBlocked ends a run whose moves did not all end on their destinations:
// the plan's creates (which may need the room the moves make) are not
// attempted, and say why.
func (a *Apply) endBlocked(rep *Report, results map[int]*ActionResult, blocked string, start time.Time) (*Report, error) {
	for _, w := range a.hosts {
		for _, i := range w.work() {
			r := results[i]
			r.Detail = blocked
			rep.Results = append(rep.Results, *r)
		}
	}
	rep.Elapsed = time.Since(start)
	if err := a.journal.stopped(); err != nil {
		return rep, err
	}
	return rep, a.journal.Write(Record{Event: EventEnd, Note: rep.counts()})
}

// checkAfter re-reads, once every action of a plan with moves is done,
// the hosts the plan changes, and records in the report how they differ
// from the plan's after state: each host running the guests it had, less
// those that moved out, plus those that moved in and the new ones, each
// moved or new guest carrying this plan's metadata.
func (a *Apply) checkAfter(ctx context.Context, rep *Report) {
	if a.moves.count() == 0 || rep.Moves == nil || !rep.Complete() || a.opt.ReadFleet == nil {
		return
	}
	hosts := a.moves.hosts(a.plan)
	for _, w := range a.hosts {
		if !slices.ContainsFunc(hosts, func(h planner.HostPlan) bool { return h.Name == w.host.Name }) {
			hosts = append(hosts, w.host)
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.stepTimeout())
	defer cancel()
	fleet, err := a.opt.ReadFleet(ctx, hosts)
	rep.Moves.AfterChecked = true
	if err != nil {
		rep.Moves.After = []string{"the hosts could not be read again: " + err.Error()}
		return
	}
	for _, st := range fleet.Status {
		if !st.OK() {
			rep.Moves.After = append(rep.Moves.After, fmt.Sprintf("host %s could not be read again: %s", st.Name, st.Error))
		}
	}
	for _, h := range hosts {
		for i := range fleet.Hosts {
			if fleet.Hosts[i].Name == h.Name {
				rep.Moves.After = append(rep.Moves.After, AfterChanges(a.plan, h, guestPlans(fleet.Hosts[i].Guests))...)
			}
		}
	}
}

// AfterChanges compares the guests a host runs now (name → the plan ID
// of berth's metadata, "" without) with what plan p leaves on host h, and
// says how they differ; nil when they match.
func AfterChanges(p *planner.Plan, h planner.HostPlan, now map[string]string) []string {
	want := map[string]bool{}
	for _, g := range h.Existing {
		want[g] = true
	}
	for _, g := range h.MovedOut {
		delete(want, g)
	}
	ours := map[string]bool{}
	for _, g := range append(slices.Clone(h.MovedIn), h.Placed...) {
		want[g], ours[g] = true, true
	}
	var out []string
	for _, g := range sortedNames(want) {
		planID, ok := now[g]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("host %s: guest %s is not there", h.Name, g))
		case ours[g] && planID != p.ID:
			out = append(out, fmt.Sprintf("host %s: guest %s does not record plan %s in berth's metadata", h.Name, g, p.ID))
		}
	}
	for _, g := range sortedNames(now) {
		if !want[g] {
			out = append(out, fmt.Sprintf("host %s: guest %s is there, and the plan does not leave it there", h.Name, g))
		}
	}
	return out
}

func sortedNames[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// guestPlans is each guest's name with the plan of its metadata.
func guestPlans(gs []inventory.Guest) map[string]string {
	out := map[string]string{}
	for _, g := range gs {
		out[g.Name] = g.PlanID
	}
	return out
}
