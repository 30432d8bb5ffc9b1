package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/hypervisor/hvtest"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/live"
	"github.com/berth-dev/berth/planner"
	"github.com/google/go-cmp/cmp"
)

// TestApplyQEMU is the end-to-end run against a real libvirtd with the
// QEMU driver (TCG, no KVM needed), started by the test setup when it is
// not running: plan two tiny guests (64 MiB, 1 vCPU, a 16 MiB qcow2 volume
// in a dir pool made for the test, no NIC, no OS) on the local host, apply,
// read them back through the inventory, apply again (nothing to do), then
// remove everything. Other packages' tests share the daemon, so a plan
// made stale by their guests is made again.
func TestApplyQEMU(t *testing.T) {
	conn := hvtest.Daemon(t) // skips under -short, fails if no daemon can be had
	ctx := context.Background()
	prefix := fmt.Sprintf("berth-test-%d-apply", os.Getpid())
	pool := testPool(t, conn, prefix+"-pool")
	uris := map[string]string{"local": hvtest.SystemURI}
	demand := []inventory.Demand{
		{Name: prefix, Profile: "tiny", Count: 2, Group: "front"},
		{Name: prefix + "-nonet", Profile: "nonet", Count: 1},
	}
	names := []string{prefix + "-1", prefix + "-2"}
	nonet := prefix + "-nonet-1"
	t.Cleanup(func() { removeGuests(t, conn, pool, append(names, nonet)) })

	tiny := GuestTemplate{Template: hypervisor.Template{
		DomainType: "qemu", Machine: "pc", Pool: pool, VolumeSize: 16 * mib,
	}, Start: true}
	// QEMU defines a guest on a network that does not exist and refuses to
	// start it: apply must roll the definition and the volume back.
	broken := tiny
	broken.Network = prefix + "-no-such-net"
	tmpl := Templates{"tiny": tiny, "nonet": broken}
	journal := filepath.Join(t.TempDir(), "plan.json.journal")
	opt := Options{
		Connect:   ConnectURIs(func(h planner.HostPlan) string { return uris[h.Name] }),
		ReadFleet: ReadURIs(func(h planner.HostPlan) string { return uris[h.Name] }, nil, live.ReadOptions{}),
		Templates: tmpl,
		Journal:   journal,
		Progress:  testWriter{t},
		LockDir:   t.TempDir(), // not /run/berth: other worktrees' tests share this host
		// The missing network is meant to fail at run time and be rolled
		// back (TestApplyChecksHostsQEMU has the check that refuses it).
		skipHostChecks: true,
	}

	var p *planner.Plan
	var rep *Report
	for attempt := 1; ; attempt++ {
		p = planOn(t, uris, demand, nil)
		a, err := Prepare(ctx, p, opt)
		var stale *StaleError
		if errors.As(err, &stale) && attempt < 5 {
			t.Logf("another test changed the host meanwhile, planning again: %v", err)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		if rep, err = a.Run(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("applied in %s", time.Since(t0))
		break
	}
	if diff := cmp.Diff(map[string]Outcome{names[0]: OutcomeDone, names[1]: OutcomeDone, nonet: OutcomeFailed}, outcomes(rep)); diff != "" {
		t.Fatalf("outcomes (-want +got):\n%+v\n%s", rep.Results, diff)
	}
	if r := rep.Results[indexOf(rep, nonet)]; !strings.Contains(r.Error, "start domain "+nonet) || !strings.Contains(r.Error, "no-such-net") ||
		r.Detail != "rolled back: undefined, volume "+pool+"/"+nonet+".qcow2 deleted" {
		t.Errorf("%s: error %q, detail %q", nonet, r.Error, r.Detail)
	}
	if d, err := conn.LookupDomain(ctx, nonet); d != nil || err != nil {
		t.Errorf("%s left behind: %+v, %v", nonet, d, err)
	}

	// Read back through the inventory: berth's metadata names the plan,
	// the profile and the group, and both guests run.
	fleet := readFleet(t, uris)
	got := map[string]inventory.Guest{}
	for _, g := range fleet.Hosts[0].Guests {
		if g.Name == names[0] || g.Name == names[1] {
			g.UUID, g.Observed = "", nil
			got[g.Name] = g
		}
	}
	want := map[string]inventory.Guest{}
	for _, n := range names {
		want[n] = inventory.Guest{Name: n, Profile: "tiny", RoleSource: inventory.RoleMetadata, Group: "front",
			Allocation: inventory.Vector{inventory.CPU: 1, inventory.Memory: 64 * mib}, State: "running", PlanID: p.ID}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("guests read back (-want +got):\n%s", diff)
	}
	if vols := volumes(t, conn, pool); !cmp.Equal(vols, []string{names[0] + ".qcow2", names[1] + ".qcow2"}) {
		t.Errorf("volumes in %s: %v", pool, vols)
	}

	// Again: the host now has the plan's own guests, which is not a change;
	// both are skipped. Other tests' guests may make the plan stale: then
	// only --force can show the no-op, so force it.
	opt.Progress = testWriter{t}
	a, err := Prepare(ctx, p, opt)
	var stale *StaleError
	if errors.As(err, &stale) {
		t.Logf("another test changed the host meanwhile; applying with Force: %v", err)
		opt.Force = true
		a, err = Prepare(ctx, p, opt)
	}
	if err != nil {
		t.Fatal(err)
	}
	rep, err = a.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]Outcome{names[0]: OutcomeSkipped, names[1]: OutcomeSkipped, nonet: OutcomeFailed}, outcomes(rep)); diff != "" {
		t.Errorf("second apply (-want +got):\n%s", diff)
	}
	if rep.Changed() {
		t.Error("the second apply left a change on the host")
	}
}

