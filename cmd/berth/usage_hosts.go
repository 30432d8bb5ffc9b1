package main

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/history"
	"github.com/berth-dev/berth/inventory/live"
)

// The check of a live host's reserved capacity and per-guest overhead
// against what the host was seen to use (node_exporter's metrics in the
// same Prometheus): a host whose own use, beyond what its guests use, is
// more than its reserve and the guests' overhead explain has less room
// than berth plans with.

// hostAllowance is what a host may use beyond its guests' own use: the
// capacity reserved for the host OS, and a fixed overhead per running
// guest (a QEMU process costs tens of MiB beyond the guest's memory).
type hostAllowance interface {
	Reserved(h *inventory.Host) inventory.Vector
	PerGuest(h *inventory.Host) inventory.Vector
}

// hostFields reads the allowance from the host as read: Host.Reserved,
// and no per-guest overhead.
//
// NOTE(helper P): the live `reserved` config key and the per-guest
// overhead policy term are being added by another change
// (inventory/capacity.go, inventory/live). Until it lands, Reserved is
// whatever Host.Reserved holds and PerGuest is 0; once it has landed,
// PerGuest should return that term (one line here).
type hostFields struct{}

func (hostFields) Reserved(h *inventory.Host) inventory.Vector { return h.Reserved }
func (hostFields) PerGuest(*inventory.Host) inventory.Vector   { return inventory.Vector{} }

// hostUseCheck is the check of one host.
type hostUseCheck struct {
	Host string `json:"host" yaml:"host"`
	// Instance is the node_exporter instance matched to the host.
	Instance string `json:"instance" yaml:"instance"`
	// Per dimension (cpu, memory): what the host used (the quantile of
	// node metrics), what its guests used (sum of their observed use),
	// and what the reserve and the overhead allow beyond it.
	Dimensions []hostUseDim `json:"dimensions" yaml:"dimensions"`
	// Warning is set when the host used more than the allowance explains.
	Warning string `json:"warning,omitempty" yaml:"warning,omitempty"`
}

type hostUseDim struct {
	Dimension string  `json:"dimension" yaml:"dimension"`
	Host      float64 `json:"host" yaml:"host"`
	Guests    float64 `json:"guests" yaml:"guests"`
	Reserved  float64 `json:"reserved" yaml:"reserved"`
	Overhead  float64 `json:"overhead" yaml:"overhead"`
	// Unexplained is host − guests − reserved − overhead when > 0.
	Unexplained float64 `json:"unexplained" yaml:"unexplained"`
}

// checkHostUse reads the hosts' node metrics and checks each host found
// there. Hosts without node metrics are left out; a Prometheus without
// any, or a failed query, gives no check (said once on stderr if it
// failed).
func (a *app) checkHostUse(ctx context.Context, set *usageSetup, fleet *live.Fleet) []hostUseCheck {
	nodes, err := history.ReadNodes(ctx, set.cfg)
	if err != nil {
		fmt.Fprintf(a.stderr, "berth: note: host use (node metrics) not checked: %v\n", err)
		return nil
	}
	checks := checkHosts(fleet.Hosts, nodes, set.cfg.Quantile, hostFields{})
	for _, c := range checks {
		if c.Warning != "" {
			fmt.Fprintf(a.stderr, "berth: warning: %s\n", c.Warning)
		}
	}
	return checks
}

// checkHosts compares each host that has node metrics with its guests'
// observed use plus its allowance.
func checkHosts(hosts []inventory.Host, nodes []history.NodeUse, quantile float64, allow hostAllowance) []hostUseCheck {
	var out []hostUseCheck
	for i := range hosts {
		h := &hosts[i]
		var names []string
		names = append(names, h.Name)
		if h.Facts != nil {
			names = append(names, h.Facts.Hostname)
		}
		n := history.FindNode(nodes, names...)
		if n == nil {
			continue
		}
		c := hostUseCheck{Host: h.Name, Instance: n.Instance}
		reserved, per := allow.Reserved(h), allow.PerGuest(h)
		var guests inventory.Vector
		running := 0
		for _, g := range h.Guests {
			if g.ShutOff() { // node metrics see only what runs, whatever the policy charges
				continue
			}
			running++
			use := g.Allocation
			if g.Observed != nil {
				use = *g.Observed
			}
			guests = guests.Add(use)
		}
		var worst []string
		for _, d := range []inventory.Dimension{inventory.CPU, inventory.Memory} {
			if !n.Has[d] {
				continue
			}
			hd := hostUseDim{Dimension: d.String(), Host: n.Quantile[d], Guests: guests[d], Reserved: reserved[d], Overhead: per[d] * float64(running)}
			hd.Unexplained = max(0, hd.Host-hd.Guests-hd.Reserved-hd.Overhead)
			if hd.Unexplained > tolerance(d, h) {
				q := func(x float64) string { return inventory.FormatQuantity(d, x) }
				worst = append(worst, fmt.Sprintf("%s %s, of which its guests (%d) %s, reserved %s and overhead %s explain %s: %s unexplained",
					d, q(hd.Host), running, q(hd.Guests), q(hd.Reserved), q(hd.Overhead), q(hd.Guests+hd.Reserved+hd.Overhead), q(hd.Unexplained)))
			}
			c.Dimensions = append(c.Dimensions, hd)
		}
		if len(worst) > 0 {
			c.Warning = fmt.Sprintf("host %s uses more than berth plans for (%s of node metrics of %s): %s; set more reserved capacity or per-guest overhead for it, or berth plans with room it does not have",
				h.Name, quantileName(quantile), n.Instance, joinAnd(worst))
		}
		out = append(out, c)
	}
	return out
}

// tolerance is the unexplained use not worth a warning: 1% of the
// host's capacity (noise, page cache accounting), at least 0.05 cores or
// 64 MiB.
func tolerance(d inventory.Dimension, h *inventory.Host) float64 {
	floor := 0.05
	if d == inventory.Memory {
		floor = 64 << 20
	}
	return max(floor, 0.01*h.Capacity[d])
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	s := xs[0]
	for _, x := range xs[1 : len(xs)-1] {
		s += ", " + x
	}
	return s + " and " + xs[len(xs)-1]
}
