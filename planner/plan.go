// Package planner turns an inventory, a demand and a policy into a Plan: it
// builds the dense placement problem, runs package placement, and describes
// the result in the fleet's own words (hosts, guests, actions, reasons). It
// also reads and writes plan files and renders them for people and scripts.
// Carrying a plan out on the hosts is package planner/apply's job: planner
// itself never talks to libvirt.
package planner

import "github.com/berth-dev/berth/inventory"

// PlanAPIVersion versions the plan document; readers refuse other versions.
const (
	PlanAPIVersion = "berth/v1"
	PlanKind       = "Plan"
)

// Plan is berth's answer for one scenario: where every new guest goes, what
// must be bought, what could not be placed and why, and how the fleet looks
// before and after. It is deterministic: the same inputs and seed give the
// same bytes, so it carries no timestamps.
type Plan struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	// ID names the plan by its inputs and decisions (12 hex digits).
	ID string `json:"id"`
	// Checksum guards a plan file: the sha256 of the document with an empty
	// Checksum, set when the plan is written and verified when it is read,
	// so an edited or damaged plan is never applied. Empty in memory.
	Checksum string `json:"checksum,omitempty"`
	Scenario string `json:"scenario"`
	Source   string `json:"source"`
	// Fingerprint is a sha256 over the inputs that decided the plan (hosts,
	// their guests' allocations, demand, profiles, groups, policy, edits).
	Fingerprint string     `json:"fingerprint"`
	Policy      PolicyView `json:"policy"`
	Edits       Edits      `json:"edits"`

	Groups   []GroupView `json:"groups"`
	Hosts    []HostPlan  `json:"hosts"`
	Actions  []Action    `json:"actions"`
	Buy      []Purchase  `json:"buy"`
	Unplaced []Unplaced  `json:"unplaced"`
	Metrics  Metrics     `json:"metrics"`
	Warnings []string    `json:"warnings"`
	// Moves sums up the plan's migrations of running guests (move actions)
	// and what they achieve; nil when the plan moves nothing and was not
	// asked to (see rebalance_plan.go).
	Moves *MoveSummary `json:"moves,omitempty"`
}

// PolicyView is the effective policy written into a plan, in plain words.
type PolicyView struct {
	Objective    string           `json:"objective"`
	Strategy     string           `json:"strategy"`
	Seed         uint64           `json:"seed"`
	Iterations   int              `json:"iterations"`
	Budget       string           `json:"budget,omitempty"`
	Overcommit   inventory.Vector `json:"overcommit"`
	Headroom     inventory.Vector `json:"headroom"`
	Overhead     inventory.Vector `json:"overhead"`
	Basis        []string         `json:"basis"`
	SafetyFactor float64          `json:"safetyFactor"`
	// Shutoff is the rule for shut-off guests: count or ignore ("" in
	// plans made before the rule existed reads as count).
	Shutoff       string  `json:"shutoff,omitempty"`
	SameAppetite  string  `json:"sameAppetite"`
	MaxPerHost    int     `json:"maxPerHost"`
	Penalty       float64 `json:"penalty"`
	FailoverHosts int     `json:"failoverHosts"`
	// FailoverMode is "check" when the reserve was only checked; left out
	// for "reserve", the default.
	FailoverMode string `json:"failoverMode,omitempty"`
}

// Edits are an operator's changes on top of the scenario (from the TUI or
// `berth plan --pin/--exclude`). A plan records them so that the same plan
// can be produced again.
type Edits struct {
	// Pins maps a guest (new or extra) to the host it must go on.
	Pins []Pin `json:"pins"`
	// Excluded hosts take no new guests (maintenance).
	Excluded []string `json:"excluded"`
	// Demand added on top of the scenario's.
	Demand []DemandEdit `json:"demand"`
	// Keep lists running guests that must not move.
	Keep []string `json:"keep,omitempty"`
}

// Pin fixes one guest on one host.
type Pin struct {
	Guest string `json:"guest"`
	Host  string `json:"host"`
}

// DemandEdit is extra demand: Count guests of Profile named Name-1…Name-N.
type DemandEdit struct {
	Name    string `json:"name"`
	Profile string `json:"profile"`
	Count   int    `json:"count"`
	Group   string `json:"group,omitempty"`
}

