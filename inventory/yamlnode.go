package inventory

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decoder walks yaml.Nodes, collecting a Problem (with file, line, column and
// field path) for everything it cannot read, and remembering where each
// field was written so that later validation can point at it too.
type decoder struct {
	source string
	probs  Problems
	// pos maps a field path ("hosts[3].capacity.memory") to where its value
	// was written.
	pos map[string]Pos
	// bad holds the paths that failed to decode, so validation does not
	// report the same mistake again in other words.
	bad map[string]bool
	// work counts nodes visited; aliases can make a small file expand into
	// a huge tree, so the walk stops past maxWork.
	work, maxWork int
	aborted       bool
}

const maxAliasDepth = 64

// workBudget is how many nodes the walk may visit for a document of n
// nodes: aliases may repeat parts of it (shapes shared by many hosts), but
// not blow it up exponentially.
func workBudget(n int) int { return 8*n + 4096 }

// countNodes counts the nodes written in the document (aliases count once).
func countNodes(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	c := 1
	for _, child := range n.Content {
		c += countNodes(child)
	}
	return c
}

func newDecoder(source string) *decoder {
	return &decoder{source: source, pos: map[string]Pos{}, bad: map[string]bool{}}
}

func nodePos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{}
	}
	return Pos{Line: n.Line, Column: n.Column}
}

// fail records a decoding problem at node n for the field at path.
func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	p := nodePos(n)
	d.bad[path] = true
	d.probs = append(d.probs, Problem{
		Source: d.source, Line: p.Line, Column: p.Column, Field: path,
		Message: fmt.Sprintf(format, args...),
	})
}

// resolve follows aliases and counts the work done.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > maxAliasDepth || n.Alias == nil {
			return nil
		}
		n = n.Alias
	}
	d.work++
	if d.work > d.maxWork && !d.aborted {
		d.aborted = true
		d.probs = append(d.probs, Problem{Source: d.source, Line: nodePos(n).Line, Column: nodePos(n).Column,
			Message: "the document expands to too many values (aliases nested too deep?); stopped reading"})
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
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "no value"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unsupported YAML node"
}

// pair is one key and its value in a mapping.
type pair struct {
	key   string
	keyN  *yaml.Node
	value *yaml.Node
}

// mapping returns the pairs of a mapping node in the order written, with
// YAML merge keys ("<<: *shape") expanded (keys written beside a merge win).
// A null node is an empty mapping. ok is false when n is not a mapping.
func (d *decoder) mapping(n *yaml.Node, path string) (pairs []pair, ok bool) {
	return d.mappingDepth(n, path, 0)
}

func (d *decoder) mappingDepth(n *yaml.Node, path string, depth int) ([]pair, bool) {
	n = d.resolve(n)
	if n == nil || isNull(n) {
		return nil, n != nil
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping (key: value), found %s", kindName(n))
		return nil, false
	}
	var own, merged []pair
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := d.resolve(n.Content[i]), n.Content[i+1]
		if k == nil {
			return nil, false
		}
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "keys must be plain names, found %s", kindName(k))
			continue
		}
		if k.Value == "<<" && k.Style == 0 && depth < maxAliasDepth {
			merged = append(merged, d.mergeSources(v, path, depth)...)
			continue
		}
		if seen[k.Value] {
			d.fail(k, join(path, k.Value), "%q is written twice in this mapping", k.Value)
			continue
		}
		seen[k.Value] = true
		own = append(own, pair{key: k.Value, keyN: k, value: v})
	}
	for _, p := range merged {
		if !seen[p.key] {
			seen[p.key] = true
			own = append(own, p)
		}
	}
	return own, true
}

// mergeSources reads the value of a merge key: one mapping or a list of them.
func (d *decoder) mergeSources(v *yaml.Node, path string, depth int) []pair {
	v = d.resolve(v)
	if v == nil {
		return nil
	}
	if v.Kind == yaml.SequenceNode {
		var out []pair
		for _, item := range v.Content {
			out = append(out, d.mergeSources(item, path, depth+1)...)
		}
		return out
	}
	ps, _ := d.mappingDepth(v, path, depth+1)
	return ps
}

// object reads a mapping whose keys must all be in known; unknown keys are
// reported with the closest known name. It returns the values by key.
func (d *decoder) object(n *yaml.Node, path string, known ...string) (map[string]*yaml.Node, bool) {
	pairs, ok := d.mapping(n, path)
	if !ok {
		return nil, false
	}
	out := make(map[string]*yaml.Node, len(pairs))
	for _, p := range pairs {
		if !contains(known, p.key) {
			d.fail(p.keyN, join(path, p.key), "unknown field %q%s", p.key, suggestion(p.key, known))
			continue
		}
		out[p.key] = p.value
		d.pos[join(path, p.key)] = nodePos(d.resolveQuiet(p.value))
	}
	return out, true
}

// resolveQuiet follows aliases without counting work (for positions only).
func (d *decoder) resolveQuiet(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i <= maxAliasDepth; i++ {
		n = n.Alias
	}
	return n
}

