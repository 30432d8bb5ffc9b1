package inventory

import (
	"fmt"
	"strings"
)

// Severity says whether a Problem stops a scenario from being used.
type Severity int

const (
	// SeverityError makes ParseScenario and Validate fail.
	SeverityError Severity = iota
	// SeverityWarning is reported (Scenario.Warnings) but does not fail.
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// MarshalText writes "error" or "warning" (for JSON output of problems).
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "error", "":
		*s = SeverityError
	case "warning":
		*s = SeverityWarning
	default:
		return fmt.Errorf("unknown severity %q: expected error or warning", b)
	}
	return nil
}

// Problem is one thing wrong with a scenario, located as precisely as the
// input allows: Source (file name or "embedded:NAME"), Line and Column
// (1-based; 0 when unknown, e.g. for hosts read from libvirt) and Field, the
// path of the offending value such as "hosts[3].capacity.memory" (indices
// are 0-based).
type Problem struct {
	Source   string   `json:"source,omitempty"`
	Line     int      `json:"line,omitempty"`
	Column   int      `json:"column,omitempty"`
	Field    string   `json:"field,omitempty"`
	Message  string   `json:"message"`
	Severity Severity `json:"severity"`
}

// Error formats the problem as one line:
//
//	fleet.yaml:12:7: hosts[3].capacity.memory: "16GB" is ambiguous: …
//
// Parts that are unknown are left out; warnings say "warning: " first.
func (p Problem) Error() string {
	var b strings.Builder
	if p.Source != "" {
		b.WriteString(p.Source)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
			if p.Column > 0 {
				fmt.Fprintf(&b, ":%d", p.Column)
			}
		}
		b.WriteString(": ")
	} else if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// SummariseNames writes a list of names as its first few ("a, b, c and 7
// more"), so that a message about many hosts stays one readable line.
func SummariseNames(names []string, few int) string {
	if len(names) <= few+1 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:few], ", "), len(names)-few)
}

// Problems is every problem found in one pass over a scenario. ParseScenario
// and Validate return it as their error (only when it holds at least one
// error-severity problem); use errors.As to get at the individual problems:
//
//	var ps inventory.Problems
//	if errors.As(err, &ps) { for _, p := range ps { … } }
type Problems []Problem

// Error prints one problem per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Errors returns only the error-severity problems.
func (ps Problems) Errors() Problems { return ps.filter(SeverityError) }

// Warnings returns only the warning-severity problems.
func (ps Problems) Warnings() Problems { return ps.filter(SeverityWarning) }

func (ps Problems) filter(s Severity) Problems {
	var out Problems
	for _, p := range ps {
		if p.Severity == s {
			out = append(out, p)
		}
	}
	return out
}

// Err returns the error-severity problems as an error, or nil when there are
// none.
func (ps Problems) Err() error {
	if errs := ps.Errors(); len(errs) > 0 {
		return errs
	}
	return nil
}
