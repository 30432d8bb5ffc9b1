package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/hypervisor/hvtest"
)

// TestDemandConvergesQEMU (issue 11.6) runs berth as an operator would on
// a real libvirtd (the QEMU driver, tiny guests with no OS): plan a demand
// file and apply it; planning it again finds nothing to do (exit 0 with
// --detailed-exitcode); lowering the count plans the surplus guest as a
// removal (exit 2), which apply refuses without --allow-removals and with
// it stops (the guest has no OS to shut down, so it is powered off after
// --shutdown-timeout) and undefines, keeping its volume; then the lowered
// demand converges too. Other tests share the daemon, so a plan made stale
// by their guests is made again.
func TestDemandConvergesQEMU(t *testing.T) {
	conn := hvtest.Daemon(t) // skips under -short
	bin := berthBinary(t)
	ctx := context.Background()
	prefix := fmt.Sprintf("berth-test-%d-converge", os.Getpid())
	pool := convergePool(t, conn, prefix+"-pool")
	names := []string{prefix + "-1", prefix + "-2"}
	t.Cleanup(func() {
		for _, n := range names {
			conn.DestroyDomain(ctx, n)
			conn.UndefineDomain(ctx, n)
		}
	})
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("berth.yaml", fmt.Sprintf(`hosts:
  - {name: local, uri: %q, iops: 20k, net: 10Gbps}
templates:
  default: {domainType: qemu, machine: pc, pool: %s, volumeSize: 16Mi, network: none}
`, hvtest.SystemURI, pool))
	demand := func(count int) {
		t.Helper()
		// The host's 2 CPUs are shared with other tests' guests: tiny
		// guests are overcommitted as QEMU allows.
		write("demand.yaml", fmt.Sprintf(`apiVersion: berth/v1
name: converge
policy:
  overcommit: {cpu: 16}
profiles:
  - {name: tiny, request: {cpu: 1, memory: 64Mi, iops: 10, net: 1Mbps}}
demand:
  - {name: %s, profile: tiny, count: %d}
`, prefix, count))
	}
	env := []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "NO_COLOR=1", "PATH=" + os.Getenv("PATH")}
	berth := func(args ...string) (string, int) {
		t.Helper()
		var out bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, &out, &out
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			return out.String(), exit.ExitCode()
		case err != nil:
			t.Fatalf("berth %s: %v", strings.Join(args, " "), err)
		}
		return out.String(), 0
	}
	must := func(code int, args ...string) string {
		t.Helper()
		out, got := berth(args...)
		if got != code {
			t.Fatalf("berth %s: exit %d, want %d\n%s", strings.Join(args, " "), got, code, out)
		}
		return out
	}
	// planApply plans the demand into plan and applies it with extra
	// flags, planning again when another test made the plan stale.
	planApply := func(plan string, extra ...string) string {
		t.Helper()
		for attempt := 1; ; attempt++ {
			must(0, "plan", "-d", "demand.yaml", "--out", plan)
			out, code := berth(append([]string{"apply", plan, "--yes"}, extra...)...)
			if code == 1 && strings.Contains(out, "is stale") && attempt < 5 {
				t.Logf("another test changed the host meanwhile, planning again:\n%s", out)
				os.Remove(filepath.Join(dir, plan+".journal"))
				continue
			}
			if code != 0 {
				t.Fatalf("berth apply %s: exit %d, want 0\n%s", plan, code, out)
			}
			return out
		}
	}
	exists := func(name string) bool {
		t.Helper()
		d, err := conn.LookupDomain(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return d != nil
	}

	demand(2)
	planApply("plan.json")
	for _, n := range names {
		if !exists(n) {
			t.Fatalf("apply did not create %s", n)
		}
	}
	out := must(0, "plan", "-d", "demand.yaml", "--detailed-exitcode")
	if !strings.Contains(out, "2 running already") {
		t.Errorf("re-planning the applied demand should say both guests run already:\n%s", out)
	}

	demand(1)
	out = must(2, "plan", "-d", "demand.yaml", "--detailed-exitcode", "--out", "lower.json")
	if !strings.Contains(out, "Removed guests (1)") || !strings.Contains(out, names[1]) {
		t.Errorf("a lowered count should show %s as a removal:\n%s", names[1], out)
	}
	out, code := berth("apply", "lower.json", "--yes")
	if code != 1 || !strings.Contains(out, "--allow-removals") || !strings.Contains(out, names[1]+" on local") {
		t.Errorf("apply without --allow-removals: exit %d, want 1 and the removal refused by name\n%s", code, out)
	}
	if !exists(names[1]) {
		t.Fatalf("a refused apply removed %s", names[1])
	}
	out = planApply("lower.json", "--allow-removals", "--shutdown-timeout", "2s")
	if !strings.Contains(out, "powered off (it did not shut down within 2s)") || !strings.Contains(out, "kept: "+pool+"/"+names[1]+".qcow2") {
		t.Errorf("the report should say the OS-less guest was powered off and its volume kept:\n%s", out)
	}
	if exists(names[1]) || !exists(names[0]) {
		t.Errorf("after the removal: %s exists %v (want false), %s exists %v (want true)", names[1], exists(names[1]), names[0], exists(names[0]))
	}
	if ok, err := conn.VolumeExists(ctx, pool, names[1]+".qcow2"); err != nil || !ok {
		t.Errorf("the removed guest's volume should be kept without --delete-volumes: exists %v, %v", ok, err)
	}
	must(0, "plan", "-d", "demand.yaml", "--detailed-exitcode")
}

// convergePool defines, builds and starts a dir pool under
// hvtest.ImageDir (QEMU must reach it) and removes it, with its volumes,
// at the end of the test.
func convergePool(t *testing.T, conn *hypervisor.Conn, name string) string {
	t.Helper()
	dir := filepath.Join(hvtest.ImageDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("pool directory: %v", err)
	}
	p, err := conn.Raw().StoragePoolDefineXML(fmt.Sprintf(`<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>`, name, dir), 0)
	if err != nil {
		os.RemoveAll(dir)
		t.Fatalf("define pool %s: %v", name, err)
	}
	t.Cleanup(func() {
		defer os.RemoveAll(dir)
		defer p.Free()
		if vs, err := p.ListAllStorageVolumes(0); err == nil {
			for i := range vs {
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
