package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/placement"
	"github.com/berth-dev/berth/vbp"
)

func newBenchCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure berth's packing quality on public benchmark instances",
		Example: `  berth bench vbp ../shared/bench/vbp/new/instances/class1 > class1.jsonl
  make bench-quality    # every strategy on both public sets → docs/benchmarks/quality.md`,
	}
	cmd.AddCommand(newBenchVBPCmd(a))
	return cmd
}

// benchResult is one JSON line of `berth bench vbp`.
type benchResult struct {
	Instance   string  `json:"instance"`
	Class      string  `json:"class,omitempty"`
	Dims       int     `json:"dims"`
	Items      int     `json:"items"`
	Hosts      int     `json:"hosts"`
	LowerBound int     `json:"lower_bound"`
	Seconds    float64 `json:"seconds"`
	Strategy   string  `json:"strategy"`
	Valid      bool    `json:"valid"`
	// From the set's optima.csv, when one is found above the file.
	BestKnown   int    `json:"best_known,omitempty"`
	Optimal     bool   `json:"optimal,omitempty"`
	PublishedLB int    `json:"published_lb,omitempty"`
	Error       string `json:"error,omitempty"`
}

func newBenchVBPCmd(a *app) *cobra.Command {
	var (
		strategy   string
		budget     time.Duration
		iterations int
		seed       uint64
		jobs       int
	)
	cmd := &cobra.Command{
		Use:   "vbp [flags] FILE|DIR...",
		Short: "Pack .vbp vector bin packing instances and report hosts used",
		Long: `Packs each .vbp instance (directories are searched for *.vbp) with one
strategy and prints one JSON line per instance on stdout: instance, dims,
items, hosts (bins used), lower_bound (berth's), seconds, strategy and valid
(from a checker that recomputes every bin's load from the instance). When an
optima.csv is found in a folder above the file, best_known and optimal are
added. A summary goes to stderr.

Strategies: any of placement.Solve's (align, firstfit, bestfit, spread,
nomad, kube) and the baselines ff (first fit in file order), ffd (first-fit
decreasing by normalised size), nomad-online and kube-online (the peers'
scores used online in file order). --budget 0 runs the construction only;
otherwise the improvement phase runs for the budget (or --iterations steps,
which is reproducible). Baselines run without the improvement phase unless
--budget or --iterations is given.`,
		Example: `  berth bench vbp ../shared/bench/vbp/new/instances/class1
  berth bench vbp --strategy ffd --budget 0 instance.vbp
  berth bench vbp --iterations 20000 --seed 7 dir/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if budget < 0 || iterations < 0 {
				return withCode(exitError, errors.New("--budget and --iterations must be ≥ 0"))
			}
			if cmd.Flags().Changed("budget") && cmd.Flags().Changed("iterations") {
				return withCode(exitError, errors.New("give --budget or --iterations, not both"))
			}
			_, baseline := baselines[strategy]
			if !baseline && !slices.Contains(placement.Strategies(), strategy) {
				names := append(placement.Strategies(), slices.Sorted(maps.Keys(baselines))...)
				return withCode(exitError, fmt.Errorf("unknown strategy %q: want one of %s", strategy, strings.Join(names, ", ")))
			}
			// A baseline is measured as it is unless a budget is asked for.
			if baseline && !cmd.Flags().Changed("budget") && !cmd.Flags().Changed("iterations") {
				budget = 0
			}
			files, err := vbpFiles(args)
			if err != nil {
				return err
			}
			opt := placement.Options{Strategy: strategy, Seed: seed}
			if iterations > 0 {
				opt.Iterations = iterations
			} else {
				opt.Deadline = budget
			}
			if jobs <= 0 {
				jobs = runtime.GOMAXPROCS(0)
			}
			return runBenchVBP(a, files, strategy, opt, jobs)
		},
	}
	f := cmd.Flags()
	f.StringVar(&strategy, "strategy", "align", "construction strategy or baseline")
	f.DurationVar(&budget, "budget", time.Second, "improvement time per instance (0 = construction only)")
	f.IntVar(&iterations, "iterations", 0, "improvement steps per instance instead of a time budget (reproducible)")
	f.Uint64Var(&seed, "seed", 1, "seed of the improvement phase")
	f.IntVar(&jobs, "jobs", 0, "instances solved in parallel (default GOMAXPROCS)")
	return cmd
}

// vbpFiles expands the arguments: files as given, directories searched
// recursively for *.vbp in lexical order.
func vbpFiles(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		fi, err := os.Stat(arg)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			files = append(files, arg)
			continue
		}
		var found []string
		err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".vbp") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no .vbp files", arg)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, nil
}

// optimaFor finds and caches the optima.csv of the benchmark set a file
// belongs to (the nearest one in a folder above it).
type optimaCache struct {
	mu   sync.Mutex
	sets map[string]map[string]vbp.Optimum // by folder
}

func (c *optimaCache) lookup(file string) (vbp.Optimum, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	dir := filepath.Dir(file)
	for range 4 {
		if set, ok := c.sets[dir]; ok {
			if set != nil {
				o, ok := set[strings.TrimSuffix(filepath.Base(file), ".vbp")]
				return o, ok
			}
		} else {
			set, err := vbp.ReadOptimaFile(filepath.Join(dir, "optima.csv"))
			if err != nil {
				set = nil
			}
			c.sets[dir] = set
			if set != nil {
				o, ok := set[strings.TrimSuffix(filepath.Base(file), ".vbp")]
				return o, ok
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return vbp.Optimum{}, false
}

func runBenchVBP(a *app, files []string, strategy string, opt placement.Options, jobs int) error {
	cache := &optimaCache{sets: map[string]map[string]vbp.Optimum{}}
	results := make([]*benchResult, len(files))
	done := make([]chan struct{}, len(files))
	for i := range done {
		done[i] = make(chan struct{})
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i] = benchOne(files[i], strategy, opt, cache)
				close(done[i])
			}
		}()
	}
	go func() {
		for i := range files {
			work <- i
		}
		close(work)
	}()
	enc := json.NewEncoder(a.stdout)
	var n, valid, withOpt, atOpt int
	var sumLB, sumOpt, sumSec float64
	var firstErr error
	for i := range files {
		<-done[i]
		r := results[i]
		if err := enc.Encode(r); err != nil {
			return err
		}
		if r.Error != "" {
			if firstErr == nil {
				firstErr = errors.New(r.Error)
			}
			continue
		}
		n++
		sumSec += r.Seconds
		if r.Valid {
			valid++
		}
		if r.LowerBound > 0 {
			sumLB += float64(r.Hosts) / float64(r.LowerBound)
		}
		if r.Optimal && r.BestKnown > 0 {
			withOpt++
			sumOpt += float64(r.Hosts) / float64(r.BestKnown)
			if r.Hosts <= r.BestKnown {
				atOpt++
			}
		}
	}
	wg.Wait()
	fmt.Fprintf(a.stderr, "strategy %s: %d instances, %d valid, mean hosts/LB %.4f", strategy, n, valid, safeDiv(sumLB, n))
	if withOpt > 0 {
		fmt.Fprintf(a.stderr, ", mean hosts/optimum %.4f over %d, %.1f%% at the optimum", sumOpt/float64(withOpt), withOpt, 100*float64(atOpt)/float64(withOpt))
	}
	fmt.Fprintf(a.stderr, ", mean %.3f s\n", safeDiv(sumSec, n))
	if firstErr != nil {
		return withCode(exitError, firstErr)
	}
	if valid < n {
		return withCode(exitError, fmt.Errorf("%d of %d solutions failed the checker", n-valid, n))
	}
	return nil
}

func safeDiv(x float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return x / float64(n)
}

func benchOne(file, strategy string, opt placement.Options, cache *optimaCache) *benchResult {
	r := &benchResult{Instance: file, Strategy: strategy, Class: filepath.Base(filepath.Dir(file))}
	inst, err := vbp.ReadFile(file)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Dims, r.Items = inst.Dims, len(inst.Items)
	if o, ok := cache.lookup(file); ok {
		r.BestKnown, r.Optimal, r.PublishedLB = o.BestKnown, o.Optimal, o.LB
		if o.Items != 0 && o.Items != len(inst.Items) {
			r.Error = fmt.Sprintf("%s: %d items, optima.csv says %d", file, len(inst.Items), o.Items)
			return r
		}
	}
	p := vbp.ToProblem(inst)
	r.LowerBound = placement.LowerBound(p)
	start := time.Now()
	bins, err := benchSolve(inst, p, strategy, opt)
	r.Seconds = time.Since(start).Seconds()
	if err != nil {
		r.Error = fmt.Sprintf("%s: %v", file, err)
		return r
	}
	r.Hosts, r.Valid = checkBins(inst, bins)
	return r
}
