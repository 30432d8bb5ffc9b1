package vbp

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Optimum is one row of a benchmark set's optima.csv.
type Optimum struct {
	Instance      string // path relative to the set's folder
	Name          string
	Dims          int
	Items         int  // the true item count (n_items)
	BestKnown     int  // best known number of bins
	Optimal       bool // BestKnown is a proven optimum
	LB            int  // a published lower bound (0 = none)
	BestHeuristic int  // best of all published heuristics (0 = none)
}

// ReadOptimaFile reads an optima.csv file, keyed by instance name.
func ReadOptimaFile(path string) (map[string]Optimum, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadOptima(path, f)
}

// ReadOptima reads optima.csv rows (header: instance, name, dims, n_items,
// best_known, optimal_known, source, lb, opt_reported,
// best_heuristic_overall), keyed by name. Empty numeric fields read as 0.
func ReadOptima(file string, r io.Reader) (map[string]Optimum, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", file, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{"instance", "name", "dims", "n_items", "best_known", "optimal_known"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s:1: missing column %q", file, need)
		}
	}
	out := map[string]Optimum{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, line, err)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		num := func(name string) (int, error) {
			s := get(name)
			if s == "" {
				return 0, nil
			}
			v, err := strconv.Atoi(s)
			if err != nil {
				return 0, fmt.Errorf("%s:%d: column %s: %q is not an integer", file, line, name, s)
			}
			return v, nil
		}
		o := Optimum{Instance: get("instance"), Name: get("name"), Optimal: get("optimal_known") == "yes"}
		for _, f := range []struct {
			name string
			dst  *int
		}{{"dims", &o.Dims}, {"n_items", &o.Items}, {"best_known", &o.BestKnown}, {"lb", &o.LB}, {"best_heuristic_overall", &o.BestHeuristic}} {
			if *f.dst, err = num(f.name); err != nil {
				return nil, err
			}
		}
		out[o.Name] = o
	}
}
