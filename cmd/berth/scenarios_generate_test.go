package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
)

// berth scenarios generate prints a scenario berth reads back, with the
// hosts, running and demanded guests asked for; bad sizes are refused.
func TestScenariosGenerate(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"scenarios", "generate", "--hosts", "30", "--running", "40", "--new", "250"}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	sc, err := inventory.ParseScenario("generated.yaml", out.Bytes())
	if err != nil {
		t.Fatalf("the output does not read back:\n%v", err)
	}
	running, demanded := 0, 0
	for _, h := range sc.Hosts {
		running += len(h.Guests)
	}
	for _, d := range sc.Demand {
		demanded += d.Count
	}
	if len(sc.Hosts) != 30 || running != 40 || demanded != 250 {
		t.Errorf("%d hosts, %d running, %d demanded; want 30, 40, 250", len(sc.Hosts), running, demanded)
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"scenarios", "generate", "--hosts", "0"}, nil, &out, &errb); code != exitError || !strings.Contains(errb.String(), "--hosts must be ≥ 1") {
		t.Errorf("--hosts 0: exit %d, %q", code, errb.String())
	}
}
