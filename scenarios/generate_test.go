package scenarios_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/scenarios"
)

// Running sets the number of running guests exactly, keeps every host
// within 60% of its capacity, gives the same fleet for the same options,
// and the fleet reads back from its YAML and validates.
func TestGenerateRunning(t *testing.T) {
	o := scenarios.GenerateOptions{Hosts: 50, Running: 120, NewGuests: 300, Seed: 3}
	sc := scenarios.Generate(o)
	running := 0
	names := map[string]bool{}
	for _, h := range sc.Hosts {
		var used inventory.Vector
		for _, g := range h.Guests {
			used = used.Add(g.Allocation)
			if names[g.Name] {
				t.Errorf("guest %s twice", g.Name)
			}
			names[g.Name] = true
		}
		running += len(h.Guests)
		if !used.Fits(h.Capacity.Scale(0.6)) {
			t.Errorf("host %s holds %v, more than 60%% of %v", h.Name, used, h.Capacity)
		}
	}
	if running != o.Running {
		t.Errorf("%d running guests, want %d", running, o.Running)
	}
	if again := scenarios.Generate(o); !reflect.DeepEqual(sc, again) {
		t.Error("the same options gave another fleet")
	}
	var buf bytes.Buffer
	if err := inventory.WriteScenario(&buf, sc); err != nil {
		t.Fatal(err)
	}
	back, err := inventory.ParseScenario("generated.yaml", buf.Bytes())
	if err != nil {
		t.Fatalf("the generated fleet does not read back:\n%v", err)
	}
	if len(back.Hosts) != o.Hosts {
		t.Errorf("%d hosts read back, want %d", len(back.Hosts), o.Hosts)
	}
}

// A fleet too small for the running guests asked for gets as many as fit,
// without looping forever.
func TestGenerateRunningFull(t *testing.T) {
	sc := scenarios.Generate(scenarios.GenerateOptions{Hosts: 2, Running: 10_000, Seed: 1})
	running := 0
	for _, h := range sc.Hosts {
		running += len(h.Guests)
	}
	if running == 0 || running >= 10_000 {
		t.Errorf("%d running guests on 2 hosts, want some but fewer than asked", running)
	}
}
