package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/bench"
)

func TestBenchVBP(t *testing.T) {
	dir := t.TempDir()
	// capacity 10; sizes 6,6,4,4 → 2 bins (6+4 twice); LB = 2
	inst := "2\n10 10\n4\n6 4 1\n6 4 1\n4 6 1\n4 6 1\n"
	if err := os.WriteFile(filepath.Join(dir, "a.vbp"), []byte(inst), 0o644); err != nil {
		t.Fatal(err)
	}
	optima := "instance,name,dims,n_items,best_known,optimal_known\na.vbp,a,2,4,2,yes\n"
	if err := os.WriteFile(filepath.Join(dir, "optima.csv"), []byte(optima), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, strategy := range []string{"align", "ff", "ffd", "nomad-online", "kube-online", "firstfit"} {
		for _, budget := range []string{"0", "50ms"} {
			var out, errb bytes.Buffer
			code := run([]string{"bench", "vbp", "--strategy", strategy, "--budget", budget, dir}, nil, &out, &errb)
			if code != 0 {
				t.Fatalf("%s %s: exit %d: %s", strategy, budget, code, errb.String())
			}
			var r bench.VBPResult
			if err := json.Unmarshal(out.Bytes(), &r); err != nil {
				t.Fatalf("%s: %v in %q", strategy, err, out.String())
			}
			if r.Hosts != 2 || !r.Valid || r.LowerBound != 2 || r.Items != 4 || r.Dims != 2 || r.BestKnown != 2 || !r.Optimal {
				t.Errorf("%s %s: %+v, want 2 valid hosts, lower bound 2, optimum 2", strategy, budget, r)
			}
			if !strings.Contains(errb.String(), "1 instances, 1 valid") {
				t.Errorf("summary = %q", errb.String())
			}
		}
	}
}

func TestBenchVBPErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.vbp")
	if err := os.WriteFile(bad, []byte("1\n10\n1\n11 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"bench", "vbp", bad}, nil, &out, &errb); code != exitError {
		t.Errorf("malformed file: exit %d, want %d", code, exitError)
	}
	if !strings.Contains(errb.String(), bad+":4:") {
		t.Errorf("stderr %q does not name the file and line", errb.String())
	}
	errb.Reset()
	if code := run([]string{"bench", "vbp", "--budget", "1s", "--iterations", "5", bad}, nil, &out, &errb); code != exitError {
		t.Errorf("--budget with --iterations: exit %d, want %d", code, exitError)
	}
	errb.Reset()
	good := filepath.Join(dir, "good.vbp")
	os.WriteFile(good, []byte("1\n10\n1\n5 1\n"), 0o644)
	if code := run([]string{"bench", "vbp", "--strategy", "nope", good}, nil, &out, &errb); code != exitError {
		t.Errorf("unknown strategy: exit %d, want %d", code, exitError)
	}
}
