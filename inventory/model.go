// Package inventory is the fleet as data: hosts, the guests they run, host
// models that could be bought, guest profiles, demand and policy, and the
// scenario YAML that holds them. It knows nothing of placement algorithms
// and links no libvirt: reading live hosts is package inventory/live.
package inventory

import "time"

// APIVersion is the scenario format version this build reads and writes.
const APIVersion = "berth/v1"

// Pos is where something was written in a file (1-based; zero = not from a
// file, e.g. read from libvirt).
type Pos struct {
	Line, Column int
}

// Scenario is a fleet plus what to place on it and how.
type Scenario struct {
	APIVersion  string
	Name        string
	Description string
	// Source is the file (or "embedded:NAME") the scenario was read from.
	Source string

	Hosts      []Host
	HostModels []HostModel
	// Profiles holds the built-in profiles (web, db, cache) merged with the
	// file's overrides and user-defined ones, sorted by name.
	Profiles []Profile
	Groups   []Group
	Demand   []Demand
	Policy   Policy

	// Warnings are the problems found when the scenario was read or merged
	// that do not stop it from being used (see Problem, Severity).
	Warnings Problems

	// Positions is where the file wrote its policy fields, so that checks
	// made after reading (the planner's, through ProblemAt) point into it.
	Positions FieldPositions
}

// FieldPositions is where a scenario file wrote its policy fields. Where a
// value was written is not part of the value: any two are Equal, so
// scenarios compare (go-cmp) as they did without it.
type FieldPositions struct{ pos map[string]Pos }

// Equal reports true: positions take no part in comparing scenarios.
func (FieldPositions) Equal(FieldPositions) bool { return true }

// ShutOff reports whether the guest is defined but not running: libvirt's
// "shutoff" or "crashed" (its QEMU process is gone). A guest of a scenario
// without a state runs.
func (g *Guest) ShutOff() bool { return g.State == "shutoff" || g.State == "crashed" }

// Host is one physical machine.
type Host struct {
	Name string
	// URI is the libvirt connection URI, if the host can be reached (needed
	// to apply a plan). Never printed with a password.
	URI string
	// Labels hold at least "rack" and "zone" where known; free-form others.
	Labels map[string]string
	// Capacity is what the hardware has; Reserved what the host OS keeps.
	Capacity Vector
	Reserved Vector
	// Overcommit per dimension for this host; 0 in a dimension = the policy's.
	Overcommit Vector
	Guests     []Guest
	// Facts read from libvirt (nil for scenario hosts without them).
	Facts *HostFacts
	Pos   Pos
}

// Rack and Zone are the failure-domain labels ("" when unknown).
func (h *Host) Rack() string { return h.Labels["rack"] }
func (h *Host) Zone() string { return h.Labels["zone"] }

// HostFacts are what libvirt says about a host beyond its capacity.
type HostFacts struct {
	Hostname          string  `json:"hostname,omitempty" yaml:"hostname,omitempty"`
	CPUModel          string  `json:"cpuModel,omitempty" yaml:"cpuModel,omitempty"`
	Sockets           int     `json:"sockets,omitempty" yaml:"sockets,omitempty"`
	Cores             int     `json:"cores,omitempty" yaml:"cores,omitempty"`
	Threads           int     `json:"threads,omitempty" yaml:"threads,omitempty"`
	NUMACells         int     `json:"numaCells,omitempty" yaml:"numaCells,omitempty"`
	CPUs              int     `json:"cpus,omitempty" yaml:"cpus,omitempty"`
	MHz               int     `json:"mhz,omitempty" yaml:"mhz,omitempty"`
	FreeMemory        uint64  `json:"freeMemory,omitempty" yaml:"freeMemory,omitempty"` // bytes
	LibvirtVersion    string  `json:"libvirtVersion,omitempty" yaml:"libvirtVersion,omitempty"`
	HypervisorVersion string  `json:"hypervisorVersion,omitempty" yaml:"hypervisorVersion,omitempty"`
	CPUUsed           float64 `json:"cpuUsed,omitempty" yaml:"cpuUsed,omitempty"` // cores busy over the sample window
}

