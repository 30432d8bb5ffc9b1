package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/berth-dev/berth/hypervisor/hvtest"
)

// TestTimeoutsHonoured: a host that never answers (a relay to the real
// libvirtd that forwards nothing) is given up on after the time the
// operator set — by --timeout, BERTH_TIMEOUT or timeout: in the config for
// plan -c, and by --step-timeout for apply's re-read of the hosts — not
// after the built-in 30 s. The message says how long the host was given.
func TestTimeoutsHonoured(t *testing.T) {
	hvtest.Daemon(t)
	silent := hvtest.StartRelay(t, func(hvtest.Packet) hvtest.Cut { return hvtest.Stall })
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_CONFIG_HOME", dir)
	write := func(name, content string) {
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("demand.yaml", "apiVersion: berth/v1\nprofiles:\n  - {name: tiny, request: {cpu: 100m, memory: 64Mi, iops: 10, net: 1Mbps}}\ndemand:\n  - {name: tiny, profile: tiny, count: 1}\n")
	berth := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(args, nil, &stdout, &stderr)
		return code, stderr.String()
	}
	plan := []string{"plan", "-c", silent.URI(), "-d", "demand.yaml"}
	for _, tc := range []struct {
		name  string
		setup func()
		args  []string
	}{
		{"flag", func() {}, []string{"--timeout", "2s"}},
		{"environment", func() { t.Setenv("BERTH_TIMEOUT", "2s") }, nil},
		{"config", func() { write("berth.yaml", "timeout: 2s\n") }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup()
			defer os.Remove("berth.yaml")
			code, stderr := berth(append(plan, tc.args...)...)
			if code != exitError || !strings.Contains(stderr, "connect: no answer within 2s") {
				t.Errorf("exit %d, stderr:\n%s", code, stderr)
			}
		})
	}

	// apply: the plan's host "local" is the real libvirtd; the config
	// then reaches it through the silent relay, and the re-read is given
	// up on after --step-timeout.
	write("berth.yaml", "hosts:\n  - {name: local, uri: \"qemu:///system\", iops: 20k, net: 10Gbps}\n")
	if code, stderr := berth("plan", "-d", "demand.yaml", "--out", "plan.json", "--overcommit", "cpu=16"); code != exitOK {
		t.Fatalf("plan on the real libvirtd: exit %d\n%s", code, stderr)
	}
	write("berth.yaml", "hosts:\n  - {name: local, uri: \""+silent.URI()+"\", iops: 20k, net: 10Gbps}\n")
	code, stderr := berth("apply", "plan.json", "--dry-run", "--step-timeout", "2s")
	if code != exitError || !strings.Contains(stderr, "1 of its hosts cannot be re-read") || !strings.Contains(stderr, "connect: no answer within 2s") {
		t.Errorf("apply --step-timeout 2s: exit %d, stderr:\n%s", code, stderr)
	}
}
