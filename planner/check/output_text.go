package check

import (
	"fmt"
	"io"
	"strings"
)

// textMaxViolations caps the violations printed per rule (-o json lists
// them all).
const textMaxViolations = 50

// WriteText writes the report for a terminal or a CI log: one line per
// rule, each broken rule followed by its violations, the verdict last.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "berth check: plan %s (scenario %s) held to %s\n", r.Plan, r.Scenario, r.Rules)
	width := 0
	for i := range r.Results {
		width = max(width, len(r.Results[i].Where()))
	}
	for i := range r.Results {
		res := &r.Results[i]
		status := "ok  "
		if !res.Passed {
			status = "FAIL"
		}
		fmt.Fprintf(&b, "%s  %-*s  %s", status, width, res.Where(), res.Text)
		if res.Note != "" {
			fmt.Fprintf(&b, " (%s)", res.Note)
		}
		b.WriteByte('\n')
		vs, more := shown(res.Violations, textMaxViolations)
		for _, v := range vs {
			fmt.Fprintf(&b, "      - %s\n", v.Message)
		}
		if more > 0 {
			fmt.Fprintf(&b, "      … and %d more (-o json lists them all)\n", more)
		}
	}
	fmt.Fprintf(&b, "%s\n", r.verdict())
	_, err := io.WriteString(w, b.String())
	return err
}
