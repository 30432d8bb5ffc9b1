package check

import (
	"encoding/xml"
	"io"
	"strings"
)

// JUnit XML as CI systems read it (GitHub's test reporters, GitLab's
// artifacts:reports:junit, Jenkins): one testsuite for the rules file, one
// testcase per rule, a failure per broken rule with its violations. No
// timestamps, so the same plan and rules give the same bytes.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML.
func (r *Report) WriteJUnit(w io.Writer) error {
	suite := junitSuite{
		Name: "berth check " + r.Rules, Tests: len(r.Results), Failures: r.Violated,
		Properties: []junitProperty{{"plan", r.Plan}, {"scenario", r.Scenario}, {"rules", r.Rules}},
	}
	for i := range r.Results {
		res := &r.Results[i]
		c := junitCase{Name: res.Field + ": " + res.Text, Classname: "berth.check", File: res.Source, Line: res.Line, SystemOut: res.Note}
		if !res.Passed {
			var lines []string
			for _, v := range res.Violations {
				lines = append(lines, v.Message)
			}
			c.Failure = &junitFailure{
				Message: res.Violations[0].Message, Type: "violation",
				Text: strings.Join(lines, "\n"),
			}
			if n := len(res.Violations); n > 1 {
				c.Failure.Message = pluralN(n, "violation") + "; the first: " + c.Failure.Message
			}
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{Name: "berth check", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
