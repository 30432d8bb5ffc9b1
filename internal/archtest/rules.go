// Package archtest pins the map of shared/DESIGN.md: which berth packages
// each package may import, and which must build without libvirt. Its test
// lists the module's packages with `go list` and fails on any import the
// rules below do not allow, so that an upward import is caught when it is
// written, not when the layers have grown into each other.
//
// Only a package's own (non-test) imports are checked: tests may import
// what they need to drive the real thing (hypervisor/hvtest, a real
// libvirtd).
//
// A new package needs a row in MayImport, saying what it may import and
// why; the test names it until it has one.
package archtest

import (
	"fmt"
	"slices"
	"strings"
)

// MayImport lists, per package (its path inside the module), the berth
// packages it may import directly. A key or an entry ending in "/..."
// covers a package and everything under it; an exact key wins over a
// "/..." one. Imports point down:
//
//	cmd/berth ──► tui ──► planner ──► placement   (pure: imports nothing of berth)
//	    │                    │
//	    ├──► planner/apply ──► planner, inventory/live ──► hypervisor
//	    ├──► bench ──► vbp ──► placement
//	    └──► inventory, scenarios
var MayImport = map[string][]string{
	// The packing algorithms: pure, no I/O, nothing of berth.
	"placement": nil,
	// Public .vbp instances as placement problems, and the harness that
	// packs them (berth bench).
	"vbp":   {"placement"},
	"bench": {"placement", "vbp", "scenarios/fleetgen"},
	// Generated web/db/cache fleets as placement problems (berth bench
	// fleet, tests).
	"scenarios/fleetgen": {"placement"},

	// Everything that talks to libvirt.
	"hypervisor":        {"internal/hosturi"},
	"hypervisor/hvtest": {"hypervisor"},

	// The fleet as data knows no planning and no libvirt; the live reader
	// turns libvirt's facts into it.
	"inventory":      {"internal/hosturi"},
	"inventory/live": {"inventory", "hypervisor", "internal/hosturi"},
	// Load history from Prometheus: the fleet model and HTTP, no libvirt;
	// its test kit starts Prometheus and the exporter for tests only.
	"inventory/history":          {"inventory"},
	"inventory/history/promtest": {"inventory/history", "hypervisor", "hypervisor/hvtest"},
	"scenarios":                  {"inventory"},

	// The planner knows no flags, screens or libvirt; apply is the one
	// part of planning that changes hosts.
	"planner":       {"inventory", "placement", "internal/safefile"},
	"planner/apply": {"planner", "inventory", "inventory/live", "hypervisor", "internal/safefile", "internal/hosturi"},
	// The HTML report and the CI rules read a finished plan; extra is
	// the one place that knows the plan fields they read by name.
	"planner/report":       {"inventory", "planner", "planner/report/extra"},
	"planner/report/extra": {"inventory", "planner"},
	"planner/check":        {"inventory", "planner", "planner/report/extra"},

	// The explorer reaches hosts only through the planner. Its apply
	// display shows apply's progress events, so it alone may import
	// planner/apply.
	"tui/...":       {"inventory", "planner", "tui/...", "internal/safefile"},
	"tui/applyview": {"inventory", "planner", "planner/apply", "tui/...", "internal/safefile"},

	// The command line wires the layers together; it reaches the
	// algorithms through planner and bench, and libvirt through
	// inventory/live and planner/apply, never placement or hypervisor.
	"cmd/berth":         {"bench", "inventory/...", "planner/...", "scenarios", "tui/...", "internal/hosturi", "internal/safefile"},
	"cmd/bench-quality": {"vbp", "bench"},

	// Helpers: leaves.
	"internal/...": nil,
	"scripts":      nil, // tests of the shell scripts
}

// LibvirtFree lists the packages that must build without libvirt: nothing
// they import, directly or not, is libvirt's Go binding or package
// hypervisor. tui/applyview is not among them: through planner/apply it
// links what apply links.
var LibvirtFree = []string{
	"placement", "vbp", "bench", "scenarios/fleetgen",
	"inventory", "inventory/history", "scenarios",
	"planner", "planner/report", "planner/report/extra", "planner/check",
	"tui", "tui/common", "tui/components", "tui/keymap", "tui/pages", "tui/styles",
	"internal/hosturi", "internal/safefile",
}

