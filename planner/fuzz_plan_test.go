package planner

import (
	"bytes"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/scenarios"
)

// FuzzScenarioPlanRender: whatever berth validate accepts, berth plan plans
// and every output format renders, without a panic or an error (issue
// 12.5): every number is bounded when the scenario is read, so none can
// become an infinity, a NaN or an overflowed percentage further on.
//
// Scenarios larger than a fuzzer can plan quickly (many hosts or guests, a
// long improvement search) are skipped: size is not what this hunts for.
func FuzzScenarioPlanRender(f *testing.F) {
	for _, name := range scenarios.Names() {
		data, err := scenarios.Get(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		// The numbers of issue 12.5, each at (or past) its bound.
		"policy:\n  overcommit: 1000\n",
		"policy:\n  overcommit: 1e308\n",
		"policy:\n  sameAppetite: {penalty: 1e308}\n",
		"policy:\n  headroom: 1e-320\n",
		"policy:\n  safetyFactor: 1e308\n",
	} {
		f.Add([]byte(tinyScenario + s))
	}
	f.Add([]byte(tinyScenarioWith("cpu: 1e-300")))
	f.Add([]byte(tinyScenarioWith("cpu: 0.001")))
	f.Add([]byte(tinyScenarioWith("cpu: 1e6")))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := inventory.ParseScenario("fuzz.yaml", data)
		if err != nil {
			return
		}
		if err := CheckScenario(sc); err != nil {
			return
		}
		guests := 0
		for _, d := range sc.Demand {
			guests += d.Count
		}
		for _, h := range sc.Hosts {
			guests += len(h.Guests)
		}
		if len(sc.Hosts)+len(sc.HostModels) > 200 || guests > 500 {
			t.Skip("too large to plan quickly")
		}
		sc.Policy.Iterations = min(sc.Policy.Iterations, 50)
		plan, err := New(sc).Plan()
		if err != nil {
			t.Fatalf("validate accepts it, plan refuses: %v\n%s", err, data)
		}
		for _, f := range Formats() {
			var b bytes.Buffer
			if err := f.Render(&b, plan); err != nil {
				t.Fatalf("-o %s: %v\n%s", f.Name, err, data)
			}
			if bytes.Contains(b.Bytes(), []byte("-9223372036854775808")) {
				t.Fatalf("-o %s prints an overflowed number:\n%s", f.Name, b.String())
			}
		}
	})
}

// tinyScenario is one host and one demand line; seeds add a policy to it.
const tinyScenario = `apiVersion: berth/v1
name: tiny
hosts:
  - name: a
    capacity: {cpu: 16, memory: 64Gi, iops: 10k, net: 10Gbps}
demand:
  - {name: web, profile: web, count: 2}
`

// tinyScenarioWith is tinyScenario with the host's cpu written as cpu.
func tinyScenarioWith(cpu string) string {
	return string(bytes.Replace([]byte(tinyScenario), []byte("cpu: 16"), []byte(cpu), 1))
}
