package vbp

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRead(t *testing.T) {
	in := `2
10 20
3
1 2 1

3 4 2
10 0 1
`
	got, err := Read("x.vbp", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &Instance{Name: "x.vbp", Dims: 2, Capacity: []int64{10, 20},
		Items: [][]int64{{1, 2}, {3, 4}, {3, 4}, {10, 0}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Read (-want +got):\n%s", diff)
	}
}

func TestReadRejectsMalformed(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "f.vbp: end of file: missing the number of dimensions"},
		{"dims not a number", "x\n", `f.vbp:1: the number of dimensions: "x" is not an integer`},
		{"zero dims", "0\n", "f.vbp:1: number of dimensions 0 out of range"},
		{"short capacity", "2\n10\n", "f.vbp:2: the capacities: got 1 numbers, want 2"},
		{"zero capacity", "2\n10 0\n1\n1 1 1\n", "f.vbp:2: capacity 0 in dimension 2, want > 0"},
		{"missing count", "2\n10 10\n", "f.vbp: end of file: missing the number of item lines"},
		{"negative count", "1\n10\n-1\n", "f.vbp:3: number of item lines -1 out of range"},
		{"too few items", "1\n10\n2\n1 1\n", "f.vbp: end of file: missing item line 2 of 2"},
		{"item too wide", "1\n10\n1\n1 1 1\n", "f.vbp:4: item line 1 of 1: got 3 numbers, want 2"},
		{"item over capacity", "2\n10 10\n1\n3 11 1\n", "f.vbp:4: item size 11 in dimension 2, want 0..10"},
		{"negative size", "1\n10\n1\n-3 1\n", "f.vbp:4: item size -3 in dimension 1"},
		{"negative multiplicity", "1\n10\n1\n3 -1\n", "f.vbp:4: multiplicity -1 out of range"},
		{"trailing item", "1\n10\n1\n3 1\n\n4 1\n", "f.vbp:6: unexpected data after 1 item lines"},
		{"float", "1\n10\n1\n3.5 1\n", `f.vbp:4: item line 1 of 1: "3.5" is not an integer`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read("f.vbp", strings.NewReader(tc.in))
			if err == nil {
				t.Fatalf("Read accepted %q", tc.in)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error = %q, want prefix %q", err, tc.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.File != "f.vbp" {
				t.Errorf("error %v is not a *vbp.Error naming the file", err)
			}
		})
	}
}

func TestReadFileNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.vbp")
	if err := os.WriteFile(path, []byte("1\n10\n1\n11 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":4: ") {
		t.Errorf("ReadFile error = %v, want it to start with %s:4:", err, path)
	}
}

func TestToProblem(t *testing.T) {
	inst := &Instance{Name: "x", Dims: 2, Capacity: []int64{10, 20}, Items: [][]int64{{1, 2}, {3, 4}}}
	p := ToProblem(inst)
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.H() != 0 || p.G() != 2 || len(p.Models) != 1 || p.Models[0].Max != 0 {
		t.Errorf("ToProblem: H=%d G=%d models=%v, want 0 hosts, 2 guests, one unlimited model", p.H(), p.G(), p.Models)
	}
	if diff := cmp.Diff([]float64{1, 2, 3, 4}, p.Demand); diff != "" {
		t.Errorf("Demand (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]float64{10, 20}, p.Models[0].Offered); diff != "" {
		t.Errorf("Offered (-want +got):\n%s", diff)
	}
}

// TestTestdataMatchesOptima reads every instance kept in testdata (and, when
// the shared benchmark folder is there, every instance of both sets) and
// checks the item count against n_items in optima.csv. The Panigrahy
// class-9 files hold one item more than their name says (class9_40_* has
// 41); n_items counts it, and so does the reader, since the file's own
// count line says so.
func TestTestdataMatchesOptima(t *testing.T) {
	check := func(t *testing.T, dir string) {
		optima, err := ReadOptimaFile(filepath.Join(dir, "optima.csv"))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for name, o := range optima {
			inst, err := ReadFile(filepath.Join(dir, o.Instance))
			if err != nil {
				t.Fatal(err)
			}
			if len(inst.Items) != o.Items || inst.Dims != o.Dims {
				t.Errorf("%s: %d items in %d dims, optima.csv says %d in %d", name, len(inst.Items), inst.Dims, o.Items, o.Dims)
			}
			n++
		}
		if n == 0 {
			t.Fatalf("%s: no instances", dir)
		}
	}
	check(t, "testdata/quality")
	if testing.Short() {
		return
	}
	for _, set := range []string{"new", "panigrahy"} {
		dir := filepath.Join("..", "..", "shared", "bench", "vbp", set)
		if _, err := os.Stat(dir); err != nil {
			t.Logf("%s not found, skipped", dir)
			continue
		}
		t.Run(set, func(t *testing.T) { check(t, dir) })
	}
}

func TestReadOptima(t *testing.T) {
	in := "instance,name,dims,n_items,best_known,optimal_known,source,lb,opt_reported,best_heuristic_overall\n" +
		"instances/c/a.vbp,a,3,20,11,yes,src,10,11,12\n" +
		"instances/c/b.vbp,b,3,20,9,no,src,,,\n"
	got, err := ReadOptima("o.csv", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Optimum{
		"a": {Instance: "instances/c/a.vbp", Name: "a", Dims: 3, Items: 20, BestKnown: 11, Optimal: true, LB: 10, BestHeuristic: 12},
		"b": {Instance: "instances/c/b.vbp", Name: "b", Dims: 3, Items: 20, BestKnown: 9},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported()); diff != "" {
		t.Errorf("ReadOptima (-want +got):\n%s", diff)
	}
	if _, err := ReadOptima("o.csv", strings.NewReader("instance,name\nx,y\n")); err == nil {
		t.Error("ReadOptima accepted a file without the needed columns")
	}
	if _, err := ReadOptima("o.csv", strings.NewReader(in+"instances/c/c.vbp,c,x,20,9,no,src,,,\n")); err == nil || !strings.HasPrefix(err.Error(), "o.csv:4:") {
		t.Errorf("bad number: error = %v, want o.csv:4: …", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte("2\n10 20\n3\n1 2 1\n3 4 2\n10 0 1\n"))
	f.Add([]byte("1\n10\n0\n"))
	f.Add([]byte("3\n100 100 100\n1\n1 2 3 4\n"))
	if b, err := os.ReadFile("testdata/quality/new_class1_40_3_6.vbp"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		inst, err := Read("fuzz.vbp", strings.NewReader(string(data)))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != "fuzz.vbp" {
				t.Fatalf("error %v does not name the file", err)
			}
			return
		}
		if inst.Dims < 1 || len(inst.Capacity) != inst.Dims {
			t.Fatalf("accepted %d dims with %d capacities", inst.Dims, len(inst.Capacity))
		}
		for _, it := range inst.Items {
			if len(it) != inst.Dims {
				t.Fatalf("item with %d sizes in %d dims", len(it), inst.Dims)
			}
			for k, w := range it {
				if w < 0 || w > inst.Capacity[k] {
					t.Fatalf("accepted size %d with capacity %d", w, inst.Capacity[k])
				}
			}
		}
		if err := ToProblem(inst).Validate(); err != nil {
			t.Fatalf("ToProblem of an accepted instance is invalid: %v", err)
		}
	})
}