// Package is what the rules need of one package, as `go list -json`
// gives it; paths are the full import paths.
type Package struct {
	ImportPath string
	Imports    []string // direct, non-test
	Deps       []string // transitive, non-test
}

// Violations checks pkgs, the packages of the module whose path is
// module, against MayImport and LibvirtFree, and says what breaks them,
// one sentence each; nil when nothing does.
func Violations(module string, pkgs []Package) []string {
	var out []string
	local := func(path string) (string, bool) {
		if path == module {
			return "", true
		}
		rel, ok := strings.CutPrefix(path, module+"/")
		return rel, ok
	}
	listed := map[string]bool{}
	for _, p := range pkgs {
		rel, ok := local(p.ImportPath)
		if !ok {
			continue
		}
		listed[rel] = true
		allowed, known := rule(rel)
		if !known {
			out = append(out, fmt.Sprintf("package %s has no row in internal/archtest MayImport: add one saying which berth packages it may import (see shared/DESIGN.md)", rel))
			continue
		}
		for _, imp := range p.Imports {
			dep, ok := local(imp)
			if !ok || dep == rel || matchesAny(dep, allowed) {
				continue
			}
			out = append(out, fmt.Sprintf("%s imports %s, which it may not (it may import: %s)", rel, dep, orNothing(allowed)))
		}
		if slices.Contains(LibvirtFree, rel) {
			var linked []string
			for _, d := range p.Deps {
				if isLibvirt(module, d) {
					linked = append(linked, strings.TrimPrefix(d, module+"/"))
				}
			}
			if len(linked) > 0 {
				out = append(out, fmt.Sprintf("%s links %s through %s, but it must build without libvirt",
					rel, strings.Join(linked, ", "), via(module, p, pkgs, libvirtDep(module, p.Deps))))
			}
		}
	}
	for _, rel := range LibvirtFree {
		if !listed[rel] {
			out = append(out, fmt.Sprintf("LibvirtFree names %s, which go list did not list: remove or rename it", rel))
		}
	}
	return out
}

// rule returns the allowed imports of rel: its own row, else the longest
// "/..." row that covers it.
func rule(rel string) (allowed []string, known bool) {
	if a, ok := MayImport[rel]; ok {
		return a, true
	}
	best := ""
	for k := range MayImport {
		if covers(k, rel) && len(k) > len(best) {
			best = k
		}
	}
	if best == "" {
		return nil, false
	}
	return MayImport[best], true
}

func matchesAny(rel string, patterns []string) bool {
	for _, p := range patterns {
		if p == rel || covers(p, rel) {
			return true
		}
	}
	return false
}

// covers reports whether pattern "a/..." covers rel (a itself or under a).
func covers(pattern, rel string) bool {
	base, ok := strings.CutSuffix(pattern, "/...")
	return ok && (rel == base || strings.HasPrefix(rel, base+"/"))
}

// isLibvirt reports whether path is libvirt's Go binding (or XML) or
// berth's own libvirt package.
func isLibvirt(module, path string) bool {
	return strings.HasPrefix(path, "libvirt.org/") || path == module+"/hypervisor" || strings.HasPrefix(path, module+"/hypervisor/")
}

// libvirtDep is the first of deps that is libvirt.
func libvirtDep(module string, deps []string) string {
	for _, d := range deps {
		if isLibvirt(module, d) {
			return d
		}
	}
	return ""
}

// via names the direct import of p through which it reaches dep, for the
// message.
func via(module string, p Package, pkgs []Package, dep string) string {
	byPath := map[string]Package{}
	for _, q := range pkgs {
		byPath[q.ImportPath] = q
	}
	for _, imp := range p.Imports {
		if imp == dep || slices.Contains(byPath[imp].Deps, dep) {
			return strings.TrimPrefix(imp, module+"/")
		}
	}
	return "?"
}

func orNothing(allowed []string) string {
	if len(allowed) == 0 {
		return "no berth package"
	}
	return strings.Join(allowed, ", ")
}
