package main

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/spf13/cast"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// policyFlags override the scenario's policy from the command line,
// environment (BERTH_STRATEGY, …) or config file (strategy: …).
type policyFlags struct{}

// policyAnnotation marks the flags policyFlags defines, so that they can
// be found (Set) without a second list of their names.
const policyAnnotation = "berth/policy"

func (policyFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	had := map[string]bool{}
	fl.VisitAll(func(f *pflag.Flag) { had[f.Name] = true })
	strategyFlag.register(cmd, "", inventory.DefaultPolicy().Strategy, "placement strategy")
	fl.Uint64("seed", 1, "seed for tie-breaking and search; same inputs and seed give the same plan")
	fl.Int("iterations", inventory.DefaultIterations, "improvement steps after construction, the scenario's unless given (0 = construction only; reproducible)")
	fl.Duration("budget", 0, "time for the improvement phase instead of a step count, e.g. 5s (the plan then depends on the machine's speed; 0 = construction only)")
	objectiveFlag.register(cmd, "", string(inventory.DefaultPolicy().Objective), "what to optimise: use leftovers and open the fewest hosts, or balance load")
	fl.Int("failover-hosts", 0, "keep room to restart the guests of any k failed hosts (k)")
	failoverModeFlag.register(cmd, "", string(inventory.DefaultPolicy().FailoverMode), "how to keep the failover room: place so that it holds, or only buy spares and report")
	sameAppetiteFlag.register(cmd, "", string(inventory.DefaultPolicy().SameAppetite.Mode), "same-appetite rule: a score penalty, a limit per host, or none")
	fl.Int("max-per-host", 2, "hard same-appetite limit: guests of one appetite per host")
	shutoffFlag.register(cmd, "", string(inventory.DefaultPolicy().Shutoff), "shut-off guests: charged against their host (they can be started at any time) or not")
	fl.String("overcommit", "", "overcommit ratio, for every dimension (4) or per dimension (cpu=4,memory=1)")
	fl.String("headroom", "", "utilisation target (0–1 or %), for every dimension (0.8) or per dimension (cpu=0.8,memory=90%)")
	fl.VisitAll(func(f *pflag.Flag) { // mark what this function added
		if !had[f.Name] {
			_ = fl.SetAnnotation(f.Name, policyAnnotation, []string{"true"})
		}
	})
}

// Set lists the policy flags given on the command line, by name.
func (policyFlags) Set(cmd *cobra.Command) []string {
	var names []string
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if _, ok := f.Annotations[policyAnnotation]; ok {
			names = append(names, f.Name)
		}
	})
	return names
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// apply returns pol with every knob the user set (flag > env > config)
// applied: the words (strategy, objective, same-appetite mode), the
// counts, the budget, then the per-dimension ratios.
func (policyFlags) apply(a *app, cmd *cobra.Command, pol inventory.Policy) (inventory.Policy, error) {
	for _, step := range []func(*app, *cobra.Command, *inventory.Policy) error{applyWords, applyCounts, applyBudget, applyRatios} {
		if err := step(a, cmd, &pol); err != nil {
			return pol, err
		}
	}
	return pol, nil
}

// applyWords sets the knobs that take a word of a registry (strategy,
// objective, same-appetite mode, the rule for shut-off guests).
func applyWords(a *app, cmd *cobra.Command, pol *inventory.Policy) error {
	for _, k := range []struct {
		flag enumFlag
		set  func(string)
	}{
		{strategyFlag, func(s string) { pol.Strategy = s }},
		{objectiveFlag, func(s string) { pol.Objective = inventory.Objective(s) }},
		{failoverModeFlag, func(s string) { pol.FailoverMode = inventory.FailoverMode(s) }},
		{sameAppetiteFlag, func(s string) { pol.SameAppetite.Mode = inventory.AppetiteMode(s) }},
		{shutoffFlag, func(s string) { pol.Shutoff = inventory.ShutoffRule(s) }},
	} {
		if !a.isSet(cmd, k.flag.name) {
			continue
		}
		w, err := k.flag.value(a)
		if err != nil {
			return a.badValue(cmd, k.flag.name, "%v", err)
		}
		k.set(w)
	}
	return nil
}

// applyCounts sets the seed and the knobs that are counts.
func applyCounts(a *app, cmd *cobra.Command, pol *inventory.Policy) error {
	v := a.v
	if a.isSet(cmd, "seed") {
		// A seed is any uint64; past the largest, say which it is.
		n, err := strconv.ParseUint(strings.TrimSpace(v.GetString("seed")), 10, 64)
		if err != nil {
			return a.badValue(cmd, "seed", "%q: want a whole number from 0 to %d", v.GetString("seed"), uint64(math.MaxUint64))
		}
		pol.Seed = n
	}
	for _, k := range []struct {
		key string
		dst *int
	}{{"iterations", &pol.Iterations}, {"failover-hosts", &pol.FailoverHosts}, {"max-per-host", &pol.SameAppetite.MaxPerHost}} {
		if !a.isSet(cmd, k.key) {
			continue
		}
		n, err := wholeNumber(v.Get(k.key))
		if err != nil || n > math.MaxInt32 {
			return a.badValue(cmd, k.key, "%q: want a whole number ≥ 0", v.GetString(k.key))
		}
		*k.dst = int(n)
	}
	return nil
}

