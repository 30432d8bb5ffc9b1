package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestApplyProgressEndToEnd applies a plan on two test-driver hosts in a
// terminal (tmux) and checks what the operator sees: a live bar per host,
// which ends showing one host done and one with a failure, then the report;
// and none of the plain progress lines meant for logs.
func TestApplyProgressEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds berth and runs it under tmux")
	}
	bin := berthBinary(t)
	dir := t.TempDir()
	abs := func(name string) string {
		p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "apply", name+".xml"))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("berth.yaml", `hosts:
  - {name: kvm-apply1, uri: "test://`+abs("kvm-apply1")+`", iops: 20k, net: 10Gbps}
  - {name: kvm-apply2, uri: "test://`+abs("kvm-apply2")+`", iops: 20k, net: 10Gbps}
templates:
  default: {domainType: test, pool: berth-pool, volumeSize: 16Mi, network: default}
`)
	env := []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "NO_COLOR=1", "TERM=xterm-256color"}
	berth := func(args ...string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = dir, append(env, "PATH="+os.Getenv("PATH"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("berth %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	berth("inventory", "--save", "fleet.yaml")
	fleet, err := os.ReadFile(filepath.Join(dir, "fleet.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// Two web guests that may not share a host, and one pinned to
	// kvm-apply1, whose pool holds a volume of its name that berth did not
	// create (a failure no check before the run foresees): one host ends
	// done, the other with a failure.
	write("scenario.yaml", string(fleet)+`profiles:
  - {name: tiny, request: {cpu: 1, memory: 64Mi, iops: 10, net: 1Mbps}}
groups:
  - {name: front, scope: host}
demand:
  - {name: web, profile: tiny, count: 2, group: front}
  - {name: squatter, profile: tiny, count: 1}
`)
	berth("plan", "-f", "scenario.yaml", "--pin", "squatter-1=kvm-apply1", "--out", "plan.json")

	p := startBerth(t, bin, dir, env, "apply", "plan.json", "--yes")
	s := p.waitFor("apply ends", "EXIT=4")
	mustShow := func(what string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(s, w) {
				t.Errorf("%s: the screen lacks %q:\n%s", what, w, s)
			}
		}
	}
	mustShow("the display's last frame", "berth apply · 2 of 3 actions done · 1 failed")
	var okRow, failedRow string
	for _, l := range strings.Split(s, "\n") {
		switch {
		case strings.HasPrefix(l, " ✓ kvm-apply"):
			okRow = l
		case strings.HasPrefix(l, " ✗ kvm-apply"):
			failedRow = l
		}
	}
	if !strings.Contains(okRow, "████████████████████") || !strings.Contains(okRow, "1/1") || !strings.HasSuffix(strings.TrimSpace(okRow), "done") {
		t.Errorf("the host without failures: want a full bar, 1/1, done; got %q\n%s", okRow, s)
	}
	if !strings.Contains(failedRow, "2/2") || !strings.Contains(failedRow, "1 failed") {
		t.Errorf("the host with the squatted volume: want 2/2 and 1 failed; got %q\n%s", failedRow, s)
	}
	mustShow("the report", "failed", "squatter-1.qcow2 already exists", "done", "web-1", "web-2")
	if strings.Contains(s, "[1/3]") {
		t.Errorf("plain progress lines on a terminal:\n%s", s)
	}
}
