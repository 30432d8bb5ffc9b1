package report

import (
	"bytes"
	"flag"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// embeddedPlan plans one of the embedded scenarios under its own policy.
func embeddedPlan(t testing.TB, name string) *planner.Plan {
	t.Helper()
	data, err := scenarios.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := inventory.ParseScenario(scenarios.Source(name), data)
	if err != nil {
		t.Fatal(err)
	}
	return planOf(t, sc)
}

// generatedPlan plans a synthetic fleet of hosts hosts, construction only
// (the report is what is measured, not the search).
func generatedPlan(t testing.TB, hosts int) *planner.Plan {
	t.Helper()
	sc := scenarios.Generate(scenarios.GenerateOptions{
		Hosts: hosts, ExistingPerHost: 6, NewGuests: hosts, GroupSize: 3, Seed: 7,
	})
	sc.Policy.Iterations = 0
	return planOf(t, sc)
}

func planOf(t testing.TB, sc *inventory.Scenario) *planner.Plan {
	t.Helper()
	p, err := planner.New(sc).Plan()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// renderString renders the whole page.
func renderString(t testing.TB, p *planner.Plan) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
