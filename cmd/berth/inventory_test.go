package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/google/go-cmp/cmp"
)

// hostURI is the test-driver URI of a host file in testdata/libvirt.
func hostURI(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "libvirt", name+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	return "test://" + p
}

// runIn runs berth in a fresh directory with no user config, with config
// as ./berth.yaml when not "".
func runIn(t *testing.T, config string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "xdg"))
	if config != "" {
		if err := os.WriteFile("berth.yaml", []byte(config), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb bytes.Buffer
	code = run(args, nil, &out, &errb)
	return code, out.String(), errb.String()
}

type invDoc struct {
	Hosts []struct {
		Name, URI, Status, Reason, Error string
		Labels                           map[string]string
		Capacity, Allocated              map[string]float64
		Guests                           []struct {
			Name, State, Profile, RoleSource, Group string
			Allocation                              map[string]float64
		}
	}
}

func decodeInventory(t *testing.T, s string) invDoc {
	t.Helper()
	var d invDoc
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, s)
	}
	return d
}

func TestInventoryConnect(t *testing.T) {
	a1 := hostURI(t, "kvm-a1")
	code, out, errs := runIn(t, "", "inventory", "-c", a1, "-c", hostURI(t, "kvm-b1"), "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	d := decodeInventory(t, out)
	if len(d.Hosts) != 2 || d.Hosts[0].Name != "kvm-a1" || d.Hosts[1].Name != "kvm-b1" {
		t.Fatalf("hosts: %+v", d.Hosts)
	}
	h := d.Hosts[0]
	// Running guests: web-1 8 vCPU/8 GiB, web-2 4/8 GiB, db-orders-1 4/32
	// GiB; cache-old 2/64 GiB is shut off and counted (policy shutoff).
	if h.Capacity["cpu"] != 64 || h.Allocated["cpu"] != 18 || h.Allocated["memory"] != 112<<30 || len(h.Guests) != 4 {
		t.Errorf("kvm-a1: %+v", h)
	}
	if !strings.Contains(errs, "[2/2]") {
		t.Errorf("no progress lines on stderr: %q", errs)
	}
	// Ignored, only the running ones: 16 vCPUs, 48 GiB.
	code, out, errs = runIn(t, "", "inventory", "-c", a1, "--shutoff", "ignore", "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if h := decodeInventory(t, out).Hosts[0]; h.Allocated["cpu"] != 16 || h.Allocated["memory"] != 48<<30 {
		t.Errorf("kvm-a1 under --shutoff ignore: %+v", h)
	}
}

func TestInventoryConfigHosts(t *testing.T) {
	config := `
hosts:
  - {name: a1, uri: "` + hostURI(t, "kvm-a1") + `", class: Fast, labels: {rack: r1}}
  - {uri: "` + hostURI(t, "kvm-a2") + `", iops: 5k, net: 1Gbps, labels: {rack: r2}}
hostClasses:
  fast: {iops: 20k, net: 10Gbps, labels: {zone: z1}}
rolePatterns:
  - {pattern: "^db-", profile: db}
  - {pattern: "^redis-", profile: cache}
guestDefaults: {iops: 100, net: 100Mbps}
output: yaml
`
	save := filepath.Join(t.TempDir(), "fleet.yaml")
	// -o json on the command line beats output: yaml in the config.
	code, out, errs := runIn(t, config, "inventory", "-o", "json", "--save", save)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	d := decodeInventory(t, out)
	if len(d.Hosts) != 2 {
		t.Fatalf("hosts: %+v", d.Hosts)
	}
	a1, a2 := d.Hosts[0], d.Hosts[1]
	if a1.Name != "a1" || a1.Capacity["iops"] != 20000 || a1.Capacity["net"] != 10e9 ||
		!cmp.Equal(a1.Labels, map[string]string{"rack": "r1", "zone": "z1"}) {
		t.Errorf("a1: %+v", a1)
	}
	if a2.Name != "kvm-a2" || a2.Capacity["iops"] != 5000 || a2.Capacity["net"] != 1e9 {
		t.Errorf("kvm-a2: %+v", a2)
	}
	roles := map[string]string{}
	for _, h := range d.Hosts {
		for _, g := range h.Guests {
			roles[g.Name] = g.Profile + "/" + g.RoleSource
			if g.Allocation["iops"] != 100 || g.Allocation["net"] != 100e6 {
				t.Errorf("%s allocation %v, want the guestDefaults", g.Name, g.Allocation)
			}
		}
	}
	want := map[string]string{"web-1": "web/metadata", "web-2": "web/metadata", "db-orders-1": "db/pattern", "cache-old": "/",
		"pg-main-2": "db/metadata", "redis-sessions": "cache/pattern", "batch-7": "/"}
	if diff := cmp.Diff(want, roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	sc, err := inventory.LoadScenario(save)
	if err != nil {
		t.Fatalf("saved snapshot: %v", err)
	}
	if len(sc.Hosts) != 2 || sc.Hosts[0].Name != "a1" || len(sc.Groups) != 2 {
		t.Errorf("snapshot: %d hosts, groups %+v", len(sc.Hosts), sc.Groups)
	}
}

func TestInventoryFailures(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	args := []string{"inventory", "-c", hostURI(t, "kvm-b1"), "-c", "qemu+tcp://root:s3cret@" + closed + "/system", "-c", hostURI(t, "invalid")}

	code, out, errs := runIn(t, "", args...)
	if code != exitOK {
		t.Fatalf("without --strict: exit %d: %s", code, errs)
	}
	for _, want := range []string{"kvm-b1", "unreachable: connect: unable to connect to server", "host-file: connect: ", "1 of 3 hosts read (2 failed)"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errs, "s3cret") {
		t.Errorf("password printed:\n%s\n%s", out, errs)
	}

	code, out, errs = runIn(t, "", append(args, "--strict")...)
	if code != exitError || !strings.Contains(errs, "--strict: 2 of 3 hosts could not be read") || !strings.Contains(out, "unreachable") {
		t.Errorf("--strict: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
}

func TestInventoryNoHosts(t *testing.T) {
	code, _, errs := runIn(t, "", "inventory")
	if code != exitError || !strings.Contains(errs, "no hosts to read: give -c URI") {
		t.Errorf("exit %d: %s", code, errs)
	}
	code, _, errs = runIn(t, "hostClasses: {fast: {net: 10}}\nhosts: [{uri: 'test:///default', class: fast}]\n", "inventory")
	if code != exitError || !strings.Contains(errs, "config hostClasses.fast.net") {
		t.Errorf("bare net number: exit %d: %s", code, errs)
	}
}