// RoleSource says how a guest's profile was learned.
type RoleSource string

const (
	RoleDeclared RoleSource = ""         // written in the scenario
	RoleMetadata RoleSource = "metadata" // berth's own libvirt metadata
	RolePattern  RoleSource = "pattern"  // a configured name pattern or label
	RoleInferred RoleSource = "inferred" // classified from observed use
)

// Guest is a VM that runs (or is defined) on a host.
type Guest struct {
	Name       string
	Profile    string
	RoleSource RoleSource
	Group      string
	// Allocation is what the guest was given; Observed what it was seen to
	// use (nil when unknown).
	Allocation Vector
	Observed   *Vector
	// Disk is the size of the guest's local disks in bytes (0 = unknown or
	// none): what a migration copies besides memory when its hosts do not
	// share storage (host label storage: shared).
	Disk float64
	// From libvirt, when known.
	UUID  string
	State string
	// PlanID is set on guests berth created (from its metadata).
	PlanID string
	Pos    Pos
}

// HostModel is a shape of host that could be bought.
type HostModel struct {
	Name     string
	Capacity Vector
	Reserved Vector
	Labels   map[string]string
	// Max is how many may be bought (0 = no limit).
	Max int
	Pos Pos
}

// Profile describes a kind of guest: what one asks for and what it eats most.
type Profile struct {
	Name        string
	Description string
	// Appetite is the dimension this kind of guest is heavy on; HasAppetite
	// is false for a profile with no dominant appetite.
	Appetite    Dimension
	HasAppetite bool
	Request     Vector
	BuiltIn     bool
	Pos         Pos
}

// Scope is the failure domain a group's rule spans.
type Scope string

const (
	ScopeHost Scope = "host"
	ScopeRack Scope = "rack"
	ScopeZone Scope = "zone"
)

// Group is a set of guests (replicas of one service) with a placement rule.
type Group struct {
	Name  string
	Scope Scope
	// Together asks for affinity (same domain) instead of anti-affinity.
	Together bool
	Pos      Pos
}

// Demand asks for Count new guests of a profile.
type Demand struct {
	// Name prefixes the generated guest names: NAME-1 … NAME-N.
	Name    string
	Profile string
	Count   int
	Group   string
	// Request overrides the profile's request in the dimensions it sets
	// (zero = the profile's).
	Request Vector
	// Selector restricts candidate hosts to those whose labels match all.
	Selector map[string]string
	Pos      Pos
}

// Basis is what a guest's load is taken to be, per dimension.
type Basis string

const (
	BasisAllocation Basis = "allocation" // what it was given
	BasisObserved   Basis = "observed"   // what it uses × SafetyFactor (allocation when unknown)
	BasisMax        Basis = "max"        // the larger of the two
)

// AppetiteMode chooses how the same-appetite rule is enforced.
type AppetiteMode string

const (
	AppetiteSoft AppetiteMode = "soft"
	AppetiteHard AppetiteMode = "hard"
	AppetiteOff  AppetiteMode = "off"
)

// Objective is what the planner optimises.
type Objective string

// FailoverMode is how a plan keeps its failover reserve.
type FailoverMode string

const (
	// FailoverReserve makes the reserve a placement constraint: new guests
	// are placed (and spares bought) so that the failover check holds.
	FailoverReserve FailoverMode = "reserve"
	// FailoverCheck places as if there were no reserve, buys spares where
	// they help, and reports who would find no room.
	FailoverCheck FailoverMode = "check"
)

const (
	ObjectivePack   Objective = "pack"
	ObjectiveSpread Objective = "spread"
)

// ShutoffRule is what a guest that is defined but shut off (or crashed)
// costs its host: counted in full, since it can be started at any time, or
// ignored, as if its resources were free.
type ShutoffRule string

const (
	ShutoffCount  ShutoffRule = "count"
	ShutoffIgnore ShutoffRule = "ignore"
)

