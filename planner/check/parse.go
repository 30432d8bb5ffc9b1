package check

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"gopkg.in/yaml.v3"
)

// Kind is what a rules file may say it is (apiVersion berth/v1, kind Rules;
// both optional).
const Kind = "Rules"

// maxRulesBytes bounds a rules file; real ones are a few hundred bytes.
const maxRulesBytes = 1 << 20

// fields of a rules document, in the order docs/ci.md lists them.
var ruleFields = []string{
	"apiVersion", "kind",
	"hostUtilisation", "fleetUtilisation", "maxStranded",
	"minFailoverHosts", "maxHostsBought", "maxMoves", "maxBytesMoved",
	"spread", "forbidTogether",
}

// Load reads the rules file at path.
func Load(path string) (*Rules, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse reads a rules file. source names it in messages. Every problem is
// returned at once as inventory.Problems, each with line, column and field.
func Parse(source string, data []byte) (rs *Rules, err error) {
	defer func() {
		// The YAML library is not ours; a panic in it must not take berth
		// down on a bad file.
		if r := recover(); r != nil {
			rs, err = nil, inventory.Problems{{Source: source, Message: fmt.Sprintf("cannot read this file as YAML (%v)", r)}}
		}
	}()
	if len(data) > maxRulesBytes {
		return nil, inventory.Problems{{Source: source, Message: fmt.Sprintf("file too large (%d bytes; at most %d)", len(data), maxRulesBytes)}}
	}
	root, probs := readDocument(source, data)
	if probs != nil {
		return nil, probs
	}
	return ParseNode(source, root, "")
}

// ParseNode reads rules from a YAML node: the document of a rules file, or
// the rules section of a config file (path "rules", so that messages name
// the field as it is written there).
func ParseNode(source string, n *yaml.Node, path string) (*Rules, error) {
	d := &decoder{source: source}
	rs := &Rules{Source: source}
	fields, _ := d.object(n, path, ruleFields...)
	for _, f := range fields {
		fp := join(path, f.key)
		switch f.key {
		case "apiVersion":
			d.expect(f, fp, planner.PlanAPIVersion)
		case "kind":
			d.expect(f, fp, Kind)
		case "hostUtilisation":
			rs.Rules = append(rs.Rules, d.hostUtilisation(f.value, fp)...)
		case "fleetUtilisation":
			rs.Rules = append(rs.Rules, d.fleetUtilisation(f.value, fp)...)
		case "maxStranded":
			rs.Rules = append(rs.Rules, d.maxStranded(f.value, fp)...)
		case "minFailoverHosts":
			rs.Rules = appendRule(rs.Rules, d.minFailover(f, fp))
		case "maxHostsBought":
			rs.Rules = appendRule(rs.Rules, d.maxHostsBought(f, fp))
		case "maxMoves":
			rs.Rules = appendRule(rs.Rules, d.maxMoves(f, fp))
		case "maxBytesMoved":
			rs.Rules = appendRule(rs.Rules, d.maxBytesMoved(f, fp))
		case "spread":
			rs.Rules = append(rs.Rules, d.spreads(f.value, fp)...)
		case "forbidTogether":
			rs.Rules = append(rs.Rules, d.forbidTogether(f.value, fp)...)
		}
		if d.aborted {
			break
		}
	}
	if len(rs.Rules) == 0 && len(d.probs) == 0 {
		d.fail(d.resolve(n), path, "no rules: write at least one, e.g. \"hostUtilisation: {max: {memory: 80%%}}\" (docs/ci.md lists them)")
	}
	if len(d.probs) > 0 {
		sortProblems(d.probs)
		return nil, d.probs
	}
	return rs, nil
}

func appendRule(rs []Rule, r *Rule) []Rule {
	if r == nil {
		return rs
	}
	return append(rs, *r)
}

// expect reads apiVersion or kind, which must say want.
func (d *decoder) expect(f field, path, want string) {
	s, sn, ok := d.scalar(f.value, path, strconv.Quote(want))
	if ok && s != want {
		d.fail(sn, path, "%q: a rules file has %s: %s (or leave it out)", s, f.key, want)
	}
}

// newRule is a rule written at node n (its key) of field path.
func newRule(path string, n *yaml.Node, text string, eval func(*facts) ([]Violation, error)) Rule {
	r := Rule{Field: path, Text: text, eval: eval}
	if n != nil {
		r.Line, r.Column = n.Line, n.Column
	}
	return r
}

// problem locates an error found while checking rule r against a plan.
func (rs *Rules) problem(r Rule, err error) error {
	return inventory.Problems{{Source: rs.Source, Line: r.Line, Column: r.Column, Field: r.Field, Message: err.Error()}}
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// readDocument parses the text into its one document's root node.
func readDocument(source string, data []byte) (*yaml.Node, inventory.Problems) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, inventory.Problems{{Source: source, Message: "the file is empty: write at least one rule (docs/ci.md lists them)"}}
		}
		return nil, inventory.Problems{yamlProblem(source, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, inventory.Problems{{Source: source, Line: extra.Line, Column: extra.Column,
			Message: "a second YAML document (after ---): a rules file holds exactly one"}}
	} else if !errors.Is(err, io.EOF) {
		return nil, inventory.Problems{yamlProblem(source, err)}
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0], nil
	}
	return &doc, nil
}

func yamlProblem(source string, err error) inventory.Problem {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return inventory.Problem{Source: source, Line: line, Message: "invalid YAML: " + m[2]}
	}
	return inventory.Problem{Source: source, Message: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

func sortProblems(ps inventory.Problems) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}
