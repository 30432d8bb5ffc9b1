package planner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/berth-dev/berth/internal/safefile"
	"gopkg.in/yaml.v3"
)

// EncodeJSON writes the plan as indented JSON with a trailing newline. The
// same plan always gives the same bytes.
func EncodeJSON(w io.Writer, p *Plan) error {
	c := *p
	c.Checksum = checksum(p)
	b, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding plan: %w", err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// EncodeYAML writes the plan as YAML with the same field names and order as
// the JSON form (it is produced from the JSON, which YAML contains).
func EncodeYAML(w io.Writer, p *Plan) error {
	var buf bytes.Buffer
	if err := EncodeJSON(&buf, p); err != nil {
		return err
	}
	var node yaml.Node
	if err := yaml.Unmarshal(buf.Bytes(), &node); err != nil {
		return fmt.Errorf("encoding plan as YAML: %w", err)
	}
	clearStyle(&node)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return fmt.Errorf("encoding plan as YAML: %w", err)
	}
	return enc.Close()
}

// clearStyle turns the JSON flow style into YAML block style.
func clearStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		clearStyle(c)
	}
}

// DecodePlan reads a plan written by EncodeJSON or EncodeYAML. Unknown
// fields, a wrong apiVersion or kind, trailing data and a plan whose
// checksum does not match its content (edited or truncated) are refused: a plan that is
// not exactly what berth wrote must never be applied.
func DecodePlan(name string, data []byte) (*Plan, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%s: empty file, want a plan written by `berth plan --out`", name)
	}
	if trimmed[0] != '{' {
		var generic any
		if err := yaml.Unmarshal(data, &generic); err != nil {
			return nil, fmt.Errorf("%s: not a plan (neither JSON nor YAML): %w", name, err)
		}
		js, err := json.Marshal(generic)
		if err != nil {
			return nil, fmt.Errorf("%s: not a plan: %w", name, err)
		}
		data = js
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: not a valid plan: %s", name, jsonErrorText(data, err))
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: trailing data after the plan", name)
	}
	if p.APIVersion != PlanAPIVersion || p.Kind != PlanKind {
		return nil, fmt.Errorf("%s: apiVersion %q kind %q, want apiVersion %q kind %q", name, p.APIVersion, p.Kind, PlanAPIVersion, PlanKind)
	}
	if p.Checksum == "" {
		return nil, fmt.Errorf("%s: the plan has no checksum; only plans written by `berth plan --out` (or saved by berth explore) can be read", name)
	}
	if want := checksum(&p); p.Checksum != want {
		return nil, fmt.Errorf("%s: the plan's content does not match its checksum (it was edited or damaged); make a new plan with `berth plan --out`", name)
	}
	p.Checksum = ""
	if err := checkPlanContent(name, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// ReadPlanFile reads and checks a plan file, of at most
// safefile.DefaultMaxInput bytes (see ReadPlanFileLimit).
func ReadPlanFile(path string) (*Plan, error) {
	return ReadPlanFileLimit(path, 0)
}

// ReadPlanFileLimit reads and checks a plan file of at most limit bytes
// (0 = safefile.DefaultMaxInput).
func ReadPlanFileLimit(path string, limit int64) (*Plan, error) {
	data, err := safefile.ReadFile(path, limit)
	if err != nil {
		return nil, err
	}
	return DecodePlan(path, data)
}

// WritePlanFile writes the plan as JSON, or YAML when the path ends in
// .yaml or .yml, atomically (see safefile.WriteFile: a temporary file of
// its own renamed into place), so an interrupted write never leaves half a
// plan, and only a regular file is ever replaced.
func WritePlanFile(path string, p *Plan) error {
	var buf bytes.Buffer
	var err error
	if strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml") {
		err = EncodeYAML(&buf, p)
	} else {
		err = EncodeJSON(&buf, p)
	}
	if err != nil {
		return err
	}
	return safefile.WriteFile(path, buf.Bytes(), 0o644)
}

// jsonErrorText adds the line of a JSON syntax or type error.
func jsonErrorText(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return err.Error()
	}
	line := bytes.Count(data[:off], []byte("\n")) + 1
	return fmt.Sprintf("line %d: %v", line, err)
}