// Policy is how capacity is offered and how guests are placed.
type Policy struct {
	// Overcommit ratio per dimension (1 = none).
	Overcommit Vector
	// Headroom is the utilisation target per dimension (0 < x ≤ 1).
	Headroom Vector
	// Overhead is the virtualisation cost added to each guest's request, as
	// a fraction per dimension (0.03 = 3%).
	Overhead Vector
	// Basis per dimension and the safety factor applied to observed use.
	Basis        [NumDims]Basis
	SafetyFactor float64
	// Shutoff says whether shut-off guests are charged against their
	// host (count, the default; "" reads as count) or not (ignore). One
	// rule for inventory, validate, plan, why-not and the explorer
	// (Policy.Counts).
	Shutoff      ShutoffRule
	SameAppetite SameAppetite
	// FailoverHosts is k: the plan keeps room to restart the guests of any
	// k failed hosts on the others.
	FailoverHosts int
	// FailoverMode is how the plan keeps that room: FailoverReserve (the
	// default; "" means it too) places new guests so that the check holds,
	// FailoverCheck only buys spares and reports.
	FailoverMode FailoverMode `json:",omitempty"`
	Objective    Objective
	// Strategy, Seed and Iterations choose and drive the solver.
	Strategy   string
	Seed       uint64
	Iterations int
	// Budget bounds the improvement phase in wall-clock time (0 = by
	// Iterations alone). A plan made under a budget depends on the
	// machine's speed; Iterations alone is reproducible.
	Budget time.Duration
}

// SameAppetite configures the same-appetite rule.
type SameAppetite struct {
	Mode AppetiteMode
	// MaxPerHost guests of one appetite per host (hard mode).
	MaxPerHost int
	// Penalty per extra same-appetite guest on a host (soft mode).
	Penalty float64
}

// DefaultIterations is the improvement phase's default step count. On
// generated fleets that must buy hosts, most of what the search saves comes
// in its first 100-200 steps (6% fewer hosts at 1,000 hosts / 10,000
// guests, for ~70 ms more; docs/BENCHMARKS.md). A count, not a time, so
// plans stay reproducible; the phase does not run at all when the
// construction already meets the lower bound.
const DefaultIterations = 200

// DefaultPolicy is the policy a scenario starts from: no overcommit, a 90%
// utilisation target, the virtualisation overhead of common practice
// (~3% CPU, ~10% memory, 10% disk and network I/O), allocations as the
// basis, soft same-appetite rule, no failover reserve, pack, and the
// improvement phase for DefaultIterations steps.
func DefaultPolicy() Policy {
	return Policy{
		Overcommit:   Uniform(1),
		Headroom:     Uniform(0.9),
		Overhead:     DefaultOverhead(),
		Basis:        uniformBasis(BasisAllocation),
		SafetyFactor: 1.2,
		Shutoff:      ShutoffCount,
		SameAppetite: SameAppetite{Mode: AppetiteSoft, MaxPerHost: 2, Penalty: 0.25},
		FailoverMode: FailoverReserve,
		Objective:    ObjectivePack,
		Strategy:     "align",
		Seed:         1,
		Iterations:   DefaultIterations,
	}
}

// BuiltInProfiles are the three appetites of a large web service.
func BuiltInProfiles() []Profile {
	const gi = 1 << 30
	const mbps = 1e6
	return []Profile{
		{Name: "cache", Description: "memory-heavy (memcached, Redis)", Appetite: Memory, HasAppetite: true,
			Request: Vector{CPU: 2, Memory: 32 * gi, IOPS: 200, Net: 500 * mbps}, BuiltIn: true},
		{Name: "db", Description: "disk-I/O-heavy (MySQL/PostgreSQL)", Appetite: IOPS, HasAppetite: true,
			Request: Vector{CPU: 4, Memory: 16 * gi, IOPS: 5000, Net: 200 * mbps}, BuiltIn: true},
		{Name: "web", Description: "CPU-heavy (app servers, proxies)", Appetite: CPU, HasAppetite: true,
			Request: Vector{CPU: 8, Memory: 8 * gi, IOPS: 200, Net: 300 * mbps}, BuiltIn: true},
	}
}

// uniformBasis is the same basis in every dimension.
func uniformBasis(b Basis) [NumDims]Basis {
	var out [NumDims]Basis
	for d := range out {
		out[d] = b
	}
	return out
}
