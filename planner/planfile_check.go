package planner

import (
	"fmt"
	"math"
	"strings"

	"github.com/berth-dev/berth/inventory"
)

// Bounds of a plan's numbers that apply could ever carry out.
const (
	// MaxGuestVCPUs is the most vCPUs one guest can have: QEMU's limit
	// for an x86 guest (q35 with x2APIC), which no other driver exceeds.
	MaxGuestVCPUs = 4096
	// MaxGuestMemory is the most memory one guest can have, in bytes:
	// 64 TiB, more than any x86 host is sold with.
	MaxGuestMemory = 64 << 40
	// minGuestMemory is the least: libvirt and QEMU need 1 MiB.
	minGuestMemory = 1 << 20
)

// maxPlanProblems is how many problems a refused plan lists before it
// counts the rest.
const maxPlanProblems = 10

// checkPlanContent refuses a plan whose content apply could never carry
// out, whatever its checksum says (a checksum proves a file is what some
// berth wrote, or what someone re-checksummed by hand; it does not prove
// the numbers or names are sane): negative amounts or counts anywhere, a
// new guest without a vCPU or 1 MiB of memory or beyond what any guest
// can have, and guest names libvirt or the pool cannot take.
func checkPlanContent(name string, p *Plan) error {
	var c planChecker
	c.planNumbers(p)
	for i, act := range p.Actions {
		where := fmt.Sprintf("action %d (%s %s)", i, act.Op, act.Guest)
		c.vector(where+" allocation", act.Allocation)
		c.vector(where+" demand", act.Demand)
		if act.Op != OpCreate {
			continue
		}
		if err := inventory.CheckGuestName(act.Guest); err != nil {
			c.add("action %d: %v", i, err)
		}
		cpu, mem := act.Allocation[inventory.CPU], act.Allocation[inventory.Memory]
		if cpu <= 0 || cpu > MaxGuestVCPUs {
			c.add("%s: %s vCPUs, want more than 0 and at most %d", where, inventory.FormatQuantityExact(inventory.CPU, cpu), MaxGuestVCPUs)
		}
		if mem < minGuestMemory || mem > MaxGuestMemory {
			c.add("%s: %s of memory, want 1 MiB to 64 TiB", where, bytesText(mem))
		}
	}
	return c.err(name)
}

// planNumbers checks the plan's numbers other than its actions': every
// amount and count is a number of at least 0.
func (c *planChecker) planNumbers(p *Plan) {
	for _, h := range p.Hosts {
		c.vector("host "+h.Name+" offered", h.Offered)
		c.vector("host "+h.Name+" before", h.Before)
		c.vector("host "+h.Name+" after", h.After)
	}
	for _, u := range p.Unplaced {
		c.vector("unplaced "+u.Guest+" demand", u.Demand)
	}
	for _, b := range p.Buy {
		c.count("buy "+b.Model+" count", b.Count)
	}
	pol := p.Policy
	c.vector("policy overcommit", pol.Overcommit)
	c.vector("policy headroom", pol.Headroom)
	c.vector("policy overhead", pol.Overhead)
	c.number("policy safetyFactor", pol.SafetyFactor)
	c.number("policy penalty", pol.Penalty)
	c.count("policy iterations", pol.Iterations)
	c.count("policy maxPerHost", pol.MaxPerHost)
	c.count("policy failoverHosts", pol.FailoverHosts)
	m := p.Metrics
	for _, n := range []struct {
		what string
		n    int
	}{{"hosts", m.Hosts}, {"hostsBefore", m.HostsBefore}, {"hostsUsed", m.HostsUsed}, {"newHosts", m.NewHosts},
		{"lowerBound", m.LowerBound}, {"guests", m.Guests}, {"placed", m.Placed}, {"unplaced", m.Unplaced}, {"violations", m.Violations}} {
		c.count("metrics "+n.what, n.n)
	}
}

// planChecker collects a plan's problems.
type planChecker struct {
	problems []string
}

func (c *planChecker) add(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func (c *planChecker) vector(what string, v inventory.Vector) {
	for _, d := range inventory.Dimensions {
		if v[d] < 0 || math.IsNaN(v[d]) || math.IsInf(v[d], 0) {
			c.add("%s %s is %v, want a number of at least 0", what, d, v[d])
		}
	}
}

func (c *planChecker) number(what string, x float64) {
	if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		c.add("%s is %v, want a number of at least 0", what, x)
	}
}

func (c *planChecker) count(what string, n int) {
	if n < 0 {
		c.add("%s is %d, want 0 or more", what, n)
	}
}

// err is the problems as one error (nil for none), in plan order, capped
// at maxPlanProblems.
func (c *planChecker) err(name string) error {
	if len(c.problems) == 0 {
		return nil
	}
	problems := c.problems
	more := ""
	if len(problems) > maxPlanProblems {
		more = fmt.Sprintf("\n  … and %d more", len(problems)-maxPlanProblems)
		problems = problems[:maxPlanProblems]
	}
	return fmt.Errorf("%s: the plan cannot be applied as it is:\n  %s%s", name, strings.Join(problems, "\n  "), more)
}

// bytesText writes a byte count, negative ones included.
func bytesText(x float64) string {
	if x < 0 {
		return "-" + inventory.FormatQuantity(inventory.Memory, -x)
	}
	return inventory.FormatQuantity(inventory.Memory, x)
}
