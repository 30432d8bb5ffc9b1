package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

// TestHandEditedPlanRefused: a plan whose memory was set to −1 by hand and
// whose checksum was recomputed is refused by validate and apply alike
// (it used to validate, and show 8.0 EiB).
func TestHandEditedPlanRefused(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_CONFIG_HOME", dir)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"plan", "--out", "plan.json"}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("plan: exit %d\n%s", code, stderr.String())
	}
	p, err := planner.ReadPlanFile("plan.json")
	if err != nil {
		t.Fatal(err)
	}
	for i := range p.Actions {
		if p.Actions[i].Op == planner.OpCreate {
			p.Actions[i].Allocation[inventory.Memory] = -1
			break
		}
	}
	var buf bytes.Buffer
	if err := planner.EncodeJSON(&buf, p); err != nil { // a fresh checksum
		t.Fatal(err)
	}
	if err := os.WriteFile("edited.json", buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"validate", "edited.json"}, {"apply", "edited.json", "--dry-run"}} {
		stdout.Reset()
		stderr.Reset()
		code := run(args, nil, &stdout, &stderr)
		if code != exitError || !strings.Contains(stderr.String(), "edited.json: the plan cannot be applied as it is:") ||
			!strings.Contains(stderr.String(), "of memory, want 1 MiB to 64 TiB") {
			t.Errorf("berth %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, stderr.String())
		}
	}
}
