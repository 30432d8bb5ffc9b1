package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestImportRules lists the module's packages as `go build -tags
// libvirt_dlopen` sees them and checks them against MayImport and
// LibvirtFree.
func TestImportRules(t *testing.T) {
	module, pkgs := goList(t)
	if len(pkgs) < 10 {
		t.Fatalf("go list gave %d packages of %s: too few to be the module", len(pkgs), module)
	}
	for _, v := range Violations(module, pkgs) {
		t.Error(v)
	}
}

// TestViolationsCatch feeds Violations made-up packages that break each
// kind of rule, and one that keeps them, so that a rule that stopped
// catching anything would be noticed.
func TestViolationsCatch(t *testing.T) {
	const m = "example.com/berth"
	lv := "libvirt.org/go/libvirt"
	ok := []Package{
		{ImportPath: m + "/placement"},
		{ImportPath: m + "/inventory"},
		{ImportPath: m + "/planner", Imports: []string{m + "/placement", m + "/inventory", "fmt"}, Deps: []string{m + "/placement", m + "/inventory", "fmt"}},
		{ImportPath: m + "/hypervisor", Imports: []string{lv}, Deps: []string{lv}},
		{ImportPath: m + "/tui/pages", Imports: []string{m + "/planner", m + "/tui/styles"}},
		{ImportPath: lv},
	}
	for _, rel := range LibvirtFree {
		if rel != "placement" && rel != "inventory" && rel != "planner" {
			ok = append(ok, Package{ImportPath: m + "/" + rel})
		}
	}
	if v := Violations(m, ok); len(v) != 0 {
		t.Fatalf("packages that keep the rules: %q", v)
	}
	for _, tc := range []struct {
		name   string
		change func([]Package) []Package
		want   []string
	}{
		{"planner imports hypervisor", func(ps []Package) []Package {
			ps[2].Imports = append(ps[2].Imports, m+"/hypervisor")
			ps[2].Deps = append(ps[2].Deps, m+"/hypervisor", lv)
			return ps
		}, []string{
			"planner imports hypervisor, which it may not (it may import: inventory, placement, internal/safefile)",
			"planner links hypervisor, libvirt.org/go/libvirt through hypervisor, but it must build without libvirt",
		}},
		{"placement imports inventory", func(ps []Package) []Package {
			ps[0].Imports = []string{m + "/inventory"}
			return ps
		}, []string{"placement imports inventory, which it may not (it may import: no berth package)"}},
		{"cmd imports placement", func(ps []Package) []Package {
			return append(ps, Package{ImportPath: m + "/cmd/berth", Imports: []string{m + "/planner", m + "/placement"}})
		}, []string{"cmd/berth imports placement, which it may not (it may import: bench, inventory/..., planner/..., scenarios, tui/..., internal/hosturi, internal/safefile)"}},
		{"inventory links libvirt through a third party", func(ps []Package) []Package {
			ps[1].Imports = []string{"example.org/virt"}
			ps[1].Deps = []string{"example.org/virt", lv}
			return append(ps, Package{ImportPath: "example.org/virt", Imports: []string{lv}, Deps: []string{lv}})
		}, []string{"inventory links libvirt.org/go/libvirt through example.org/virt, but it must build without libvirt"}},
		{"tui reaches for apply", func(ps []Package) []Package {
			ps[4].Imports = append(ps[4].Imports, m+"/planner/apply")
			return ps
		}, []string{"tui/pages imports planner/apply, which it may not (it may import: inventory, planner, tui/..., internal/safefile)"}},
		{"a package without a row", func(ps []Package) []Package {
			return append(ps, Package{ImportPath: m + "/history"})
		}, []string{"package history has no row in internal/archtest MayImport: add one saying which berth packages it may import (see shared/DESIGN.md)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := tc.change(clonePackages(ok))
			if diff := cmp.Diff(tc.want, Violations(m, ps)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

func clonePackages(ps []Package) []Package {
	out := make([]Package, len(ps))
	for i, p := range ps {
		out[i] = Package{ImportPath: p.ImportPath, Imports: append([]string(nil), p.Imports...), Deps: append([]string(nil), p.Deps...)}
	}
	return out
}

// goList runs `go list -deps -json` on the whole module from its root and
// returns the module's path and every package listed (the module's and
// their dependencies).
func goList(t *testing.T) (module string, pkgs []Package) {
	t.Helper()
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goCmd); err != nil {
		if goCmd, err = exec.LookPath("go"); err != nil {
			t.Fatal("this test runs `go list`: no go command in GOROOT/bin or on PATH")
		}
	}
	root := moduleRoot(t)
	readSources(t, root)
	cmd := exec.Command(goCmd, "list", "-deps", "-json", "-tags", "libvirt_dlopen", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list in %s: %v\n%s", root, err, stderr.String())
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			Package
			Standard bool
			Module   *struct {
				Path string
				Main bool
			}
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if p.Module != nil && p.Module.Main {
			module = p.Module.Path
		}
		if !p.Standard {
			pkgs = append(pkgs, p.Package)
		}
	}
	if module == "" {
		t.Fatalf("go list in %s listed no package of the main module", root)
	}
	return module, pkgs
}

// readSources reads every Go file and the go.mod of the module. The test
// learns the imports from a go list it runs, and go test's cache does not
// see what a child process reads: without this, a cached pass would hide
// an import added since.
func readSources(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") || path == filepath.Join(root, "go.mod") {
			_, err = os.ReadFile(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// moduleRoot is the directory of the go.mod above the test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir || !strings.HasPrefix(dir, parent) {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