// GroupView records a group's rule, so a plan can be checked on its own.
type GroupView struct {
	Name     string `json:"name"`
	Scope    string `json:"scope"`
	Together bool   `json:"together,omitempty"`
}

// HostPlan is one host before and after the plan.
type HostPlan struct {
	Name   string            `json:"name"`
	URI    string            `json:"uri,omitempty"` // password masked
	Rack   string            `json:"rack,omitempty"`
	Zone   string            `json:"zone,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
	// New hosts are bought from Model.
	New   bool   `json:"new,omitempty"`
	Model string `json:"model,omitempty"`
	// Spare hosts are bought empty, to keep room for the guests of failed
	// hosts (policy failoverHosts).
	Spare    bool `json:"spare,omitempty"`
	Excluded bool `json:"excluded,omitempty"`
	// Offered is the capacity offered to guests after reservation,
	// overcommit and headroom; Before/After the planned load (with
	// virtualisation overhead), all in base units.
	Offered inventory.Vector `json:"offered"`
	Before  inventory.Vector `json:"before"`
	After   inventory.Vector `json:"after"`
	// Existing guests (on the host before the plan; those in MovedOut
	// leave it), and new guests placed here, by name.
	Existing []string `json:"existing"`
	Placed   []string `json:"placed"`
	// ShutOff are the existing guests that are shut off (a part of
	// Existing): charged or not by the policy's shutoff rule.
	ShutOff []string `json:"shutOff,omitempty"`
	// Fingerprint of what apply must find unchanged on the host: its
	// capacity and its guests with their allocations.
	Fingerprint string `json:"fingerprint"`
	// In plans with moves: whether the host's guests' disks are on storage
	// other hosts share ("shared") or copied by a migration ("local"), and
	// the guests that end here from elsewhere (MovedIn) or leave (MovedOut,
	// a part of Existing).
	Storage  string   `json:"storage,omitempty"`
	MovedIn  []string `json:"movedIn,omitempty"`
	MovedOut []string `json:"movedOut,omitempty"`
	// Removed are the guests the plan removes from the host (a part of
	// Existing): running guests beyond their demand entry's count.
	Removed []string `json:"removed,omitempty"`
}

// ActionOp is what apply does for one guest.
type ActionOp string

const (
	OpCreate ActionOp = "create" // define (and start) a new guest
	OpKeep   ActionOp = "keep"   // an existing guest stays where it is
	OpMove   ActionOp = "move"   // migrate an existing guest from Move.From to Host
	// OpRemove removes a running guest berth made from a demand entry whose
	// count is now lower (stop, then undefine; apply needs --allow-removals).
	OpRemove ActionOp = "remove"
)

// Action is one step of the plan.
type Action struct {
	Op      ActionOp `json:"op"`
	Guest   string   `json:"guest"`
	Host    string   `json:"host"`
	Profile string   `json:"profile,omitempty"`
	Group   string   `json:"group,omitempty"`
	// Allocation is what the guest is given (vCPUs, memory…); Demand what the
	// plan budgets for it (allocation or observed basis, plus overhead).
	Allocation inventory.Vector `json:"allocation"`
	Demand     inventory.Vector `json:"demand"`
	Pinned     bool             `json:"pinned,omitempty"`
	// Score holds the terms that chose the host (create only).
	Score *Score `json:"score,omitempty"`
	// Move is one migration (move only): a guest that moves more than
	// once (a hop that breaks a cycle) has one move action per migration.
	Move *MoveStep `json:"move,omitempty"`
}

// Score is why a host won a guest (see placement.Terms).
type Score struct {
	Align    float64 `json:"align"`
	Fill     float64 `json:"fill"`
	Stranded float64 `json:"stranded"`
	Appetite float64 `json:"appetite"`
	Opens    bool    `json:"opens,omitempty"`
	Total    float64 `json:"total"`
}

// Purchase is how many hosts of one model must be bought.
type Purchase struct {
	Model string   `json:"model"`
	Count int      `json:"count"`
	Hosts []string `json:"hosts"`
}

// Unplaced is a demanded guest that fits nowhere, with the reasons.
type Unplaced struct {
	Guest   string           `json:"guest"`
	Profile string           `json:"profile"`
	Group   string           `json:"group,omitempty"`
	Demand  inventory.Vector `json:"demand"`
	// Summary is the reasons aggregated for people, one line per cause.
	Summary []string `json:"summary"`
	// Refusals is every host's every reason, nearest host first; on fleets
	// of more than 500 hosts only the 100 nearest hosts' reasons are listed
	// and RefusalsOmitted counts the rest (Summary always counts them all).
	Refusals        []Refusal `json:"refusals"`
	RefusalsOmitted int       `json:"refusalsOmitted,omitempty"`
	// Nearest is the smallest change that would make it fit, if found.
	Nearest *Nearest `json:"nearest,omitempty"`
	// FitsAfterMoving, when set, is a re-arrangement that makes room: the
	// fleet has the capacity, its arrangement does not (explain_moves.go).
	FitsAfterMoving *Rearrangement `json:"fitsAfterMoving,omitempty"`
}

// Refusal is one reason one host refused one guest.
type Refusal struct {
	Host      string  `json:"host"`
	Rule      string  `json:"rule"`
	Dimension string  `json:"dimension,omitempty"`
	Group     string  `json:"group,omitempty"`
	Requested float64 `json:"requested,omitempty"`
	Free      float64 `json:"free,omitempty"`
}

// Nearest is the host that is short by the least, and by how much.
type Nearest struct {
	Host  string           `json:"host"`
	Short inventory.Vector `json:"short"`
	Hint  string           `json:"hint"`
}

// Metrics are the fleet-level numbers of a plan.
type Metrics struct {
	Hosts       int `json:"hosts"`       // existing hosts
	HostsBefore int `json:"hostsBefore"` // in use before the plan
	HostsUsed   int `json:"hostsUsed"`   // in use after (existing + bought)
	NewHosts    int `json:"newHosts"`
	LowerBound  int `json:"lowerBound"` // no plan can use fewer hosts than this
	Guests      int `json:"guests"`     // new guests demanded
	Placed      int `json:"placed"`
	Unplaced    int `json:"unplaced"`
	// Running counts the demanded guests that run already (kept, not
	// created again); Removed the running guests beyond their demand
	// entry's count that the plan removes.
	Running int `json:"running,omitempty"`
	Removed int `json:"removed,omitempty"`
	// Utilisation per dimension over hosts in use (0..1), before and after.
	UtilisationBefore inventory.Vector `json:"utilisationBefore"`
	Utilisation       inventory.Vector `json:"utilisation"`
	// Stranded capacity per dimension (base units) and balance (std-dev of
	// per-host mean utilisation; lower is more even).
	Stranded inventory.Vector `json:"stranded"`
	Balance  float64          `json:"balance"`
	// AppetiteStacked counts pairs of same-appetite guests sharing a host.
	AppetiteStacked int          `json:"appetiteStacked"`
	Violations      int          `json:"violations"`
	Failover        FailoverView `json:"failover"`
}

// FailoverView reports whether the guests of any K failed hosts can be
// restarted elsewhere.
type FailoverView struct {
	K           int      `json:"k"`
	Holds       bool     `json:"holds"`
	FailedHosts []string `json:"failedHosts,omitempty"`
	Homeless    int      `json:"homeless,omitempty"`
	// Losses lists, when it does not hold, every set of failed hosts that
	// leaves guests without room and those guests (failover_view.go).
	Losses []FailoverLoss `json:"losses,omitempty"`
}

// Creates counts the plan's create actions.
func (p *Plan) Creates() int { return p.countOp(OpCreate) }

// Removals counts the plan's remove actions.
func (p *Plan) Removals() int { return p.countOp(OpRemove) }

// countOp counts the plan's actions of one kind.
func (p *Plan) countOp(op ActionOp) int {
	n := 0
	for _, a := range p.Actions {
		if a.Op == op {
			n++
		}
	}
	return n
}

// Changes counts what applying the plan changes on the hosts: guests
// created, migrations and guests removed. A plan with none has nothing to
// do (exit code 0 with --detailed-exitcode).
func (p *Plan) Changes() int {
	return p.Creates() + p.Migrations() + p.Removals()
}

// Complete reports whether everything was placed and the failover check
// holds (exit code 0 rather than 3).
func (p *Plan) Complete() bool {
	return len(p.Unplaced) == 0 && p.Metrics.Failover.Holds && p.Metrics.Violations == 0 && p.Moves.goalMet()
}
