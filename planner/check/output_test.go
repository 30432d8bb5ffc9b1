package check

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/goldenfile"
)

// handReport holds handPlan to the team's example rules: some hold, some
// break (see handPlan for the numbers).
func handReport(t *testing.T) *Report {
	t.Helper()
	rs, err := Load("testdata/team.rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := rs.Check(handPlan())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestOutputsGolden(t *testing.T) {
	rep := handReport(t)
	if rep.Passed || rep.Violated == 0 || rep.Violated == len(rep.Results) {
		t.Fatalf("the example should break some rules and keep others: %d of %d broken", rep.Violated, len(rep.Results))
	}
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := rep.Write(&b, format); err != nil {
				t.Fatal(err)
			}
			goldenfile.Check(t, filepath.Join("testdata", "team."+format+".golden"), b.Bytes(), *update)
		})
	}
}

// The JUnit XML is well-formed and has one testcase per rule, a failure
// per broken rule, and the rules file's place of each.
func TestJUnitShape(t *testing.T) {
	rep := handReport(t)
	var b bytes.Buffer
	if err := rep.WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b.String())
	}
	if len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != len(rep.Results) {
		t.Fatalf("%d suites; want 1 with %d cases", len(doc.Suites), len(rep.Results))
	}
	failures := 0
	for i, c := range doc.Suites[0].Cases {
		res := rep.Results[i]
		if (c.Failure != nil) != !res.Passed {
			t.Errorf("case %s: failure %v, rule passed %v", c.Name, c.Failure != nil, res.Passed)
		}
		if c.Failure != nil {
			failures++
			if !strings.Contains(c.Failure.Text, res.Violations[0].Message) {
				t.Errorf("case %s: the failure does not list the violations", c.Name)
			}
		}
		if c.File != "testdata/team.rules.yaml" || c.Line != res.Line {
			t.Errorf("case %s at %s:%d, want the rule's place", c.Name, c.File, c.Line)
		}
	}
	if doc.Failures != failures || doc.Suites[0].Failures != failures || doc.Tests != len(rep.Results) {
		t.Errorf("counts: tests %d failures %d/%d, want %d and %d", doc.Tests, doc.Failures, doc.Suites[0].Failures, len(rep.Results), failures)
	}
}

// JSON reads back into the report.
func TestJSONRoundTrip(t *testing.T) {
	rep := handReport(t)
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Violated != rep.Violated || len(back.Results) != len(rep.Results) || back.Plan != rep.Plan {
		t.Errorf("round trip lost data: %+v", back)
	}
}

// Markdown keeps names from breaking its table or writing HTML.
func TestMarkdownEscapes(t *testing.T) {
	rep := &Report{Plan: "p", Scenario: "s", Rules: "r.yaml", Violated: 1, Results: []Result{{
		Field: "f", Text: "a | b <script>", Source: "r.yaml", Line: 1,
		Violations: []Violation{{Message: "host x|y <b>bold</b>"}},
	}}}
	var b bytes.Buffer
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "<script>") || strings.Contains(out, "<b>") {
		t.Errorf("markup got through:\n%s", out)
	}
	if !strings.Contains(out, `a \| b &lt;script&gt;`) {
		t.Errorf("pipe not escaped in the table:\n%s", out)
	}
}

func TestUnknownFormat(t *testing.T) {
	err := handReport(t).Write(&bytes.Buffer{}, "xml")
	if err == nil || err.Error() != `unknown output format "xml": want text, markdown, json, yaml or junit` {
		t.Errorf("error %v", err)
	}
}
