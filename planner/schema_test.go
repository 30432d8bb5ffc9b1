package planner_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/planner"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaFile = "../docs/plan.schema.json"

// TestSchemaCurrent keeps docs/plan.schema.json equal to the schema
// generated from the Go types (go test ./planner -update rewrites it).
func TestSchemaCurrent(t *testing.T) {
	got, err := planner.Schema()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(schemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s is stale (-file +generated); run go test ./planner -update:\n%s", schemaFile, diff)
	}
}

// TestPlansMatchSchema validates real plans against the published schema
// with an independent validator, and checks that the schema rejects a
// broken plan (so it is not vacuous).
func TestPlansMatchSchema(t *testing.T) {
	abs, err := filepath.Abs(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(abs)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"default", "tight", "growth", "leftovers"} {
		var buf bytes.Buffer
		if err := planner.EncodeJSON(&buf, mustPlan(t, embedded(t, name))); err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Errorf("%s: plan does not match the schema: %v", name, err)
		}
		// A plan whose vector has a misspelt dimension must be refused.
		m := doc.(map[string]any)
		m["metrics"].(map[string]any)["utilisation"] = map[string]any{"cpux": 1}
		if err := sch.Validate(m); err == nil {
			t.Errorf("%s: the schema accepts a vector with an unknown dimension", name)
		}
	}
}
