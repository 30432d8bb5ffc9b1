package apply

import (
	"context"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/live"
	"github.com/berth-dev/berth/planner"
)

// These helpers drive apply against libvirt's test driver: real libvirt
// code, in process. A test-driver connection keeps its own state (a second
// connection to the same file sees the file again), so apply is given the
// test's own connections through the Connector, and the test checks the
// result through those same connections.

const mib = 1 << 20

// applyHostURI is the test-driver URI of testdata/apply/NAME.xml.
func applyHostURI(t testing.TB, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "apply", name+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	return "test://" + p
}

// copyHostFile copies testdata/apply/NAME.xml into a temporary directory,
// for tests that change the host between planning and applying.
func copyHostFile(t testing.TB, name string) (path, uri string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "apply", name+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), name+".xml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, "test://" + path
}

// connectTest opens a connection that lives as long as the test.
func connectTest(t testing.TB, uri string) *hypervisor.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := hypervisor.Connect(ctx, uri)
	if err != nil {
		t.Fatalf("connect %s: %v", uri, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// tinyProfile is a profile small enough for any test host: 1 vCPU, 64 MiB.
var tinyProfile = inventory.Profile{Name: "tiny", Description: "test guest", Request: inventory.Vector{inventory.CPU: 1, inventory.Memory: 64 * mib}}

// testProfiles are tiny-shaped profiles whose templates (testTemplates)
// fail in different ways, and tiny-shaped profiles named extra.
func testProfiles(extra ...string) []inventory.Profile {
	out := []inventory.Profile{tinyProfile}
	for _, name := range append([]string{"broken", "nopool", "squat", "nonet"}, extra...) {
		p := tinyProfile
		p.Name = name
		out = append(out, p)
	}
	return out
}

// testTemplates are the templates of the test-driver tests: a 16 MiB qcow2
// volume in berth-pool and a NIC on the network "default" (tiny, squat);
// broken's definition is refused after its volume is made; nopool's pool
// does not exist.
func testTemplates() Templates {
	tiny := GuestTemplate{Template: hypervisor.Template{
		DomainType: "test", Pool: "berth-pool", VolumeSize: 16 * mib, Network: "default",
	}, Start: true}
	broken, nopool := tiny, tiny
	broken.DomainType = "no-such-virt-type"
	nopool.Pool = "no-such-pool"
	return Templates{"tiny": tiny, "broken": broken, "nopool": nopool, "squat": tiny}
}

// readFleet reads hosts the way berth plan -c would, naming them as given.
func readFleet(t testing.TB, uris map[string]string) *live.Fleet {
	t.Helper()
	var srcs []live.Source
	for _, name := range slices.Sorted(maps.Keys(uris)) {
		srcs = append(srcs, live.Source{Name: name, URI: uris[name]})
	}
	f, err := live.ReadFleet(context.Background(), srcs, live.ReadOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// planOn plans demand on the hosts read live from uris (host name → URI),
// with guest→host pins, as `berth plan -c ... -d ...` would.
func planOn(t testing.TB, uris map[string]string, demand []inventory.Demand, pins map[string]string) *planner.Plan {
	t.Helper()
	return planWith(t, uris, demand, pins, nil)
}

// planOnProfiles is planOn with tiny-shaped profiles of the given names
// added, and no pins.
func planOnProfiles(t testing.TB, uris map[string]string, demand []inventory.Demand, profiles []string) *planner.Plan {
	t.Helper()
	return planWith(t, uris, demand, nil, profiles)
}

func planWith(t testing.TB, uris map[string]string, demand []inventory.Demand, pins map[string]string, profiles []string) *planner.Plan {
	t.Helper()
	sc := readFleet(t, uris).Scenario("apply-test")
	sc.Profiles = append(sc.Profiles, testProfiles(profiles...)...)
	slices.SortFunc(sc.Profiles, func(a, b inventory.Profile) int { return strings.Compare(a.Name, b.Name) })
	sc.Demand = demand
	// The real host of the QEMU test has 2 CPUs, shared with other tests'
	// guests: tiny guests are overcommitted as QEMU allows.
	sc.Policy.Overcommit[inventory.CPU] = 16
	sc.Groups = append(sc.Groups, inventory.Group{Name: "front", Scope: inventory.ScopeHost, Together: true})
	pl := planner.New(sc)
	for g, h := range pins {
		pl.Pin(g, h)
	}
	p, err := pl.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Unplaced) > 0 {
		t.Fatalf("plan left guests unplaced: %+v", p.Unplaced)
	}
	// The plan file round trip apply starts from.
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := planner.WritePlanFile(path, p); err != nil {
		t.Fatal(err)
	}
	p, err = planner.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sharedConns is a Connector over the test's own connections.
func sharedConns(conns map[string]*hypervisor.Conn) Connector {
	return func(_ context.Context, h planner.HostPlan) (Hypervisor, func(), error) {
		c, ok := conns[h.Name]
		if !ok {
			return nil, nil, &hypervisor.Error{Kind: hypervisor.KindUnreachable, URI: h.URI, Op: "connect", Msg: "no test connection"}
		}
		return c, func() {}, nil
	}
}

// testOptions are apply options over shared connections, re-reading the
// hosts (for the staleness check) through fresh connections to the URIs.
func testOptions(t testing.TB, conns map[string]*hypervisor.Conn, journal string) Options {
	return Options{
		Connect:   sharedConns(conns),
		ReadFleet: ReadURIs(func(h planner.HostPlan) string { return h.URI }, nil, live.ReadOptions{}),
		Templates: testTemplates(),
		Parallel:  2,
		Journal:   journal,
		Progress:  testWriter{t},
		// Host locks of the test's own (TestApplyLocksHosts shares one).
		LockDir: t.TempDir(),
	}
}

// applyPlan prepares and runs an apply.
func applyPlan(t testing.TB, p *planner.Plan, opt Options) (*Report, error) {
	t.Helper()
	a, err := Prepare(context.Background(), p, opt)
	if err != nil {
		return nil, err
	}
	return a.Run(context.Background())
}

// mustApply applies and fails the test on an error.
func mustApply(t testing.TB, p *planner.Plan, opt Options) *Report {
	t.Helper()
	rep, err := applyPlan(t, p, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// outcomes maps guest → outcome.
func outcomes(rep *Report) map[string]Outcome {
	out := map[string]Outcome{}
	for _, r := range rep.Results {
		out[r.Action.Guest] = r.Outcome
	}
	return out
}

// volumes lists the volumes of a pool through c.
func volumes(t testing.TB, c *hypervisor.Conn, pool string) []string {
	t.Helper()
	p, err := c.Raw().LookupStoragePoolByName(pool)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Free()
	vs, err := p.ListAllStorageVolumes(0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := range vs {
		n, err := vs[i].GetName()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
		vs[i].Free()
	}
	slices.Sort(out)
	return out
}

// domainNames lists the domains through c.
func domainNames(t testing.TB, c *hypervisor.Conn) []string {
	t.Helper()
	ds, err := c.Domains(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	slices.Sort(out)
	return out
}

// testWriter sends progress lines to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

var _ io.Writer = testWriter{}
