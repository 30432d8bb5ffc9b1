package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/berth-dev/berth/placement"
	"github.com/berth-dev/berth/scenarios/fleetgen"
)

func TestRunFleetRowsAreValid(t *testing.T) {
	var out bytes.Buffer
	rows, err := RunFleet(&out, FleetOptions{Sizes: []int{200}, Mixes: []string{"balanced"}, Seeds: []uint64{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if want := 2 * len(FleetStrategies); len(rows) != want {
		t.Fatalf("%d rows, want %d", len(rows), want)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(rows) {
		t.Fatalf("%d JSON lines for %d rows", len(lines), len(rows))
	}
	for i, r := range rows {
		var back FleetRow
		if err := json.Unmarshal([]byte(lines[i]), &back); err != nil || back != r {
			t.Fatalf("line %d = %s, want row %+v (%v)", i, lines[i], r, err)
		}
		if !r.Valid || r.Unplaced > 0 {
			t.Errorf("%s on %s: valid=%t unplaced=%d", r.Strategy, r.Fleet, r.Valid, r.Unplaced)
		}
		if r.Hosts < r.LowerBound || r.LowerBound < 1 {
			t.Errorf("%s on %s: %d hosts under the lower bound %d", r.Strategy, r.Fleet, r.Hosts, r.LowerBound)
		}
	}
	var tab bytes.Buffer
	if err := FleetTable(&tab, rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tab.String(), "| balanced | 200 |") || !strings.Contains(tab.String(), "**") {
		t.Fatalf("table lacks the fleet's row or the best in bold:\n%s", tab.String())
	}
}

// The online baseline places every guest under the fleet's rules: the
// referee (placement.Check) finds nothing broken.
func TestOnlineFleetKeepsTheRules(t *testing.T) {
	f, _ := fleetgen.Generate(fleetgen.Options{Guests: 1000, Mix: "cache-heavy", Seed: 5})
	p := f.Problem(fleetgen.DefaultPolicy())
	for name, score := range fleetBaselines {
		s := &placement.Solution{Host: onlineFleet(f, score)}
		if v := placement.Check(p, s); len(v) > 0 {
			t.Errorf("%s breaks %d rules, first %+v", name, len(v), v[0])
		}
	}
}

func TestCheckFleetStrategy(t *testing.T) {
	if err := CheckFleetStrategy("kube-online"); err != nil {
		t.Error(err)
	}
	if err := CheckFleetStrategy("ffd"); err == nil || !strings.Contains(err.Error(), "nomad-online") {
		t.Errorf("ffd: %v, want an error listing the known names", err)
	}
}
