package planner

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/placement"
)

// FailoverLoss is one set of failed hosts whose guests do not all restart
// elsewhere, and the guests that would find no room (restarts keep every
// capacity and group rule).
type FailoverLoss struct {
	FailedHosts []string `json:"failedHosts"`
	Guests      []string `json:"guests"`
}

// failoverLosses names the guests the failover check left homeless, per
// failing set.
func (d *describer) failoverLosses(fo placement.Failover) []FailoverLoss {
	var out []FailoverLoss
	for _, l := range fo.Losses {
		x := FailoverLoss{}
		for _, h := range l.FailedHosts {
			x.FailedHosts = append(x.FailedHosts, d.names[h])
		}
		for _, i := range l.Guests {
			if i >= 0 {
				x.Guests = append(x.Guests, d.m.guests[i].Name)
			} else {
				x.Guests = append(x.Guests, d.m.existing[-i-1].Guest.Name)
			}
		}
		out = append(out, x)
	}
	return out
}

// maxLossLines bounds the failover losses the text and Markdown plans
// list; JSON has them all.
const maxLossLines = 10

// LossLines are the failover losses in words, one line per failing set
// ("if kvm03 fails: db-main-2, web-01 find no room"), at most
// maxLossLines and a line counting the rest.
func LossLines(f FailoverView) []string {
	var out []string
	for i, l := range f.Losses {
		if i == maxLossLines {
			out = append(out, fmt.Sprintf("… and %s more", plural(len(f.Losses)-i, "failing host set")))
			break
		}
		verb := "fails"
		if len(l.FailedHosts) > 1 {
			verb = "fail"
		}
		out = append(out, fmt.Sprintf("if %s %s: %s %s no room", JoinAnd(l.FailedHosts), verb,
			strings.Join(l.Guests, ", "), pick(len(l.Guests) == 1, "finds", "find")))
	}
	return out
}

func pick(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

// keepFailover keeps the policy's failover reserve on sol (which it may
// modify): under the reserve mode (the default) it first re-arranges the
// new guests so that the check holds or strands fewer guests
// (placement.Reserve), then, under either mode, buys spares where they
// help (keepFailoverRoom). Nothing runs when the check holds.
func keepFailover(p *placement.Problem, sol *placement.Solution, pol *inventory.Policy, opt placement.Options) *placement.Solution {
	k := pol.FailoverHosts
	if k <= 0 {
		return sol
	}
	if pol.FailoverMode != inventory.FailoverCheck {
		if r := placement.Reserve(p, sol, k, opt); r != sol {
			sol = r.Clone()
		}
	}
	keepFailoverRoom(p, sol, k)
	return sol
}
