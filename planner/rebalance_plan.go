package planner

// The parts of the plan document about moving running guests. A plan with
// moves is the same document as any other (DESIGN.md: "a plan is one
// document whatever it does"): its actions gain the kind "move", one per
// live (or offline) migration, in the order they run, and Plan.Moves sums
// them up. Every field here is omitted from plans without moves, so those
// stay byte for byte what they were.

// MoveStep is one migration of an existing guest, from From to the
// action's Host, in wave Wave. Everything apply needs to carry it out is
// here or on the action: the guest (and its UUID when libvirt gave one),
// the two hosts, whether it runs (live migration) or not (offline: define
// on the destination, undefine on the source), and whether its disks are
// copied (Disk > 0: the two hosts do not share storage).
type MoveStep struct {
	From string `json:"from"`
	// Wave numbers the parallel batch, from 1: every migration of wave w
	// starts after every migration of wave w−1 has ended.
	Wave int    `json:"wave"`
	UUID string `json:"uuid,omitempty"`
	// Live: the guest runs, so its memory is copied while it runs; false:
	// it is shut off and moves offline.
	Live bool `json:"live"`
	// Bytes copied: Memory (its memory allocation, when live) plus Disk
	// (its local disks, unless both hosts have storage: shared).
	Memory float64 `json:"memory"`
	Disk   float64 `json:"disk"`
	Bytes  float64 `json:"bytes"`
	// Seconds is Bytes at the plan's bandwidth (an estimate).
	Seconds float64    `json:"seconds"`
	Reason  MoveReason `json:"reason"`
}

// MoveReason is why a guest moves: the kind of move, and the host, rule,
// dimension, group or new guest it is about, with a sentence for people.
type MoveReason struct {
	// Kind: consolidate (empties Host so it can be freed), drain (empties
	// Host, a drained host), balance (lowers Host's utilisation), repair
	// (repairs Rule), failover (restores the failover reserve), room (makes
	// room for new guest Guest on Host), hop (a stop on the way to Host,
	// breaking a cycle).
	Kind string `json:"kind"`
	// Rule (repair): capacity, same-appetite, anti-affinity or affinity.
	Rule      string `json:"rule,omitempty"`
	Host      string `json:"host,omitempty"`
	Dimension string `json:"dimension,omitempty"`
	Group     string `json:"group,omitempty"`
	Guest     string `json:"guest,omitempty"`
	Text      string `json:"text"`
}

// MoveSummary is what a plan's moves do, how they were asked for, and the
// limits they keep. Waves, totals, Freed and the hosts' MovedIn/MovedOut
// follow from the move actions; `berth validate` checks that they do.
type MoveSummary struct {
	// Goal: consolidate, repair, balance, drain, waves (rolling
	// maintenance) or room (berth plan --allow-moves).
	Goal   string     `json:"goal"`
	Limits MoveLimits `json:"limits"`
	// Drain lists the hosts a drain empties.
	Drain []string `json:"drain,omitempty"`
	// Migrations counts the move actions; Guests the guests that end on
	// another host (a hop makes a guest's migrations two).
	Migrations int        `json:"migrations"`
	Guests     int        `json:"guests"`
	Bytes      float64    `json:"bytes"`
	Seconds    float64    `json:"seconds"` // waves run one after the other
	Waves      []WaveView `json:"waves"`
	// Maintenance (waves): the steps of rolling maintenance, each a set of
	// hosts drained together and the migration waves that drain them.
	Maintenance []MaintenanceStep `json:"maintenance,omitempty"`
	// Freed: hosts that run guests before the plan and none after: they
	// can be powered off or reclaimed (consolidate), or serviced (drain).
	Freed []string `json:"freed"`
	// Leaving: the hosts the plan empties on purpose; no guest moves to
	// them and, with a failover reserve, no guest is counted on restarting
	// there.
	Leaving []string `json:"leaving,omitempty"`
	// Stuck: guests the goal wanted moved that stay, and why.
	Stuck []StuckGuest `json:"stuck"`
	// Undrainable (waves): hosts that cannot be drained even alone.
	Undrainable []string `json:"undrainable,omitempty"`
	// Remaining (repair): what the policy still finds wrong after the plan.
	Remaining []string `json:"remaining,omitempty"`
	// PeakBefore and PeakAfter: the most loaded host's dominant
	// utilisation (max over dimensions of load / offered), 0..1 within its
	// offer.
	PeakBefore float64    `json:"peakBefore"`
	PeakAfter  float64    `json:"peakAfter"`
	Bounds     MoveBounds `json:"bounds"`
	// Proven: an exact search showed that no plan reaches this outcome
	// with fewer migrations (small fleets only).
	Proven bool `json:"proven,omitempty"`
	// Without (room): the placement of the demand with nothing moved,
	// for comparison with this plan's.
	Without *WithoutMoves `json:"without,omitempty"`
}

