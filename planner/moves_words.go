package planner

// The words berth's table rendering uses for a plan's moves, for the
// other screens that show them (the explorer's moves tab): one wording
// wherever a plan is read.

// LimitsText says what the schedule keeps to: "at most 1 out and 1 in per
// host at a time · estimated at 10 Gbps · budget 4 migrations".
func (s *MoveSummary) LimitsText() string { return limitsText(s.Limits, s.Goal) }

// BoundsText gives the lower bounds the plan can be judged by and the
// peak host load before and after.
func (s *MoveSummary) BoundsText() string { return boundsText(s) }

// FreedAdvice says what the hosts the moves free are for.
func (s *MoveSummary) FreedAdvice() string { return freedAdvice(s.Goal) }

// Text sums up a maintenance step: "3 migrations in 2 waves (120 GiB,
// about 1m40s)", or "nothing runs there".
func (st MaintenanceStep) Text() string { return stepText(st) }

// WhyText is why a guest cannot move, with the guests it waits on.
func (st StuckGuest) WhyText() string { return stuckWhy(st) }

// BytesText writes an amount of bytes for people: "42 GiB".
func BytesText(b float64) string { return bytesText(b) }