// applyBudget sets the improvement phase's time budget.
func applyBudget(a *app, cmd *cobra.Command, pol *inventory.Policy) error {
	if !a.isSet(cmd, "budget") {
		return nil
	}
	d, err := cast.ToDurationE(a.v.Get("budget"))
	if err != nil || d < 0 {
		return a.badValue(cmd, "budget", "%q: want a duration ≥ 0 such as 5s", a.v.GetString("budget"))
	}
	pol.Budget = d
	if !a.isSet(cmd, "iterations") {
		// A budget replaces the step count: time alone decides how
		// long the search runs (whichever ends first would cut a 5s
		// budget off at the default's 200 steps), and --budget 0
		// asks for the construction alone. With both given, the
		// search stops at whichever comes first.
		pol.Iterations = 0
	}
	return nil
}

// applyRatios sets the per-dimension ratios: one value for every
// dimension, or DIMENSION=VALUE pairs.
func applyRatios(a *app, cmd *cobra.Command, pol *inventory.Policy) error {
	for _, k := range []struct {
		key string
		dst *inventory.Vector
	}{{"overcommit", &pol.Overcommit}, {"headroom", &pol.Headroom}} {
		if !a.isSet(cmd, k.key) {
			continue
		}
		all, pairs, err := ratioSetting(a.v.Get(k.key))
		if err != nil {
			return a.badValue(cmd, k.key, "%v", err)
		}
		if all != "" {
			x, err := parseRatio(all)
			if err != nil {
				return a.badValue(cmd, k.key, "%q: %v", all, err)
			}
			*k.dst = inventory.Uniform(x)
		}
		for _, dim := range sortedKeys(pairs) {
			val := pairs[dim]
			d, ok := inventory.ParseDimension(dim)
			if !ok {
				return a.badValue(cmd, k.key, "%s=%s: unknown dimension %q (want %s)", dim, val, dim, strings.Join(inventory.DimensionNames(), ", "))
			}
			x, err := parseRatio(val)
			if err != nil {
				return a.badValue(cmd, k.key, "%s=%s: %v", dim, val, err)
			}
			k.dst[d] = x
		}
	}
	return nil
}

// wholeNumber reads a count from a flag, an environment variable or the
// config file, refusing what is not a whole number ≥ 0 ("1.5", "abc", -1)
// rather than truncating it.
func wholeNumber(x any) (int64, error) {
	s := strings.TrimSpace(cast.ToString(x))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a whole number ≥ 0: %q", s)
	}
	return n, nil
}

// ratioSetting reads a per-dimension setting from wherever it was given,
// as a scenario's policy reads it: one value for every dimension (all: a
// flag's or variable's "0.8" or "80%", a config's 0.8), or DIMENSION=VALUE
// pairs (a flag's or variable's "cpu=4,memory=2", a config's {cpu: 4}).
func ratioSetting(x any) (all string, pairs map[string]string, err error) {
	const want = "give one value for every dimension (such as 0.8) or DIMENSION=VALUE pairs (such as cpu=0.8,memory=0.9)"
	switch t := x.(type) {
	case map[string]any:
		pairs = map[string]string{}
		for k, v := range t {
			pairs[k] = fmt.Sprint(v)
		}
		return "", pairs, nil
	case map[string]string:
		return "", t, nil
	case int, int64, uint64, float64:
		return fmt.Sprint(t), nil, nil
	case string:
		s := strings.Trim(strings.TrimSpace(t), "[]")
		if s == "" {
			return "", nil, nil
		}
		if !strings.Contains(s, "=") {
			return s, nil, nil
		}
		pairs = map[string]string{}
		for _, part := range strings.Split(s, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok {
				return "", nil, fmt.Errorf("%q: %s, not both", t, want)
			}
			k = strings.TrimSpace(k)
			if _, dup := pairs[k]; dup {
				return "", nil, fmt.Errorf("%q: %s is given twice", t, k)
			}
			pairs[k] = strings.TrimSpace(val)
		}
		return "", pairs, nil
	}
	return "", nil, fmt.Errorf("%v: %s", x, want)
}

// parseRatio reads "4", "0.8" or "80%".
func parseRatio(s string) (float64, error) {
	pct := strings.HasSuffix(s, "%")
	x, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("want a finite number such as 4, 0.8 or 80%%")
	}
	if pct {
		x /= 100
	}
	return x, nil
}
