package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/berth-dev/berth/placement"
	"github.com/berth-dev/berth/scenarios/fleetgen"
)

// FleetOptions chooses the fleets and strategies of `berth bench fleet`.
type FleetOptions struct {
	Sizes      []int    // guests per fleet (default 200, 1,000, 10,000)
	Mixes      []string // fleetgen mixes (default all)
	Seeds      []uint64 // generator seeds (default 1)
	Strategies []string // strategies and baselines (default FleetStrategies)
	// Iterations and Budget ask for the improvement phase after each
	// construction (both 0: construction only), as placement.Options.
	Iterations int
	Budget     time.Duration
	// Seed of the solver (ties, improvement).
	Seed uint64
}

// FleetStrategies are the strategies `berth bench fleet` compares by
// default: placement.Solve's packing strategies in berth's order (hardest
// guest first), and the peers' scorers online in arrival order.
var FleetStrategies = []string{"align", "firstfit", "bestfit", "kube", "nomad", "kube-online", "nomad-online"}

// CheckFleetStrategy reports whether name can be benchmarked on fleets.
func CheckFleetStrategy(name string) error {
	if _, ok := fleetBaselines[name]; ok || slices.Contains(placement.Strategies(), name) {
		return nil
	}
	known := append(placement.Strategies(), "kube-online", "nomad-online")
	slices.Sort(known)
	return fmt.Errorf("unknown strategy %q (known: %s)", name, strings.Join(known, ", "))
}

// FleetMixes names the guest mixes of the generated fleets.
func FleetMixes() []string { return fleetgen.MixNames() }

func (o *FleetOptions) defaults() {
	if len(o.Sizes) == 0 {
		o.Sizes = []int{200, 1000, 10000}
	}
	if len(o.Mixes) == 0 {
		o.Mixes = fleetgen.MixNames()
	}
	if len(o.Seeds) == 0 {
		o.Seeds = []uint64{1}
	}
	if len(o.Strategies) == 0 {
		o.Strategies = FleetStrategies
	}
}

// FleetRow is one strategy on one generated fleet.
type FleetRow struct {
	Fleet      string  `json:"fleet"`
	Mix        string  `json:"mix"`
	Guests     int     `json:"guests"`
	Seed       uint64  `json:"seed"`
	Strategy   string  `json:"strategy"`
	Hosts      int     `json:"hosts"`       // hosts holding a guest
	LowerBound int     `json:"lower_bound"` // placement.LowerBound
	AbovePct   float64 `json:"above_lb_pct"`
	Seconds    float64 `json:"seconds"`
	Unplaced   int     `json:"unplaced"`
	Valid      bool    `json:"valid"` // placement.Check finds nothing broken
}

// RunFleet generates each fleet, packs it with each strategy and returns
// the rows, writing each as a JSON line to jsonl when it is not nil.
func RunFleet(jsonl io.Writer, opt FleetOptions) ([]FleetRow, error) {
	opt.defaults()
	for _, s := range opt.Strategies {
		if err := CheckFleetStrategy(s); err != nil {
			return nil, err
		}
	}
	var rows []FleetRow
	for _, mix := range opt.Mixes {
		for _, n := range opt.Sizes {
			for _, seed := range opt.Seeds {
				f, err := fleetgen.Generate(fleetgen.Options{Guests: n, Mix: mix, Seed: seed})
				if err != nil {
					return rows, err
				}
				p := f.Problem(fleetgen.DefaultPolicy())
				if err := p.Seal(); err != nil {
					return rows, err
				}
				lb := placement.LowerBound(p)
				for _, s := range opt.Strategies {
					r, err := runFleetOne(f, p, s, opt)
					if err != nil {
						return rows, err
					}
					r.Mix, r.Guests, r.Seed, r.LowerBound = mix, n, seed, lb
					r.AbovePct = 100 * float64(r.Hosts-lb) / float64(max(lb, 1))
					rows = append(rows, r)
					if jsonl != nil {
						b, _ := json.Marshal(r)
						if _, err := fmt.Fprintf(jsonl, "%s\n", b); err != nil {
							return rows, err
						}
					}
				}
			}
		}
	}
	return rows, nil
}

