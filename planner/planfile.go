package planner

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/berth-dev/berth/internal/safefile"
	"gopkg.in/yaml.v3"
)

// EncodeJSON writes the plan as indented JSON with a trailing newline,
// unsigned. The same plan always gives the same bytes.
func EncodeJSON(w io.Writer, p *Plan) error { return PlanFiles{}.EncodeJSON(w, p) }

// EncodeYAML writes the plan as YAML, unsigned (see PlanFiles.EncodeYAML).
func EncodeYAML(w io.Writer, p *Plan) error { return PlanFiles{}.EncodeYAML(w, p) }

// DecodePlan reads a plan written by EncodeJSON or EncodeYAML, without a
// signing key (see PlanFiles.Decode).
func DecodePlan(name string, data []byte) (*Plan, error) { return PlanFiles{}.Decode(name, data) }

// EncodeJSON writes the plan as indented JSON with a trailing newline,
// with its checksum and, when the files have a key, its signature. The
// same plan and key always give the same bytes.
//
// The plan is marshalled once: the checksum is the sha256 of that compact
// JSON (as checksum computes it), and the document is laid out from it
// with the checksum put in after the id (layoutPlan).
func (pf PlanFiles) EncodeJSON(w io.Writer, p *Plan) error {
	c := *p
	c.Checksum = ""
	b, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("encoding plan: %w", err)
	}
	sum := sha256.Sum256(b)
	extra := []field{stringField("checksum", "sha256:"+hex.EncodeToString(sum[:]))}
	var tail []field
	if sig := pf.sign(p); sig != "" {
		tail = append(tail, stringField("signature", sig))
	}
	out, err := layoutPlan(b, `"id"`, extra, tail)
	if err != nil {
		return fmt.Errorf("encoding plan: %w", err)
	}
	_, err = w.Write(out)
	return err
}

// EncodeYAML writes the plan as YAML with the same field names and order as
// the JSON form (it is produced from the JSON, which YAML contains).
func (pf PlanFiles) EncodeYAML(w io.Writer, p *Plan) error {
	var buf bytes.Buffer
	if err := pf.EncodeJSON(&buf, p); err != nil {
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

// Decode reads a plan written by EncodeJSON or EncodeYAML. Unknown
// fields, a wrong apiVersion or kind, trailing data, a plan whose checksum
// does not match its content (edited or truncated), one whose numbers or
// names apply could never carry out, and — when the files have a key — a
// plan without a valid signature are refused: a plan that is not exactly
// what berth wrote must never be applied.
func (pf PlanFiles) Decode(name string, data []byte) (*Plan, error) {
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
	doc := planDocument{Plan: &p}
	if err := dec.Decode(&doc); err != nil {
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
		if legacyAmounts.Match(data) {
			return nil, fmt.Errorf("%s: the plan was written by an older berth, which wrote amounts in exponent form (7.5e+10); this berth writes whole numbers and cannot check that plan's checksum: make the plan again with `berth plan --out`", name)
		}
		return nil, fmt.Errorf("%s: the plan's content does not match its checksum (it was edited or damaged); make a new plan with `berth plan --out`", name)
	}
	p.Checksum = ""
	if err := pf.verify(name, &p, doc.Signature); err != nil {
		return nil, err
	}
	if err := checkPlanContent(name, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// legacyAmounts finds an amount in exponent form, as plans written before
// amounts were whole numbers (inventory.Amounts) have: their memory always
// is ("memory":8.589934592e+09).
var legacyAmounts = regexp.MustCompile(`"(memory|iops|net|cpu)": ?-?[0-9.]+[eE][+-]?[0-9]`)

// ReadPlanFile reads and checks a plan file, of at most
// safefile.DefaultMaxInput bytes, without a signing key.
func ReadPlanFile(path string) (*Plan, error) { return PlanFiles{}.Read(path) }

// Read reads and checks a plan file of at most MaxInput bytes (see Decode).
func (pf PlanFiles) Read(path string) (*Plan, error) {
	data, err := safefile.ReadFile(path, pf.MaxInput)
	if err != nil {
		return nil, err
	}
	return pf.Decode(path, data)
}

// WritePlanFile writes the plan unsigned (see PlanFiles.Write).
func WritePlanFile(path string, p *Plan) error { return PlanFiles{}.Write(path, p) }

// Write writes the plan as JSON, or YAML when the path ends in .yaml or
// .yml, signed when the files have a key, atomically (see
// safefile.WriteFile: a temporary file of its own renamed into place), so
// an interrupted write never leaves half a plan, and only a regular file
// is ever replaced.
func (pf PlanFiles) Write(path string, p *Plan) error {
	var buf bytes.Buffer
	var err error
	if strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml") {
		err = pf.EncodeYAML(&buf, p)
	} else {
		err = pf.EncodeJSON(&buf, p)
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
