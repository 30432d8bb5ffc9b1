package planner

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// The plan document's layout: the top-level fields one to a line, small
// objects (policy, edits, metrics) indented, and each element of a list
// (hosts, actions, unplaced guests…) on one line of its own:
//
//	{
//	  "apiVersion": "berth/v1",
//	  …
//	  "actions": [
//	    {"op": "create", "guest": "web-1", "host": "kvm01", …},
//	    …
//	  ]
//	}
//
// A plan of 100,000 guests is then about half the size of indenting every
// field (docs/BENCHMARKS.md), still one line per host or guest for diff and
// grep, and any JSON reader reads it. The layout works on the compact JSON
// that the checksum covers, so the plan is marshalled once.

// field is one top-level member of a JSON object: its key (quoted, as
// written) and its compact value.
type field struct{ key, value []byte }

var errLayout = errors.New("plan layout: not a JSON object")

// splitObject splits a compact JSON object into its members.
func splitObject(b []byte) ([]field, error) {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil, errLayout
	}
	var out []field
	i := 1
	for i < len(b)-1 {
		k := scanValue(b, i)
		if k < 0 || k >= len(b) || b[k] != ':' {
			return nil, errLayout
		}
		v := scanValue(b, k+1)
		if v < 0 {
			return nil, errLayout
		}
		out = append(out, field{b[i:k], b[k+1 : v]})
		i = v
		if i < len(b)-1 {
			if b[i] != ',' {
				return nil, errLayout
			}
			i++
		}
	}
	return out, nil
}

// splitArray splits a compact JSON array into its elements.
func splitArray(b []byte) ([][]byte, error) {
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return nil, errLayout
	}
	var out [][]byte
	i := 1
	for i < len(b)-1 {
		v := scanValue(b, i)
		if v < 0 {
			return nil, errLayout
		}
		out = append(out, b[i:v])
		i = v
		if i < len(b)-1 {
			if b[i] != ',' {
				return nil, errLayout
			}
			i++
		}
	}
	return out, nil
}

// scanValue returns the index just past the compact JSON value that starts
// at i, or -1.
func scanValue(b []byte, i int) int {
	depth := 0
	for j := i; j < len(b); j++ {
		switch c := b[j]; c {
		case '"':
			j = scanString(b, j)
			if j < 0 {
				return -1
			}
			if depth == 0 {
				return j + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return j // a scalar ends at its container's end
			}
			depth--
			if depth == 0 {
				return j + 1
			}
		case ',', ':':
			if depth == 0 {
				return j
			}
		}
	}
	if depth == 0 {
		return len(b)
	}
	return -1
}

// scanString returns the index of the quote that closes the string opening
// at i, or -1.
func scanString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

// appendSpaced appends a compact JSON value with a space after every colon
// and comma outside strings: {"op": "create", "host": "kvm01"}.
func appendSpaced(out, v []byte) []byte {
	for j := 0; j < len(v); j++ {
		c := v[j]
		if c == '"' {
			end := scanString(v, j)
			out = append(out, v[j:end+1]...)
			j = end
			continue
		}
		out = append(out, c)
		if c == ':' || c == ',' {
			out = append(out, ' ')
		}
	}
	return out
}

// layoutPlan lays out a plan's compact JSON document (see above), with the
// members extra inserted after the member named after (quoted key) and the
// members tail appended.
func layoutPlan(compact []byte, after string, extra, tail []field) ([]byte, error) {
	fields, err := splitObject(compact)
	if err != nil {
		return nil, err
	}
	var all []field
	for _, f := range fields {
		all = append(all, f)
		if string(f.key) == after {
			all = append(all, extra...)
		}
	}
	all = append(all, tail...)
	out := make([]byte, 0, len(compact)+len(compact)/4+4096) // spaces and indents add ~15%
	out = append(out, "{\n"...)
	for n, f := range all {
		out = append(out, "  "...)
		out = append(out, f.key...)
		out = append(out, ": "...)
		switch {
		case len(f.value) > 2 && f.value[0] == '[':
			elems, err := splitArray(f.value)
			if err != nil {
				return nil, err
			}
			out = append(out, "[\n"...)
			for i, e := range elems {
				out = append(out, "    "...)
				out = appendSpaced(out, e)
				if i < len(elems)-1 {
					out = append(out, ',')
				}
				out = append(out, '\n')
			}
			out = append(out, "  ]"...)
		case len(f.value) > 2 && f.value[0] == '{':
			var buf bytes.Buffer
			if err := json.Indent(&buf, f.value, "  ", "  "); err != nil {
				return nil, err
			}
			out = append(out, buf.Bytes()...)
		default:
			out = append(out, f.value...)
		}
		if n < len(all)-1 {
			out = append(out, ',')
		}
		out = append(out, '\n')
	}
	return append(out, "}\n"...), nil
}

// stringField is a member whose value is the string s.
func stringField(key, s string) field {
	return field{[]byte(strconv.Quote(key)), []byte(strconv.Quote(s))}
}
