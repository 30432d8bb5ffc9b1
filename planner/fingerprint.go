package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/berth-dev/berth/inventory"
)

// HostFingerprint summarises what apply must find unchanged on a host before
// it acts on a plan: its capacity and reservation, and its guests with their
// allocations (observed use moves all the time and is left out). Apply
// recomputes it from freshly read inventory and compares.
func HostFingerprint(h *inventory.Host) string {
	type guest struct {
		Name       string
		Allocation inventory.Vector
	}
	doc := struct {
		Capacity, Reserved inventory.Vector
		Guests             []guest
	}{Capacity: h.Capacity, Reserved: h.Reserved}
	for _, g := range h.Guests {
		doc.Guests = append(doc.Guests, guest{g.Name, g.Allocation})
	}
	slices.SortFunc(doc.Guests, func(a, b guest) int { return cmpString(a.Name, b.Name) })
	return hashJSON(doc)
}

// inputsFingerprint hashes everything that decided a plan, so two plans with
// the same fingerprint and seed were made from the same inputs.
func inputsFingerprint(sc *inventory.Scenario, pol *inventory.Policy, ed *Edits) string {
	type host struct {
		Name                           string
		Labels                         map[string]string
		Capacity, Reserved, Overcommit inventory.Vector
		Guests                         []inventory.Guest
	}
	doc := struct {
		Hosts    []host
		Models   []inventory.HostModel
		Profiles []inventory.Profile
		Groups   []inventory.Group
		Demand   []inventory.Demand
		Policy   inventory.Policy
		Edits    *Edits
	}{Models: sc.HostModels, Profiles: sc.Profiles, Groups: sc.Groups, Demand: sc.Demand, Policy: *pol, Edits: ed}
	for _, h := range sc.Hosts {
		doc.Hosts = append(doc.Hosts, host{h.Name, h.Labels, h.Capacity, h.Reserved, h.Overcommit, h.Guests})
	}
	return hashJSON(stripPositions(doc))
}

// stripPositions exists so that moving a block inside a scenario file (which
// changes line numbers, not meaning) does not change the fingerprint: the
// JSON encoding below drops Pos fields by re-encoding through a generic
// value with "Pos" keys removed.
func stripPositions(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var generic any
	if json.Unmarshal(b, &generic) != nil {
		return v
	}
	var walk func(x any) any
	walk = func(x any) any {
		switch t := x.(type) {
		case map[string]any:
			delete(t, "Pos")
			for k, e := range t {
				t[k] = walk(e)
			}
		case []any:
			for i, e := range t {
				t[i] = walk(e)
			}
		}
		return x
	}
	return walk(generic)
}

// planID is the first 12 hex digits of the sha256 of the plan's JSON with
// an empty ID.
func planID(p *Plan) string {
	c := *p
	c.ID = ""
	return hashJSON(&c)[:12]
}

func hashJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only unsupported values (NaN) fail, and validation keeps them out;
		// hash the Go representation rather than fail a plan over it.
		b = []byte(fmt.Sprintf("%#v", v))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// round6 keeps six decimals, so scores print the same on every machine and
// plans compare byte for byte.
func round6(x float64) float64 {
	return math.Round(x*1e6) / 1e6
}