// sequence returns the items of a list; null is an empty list.
func (d *decoder) sequence(n *yaml.Node, path string) []*yaml.Node {
	n = d.resolve(n)
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list (items starting with \"- \"), found %s", kindName(n))
		return nil
	}
	for i, item := range n.Content {
		d.pos[index(path, i)] = nodePos(d.resolveQuiet(item))
	}
	return n.Content
}

// scalar returns the text of a scalar node.
func (d *decoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	n = d.resolve(n)
	if n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.fail(n, path, "expected %s, found %s", want, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) str(n *yaml.Node, path string) string {
	s, _ := d.scalar(n, path, "a string")
	return s
}

func (d *decoder) integer(n *yaml.Node, path string) int {
	s, ok := d.scalar(n, path, "a whole number")
	if !ok {
		return 0
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil {
		d.fail(n, path, "%q is not a whole number", s)
		return 0
	}
	return int(v)
}

func (d *decoder) uint64(n *yaml.Node, path string) uint64 {
	s, ok := d.scalar(n, path, "a whole number")
	if !ok {
		return 0
	}
	v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		d.fail(n, path, "%q is not a whole number from 0 to %d", s, uint64(1<<64-1))
		return 0
	}
	return v
}

func (d *decoder) boolean(n *yaml.Node, path string) bool {
	s, ok := d.scalar(n, path, "true or false")
	if !ok {
		return false
	}
	switch s {
	case "true", "True", "TRUE":
		return true
	case "false", "False", "FALSE":
		return false
	}
	d.fail(n, path, "expected true or false, found %q", s)
	return false
}

// ratio reads a plain number (percent: "90%" allowed too).
func (d *decoder) ratio(n *yaml.Node, path string, percent bool) float64 {
	s, ok := d.scalar(n, path, "a number")
	if !ok {
		return 0
	}
	v, err := parseRatio(s, percent)
	if err != nil {
		d.fail(n, path, "%v", err)
	}
	return v
}

// enum reads one of the allowed words.
func (d *decoder) enum(n *yaml.Node, path string, allowed ...string) string {
	s, ok := d.scalar(n, path, "one of "+strings.Join(allowed, ", "))
	if !ok {
		return ""
	}
	if !contains(allowed, s) {
		d.fail(n, path, "unknown value %q: expected one of %s%s", s, strings.Join(allowed, ", "), suggestion(s, allowed))
		return ""
	}
	return s
}

// dimKey maps a mapping key to a dimension, reporting unknown ones.
func (d *decoder) dimKey(p pair, path string) (Dimension, bool) {
	dim, ok := ParseDimension(p.key)
	if ok {
		return dim, true
	}
	hint := suggestion(p.key, DimensionNames())
	if a, found := dimensionAlias(p.key); found {
		hint = fmt.Sprintf("; did you mean %q?", a)
	}
	d.fail(p.keyN, join(path, p.key), "unknown dimension %q: expected %s%s", p.key, strings.Join(DimensionNames(), ", "), hint)
	return 0, false
}

// vector reads {cpu: 32, memory: 256Gi, iops: 20k, net: 10Gbps}; dimensions
// not written stay 0 and are false in set.
func (d *decoder) vector(n *yaml.Node, path string) (v Vector, set [NumDims]bool) {
	pairs, _ := d.mapping(n, path)
	for _, p := range pairs {
		dim, ok := d.dimKey(p, path)
		if !ok {
			continue
		}
		fp := join(path, p.key)
		d.pos[fp] = nodePos(d.resolveQuiet(p.value))
		s, ok := d.scalar(p.value, fp, "an amount")
		if !ok {
			continue
		}
		x, err := ParseQuantity(dim, s)
		if err != nil {
			d.fail(d.resolveQuiet(p.value), fp, "%v", err)
			continue
		}
		v[dim], set[dim] = x, true
	}
	return v, set
}

// perDim reads either one value for every dimension or a mapping by
// dimension, with read turning one scalar into a value. Dimensions not
// written keep their value in def.
func (d *decoder) perDim(n *yaml.Node, path string, def Vector, read func(n *yaml.Node, path string) float64) Vector {
	r := d.resolve(n)
	if r == nil || isNull(r) {
		return def
	}
	if r.Kind == yaml.ScalarNode {
		return Uniform(read(r, path))
	}
	pairs, _ := d.mapping(r, path)
	for _, p := range pairs {
		if dim, ok := d.dimKey(p, path); ok {
			fp := join(path, p.key)
			d.pos[fp] = nodePos(d.resolveQuiet(p.value))
			def[dim] = read(p.value, fp)
		}
	}
	return def
}

// labels reads a mapping of label names to values.
func (d *decoder) labels(n *yaml.Node, path string) map[string]string {
	pairs, _ := d.mapping(n, path)
	if len(pairs) == 0 {
		return nil
	}
	out := make(map[string]string, len(pairs))
	for _, p := range pairs {
		fp := join(path, p.key)
		d.pos[fp] = nodePos(d.resolveQuiet(p.value))
		if s, ok := d.scalar(p.value, fp, "a label value"); ok {
			out[p.key] = s
		}
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