func runFleetOne(f *fleetgen.Fleet, p *placement.Problem, strategy string, opt FleetOptions) (FleetRow, error) {
	po := placement.Options{Strategy: strategy, Seed: opt.Seed, Iterations: opt.Iterations, Deadline: opt.Budget}
	start := time.Now()
	var s *placement.Solution
	if score, ok := fleetBaselines[strategy]; ok {
		s = &placement.Solution{Host: onlineFleet(f, score)}
		if po.Iterations > 0 || po.Deadline > 0 {
			po.Strategy = ""
			if po.Deadline > 0 {
				po.Deadline = max(po.Deadline-time.Since(start), time.Nanosecond)
			}
			s = placement.Improve(p, s, po)
		}
	} else {
		var err error
		if s, err = placement.Solve(p, po); err != nil {
			return FleetRow{}, err
		}
	}
	secs := time.Since(start).Seconds()
	r := FleetRow{Fleet: f.Name, Strategy: strategy, Seconds: secs}
	used := make(map[int32]bool)
	for _, h := range s.Host {
		if h == placement.NoHost {
			r.Unplaced++
			continue
		}
		used[h] = true
	}
	r.Hosts = len(used)
	r.Valid = len(placement.Check(p, s)) == 0
	return r, nil
}

// FleetTable writes rows as a markdown table: one line per fleet (mix and
// size, hosts averaged over seeds), per strategy the hosts used, the
// percentage above the lower bound and the seconds, the best in bold.
func FleetTable(w io.Writer, rows []FleetRow) error {
	type key struct {
		mix    string
		guests int
	}
	var keys []key
	var strats []string
	type agg struct {
		hosts, lb, secs float64
		n               int
		bad             bool
	}
	cell := map[key]map[string]*agg{}
	for _, r := range rows {
		k := key{r.Mix, r.Guests}
		if cell[k] == nil {
			cell[k] = map[string]*agg{}
			keys = append(keys, k)
		}
		if !slices.Contains(strats, r.Strategy) {
			strats = append(strats, r.Strategy)
		}
		a := cell[k][r.Strategy]
		if a == nil {
			a = &agg{}
			cell[k][r.Strategy] = a
		}
		a.hosts += float64(r.Hosts)
		a.lb += float64(r.LowerBound)
		a.secs += r.Seconds
		a.n++
		a.bad = a.bad || !r.Valid || r.Unplaced > 0
	}
	var b strings.Builder
	b.WriteString("| fleet | guests | lower bound |")
	for _, s := range strats {
		fmt.Fprintf(&b, " %s |", s)
	}
	b.WriteString("\n|---|---:|---:|")
	for range strats {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for _, k := range keys {
		best := -1.0
		var lb float64
		for _, s := range strats {
			if a := cell[k][s]; a != nil {
				h := a.hosts / float64(a.n)
				lb = a.lb / float64(a.n)
				if !a.bad && (best < 0 || h < best) {
					best = h
				}
			}
		}
		fmt.Fprintf(&b, "| %s | %d | %s |", k.mix, k.guests, num(lb))
		for _, s := range strats {
			a := cell[k][s]
			if a == nil {
				b.WriteString(" |")
				continue
			}
			h := a.hosts / float64(a.n)
			txt := fmt.Sprintf("%s (+%.1f%%, %s s)", num(h), 100*(h-lb)/max(lb, 1), secs(a.secs/float64(a.n)))
			if a.bad {
				txt += " invalid"
			}
			if h == best {
				txt = "**" + num(h) + "**" + txt[len(num(h)):]
			}
			fmt.Fprintf(&b, " %s |", txt)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func num(x float64) string {
	if x == float64(int(x)) {
		return fmt.Sprintf("%d", int(x))
	}
	return fmt.Sprintf("%.1f", x)
}

func secs(x float64) string {
	switch {
	case x < 0.01:
		return fmt.Sprintf("%.4f", x)
	case x < 1:
		return fmt.Sprintf("%.3f", x)
	}
	return fmt.Sprintf("%.2f", x)
}
