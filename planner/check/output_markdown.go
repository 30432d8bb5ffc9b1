package check

import (
	"fmt"
	"io"
	"strings"
)

// markdownMaxViolations caps the violations listed per rule, so a comment
// stays well under a code host's size limit.
const markdownMaxViolations = 20

// WriteMarkdown writes the report as GitHub-flavoured Markdown for a pull
// request comment: the verdict, a table of every rule, then each broken
// rule with its violations.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	icon := "✅"
	if !r.Passed {
		icon = "❌"
	}
	fmt.Fprintf(&b, "### berth check — %s %s\n\n", icon, r.verdict())
	fmt.Fprintf(&b, "Plan `%s` (scenario **%s**) held to `%s`.\n\n", mdCode(r.Plan), mdText(r.Scenario), mdCode(r.Rules))
	b.WriteString("| | rule | written at | result |\n|---|---|---|---|\n")
	for i := range r.Results {
		res := &r.Results[i]
		mark, result := "✅", "holds"
		if !res.Passed {
			mark, result = "❌", pluralN(len(res.Violations), "violation")
		}
		if res.Note != "" {
			result += " (" + res.Note + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | `%s` | %s |\n", mark, mdText(res.Text), mdCode(res.Where()), mdText(result))
	}
	for i := range r.Results {
		res := &r.Results[i]
		if res.Passed {
			continue
		}
		fmt.Fprintf(&b, "\n#### ❌ %s\n\n", mdText(res.Text))
		vs, more := shown(res.Violations, markdownMaxViolations)
		for _, v := range vs {
			fmt.Fprintf(&b, "- %s\n", mdText(v.Message))
		}
		if more > 0 {
			fmt.Fprintf(&b, "- … and %d more\n", more)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdText keeps names from the plan from breaking a table or writing HTML.
func mdText(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "\n", " ", "\r", " ").Replace(s)
}

// mdCode keeps a backtick from ending a code span early.
func mdCode(s string) string {
	return strings.NewReplacer("`", "'", "|", `\|`, "\n", " ").Replace(s)
}

func pluralN(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
