package planner

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/invopop/jsonschema"
)

// SchemaID is the $id of the plan's JSON Schema.
const SchemaID = "https://berth.dev/schema/plan-v1.json"

// Schema returns the JSON Schema of the plan document, generated from the Go
// types so it cannot drift from them; docs/plan.schema.json is this output
// (a test keeps it current).
func Schema() ([]byte, error) {
	r := &jsonschema.Reflector{
		RequiredFromJSONSchemaTags: false,
		DoNotReference:             false,
		Mapper:                     schemaMapper,
	}
	s := r.Reflect(&Plan{})
	// The mapper gives every vector the amounts' schema; the fields that
	// hold ratios (plan_json.go writes them as inventory.Ratios) get theirs.
	for def, fields := range map[string][]string{
		"PolicyView": {"overcommit", "headroom", "overhead"},
		"Metrics":    {"utilisationBefore", "utilisation"},
	} {
		if d, ok := s.Definitions[def]; ok {
			for _, f := range fields {
				if _, ok := d.Properties.Get(f); ok {
					d.Properties.Set(f, ratiosSchema())
				}
			}
		}
	}
	s.ID = SchemaID
	s.Title = "berth plan"
	s.Description = "A placement plan written by `berth plan --out` (apiVersion " + PlanAPIVersion + ")."
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// schemaMapper describes types whose JSON form is hand-written: a resource
// vector is an object with one number per dimension, written as
// inventory.Amounts: an integer for bytes, IOPS and bits per second, a
// decimal for vCPUs, never in exponent form.
func schemaMapper(t reflect.Type) *jsonschema.Schema {
	if t != reflect.TypeOf(inventory.Vector{}) {
		return nil
	}
	props := jsonschema.NewProperties()
	var required []string
	for _, d := range inventory.Dimensions {
		typ, unit := "number", strings.TrimSuffix(d.Spec().Schema, " (or a ratio for policy fields)")
		if d.Integral() {
			typ, unit = "integer", unit+", a whole number"
		} else {
			unit += ", a decimal"
		}
		props.Set(d.String(), &jsonschema.Schema{Type: typ, Description: unit})
		required = append(required, d.String())
	}
	return &jsonschema.Schema{
		Type:                 "object",
		Description:          "an amount per resource dimension, in base units, never in exponent form",
		Properties:           props,
		Required:             required,
		AdditionalProperties: jsonschema.FalseSchema,
	}
}

// ratiosSchema describes a vector of ratios (inventory.Ratios): a decimal
// per dimension.
func ratiosSchema() *jsonschema.Schema {
	props := jsonschema.NewProperties()
	var required []string
	for _, d := range inventory.Dimensions {
		props.Set(d.String(), &jsonschema.Schema{Type: "number", Description: "a ratio for " + d.String() + ", a decimal"})
		required = append(required, d.String())
	}
	return &jsonschema.Schema{
		Type:                 "object",
		Description:          "a ratio per resource dimension, as a decimal, never in exponent form",
		Properties:           props,
		Required:             required,
		AdditionalProperties: jsonschema.FalseSchema,
	}
}
