package planner

import (
	"encoding/json"
	"reflect"

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
// vector is an object with one number per dimension.
func schemaMapper(t reflect.Type) *jsonschema.Schema {
	if t != reflect.TypeOf(inventory.Vector{}) {
		return nil
	}
	props := jsonschema.NewProperties()
	var required []string
	for _, d := range inventory.Dimensions {
		props.Set(d.String(), &jsonschema.Schema{Type: "number", Description: d.Spec().Schema})
		required = append(required, d.String())
	}
	return &jsonschema.Schema{
		Type:                 "object",
		Description:          "an amount per resource dimension, in base units",
		Properties:           props,
		Required:             required,
		AdditionalProperties: jsonschema.FalseSchema,
	}
}
