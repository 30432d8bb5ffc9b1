package check

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"gopkg.in/yaml.v3"
)

// decoder walks YAML nodes and collects a Problem (file, line, column,
// field) for everything it cannot read, like the scenario reader does.
type decoder struct {
	source string
	probs  inventory.Problems
	// work counts nodes looked at: aliases can make a small file expand
	// into a huge tree, so the walk stops past maxWork.
	work    int
	aborted bool
}

const (
	maxWork       = 100_000
	maxAliasDepth = 64
)

// fail records a problem at node n for the field at path.
func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	p := inventory.Problem{Source: d.source, Field: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	d.probs = append(d.probs, p)
}

// resolve follows aliases and counts the work done; nil once aborted.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > maxAliasDepth || n.Alias == nil {
			return nil
		}
		n = n.Alias
	}
	d.work++
	if d.work > maxWork && !d.aborted {
		d.aborted = true
		d.fail(n, "", "the document expands to too many values (aliases nested too deep?); stopped reading")
	}
	if d.aborted {
		return nil
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

func kindName(n *yaml.Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case isNull(n):
		return "no value"
	case n.Kind == yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "an unsupported YAML node"
}

// field is one key of a mapping and its value.
type field struct {
	key   string
	keyN  *yaml.Node
	value *yaml.Node
}

// object reads a mapping whose keys must be among known, in the order
// written. Unknown and repeated keys are problems (with the closest known
// name). ok is false when n is not a mapping.
func (d *decoder) object(n *yaml.Node, path string, known ...string) (fields []field, ok bool) {
	n = d.resolve(n)
	if n == nil {
		return nil, false
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping (key: value), found %s", kindName(n))
		return nil, false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := d.resolve(n.Content[i])
		if k == nil {
			return fields, true
		}
		key := join(path, k.Value)
		switch {
		case k.Kind != yaml.ScalarNode:
			d.fail(k, path, "keys must be plain names, found %s", kindName(k))
		case k.Value == "<<":
			d.fail(k, path, "YAML merge keys (<<) are not read in rules files: write the fields out")
		case !slices.Contains(known, k.Value):
			d.fail(k, key, "unknown field %q: expected one of %s%s", k.Value, strings.Join(known, ", "), inventory.Suggestion(k.Value, known))
		case seen[k.Value]:
			d.fail(k, key, "%q is written twice in this mapping: keep one", k.Value)
		default:
			seen[k.Value] = true
			fields = append(fields, field{key: k.Value, keyN: k, value: n.Content[i+1]})
		}
	}
	return fields, true
}

// sequence returns the items of a list.
func (d *decoder) sequence(n *yaml.Node, path string) []*yaml.Node {
	n = d.resolve(n)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list (items starting with \"- \"), found %s", kindName(n))
		return nil
	}
	return n.Content
}

// scalar returns the text of a scalar node and the resolved node.
func (d *decoder) scalar(n *yaml.Node, path, want string) (string, *yaml.Node, bool) {
	n = d.resolve(n)
	if n == nil {
		return "", nil, false
	}
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.fail(n, path, "expected %s, found %s", want, kindName(n))
		return "", n, false
	}
	return strings.TrimSpace(n.Value), n, true
}

// name reads a non-empty name.
func (d *decoder) name(n *yaml.Node, path, what string) (string, bool) {
	s, sn, ok := d.scalar(n, path, what)
	if ok && s == "" {
		d.fail(sn, path, "empty %s", what)
		return "", false
	}
	return s, ok
}

// count reads a whole number of at least least.
func (d *decoder) count(n *yaml.Node, path string, least int) (int, bool) {
	s, sn, ok := d.scalar(n, path, "a whole number")
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 32)
	switch {
	case err != nil:
		d.fail(sn, path, "%q is not a whole number", s)
		return 0, false
	case int(v) < least:
		d.fail(sn, path, "%d is too small: write %d or more", v, least)
		return 0, false
	}
	return int(v), true
}

// share reads a share of capacity: "80%" or 0.8, from 0 to 1.
func (d *decoder) share(n *yaml.Node, path string) (float64, bool) {
	s, sn, ok := d.scalar(n, path, "a share such as 80% or 0.8")
	if !ok {
		return 0, false
	}
	v, err := parseShare(s)
	if err != nil {
		d.fail(sn, path, "%v", err)
		return 0, false
	}
	return v, true
}

// parseShare reads "80%", "80 %" or "0.8" as 0.8; it must lie in 0..1.
func parseShare(s string) (float64, error) {
	num, percent := strings.CutSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a share: write a percentage such as 80%% or a fraction such as 0.8", s)
	}
	if percent {
		v /= 100
	}
	switch {
	case v < 0:
		return 0, fmt.Errorf("%q is negative: a share is from 0%% to 100%%", s)
	case v > 1 && !percent && v <= 100:
		return 0, fmt.Errorf("%q is more than 1: a share is from 0%% to 100%%; did you mean %s%%?", s, s)
	case v > 1:
		return 0, fmt.Errorf("%q is more than 100%%: a share is from 0%% to 100%%", s)
	}
	return v, nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }
