package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/berth-dev/berth/placement"
)

// RebalanceOptions sizes a run of `berth bench rebalance`.
type RebalanceOptions struct {
	// Hosts are the fleet sizes (default 200 and 1,000).
	Hosts []int
	// PerHost is the guests per host the drift ends at (default 8).
	PerHost float64
	// Seeds of the drift generator (default 1).
	Seeds []uint64
	// BalanceUpTo: the hbal-style greedy looks at every guest and host for
	// each move, so balance runs only on fleets up to this many hosts
	// (default 200; < 0 never).
	BalanceUpTo int
}

func (o *RebalanceOptions) defaults() {
	if len(o.Hosts) == 0 {
		o.Hosts = []int{200, 1000}
	}
	if o.PerHost == 0 {
		o.PerHost = 8
	}
	if len(o.Seeds) == 0 {
		o.Seeds = []uint64{1}
	}
	if o.BalanceUpTo == 0 {
		o.BalanceUpTo = 200
	}
}

// RebalanceRow is one method on one drifted fleet: what its plan does and
// how long planning took. Valid is the referee's verdict (CheckMoves, every
// intermediate state) on berth's plans; the baselines give end states
// only, so theirs is nil.
type RebalanceRow struct {
	Fleet      string  `json:"fleet"`
	Hosts      int     `json:"hosts"`
	Guests     int     `json:"guests"`
	Method     string  `json:"method"`
	Budget     int     `json:"budget,omitempty"` // migrations allowed (0 = none)
	HostsAfter int     `json:"hosts_after"`
	Freed      int     `json:"freed"`
	Migrations int     `json:"migrations"`
	GiB        float64 `json:"gib"`
	Waves      int     `json:"waves,omitempty"`
	Peak       float64 `json:"peak,omitempty"` // balance: the most loaded host after
	Seconds    float64 `json:"seconds"`        // planning, wall clock
	HostsLB    int     `json:"hosts_lb,omitempty"`
	MovesLB    int     `json:"moves_lb,omitempty"`
	WavesLB    int     `json:"waves_lb,omitempty"`
	Valid      *bool   `json:"valid,omitempty"`
}

// RunRebalance plans each drifted fleet with berth's engine and the
// baselines named after what they imitate — consolidation against the
// Watcher-style baseline (without a budget and with 10% of the guests as
// one), balance against the hbal-style greedy, and rolling maintenance
// (at most a twentieth of the hosts per step) against its lower bound —
// writing one JSON line per row to w. It returns the rows, and an error
// when a plan of berth's fails the referee.
func RunRebalance(w io.Writer, opt RebalanceOptions) ([]RebalanceRow, error) {
	opt.defaults()
	var rows []RebalanceRow
	var bad []string
	enc := json.NewEncoder(w)
	emit := func(r RebalanceRow) error {
		r.GiB, r.Peak, r.Seconds = round3(r.GiB), round3(r.Peak), round3(r.Seconds)
		rows = append(rows, r)
		if r.Valid != nil && !*r.Valid {
			bad = append(bad, r.Fleet+" "+r.Method)
		}
		return enc.Encode(r)
	}
	for _, n := range opt.Hosts {
		for _, seed := range opt.Seeds {
			mp := DriftedFleet(n, opt.PerHost, seed)
			base := RebalanceRow{Fleet: fmt.Sprintf("drift-%dh-s%d", n, seed), Hosts: n, Guests: mp.E()}
			for _, r := range fleetRows(mp, base, n <= opt.BalanceUpTo) {
				if err := emit(r); err != nil {
					return rows, err
				}
			}
		}
	}
	if len(bad) > 0 {
		return rows, fmt.Errorf("the referee found a broken step in: %s", strings.Join(bad, ", "))
	}
	return rows, nil
}

// fleetRows runs every method on one fleet.
func fleetRows(mp *placement.MoveProblem, base RebalanceRow, balance bool) []RebalanceRow {
	inUse := hostsInUse(mp)
	budget := mp.E() / 10
	var rows []RebalanceRow
	berth := func(method string, goal placement.Goal, opt placement.MoveOptions) RebalanceRow {
		r := base
		r.Method, r.Budget = method, opt.MaxMoves
		start := time.Now()
		pl, err := placement.Rebalance(mp, goal, opt)
		r.Seconds = time.Since(start).Seconds()
		ok := err == nil && len(placement.CheckMoves(mp, opt, pl)) == 0
		r.Valid = &ok
		if err != nil {
			return r
		}
		r.HostsAfter, r.Freed, r.Migrations, r.GiB = inUse-len(pl.Freed), len(pl.Freed), len(pl.Moves), pl.Bytes/(1<<30)
		r.Waves, r.Peak = len(pl.Waves), pl.PeakAfter
		r.HostsLB, r.MovesLB, r.WavesLB = pl.Bounds.HostsInUse, pl.Bounds.Moves, pl.Bounds.Waves
		return r
	}
	baseline := func(method string, maxMoves int, f func(*placement.MoveProblem, int) BaselineResult) RebalanceRow {
		r := base
		r.Method, r.Budget = method, maxMoves
		start := time.Now()
		res := f(mp, maxMoves)
		r.Seconds = time.Since(start).Seconds()
		r.HostsAfter, r.Freed, r.Migrations, r.GiB, r.Peak = inUse-res.Freed, res.Freed, res.Moves, res.Bytes/(1<<30), res.Peak
		return r
	}
	rows = append(rows,
		berth("berth-consolidate", placement.GoalConsolidate, placement.MoveOptions{Seed: 1}),
		baseline("watcher", 0, WatcherConsolidate),
		berth("berth-consolidate", placement.GoalConsolidate, placement.MoveOptions{Seed: 1, MaxMoves: budget}),
		baseline("watcher", budget, WatcherConsolidate),
	)
	if balance {
		b := berth("berth-balance", placement.GoalBalance, placement.MoveOptions{Seed: 1})
		h := baseline("hbal", 0, HbalGreedy)
		b.Freed, b.HostsAfter = 0, inUse
		h.Freed, h.HostsAfter = 0, inUse
		rows = append(rows, b, h)
	}
	return append(rows, wavesRow(mp, base, inUse))
}

// wavesRow plans rolling maintenance with at most a twentieth of the hosts
// per step, every step's drain checked by the referee.
func wavesRow(mp *placement.MoveProblem, base RebalanceRow, inUse int) RebalanceRow {
	r := base
	r.Method, r.HostsAfter = "berth-waves", inUse
	start := time.Now()
	pl, err := placement.PlanWaves(mp, placement.WaveOptions{MaxHostsPerWave: max(1, mp.P.H()/20), Move: placement.MoveOptions{Seed: 1}})
	r.Seconds = time.Since(start).Seconds()
	ok := err == nil
	if err == nil {
		for i := range pl.Waves {
			w := &pl.Waves[i]
			ok = ok && len(placement.CheckMoves(mp.WaveProblem(w), placement.MoveOptions{}, w.Drain)) == 0
			r.Migrations += len(w.Drain.Moves)
			r.GiB += w.Drain.Bytes / (1 << 30)
		}
		r.Waves, r.WavesLB = len(pl.Waves), pl.LowerBound
	}
	r.Valid = &ok
	return r
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func hostsInUse(mp *placement.MoveProblem) int {
	used := map[int32]bool{}
	for _, h := range mp.P.ExistingHost {
		used[h] = true
	}
	return len(used)
}

// RebalanceSummary writes the rows as a table for people.
func RebalanceSummary(w io.Writer, rows []RebalanceRow) error {
	if len(rows) == 0 {
		return errors.New("no fleet was planned")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "fleet\tguests\tmethod\tbudget\thosts after\tmigrations\tGiB\twaves\tpeak\tseconds\thosts lb\tmoves lb\twaves lb\tvalid\t")
	for _, r := range rows {
		valid := "-"
		if r.Valid != nil {
			valid = fmt.Sprint(*r.Valid)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%d\t%.0f\t%s\t%s\t%.2f\t%s\t%s\t%s\t%s\t\n",
			r.Fleet, r.Guests, r.Method, orDash(r.Budget), r.HostsAfter, r.Migrations, r.GiB, orDash(r.Waves),
			peakText(r.Peak), r.Seconds, orDash(r.HostsLB), orDash(r.MovesLB), orDash(r.WavesLB), valid)
	}
	return tw.Flush()
}

func orDash(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func peakText(p float64) string {
	if p == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", p)
}
