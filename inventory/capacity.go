package inventory

import (
	"math"
	"strconv"
)

// The capacity model: what a host offers its guests and what each guest is
// charged against that offer. This file is its only implementation. `berth
// validate` checks scenarios with it (this package), and package planner
// builds every placement problem from it (plan, explore, apply's refresh),
// so a scenario validate accepts is the one plan sees, number for number.
//
// It lives here, in the fleet model (which needs no libvirt), rather than in
// planner because the scenario checks need it and this package cannot import
// planner. It knows nothing of placement: it turns a host and a guest into
// two vectors, and placement only compares sums of the one with the other.
//
// Per dimension:
//
//	allocatable = max(0, capacity − reserved) × overcommit       Allocatable
//	offered     = allocatable × headroom                          Offered
//	use         = what a running guest is taken to use            RunningUse
//	              (allocation, observed × safetyFactor, or the larger, by basis;
//	              nothing for a shut-off guest under shutoff: ignore),
//	              or what a new guest is given                     Scenario.DemandRequest
//	charge      = use × (1 + overhead)                            Charge
//
// and a host holds its guests when their charges add up to at most what it
// offers, within FitSlack (Fits).
//
// The rule for shut-off guests (count them, the default, or ignore them)
// is Counts, at the top of RunningUse and RunningCharge: a guest it does
// not count costs its host nothing.

// FitSlack is the relative slack of every capacity comparison: a host holds
// a load when load ≤ offered × (1 + FitSlack). It absorbs the rounding of
// sums taken in different orders, far below any real unit; package
// placement compares with the same slack (its capEps), and the planner's
// property tests pin that validate and plan agree.
const FitSlack = 1e-9

// Fits reports whether a charge fits an offer in every dimension, within
// FitSlack: 8.24 vCPUs fit an offer of 8.24, and of 8.2400000001, but not
// of 8.2.
func Fits(charge, offer Vector) bool {
	for d := range charge {
		if charge[d] > offer[d]*(1+FitSlack) {
			return false
		}
	}
	return true
}

// EffectiveOvercommit is the overcommit ratio on a host whose own ratios are
// own: own in the dimensions where it sets one (> 0), the policy's elsewhere.
// A host model has no ratios of its own (own is zero).
//
// Example: policy {cpu: 4, memory: 1}, host {cpu: 2} ⇒ {cpu: 2, memory: 1}.
func (p *Policy) EffectiveOvercommit(own Vector) Vector {
	oc := p.Overcommit
	for d, x := range own {
		if x > 0 {
			oc[d] = x
		}
	}
	return oc
}

// Allocatable is what a host can hand out to guests before any utilisation
// target: max(0, capacity − reserved) × overcommit, per dimension. Running
// guests are checked against it (they run already, so no headroom applies).
//
// Example: 32 vCPUs, 2 reserved, overcommit 4 ⇒ (32 − 2) × 4 = 120 vCPUs.
func (p *Policy) Allocatable(capacity, reserved, own Vector) Vector {
	v := p.allocatable(capacity, reserved, own)
	return v.Tidy()
}

// Offered is what a host offers to guests, per dimension:
//
//	(capacity − reserved) × overcommit × headroom
//
// with capacity − reserved never below 0. Placement fills hosts up to it.
//
// Example: 32 vCPUs, 2 reserved, overcommit 4, headroom 0.9
// ⇒ (32 − 2) × 4 × 0.9 = 108 vCPUs.
func (p *Policy) Offered(capacity, reserved, own Vector) Vector {
	v := p.allocatable(capacity, reserved, own)
	for d := range v {
		v[d] = Tidy(v[d] * p.Headroom[d])
	}
	return v
}

// allocatable is Allocatable before rounding, so that Offered rounds once.
func (p *Policy) allocatable(capacity, reserved, own Vector) Vector {
	oc := p.EffectiveOvercommit(own)
	var v Vector
	for d := range v {
		v[d] = max(0, capacity[d]-reserved[d]) * oc[d]
	}
	return v
}

// HostOffered is what host h offers under the policy (see Offered).
func (p *Policy) HostOffered(h *Host) Vector { return p.Offered(h.Capacity, h.Reserved, h.Overcommit) }

// ModelOffered is what a new host of model m would offer (see Offered).
func (p *Policy) ModelOffered(m *HostModel) Vector {
	return p.Offered(m.Capacity, m.Reserved, Vector{})
}

// HostAllocatable is what host h can hand out (see Allocatable).
func (p *Policy) HostAllocatable(h *Host) Vector {
	return p.Allocatable(h.Capacity, h.Reserved, h.Overcommit)
}

// ModelAllocatable is what a new host of model m could hand out.
func (p *Policy) ModelAllocatable(m *HostModel) Vector {
	return p.Allocatable(m.Capacity, m.Reserved, Vector{})
}