// testPool defines, builds and starts a dir pool under hvtest.ImageDir
// (QEMU must reach it; a test's TempDir is private) and removes it at the
// end of the test.
func testPool(t *testing.T, conn *hypervisor.Conn, name string) string {
	t.Helper()
	dir := filepath.Join(hvtest.ImageDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("pool directory: %v", err)
	}
	raw := conn.Raw()
	p, err := raw.StoragePoolDefineXML(fmt.Sprintf(`<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>`, name, dir), 0)
	if err != nil {
		os.RemoveAll(dir)
		t.Fatalf("define pool %s: %v", name, err)
	}
	t.Cleanup(func() {
		defer os.RemoveAll(dir)
		defer p.Free()
		if vs, err := p.ListAllStorageVolumes(0); err == nil {
			for i := range vs {
				n, _ := vs[i].GetName()
				t.Logf("removing leftover volume %s/%s", name, n)
				vs[i].Delete(0)
				vs[i].Free()
			}
		}
		p.Destroy()
		p.Undefine()
	})
	if err := p.Create(0); err != nil {
		t.Fatalf("start pool %s: %v", name, err)
	}
	return name
}

// removeGuests destroys and undefines the named domains and deletes their
// volumes, if they are there.
func removeGuests(t *testing.T, conn *hypervisor.Conn, pool string, names []string) {
	ctx := context.Background()
	for _, n := range names {
		if err := conn.DestroyDomain(ctx, n); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		if err := conn.UndefineDomain(ctx, n); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		if err := conn.DeleteVolume(ctx, pool, n+".qcow2"); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
}

// TestApplyChecksHostsQEMU is the check before the run on a real libvirtd,
// which like stock Debian's may lack the template's pool and have its
// network defined but not started: a dry run reports both, with the virsh
// commands that make them, and a base image missing from a pool that is
// there. Running the printed commands makes the pool and the network (both
// named for this test, never the machine's own), after which only the base
// image is missing.
func TestApplyChecksHostsQEMU(t *testing.T) {
	conn := hvtest.Daemon(t)
	ctx := context.Background()
	prefix := fmt.Sprintf("berth-test-%d-check", os.Getpid())
	pool := testPool(t, conn, prefix+"-pool")
	missingPool, network := prefix+"-nopool", prefix+"-net"
	raw := conn.Raw()
	t.Cleanup(func() {
		if p, err := raw.LookupStoragePoolByName(missingPool); err == nil {
			p.Destroy()
			p.Undefine()
			p.Free()
		}
		os.RemoveAll(filepath.Join(hvtest.ImageDir, missingPool))
	})
	n, err := raw.NetworkDefineXML(fmt.Sprintf(`<network><name>%s</name><bridge name='bth%d'/></network>`, network, os.Getpid()%1000000))
	if err != nil {
		t.Fatalf("define network %s: %v", network, err)
	}
	t.Cleanup(func() {
		if active, _ := n.IsActive(); active {
			n.Destroy()
		}
		n.Undefine()
		n.Free()
	})

	uris := map[string]string{"local": hvtest.SystemURI}
	tiny := GuestTemplate{Template: hypervisor.Template{DomainType: "qemu", Machine: "pc", Pool: missingPool, VolumeSize: 16 * mib, Network: network}, Start: true}
	cloned := GuestTemplate{Template: hypervisor.Template{DomainType: "qemu", Machine: "pc", Pool: pool, BaseImage: prefix + "-golden.qcow2", VolumeSize: 16 * mib}, Start: true}
	opt := Options{
		Connect:   ConnectURIs(func(h planner.HostPlan) string { return uris[h.Name] }),
		ReadFleet: ReadURIs(func(h planner.HostPlan) string { return uris[h.Name] }, nil, live.ReadOptions{}),
		Templates: Templates{"tiny": tiny, "nonet": cloned},
		Journal:   filepath.Join(t.TempDir(), "plan.json.journal"),
		DryRun:    true,
	}
	demand := []inventory.Demand{{Name: prefix, Profile: "tiny", Count: 1}, {Name: prefix + "-clone", Profile: "nonet", Count: 1}}
	lacks := func() map[string]string {
		t.Helper()
		for attempt := 1; ; attempt++ {
			a, err := Prepare(ctx, planOn(t, uris, demand, nil), opt)
			var stale *StaleError
			if errors.As(err, &stale) && attempt < 5 {
				continue // another test changed the host meanwhile
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			if a.Missing != nil {
				for _, l := range a.Missing.Hosts[0].Lacks {
					got[l.What] = l.Fix
				}
			}
			return got
		}
	}
	got := lacks()
	v := "virsh -c qemu:///system "
	want := map[string]string{
		`storage pool "` + missingPool + `" does not exist`: "to create it: " + v + "pool-define-as " + missingPool + " dir --target /var/lib/libvirt/images/" + missingPool +
			" && " + v + "pool-build " + missingPool + " && " + v + "pool-start " + missingPool + " && " + v + "pool-autostart " + missingPool,
		`network "` + network + `" is defined but not active`: "to start it: " + v + "net-start " + network + " && " + v + "net-autostart " + network,
		`base image "` + prefix + `-golden.qcow2" is not in storage pool "` + pool + `"`: "copy the image into the pool's directory and run " + v + "pool-refresh " + pool +
			", or set baseImage to a volume of the pool (" + v + "vol-list " + pool + ")",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("what the host lacks (-want +got):\n%s", diff)
	}
	// Do what the report says.
	for what, fix := range got {
		if strings.HasPrefix(fix, "to create it: ") || strings.HasPrefix(fix, "to start it: ") {
			cmd := strings.SplitN(fix, ": ", 2)[1]
			if out, err := exec.Command("sh", "-c", cmd).CombinedOutput(); err != nil {
				t.Fatalf("%s: %s: %v\n%s", what, cmd, err, out)
			}
		}
	}
	if diff := cmp.Diff(map[string]string{`base image "` + prefix + `-golden.qcow2" is not in storage pool "` + pool + `"`: want[`base image "`+prefix+`-golden.qcow2" is not in storage pool "`+pool+`"`]}, lacks()); diff != "" {
		t.Errorf("after running the commands (-want +got):\n%s", diff)
	}
}

// TestApplyLocksHostByUUID: the host lock is keyed by the host's UUID, so
// two plans that name one libvirtd differently — by another name, through
// another URI (here a socket relay) — still lock each other out.
func TestApplyLocksHostByUUID(t *testing.T) {
	conn := hvtest.Daemon(t)
	ctx := context.Background()
	relay := hvtest.StartRelay(t, nil)
	prefix := fmt.Sprintf("berth-test-%d-lock", os.Getpid())
	pool := testPool(t, conn, prefix+"-pool")
	locks := t.TempDir()
	prepare := func(name, uri string) (*Apply, error) {
		uris := map[string]string{name: uri}
		opt := Options{
			Connect:   ConnectURIs(func(h planner.HostPlan) string { return uris[h.Name] }),
			ReadFleet: ReadURIs(func(h planner.HostPlan) string { return uris[h.Name] }, nil, live.ReadOptions{}),
			Templates: Templates{"tiny": GuestTemplate{Template: hypervisor.Template{DomainType: "qemu", Machine: "pc", Pool: pool, VolumeSize: 16 * mib}}},
			Journal:   filepath.Join(t.TempDir(), "plan.json.journal"),
			LockDir:   locks,
		}
		for attempt := 1; ; attempt++ {
			a, err := Prepare(ctx, planOn(t, uris, []inventory.Demand{{Name: prefix + "-" + name, Profile: "tiny", Count: 1}}, nil), opt)
			var stale *StaleError
			if errors.As(err, &stale) && attempt < 5 {
				continue // another test changed the host meanwhile
			}
			return a, err
		}
	}
	first, err := prepare("local", hvtest.SystemURI)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	_, err = prepare("through-relay", relay.URI())
	var locked *HostLockedError
	if !errors.As(err, &locked) || locked.Holder.Host != "local" || locked.Host != "through-relay" {
		t.Fatalf("the same host through another URI: %v", err)
	}
}
