package inventory

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// sameScenario compares what a scenario says, not where it was read from.
var sameScenario = cmp.Options{
	cmpopts.IgnoreTypes(Pos{}),
	cmpopts.IgnoreFields(Scenario{}, "Source", "Warnings"),
	cmpopts.EquateEmpty(),
}

// roundTrip writes s and parses the result, failing the test if that does
// not give back an equal scenario.
func roundTrip(t *testing.T, s *Scenario) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteScenario(&buf, s); err != nil {
		t.Fatal(err)
	}
	back, err := ParseScenario("written.yaml", buf.Bytes())
	if err != nil {
		t.Fatalf("written scenario does not parse: %v\n%s", err, buf.String())
	}
	if diff := cmp.Diff(s, back, sameScenario); diff != "" {
		t.Fatalf("write → parse changed the scenario (-before +after):\n%s\nwritten:\n%s", diff, buf.String())
	}
	var again bytes.Buffer
	if err := WriteScenario(&again, back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Fatalf("writing is not deterministic:\n%s\n---\n%s", buf.String(), again.String())
	}
	return buf.Bytes()
}

func TestRoundTripTestdata(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "demand") {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			s, err := LoadScenario(f)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, s)
		})
	}
}

// A scenario built in code, with amounts no file would hold (odd bytes,
// fractions), still survives write → parse exactly.
func TestRoundTripBuilt(t *testing.T) {
	s := &Scenario{
		APIVersion: APIVersion, Name: "built", Description: "one line",
		Policy:   DefaultPolicy(),
		Profiles: BuiltInProfiles(),
		Groups:   []Group{{Name: "g", Scope: ScopeZone, Together: true}},
		HostModels: []HostModel{{Name: "m", Capacity: Vector{CPU: 7.25, Memory: 1e9 + 3, IOPS: 1234.5, Net: 999}, Max: 2,
			Labels: map[string]string{"zone": "z1"}}},
		Hosts: []Host{{
			Name: "yes", URI: "qemu+ssh://u@h/system", Labels: map[string]string{"zone": "z1", "rack": "123"},
			Capacity: Vector{CPU: 64, Memory: 300 * (1 << 30), IOPS: 1e6, Net: 1e11}, Overcommit: Vector{CPU: 3.5},
			Guests: []Guest{
				{Name: "on", Profile: "web", Group: "g", Allocation: Vector{CPU: 1.0 / 3, Memory: 12345, IOPS: 0, Net: 1}},
				{Name: "zero-obs", Profile: "db", Allocation: BuiltInProfiles()[1].Request, Observed: &Vector{}, RoleSource: RoleInferred},
			},
		}},
		Demand: []Demand{{Name: "d", Profile: "cache", Count: 3, Group: "g", Request: Vector{CPU: 0.1},
			Selector: map[string]string{"zone": "z1"}}},
	}
	s.Policy.Seed = 0
	s.Policy.Basis[Net] = BasisMax
	s.Policy.Headroom = Uniform(0.7)
	s.Profiles[2].Description = "changed"
	roundTrip(t, s)
}

func TestWriteMasksPasswords(t *testing.T) {
	s, err := ParseScenario("t.yaml", []byte(strings.Replace(fleet, "  - name: h2\n", "  - name: h2\n    uri: qemu+ssh://root:hunter2@h2/system\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteScenario(&buf, s); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "hunter2") {
		t.Errorf("password written:\n%s", buf.String())
	}
}

func TestDemandFileAndMerge(t *testing.T) {
	d, err := LoadDemand("testdata/demand.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Hosts) != 0 || len(d.Demand) != 2 || d.Policy.Overcommit[CPU] != 2 {
		t.Fatalf("demand file: %+v", d)
	}
	// As a full scenario the same file is refused: it has no hosts.
	if _, err := LoadScenario("testdata/demand.yaml"); err == nil || !strings.Contains(err.Error(), "no hosts") {
		t.Errorf("LoadScenario of a demand file: %v", err)
	}

	full, err := LoadScenario("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	live := full.Hosts // stands in for hosts read through libvirt
	merged, err := d.Merge(live)
	if err != nil {
		t.Fatal(err)
	}
	if len(merged.Hosts) != len(live) || len(d.Hosts) != 0 {
		t.Errorf("Merge: %d hosts (want %d); the demand scenario now has %d (want 0)", len(merged.Hosts), len(live), len(d.Hosts))
	}
	merged.Hosts[0].Labels["rack"] = "changed"
	if live[0].Labels["rack"] == "changed" {
		t.Error("Merge shares labels with its input")
	}

	// Checks that need the fleet run at Merge: here only one host is in
	// zone z1's rack r1, so three web-front replicas across racks still fit
	// (r1, r2), but a selector for a zone nobody has does not.
	bad := *d
	bad.Demand = append([]Demand(nil), d.Demand...)
	bad.Demand[1].Selector = map[string]string{"zone": "z9"}
	_, err = bad.Merge(live)
	if err == nil || !strings.Contains(err.Error(), "demand[1].selector.zone: no host or host model has zone=z9") {
		t.Errorf("Merge with a bad selector: %v", err)
	}
}

func TestValidateBuiltScenario(t *testing.T) {
	s := &Scenario{APIVersion: APIVersion, Policy: DefaultPolicy(), Profiles: BuiltInProfiles(),
		Hosts: []Host{{Name: "a", Capacity: Vector{CPU: 8, Memory: 1 << 30, IOPS: 100, Net: 1e9}, Pos: Pos{Line: 3, Column: 5}},
			{Name: "a"}}}
	s.Source = "live"
	err := s.Validate()
	want := "live: hosts[1].name: duplicate host name \"a\": already used by hosts[0] (line 3)\n" +
		"live: hosts[1].capacity: capacity needs every dimension greater than 0; missing or 0: cpu, memory, iops, net (e.g. {cpu: 32, memory: 256Gi, iops: 20k, net: 10Gbps})"
	if err == nil || err.Error() != want {
		t.Errorf("Validate() =\n%v\nwant\n%s", err, want)
	}
}

// FuzzParseScenario: no input makes the parser panic, every failure is
// Problems with at least one error, and whatever parses survives
// write → parse unchanged.
func FuzzParseScenario(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	invalid, _ := filepath.Glob("testdata/invalid/*.yaml")
	for _, file := range append(files, invalid...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(fleet))
	f.Add([]byte(fleet + "demand: [{name: x, profile: db, count: 3, request: {iops: 9k}, selector: {rack: r1}}]\n"))
	f.Add([]byte("apiVersion: berth/v1\nhosts: [{name: a, capacity: {cpu: 1, memory: 16GB}}]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("{<<: [*x]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseScenario("fuzz.yaml", data)
		if err != nil {
			ps, ok := err.(Problems)
			if !ok || len(ps.Errors()) == 0 {
				t.Fatalf("error is not Problems with errors: %T %v", err, err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteScenario(&buf, s); err != nil {
			t.Fatal(err)
		}
		back, err := ParseScenario("written.yaml", buf.Bytes())
		if err != nil {
			t.Fatalf("written scenario does not parse: %v\n%s", err, buf.String())
		}
		if diff := cmp.Diff(s, back, sameScenario); diff != "" {
			t.Fatalf("write → parse changed the scenario (-before +after):\n%s", diff)
		}
		_, _ = ParseDemand("fuzz.yaml", data)
	})
}
