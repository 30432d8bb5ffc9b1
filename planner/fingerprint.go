package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/placement"
)

// HostFingerprint summarises what apply must find unchanged on a host before
// it acts on a plan, limited to what libvirt itself reports, so that a plan
// made from a scenario file and a host re-read from libvirt agree: the
// host's CPUs and memory, and its guests with their vCPUs and memory.
// Observed use moves all the time and is left out; so are IOPS and network
// capacities and reservations, which come from configuration, not from the
// host.
func HostFingerprint(h *inventory.Host) string {
	type guest struct {
		Name        string
		CPU, Memory float64
	}
	doc := struct {
		CPU, Memory float64
		Guests      []guest
	}{CPU: h.Capacity[inventory.CPU], Memory: h.Capacity[inventory.Memory]}
	for _, g := range h.Guests {
		doc.Guests = append(doc.Guests, guest{g.Name, g.Allocation[inventory.CPU], g.Allocation[inventory.Memory]})
	}
	slices.SortFunc(doc.Guests, func(a, b guest) int { return strings.Compare(a.Name, b.Name) })
	return hashJSON(doc)
}

// inputPrints caches the parts of a plan's fingerprints that depend only on
// the scenario, which edits never change: re-planning after an edit in the
// TUI then hashes only the policy and the edits.
type inputPrints struct {
	scenario string   // hash of hosts, guests, models, profiles, groups, demand
	hosts    []string // HostFingerprint per scenario host
}

func newInputPrints(sc *inventory.Scenario) *inputPrints {
	type guest struct {
		Name, Profile, Group string
		Allocation           inventory.Vector
		Observed             *inventory.Vector
		// Disk and State decide what a move copies; omitted when zero, so
		// plans of fleets without them keep their fingerprints.
		Disk  float64 `json:",omitempty"`
		State string  `json:",omitempty"`
	}
	type host struct {
		Name                           string
		Labels                         map[string]string
		Capacity, Reserved, Overcommit inventory.Vector
		Guests                         []guest
	}
	type model struct {
		Name               string
		Capacity, Reserved inventory.Vector
		Labels             map[string]string
		Max                int
	}
	type profile struct {
		Name        string
		Appetite    inventory.Dimension
		HasAppetite bool
		Request     inventory.Vector
	}
	type group struct {
		Name     string
		Scope    inventory.Scope
		Together bool
	}
	type demand struct {
		Name, Profile, Group string
		Count                int
		Request              inventory.Vector
		Selector             map[string]string
	}
	var doc struct {
		Hosts    []host
		Models   []model
		Profiles []profile
		Groups   []group
		Demand   []demand
	}
	ip := &inputPrints{}
	for i := range sc.Hosts {
		h := &sc.Hosts[i]
		x := host{Name: h.Name, Labels: h.Labels, Capacity: h.Capacity, Reserved: h.Reserved, Overcommit: h.Overcommit}
		for _, g := range h.Guests {
			x.Guests = append(x.Guests, guest{g.Name, g.Profile, g.Group, g.Allocation, g.Observed, g.Disk, g.State})
		}
		doc.Hosts = append(doc.Hosts, x)
		ip.hosts = append(ip.hosts, HostFingerprint(h))
	}
	for _, m := range sc.HostModels {
		doc.Models = append(doc.Models, model{m.Name, m.Capacity, m.Reserved, m.Labels, m.Max})
	}
	for _, p := range sc.Profiles {
		doc.Profiles = append(doc.Profiles, profile{p.Name, p.Appetite, p.HasAppetite, p.Request})
	}
	for _, g := range sc.Groups {
		doc.Groups = append(doc.Groups, group{g.Name, g.Scope, g.Together})
	}
	for _, d := range sc.Demand {
		doc.Demand = append(doc.Demand, demand{d.Name, d.Profile, d.Group, d.Count, d.Request, d.Selector})
	}
	ip.scenario = hashJSON(doc)
	return ip
}

// fingerprint hashes everything that decided a plan: the scenario, the
// effective policy and the edits. Two plans with the same fingerprint were
// made from the same inputs.
//
// The failover mode's default is hashed as the empty word, as policies
// made before the mode existed have it, so their plans keep their IDs.
func (ip *inputPrints) fingerprint(pol *inventory.Policy, ed *Edits) string {
	p := *pol
	if p.FailoverMode == inventory.FailoverReserve {
		p.FailoverMode = ""
	}
	return hashJSON(struct {
		Scenario string
		Policy   inventory.Policy
		Edits    *Edits
	}{ip.scenario, p, ed})
}

// planID names a plan by its inputs and its decisions: the fingerprint and
// where every new guest went (12 hex digits of a sha256). It is cheap to
// compute on every re-plan; the file-level Checksum, computed when a plan
// is written, is what guards a plan file's integrity.
func planID(fingerprint string, m *model, sol *placement.Solution, names []string) string {
	h := sha256.New()
	h.Write([]byte(fingerprint))
	for gi, host := range sol.Host {
		h.Write([]byte(m.guests[gi].Name))
		h.Write([]byte{0})
		if host == placement.NoHost {
			h.Write([]byte("-"))
		} else {
			h.Write([]byte(names[host]))
		}
		h.Write([]byte{0})
	}
	for _, mi := range sol.NewHosts {
		writeInt(h, int(mi))
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func writeInt(h hash.Hash, x int) {
	h.Write(strconv.AppendInt(nil, int64(x), 10))
	h.Write([]byte{0})
}

// checksum is the sha256 of the plan's JSON with an empty Checksum field;
// WritePlanFile and the encoders set it, DecodePlan verifies it.
func checksum(p *Plan) string {
	c := *p
	c.Checksum = ""
	return "sha256:" + hashJSON(&c)
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
