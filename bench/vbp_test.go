package bench

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/vbp"
	"github.com/google/go-cmp/cmp"
)

// sizes3x3and7x3 is a one-dimensional instance with bins of 10 and items
// 3, 3, 3, 7, 7, 7 in that order: the lower bound is 30/10 = 3 bins.
const sizes3x3and7x3 = "1\n10\n2\n3 3\n7 3\n"

func writeInstance(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBaselines(t *testing.T) {
	inst, err := vbp.Read("mixed.vbp", strings.NewReader(sizes3x3and7x3))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		baseline string
		want     []int
	}{
		// In file order the three 3s fill bin 0 (9 of 10), and no 7 fits
		// beside another: 4 bins.
		{"ff", []int{0, 0, 0, 1, 2, 3}},
		{"nomad-online", []int{0, 0, 0, 1, 2, 3}},
		{"kube-online", []int{0, 0, 0, 1, 2, 3}},
		// Largest first, each 3 joins a 7 (the first bin it fits): 3 bins.
		{"ffd", []int{0, 1, 2, 0, 1, 2}},
	} {
		t.Run(tc.baseline, func(t *testing.T) {
			got := baselines[tc.baseline](inst)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("bins (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckBins(t *testing.T) {
	inst, err := vbp.Read("mixed.vbp", strings.NewReader(sizes3x3and7x3))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		bins  []int
		hosts int
		valid bool
	}{
		{"three full bins", []int{0, 1, 2, 0, 1, 2}, 3, true},
		{"7+7 overflows bin 1", []int{0, 0, 0, 1, 1, 2}, 3, false},
		{"an item left out", []int{0, 1, 2, 0, 1}, 0, false},
		{"an item unplaced", []int{0, 1, 2, 0, 1, -1}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hosts, valid := checkBins(inst, tc.bins)
			if hosts != tc.hosts || valid != tc.valid {
				t.Errorf("checkBins = %d, %v; want %d, %v", hosts, valid, tc.hosts, tc.valid)
			}
		})
	}
}

// TestRunVBP packs a good and a malformed instance: a line per file in
// file order, the bad one with its error (file and line), and a summary
// that counts only the good one and reports the bad one.
func TestRunVBP(t *testing.T) {
	dir := t.TempDir()
	good := writeInstance(t, dir, "a.vbp", sizes3x3and7x3)
	bad := writeInstance(t, dir, "b.vbp", "1\n10\n1\n11 1\n")
	files, err := VBPFiles([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{good, bad}, files); diff != "" {
		t.Fatalf("VBPFiles (-want +got):\n%s", diff)
	}
	var out bytes.Buffer
	sum, err := RunVBP(&out, files, VBPOptions{Strategy: "ffd", Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	var got []VBPResult
	dec := json.NewDecoder(&out)
	for dec.More() {
		var r VBPResult
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		r.Seconds = 0
		got = append(got, r)
	}
	if len(got) != 2 {
		t.Fatalf("%d results, want 2: %+v", len(got), got)
	}
	want := VBPResult{Instance: good, Class: filepath.Base(dir), Dims: 1, Items: 6, Hosts: 3, LowerBound: 3, Strategy: "ffd", Valid: true}
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("good instance (-want +got):\n%s", diff)
	}
	if got[1].Instance != bad || !strings.Contains(got[1].Error, bad+":4:") {
		t.Errorf("bad instance: %+v, want its error naming %s:4", got[1], bad)
	}
	if sum.Instances != 1 || sum.Valid != 1 || sum.Err() == nil || !strings.Contains(sum.Err().Error(), bad) {
		t.Errorf("summary %s (err %v): want 1 instance, 1 valid, the bad file's error", sum, sum.Err())
	}
	if !strings.HasPrefix(sum.String(), "strategy ffd: 1 instances, 1 valid, mean hosts/LB 1.0000") {
		t.Errorf("summary line %q", sum.String())
	}
}

func TestRunVBPUnknownStrategy(t *testing.T) {
	_, err := RunVBP(&bytes.Buffer{}, nil, VBPOptions{Strategy: "nope"})
	if err == nil || !strings.Contains(err.Error(), `unknown strategy "nope"`) || !strings.Contains(err.Error(), "ffd") {
		t.Errorf("err = %v, want the unknown strategy and the valid names", err)
	}
}
