package bench

import (
	"encoding/json"
	"fmt"
	"io"
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

	"github.com/berth-dev/berth/placement"
	"github.com/berth-dev/berth/vbp"
)

// VBPOptions say how RunVBP packs the instances.
type VBPOptions struct {
	// Strategy is one of Strategies: a strategy of placement.Solve or a
	// baseline.
	Strategy string
	// Budget is the improvement phase's time per instance, construction
	// included (0 = construction only).
	Budget time.Duration
	// Iterations, when > 0, runs that many improvement steps instead of a
	// time budget: reproducible, whatever the machine.
	Iterations int
	// Seed is the improvement phase's.
	Seed uint64
	// Jobs is how many instances are packed at once (0 = GOMAXPROCS).
	Jobs int
}

// placement is the options of placement.Solve and placement.Improve.
func (o VBPOptions) placement() placement.Options {
	opt := placement.Options{Strategy: o.Strategy, Seed: o.Seed}
	if o.Iterations > 0 {
		opt.Iterations = o.Iterations
	} else {
		opt.Deadline = o.Budget
	}
	return opt
}

// Strategies lists what VBPOptions.Strategy may name: placement's
// strategies, then the baselines (ff, ffd, kube-online, nomad-online).
func Strategies() []string {
	return append(placement.Strategies(), slices.Sorted(maps.Keys(baselines))...)
}

// IsBaseline reports whether name is a baseline rather than one of
// placement's strategies. A baseline is measured as it is, so callers run
// it without an improvement phase unless one is asked for.
func IsBaseline(name string) bool {
	_, ok := baselines[name]
	return ok
}

// CheckStrategy refuses a name that is not one of Strategies.
func CheckStrategy(name string) error {
	if !slices.Contains(Strategies(), name) {
		return fmt.Errorf("unknown strategy %q: want one of %s", name, strings.Join(Strategies(), ", "))
	}
	return nil
}

// VBPFiles expands the arguments: files as given, directories searched
// recursively for *.vbp in lexical order.
func VBPFiles(args []string) ([]string, error) {
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

// RunVBP packs every file with opt, opt.Jobs at a time, and writes one
// VBPResult per file to w as a JSON line, in file order. An instance that
// cannot be read or packed is a result with Error set, and the run goes
// on; the summary counts it (VBPSummary.Err). The error is an unknown
// strategy's, or w's.
func RunVBP(w io.Writer, files []string, opt VBPOptions) (*VBPSummary, error) {
	if err := CheckStrategy(opt.Strategy); err != nil {
		return nil, err
	}
	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	cache := &optimaCache{sets: map[string]map[string]vbp.Optimum{}}
	results := make([]*VBPResult, len(files))
	done := make([]chan struct{}, len(files))
	for i := range done {
		done[i] = make(chan struct{})
	}
	work := make(chan int)
	stop := make(chan struct{}) // closed when w fails: no new instances
	for range jobs {
		go func() {
			for i := range work {
				results[i] = packOne(files[i], opt, cache)
				close(done[i])
			}
		}()
	}
	go func() {
		defer close(work)
		for i := range files {
			select {
			case work <- i:
			case <-stop:
				return
			}
		}
	}()
	enc := json.NewEncoder(w)
	sum := &VBPSummary{Strategy: opt.Strategy}
	for i := range files {
		<-done[i]
		if err := enc.Encode(results[i]); err != nil {
			close(stop)
			return nil, err
		}
		sum.add(results[i])
	}
	return sum, nil
}

// packOne reads, packs and checks one instance.
func packOne(file string, opt VBPOptions, cache *optimaCache) *VBPResult {
	r := &VBPResult{Instance: file, Strategy: opt.Strategy, Class: filepath.Base(filepath.Dir(file))}
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
	bins, err := solve(inst, p, opt.Strategy, opt.placement())
	r.Seconds = time.Since(start).Seconds()
	if err != nil {
		r.Error = fmt.Sprintf("%s: %v", file, err)
		return r
	}
	r.Hosts, r.Valid = checkBins(inst, bins)
	return r
}

// optimaCache finds and caches the optima.csv of the benchmark set a file
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