// RunningUse is what a running guest is taken to use, per dimension, by the
// policy's basis: its allocation, what it was observed to use × the safety
// factor (its allocation when nothing was observed), or the larger of the
// two. It is not rounded: Charge rounds.
//
// Example: allocated 8 vCPUs, observed 3, safety factor 1.2 ⇒ allocation 8,
// observed 3.6, max 8.
func (p *Policy) RunningUse(g *Guest) Vector {
	if !p.Counts(g) {
		return Vector{}
	}
	v := g.Allocation
	if g.Observed == nil {
		return v
	}
	for d := range v {
		seen := g.Observed[d] * p.SafetyFactor
		switch p.Basis[d] {
		case BasisObserved:
			v[d] = seen
		case BasisMax:
			v[d] = max(v[d], seen)
		}
	}
	return v
}

// Charge is what a guest that uses use is charged against its host's
// offer: the use plus the virtualisation overhead, use × (1 + overhead),
// per dimension. New and running guests are charged alike.
//
// Example: 8 vCPUs at 3% ⇒ 8 × 1.03 = 8.24; 8 GiB at 10% ⇒ 8.8 GiB.
func (p *Policy) Charge(use Vector) Vector {
	var v Vector
	for d := range v {
		v[d] = Tidy(use[d] * (1 + p.Overhead[d]))
	}
	return v
}

// RunningCharge is what a guest already on a host is charged:
// Charge(RunningUse(g)), or nothing when the policy does not count it.
func (p *Policy) RunningCharge(g *Guest) Vector {
	if !p.Counts(g) {
		return Vector{}
	}
	return p.Charge(p.RunningUse(g))
}

// Counts reports whether guest g is charged against its host: every guest
// that runs, and a shut-off one unless the policy says shutoff: ignore. A
// shut-off guest is counted by default because it can be started at any
// time, and then needs what it was given.
//
// Example: a shut-off guest of 2 vCPUs is charged 2 × 1.03 = 2.06 under
// count, 0 under ignore.
func (p *Policy) Counts(g *Guest) bool {
	return p.Shutoff != ShutoffIgnore || !g.ShutOff()
}

// DemandRequest is what each guest of d is given: its profile's request
// with the dimensions d.Request sets (> 0) written over it, as apply
// creates it (Created: whole vCPUs). ok is false when the profile is
// unknown (then only d.Request is returned). A new guest's charge is
// Policy.Charge of it.
//
// Example: profile web {cpu: 8, memory: 8Gi}, request {memory: 16Gi} ⇒
// {cpu: 8, memory: 16Gi}; request {cpu: 500m} ⇒ {cpu: 1, …}.
func (s *Scenario) DemandRequest(d *Demand) (req Vector, ok bool) {
	if p, found := s.Profile(d.Profile); found {
		req, ok = p.Request, true
	}
	for dim, x := range d.Request {
		if x > 0 {
			req[dim] = x
		}
	}
	return Created(req), ok
}

// Created is what a guest asking for req is given when apply creates it,
// and so what a plan gives (and charges) a new guest: libvirt gives a
// domain whole vCPUs, so the CPU is rounded up to a whole number, at least
// 1 (WholeVCPUs); memory to a whole byte; IOPS and network as asked.
//
// A fraction could be kept by capping the guest's vCPU time with cputune
// (quota/period), but the guest would still hold a whole vCPU thread, and
// the inventory reads back whole vCPUs: the next plan would see more than
// this one charged. So a plan charges what is created, and re-planning
// after apply finds the same load.
//
// Example: {cpu: 0.5, memory: 64Mi} ⇒ {cpu: 1, memory: 64Mi}; 2.25 ⇒ 3.
func Created(req Vector) Vector {
	req[CPU] = wholeCPU(req[CPU])
	req[Memory] = math.Ceil(req[Memory])
	return req
}

// WholeVCPUs is the number of vCPUs a guest asking for cpu is created with:
// cpu rounded up, at least 1, ignoring a rounding error of 1e-9 (2.0000000001
// is 2).
func WholeVCPUs(cpu float64) int {
	return int(min(wholeCPU(cpu), math.MaxInt32))
}

// wholeCPU is WholeVCPUs as a number, unbounded (a request too large for
// any host stays too large).
func wholeCPU(cpu float64) float64 { return max(1, math.Ceil(cpu-1e-9)) }

// Tidy rounds x to 12 significant digits, so that 7200 × 1.1 is 7920 and not
// 7920.000000000001 in a plan file; no resource is measured that finely.
func Tidy(x float64) float64 {
	y, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 12, 64), 64)
	if err != nil {
		return x
	}
	return y
}

// Tidy rounds every dimension of v (see the function Tidy).
func (v Vector) Tidy() Vector {
	for d := range v {
		v[d] = Tidy(v[d])
	}
	return v
}
