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
)

// policyFlags override the scenario's policy from the command line,
// environment (BERTH_STRATEGY, …) or config file (strategy: …).
type policyFlags struct{}

func (policyFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.String("strategy", "align", "placement strategy: align, firstfit, bestfit, spread, nomad, kube")
	fl.Uint64("seed", 1, "seed for tie-breaking and search; same inputs and seed give the same plan")
	fl.Int("iterations", inventory.DefaultIterations, "improvement steps after construction, the scenario's unless given (0 = construction only; reproducible)")
	fl.Duration("budget", 0, "time for the improvement phase instead of a step count, e.g. 5s (the plan then depends on the machine's speed; 0 = construction only)")
	fl.String("objective", "pack", "pack (use leftovers, open fewest hosts) or spread (balance load)")
	fl.Int("failover-hosts", 0, "keep room to restart the guests of any k failed hosts (k)")
	fl.String("same-appetite", "soft", "same-appetite rule: soft (penalty), hard (limit per host) or off")
	fl.Int("max-per-host", 2, "hard same-appetite limit: guests of one appetite per host")
	fl.String("overcommit", "", "overcommit ratio per dimension, e.g. cpu=4,memory=1")
	fl.String("headroom", "", "utilisation target per dimension (0–1 or %), e.g. cpu=0.8")
	_ = cmd.RegisterFlagCompletionFunc("strategy", cobra.FixedCompletions(
		[]string{"align", "firstfit", "bestfit", "spread", "nomad", "kube"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("objective", cobra.FixedCompletions([]string{"pack", "spread"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("same-appetite", cobra.FixedCompletions([]string{"soft", "hard", "off"}, cobra.ShellCompDirectiveNoFileComp))
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// apply returns pol with every knob the user set (flag > env > config)
// applied.
func (policyFlags) apply(a *app, cmd *cobra.Command, pol inventory.Policy) (inventory.Policy, error) {
	v := a.v
	if a.isSet(cmd, "strategy") {
		pol.Strategy = v.GetString("strategy")
	}
	if a.isSet(cmd, "seed") {
		n, err := wholeNumber(v.Get("seed"))
		if err != nil {
			return pol, fmt.Errorf("seed %q: want a whole number ≥ 0", v.GetString("seed"))
		}
		pol.Seed = uint64(n)
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
			return pol, fmt.Errorf("%s %q: want a whole number ≥ 0", k.key, v.GetString(k.key))
		}
		*k.dst = int(n)
	}
	if a.isSet(cmd, "budget") {
		d, err := cast.ToDurationE(v.Get("budget"))
		if err != nil || d < 0 {
			return pol, fmt.Errorf("budget %q: want a duration ≥ 0 such as 5s", v.GetString("budget"))
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
	}
	if a.isSet(cmd, "objective") {
		switch o := inventory.Objective(v.GetString("objective")); o {
		case inventory.ObjectivePack, inventory.ObjectiveSpread:
			pol.Objective = o
		default:
			return pol, fmt.Errorf("objective %q: want pack or spread", o)
		}
	}
	if a.isSet(cmd, "same-appetite") {
		switch m := inventory.AppetiteMode(v.GetString("same-appetite")); m {
		case inventory.AppetiteSoft, inventory.AppetiteHard, inventory.AppetiteOff:
			pol.SameAppetite.Mode = m
		default:
			return pol, fmt.Errorf("same-appetite %q: want soft, hard or off", m)
		}
	}
	for _, k := range []struct {
		key string
		dst *inventory.Vector
	}{{"overcommit", &pol.Overcommit}, {"headroom", &pol.Headroom}} {
		if !a.isSet(cmd, k.key) {
			continue
		}
		pairs, err := ratioPairs(v.Get(k.key))
		if err != nil {
			return pol, fmt.Errorf("%s: %v", k.key, err)
		}
		for _, dim := range sortedKeys(pairs) {
			val := pairs[dim]
			d, ok := inventory.ParseDimension(dim)
			if !ok {
				return pol, fmt.Errorf("%s %s=%s: unknown dimension %q (want %s)", k.key, dim, val, dim, strings.Join(inventory.DimensionNames(), ", "))
			}
			x, err := parseRatio(val)
			if err != nil {
				return pol, fmt.Errorf("%s %s=%s: %v", k.key, dim, val, err)
			}
			k.dst[d] = x
		}
	}
	return pol, nil
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

// ratioPairs reads a per-dimension setting from wherever it was given: a
// flag ("[cpu=4,memory=2]" from pflag), an environment variable
// ("cpu=4,memory=2") or a config map ({cpu: 4}).
func ratioPairs(x any) (map[string]string, error) {
	switch t := x.(type) {
	case map[string]any:
		out := map[string]string{}
		for k, v := range t {
			out[k] = fmt.Sprint(v)
		}
		return out, nil
	case map[string]string:
		return t, nil
	case string:
		out := map[string]string{}
		s := strings.Trim(strings.TrimSpace(t), "[]")
		if s == "" {
			return out, nil
		}
		for _, part := range strings.Split(s, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok {
				return nil, fmt.Errorf("%q: want DIMENSION=VALUE pairs such as cpu=4,memory=1", t)
			}
			k = strings.TrimSpace(k)
			if _, dup := out[k]; dup {
				return nil, fmt.Errorf("%q: %s is given twice", t, k)
			}
			out[k] = strings.TrimSpace(val)
		}
		return out, nil
	}
	return nil, fmt.Errorf("want DIMENSION=VALUE pairs such as cpu=4,memory=1, got %v", x)
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