// MoveLimits are the rules the schedule keeps and the figures its
// estimates use.
type MoveLimits struct {
	// MaxOut and MaxIn: migrations a host runs at a time, out of it and
	// into it.
	MaxOut int `json:"maxOut"`
	MaxIn  int `json:"maxIn"`
	// Bandwidth of one migration, bytes per second.
	Bandwidth float64 `json:"bandwidth"`
	// MaxMoves and MaxBytes: the budget (0 = none).
	MaxMoves int     `json:"maxMoves,omitempty"`
	MaxBytes float64 `json:"maxBytes,omitempty"`
	// Failover: the failover reserve (for this many failed hosts) that no
	// step may weaken (0 = not kept; --keep-failover).
	Failover int `json:"failover,omitempty"`
	// MaxHostsPerWave (waves): hosts drained together at most (0 = any).
	MaxHostsPerWave int `json:"maxHostsPerWave,omitempty"`
}

// WaveView is one wave of migrations that run in parallel; it lasts as
// long as its longest migration.
type WaveView struct {
	Wave    int     `json:"wave"`
	Moves   int     `json:"moves"`
	Bytes   float64 `json:"bytes"`
	Seconds float64 `json:"seconds"`
}

// MaintenanceStep is one step of rolling maintenance: Hosts are drained by
// waves FirstWave … FirstWave+Waves−1 (none when they run no guest), then
// serviced, and take guests again from the next step on.
type MaintenanceStep struct {
	Step      int      `json:"step"`
	Hosts     []string `json:"hosts"`
	FirstWave int      `json:"firstWave,omitempty"`
	Waves     int      `json:"waves"`
	Moves     int      `json:"moves"`
	Bytes     float64  `json:"bytes"`
	Seconds   float64  `json:"seconds"`
}

// StuckGuest is a guest the goal wanted moved that the plan leaves where it
// is, with the reasons in the form of an unplaced guest's.
type StuckGuest struct {
	Guest string `json:"guest"`
	Host  string `json:"host"`
	// Kind is the move it needed (drain, repair, …); Why is one of: no host
	// takes it, cycle with no third host, move budget spent, kept,
	// affinity group, failover reserve.
	Kind string `json:"kind"`
	Why  string `json:"why"`
	// Summary and Refusals as for an unplaced guest (Refusals: every
	// host's reasons, nearest first).
	Summary  []string  `json:"summary,omitempty"`
	Refusals []Refusal `json:"refusals,omitempty"`
	// Waiting (cycle): the guests whose moves this one waits on.
	Waiting []string `json:"waiting,omitempty"`
}

// MoveBounds are lower bounds the plan can be judged by: no plan reaching
// the same outcome does better.
type MoveBounds struct {
	Moves      int `json:"moves"`
	HostsInUse int `json:"hostsInUse,omitempty"`
	Waves      int `json:"waves"`
}

// WithoutMoves is the placement of the demand with no running guest moved.
type WithoutMoves struct {
	Placed   int        `json:"placed"`
	Unplaced []string   `json:"unplaced"`
	NewHosts int        `json:"newHosts"`
	Buy      []Purchase `json:"buy"`
}

// Migrations counts the plan's move actions.
func (p *Plan) Migrations() int { return p.countOp(OpMove) }

// goalMet reports whether the moves do all their goal asked (nil: no
// moves asked): a drain empties every drained host, rolling maintenance
// reaches every host, a repair leaves nothing wrong. Consolidation,
// balance and room do what they can and are met by any plan.
func (s *MoveSummary) goalMet() bool {
	if s == nil {
		return true
	}
	switch s.Goal {
	case string(GoalDrain):
		return len(s.Stuck) == 0
	case string(GoalWaves):
		return len(s.Undrainable) == 0
	case string(GoalRepair):
		return len(s.Remaining) == 0
	}
	return true
}
