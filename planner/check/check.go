// Package check holds a plan to a team's rules, for CI: bounds on host and
// fleet utilisation per dimension, a minimum failover reserve, limits on
// hosts bought, moves and bytes moved, the spread of named groups over
// racks or zones, profiles that must never share a host, and a limit on
// stranded capacity (docs/ci.md has the file format).
//
// Rules are read from YAML with every problem located by file, line and
// field, as scenario files are; each rule is then a small function of the
// plan that returns its violations, each naming the hosts and guests
// involved. Text is produced only by the writers (text, Markdown, JSON,
// JUnit XML).
package check

import (
	"github.com/berth-dev/berth/planner"
)

// Rules are the rules of one rules file (or of a config's rules section).
type Rules struct {
	// Source names where the rules were read from, as messages name it.
	Source string
	Rules  []Rule
}

// Rule is one rule: one bound of one dimension, one group's spread, one
// forbidden set of profiles.
type Rule struct {
	// Field is where the rule is written ("hostUtilisation.max.memory",
	// "spread[0]"), Line and Column where in Source (1-based).
	Field  string
	Line   int
	Column int
	// Text says the rule in words: "no host above 80% memory".
	Text string

	eval func(*facts) ([]Violation, error)
	// note is said of a rule that the plan cannot break yet ("plans carry
	// no moves yet"); empty otherwise.
	note func(*facts) string
}

// Violation is one way a plan breaks a rule, with who is involved.
type Violation struct {
	Message string   `json:"message"`
	Hosts   []string `json:"hosts,omitempty"`
	Guests  []string `json:"guests,omitempty"`
}

// Result is one rule held to one plan.
type Result struct {
	Field      string      `json:"rule"`
	Text       string      `json:"text"`
	Source     string      `json:"source"`
	Line       int         `json:"line,omitempty"`
	Passed     bool        `json:"passed"`
	Note       string      `json:"note,omitempty"`
	Violations []Violation `json:"violations"`
}

// Where is "rules.yaml:12", or the source alone when the line is unknown.
func (r *Result) Where() string {
	if r.Line > 0 {
		return r.Source + ":" + itoa(r.Line)
	}
	return r.Source
}

// Report is every rule held to one plan.
type Report struct {
	Plan     string   `json:"plan"`
	Scenario string   `json:"scenario"`
	Rules    string   `json:"rules"`
	Passed   bool     `json:"passed"`
	Violated int      `json:"violated"`
	Results  []Result `json:"results"`
}

// Check holds p to the rules. The error is for rules that cannot be held
// to this plan at all (a spread rule naming a group the plan does not
// have), located in the rules file; violations are in the report.
func (rs *Rules) Check(p *planner.Plan) (*Report, error) {
	f, err := newFacts(p)
	if err != nil {
		return nil, err
	}
	return rs.check(f)
}

func (rs *Rules) check(f *facts) (*Report, error) {
	p := f.plan
	rep := &Report{Plan: p.ID, Scenario: p.Scenario, Rules: rs.Source, Passed: true, Results: []Result{}}
	for _, r := range rs.Rules {
		vs, err := r.eval(f)
		if err != nil {
			return nil, rs.problem(r, err)
		}
		res := Result{Field: r.Field, Text: r.Text, Source: rs.Source, Line: r.Line,
			Passed: len(vs) == 0, Violations: vs}
		if res.Violations == nil {
			res.Violations = []Violation{}
		}
		if r.note != nil {
			res.Note = r.note(f)
		}
		if !res.Passed {
			rep.Passed = false
			rep.Violated++
		}
		rep.Results = append(rep.Results, res)
	}
	return rep, nil
}
