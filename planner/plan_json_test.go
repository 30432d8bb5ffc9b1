package planner_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/scenarios"
)

// typedAmounts is how a typed reader holds an amount vector: whole
// numbers for bytes, IOPS and bits/s.
type typedAmounts struct {
	CPU    float64 `json:"cpu"`
	Memory int64   `json:"memory"`
	IOPS   int64   `json:"iops"`
	Net    int64   `json:"net"`
}

// typedPlan is the part of a plan document with amounts, as a program in a
// typed language reads it (issue 13.3).
type typedPlan struct {
	Hosts []struct {
		Offered, Before, After typedAmounts
	}
	Actions []struct {
		Allocation, Demand typedAmounts
	}
	Unplaced []struct {
		Demand   typedAmounts
		Refusals []struct {
			Dimension       string
			Requested, Free float64
		}
		Nearest *struct{ Short typedAmounts }
	}
	Metrics struct {
		Stranded                       typedAmounts
		Utilisation, UtilisationBefore struct{ CPU, Memory, IOPS, Net float64 }
	}
}

// A plan's JSON decodes into int64 fields for bytes, IOPS and bits/s, and
// no number in it or in its YAML is in exponent form: on the embedded
// scenarios (leftovers is the example, tight has unplaced guests
// with refusals) and on a generated fleet with large amounts.
func TestPlanAmountsAreTyped(t *testing.T) {
	plans := map[string]*planner.Plan{}
	for _, name := range []string{"leftovers", "tight", "default"} {
		plans[name] = mustPlan(t, embedded(t, name))
	}
	gen, err := planner.New(scenarios.Generate(scenarios.GenerateOptions{Hosts: 40, Running: 60, NewGuests: 400, Seed: 2})).Plan()
	if err != nil {
		t.Fatal(err)
	}
	plans["generated"] = gen
	exponent := regexp.MustCompile(`[0-9][eE][+-][0-9]`) // hex digests have no sign
	for name, p := range plans {
		var js, yml bytes.Buffer
		if err := planner.EncodeJSON(&js, p); err != nil {
			t.Fatal(err)
		}
		if err := planner.EncodeYAML(&yml, p); err != nil {
			t.Fatal(err)
		}
		var typed typedPlan
		if err := json.Unmarshal(js.Bytes(), &typed); err != nil {
			t.Errorf("%s: the plan does not decode into int64 amounts: %v", name, err)
		}
		if len(typed.Actions) != len(p.Actions) || len(typed.Hosts) != len(p.Hosts) {
			t.Errorf("%s: %d actions and %d hosts decoded, want %d and %d", name, len(typed.Actions), len(typed.Hosts), len(p.Actions), len(p.Hosts))
		}
		for i, a := range typed.Actions {
			if a.Allocation.Memory <= 0 || float64(a.Allocation.Memory) != p.Actions[i].Allocation[1] {
				t.Errorf("%s: action %d memory %d, plan has %v", name, i, a.Allocation.Memory, p.Actions[i].Allocation[1])
				break
			}
		}
		for _, u := range typed.Unplaced {
			for _, r := range u.Refusals {
				if r.Dimension != "" && r.Dimension != "cpu" && (r.Requested != float64(int64(r.Requested)) || r.Free != float64(int64(r.Free))) {
					t.Errorf("%s: refusal %s %v of %v is not in whole units", name, r.Dimension, r.Requested, r.Free)
				}
			}
		}
		for format, out := range map[string]string{"json": js.String(), "yaml": yml.String()} {
			if m := exponent.FindString(out); m != "" {
				t.Errorf("%s: the %s plan writes a number in exponent form (%q)", name, format, m)
			}
		}
	}
	if len(plans["tight"].Unplaced) == 0 {
		t.Error("the tight scenario places everything: the refusals are not tested")
	}
}

// A plan written before amounts were whole numbers (in exponent form)
// fails its checksum; the message says it is from an older berth and how
// to make it again.
func TestDecodeNamesOldAmounts(t *testing.T) {
	var buf bytes.Buffer
	if err := planner.EncodeJSON(&buf, mustPlan(t, embedded(t, "leftovers"))); err != nil {
		t.Fatal(err)
	}
	// An old plan's checksum was taken over the old form: here, any other.
	old := regexp.MustCompile(`"memory": 8589934592\b`).ReplaceAllString(buf.String(), `"memory": 8.589934592e+09`)
	old = regexp.MustCompile(`"checksum": "sha256:[0-9a-f]+"`).ReplaceAllString(old, `"checksum": "sha256:`+strings.Repeat("0", 64)+`"`)
	if old == buf.String() {
		t.Fatal("no memory of 8 GiB in the plan to write the old way")
	}
	_, err := planner.DecodePlan("old.json", []byte(old))
	if err == nil || !strings.Contains(err.Error(), "older berth") || !strings.Contains(err.Error(), "berth plan --out") {
		t.Errorf("old plan: %v, want a message naming an older berth", err)
	}
}
