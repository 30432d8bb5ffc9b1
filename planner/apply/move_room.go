package apply

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/dustin/go-humanize"
)

// A destination has room for a wave when, in the plan's own terms, what
// its guests are charged now plus what the wave's arrivals are charged
// fits what it offers (the planner's schedule counts a guest in flight on
// both hosts, and so does this: a guest leaving in the same wave is still
// there), and when libvirt shows enough free memory for the guests that
// arrive running. A guest the plan knows is charged its demand in the
// plan; one it does not (someone started it since) its allocation under
// the plan's policy.

// roomCheck checks each destination of tasks and returns, for the moves
// that do not fit, why.
func (r *movesRun) roomCheck(ctx context.Context, tasks []*moveTask) map[*moveWork]string {
	byDest := map[string][]*moveTask{}
	var dests []string
	for _, t := range tasks {
		if byDest[t.m.to.Name] == nil {
			dests = append(dests, t.m.to.Name)
		}
		byDest[t.m.to.Name] = append(byDest[t.m.to.Name], t)
	}
	out := map[*moveWork]string{}
	for _, d := range dests {
		ts := byDest[d]
		if why := r.roomOn(ctx, ts[0].m.to, ts[0].dst, ts); why != "" {
			for _, t := range ts {
				out[t.m] = why
			}
		}
	}
	return out
}

// roomOn says why host h (reached by c) has no room for the arrivals ts,
// "" when it has.
func (r *movesRun) roomOn(ctx context.Context, h planner.HostPlan, c *hypervisor.Conn, ts []*moveTask) string {
	bc, cancel := r.bound(ctx)
	defer cancel()
	here, err := r.loadOn(bc, h, c)
	if err != nil {
		return err.Error()
	}
	facts, err := c.HostFacts(bc)
	if err != nil {
		return "host " + h.Name + " cannot be read: " + err.Error()
	}
	var arriving []*moveWork
	var runningMemory uint64
	for _, t := range ts {
		arriving = append(arriving, t.m)
		if t.live {
			runningMemory += uint64(t.m.act.Allocation[inventory.Memory])
		}
	}
	if why := here.fits(h, arriving); why != "" {
		return why
	}
	if facts.MemoryFree > 0 && runningMemory > facts.MemoryFree {
		return fmt.Sprintf("host %s has %s of memory free, and the guests migrating to it live in this wave (%s) need %s",
			h.Name, humanize.IBytes(facts.MemoryFree), guestNames(arriving), humanize.IBytes(runningMemory))
	}
	return ""
}

// hostLoad is what a host's guests are charged in the plan's terms.
type hostLoad struct {
	charge inventory.Vector
	guests int
	// strangers are the guests the plan does not know.
	strangers []string
}

// loadOn reads what host h's guests are charged now.
func (r *movesRun) loadOn(ctx context.Context, h planner.HostPlan, c *hypervisor.Conn) (*hostLoad, error) {
	doms, err := c.Domains(ctx)
	if err != nil {
		return nil, fmt.Errorf("host %s cannot be read: %w", h.Name, err)
	}
	l := &hostLoad{guests: len(doms)}
	for _, d := range doms {
		charge, known := r.chargeOf(d)
		l.charge = l.charge.Add(charge)
		if !known {
			l.strangers = append(l.strangers, d.Name)
		}
	}
	slices.Sort(l.strangers)
	return l, nil
}

// fits says why host h, with load l, has no room for the guests of
// arriving (charged their demand in the plan), "" when it has.
func (l *hostLoad) fits(h planner.HostPlan, arriving []*moveWork) string {
	var in inventory.Vector
	for _, m := range arriving {
		in = in.Add(m.act.Demand)
	}
	if inventory.Fits(l.charge.Add(in), h.Offered) {
		return ""
	}
	var short []string
	for _, dim := range inventory.Dimensions {
		if l.charge[dim]+in[dim] > h.Offered[dim]*(1+inventory.FitSlack) {
			short = append(short, fmt.Sprintf("%s: the %s there are charged %s, the %s %s, and it offers %s", dim,
				planner.CountOf(l.guests, "guest", "guests"), inventory.FormatQuantity(dim, l.charge[dim]),
				planner.CountOf(len(arriving), "arrival", "arrivals"), inventory.FormatQuantity(dim, in[dim]),
				inventory.FormatQuantity(dim, h.Offered[dim])))
		}
	}
	why := fmt.Sprintf("host %s has no room for %s (%s)", h.Name, guestNames(arriving), strings.Join(short, "; "))
	if len(l.strangers) > 0 {
		why += "; guests there that the plan does not know: " + strings.Join(l.strangers, ", ")
	}
	return why
}

func guestNames(ms []*moveWork) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.guest())
	}
	return strings.Join(out, ", ")
}

// chargeOf is what domain d is charged in the plan's terms: its demand in
// the plan when the plan knows it by name, else its allocation (vCPUs and
// memory) charged under the plan's policy.
func (r *movesRun) chargeOf(d hypervisor.Domain) (inventory.Vector, bool) {
	if v, ok := r.demand[d.Name]; ok {
		return v, true
	}
	g := inventory.Guest{Name: d.Name, Allocation: inventory.Vector{inventory.CPU: float64(d.VCPUs), inventory.Memory: float64(d.MemoryMax)}}
	return r.policy.RunningCharge(&g), false
}

// demandByGuest is the demand of every guest the plan names (kept, moved
// or created), by name.
func demandByGuest(p *planner.Plan) map[string]inventory.Vector {
	out := map[string]inventory.Vector{}
	for _, a := range p.Actions {
		out[a.Guest] = a.Demand
	}
	return out
}
