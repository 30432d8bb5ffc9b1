package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// Formats are the outputs of a report, by the name -o takes.
var Formats = []string{"text", "markdown", "json", "yaml", "junit"}

// Write writes the report in format (one of Formats; "table" is taken as
// text and "md" as markdown, so a config's output key made for berth plan
// means the same here).
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "text", "table", "":
		return r.WriteText(w)
	case "markdown", "md":
		return r.WriteMarkdown(w)
	case "json":
		return r.WriteJSON(w)
	case "yaml":
		return r.WriteYAML(w)
	case "junit":
		return r.WriteJUnit(w)
	}
	return fmt.Errorf("unknown output format %q: want text, markdown, json, yaml or junit", format)
}

// WriteJSON writes the report as indented JSON, for machines.
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteYAML writes the report as YAML, with the JSON's field names.
func (r *Report) WriteYAML(w io.Writer) error {
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		return err
	}
	var node yaml.Node
	if err := yaml.Unmarshal(buf.Bytes(), &node); err != nil {
		return err
	}
	blockStyle(&node)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return err
	}
	return enc.Close()
}

func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// shown caps a list for people: the first max items and how many more.
func shown[T any](xs []T, max int) ([]T, int) {
	if len(xs) <= max {
		return xs, 0
	}
	return xs[:max], len(xs) - max
}

// verdict is "all 9 rules hold" or "2 of 9 rules broken".
func (r *Report) verdict() string {
	if r.Passed {
		if len(r.Results) == 1 {
			return "the rule holds"
		}
		return fmt.Sprintf("all %d rules hold", len(r.Results))
	}
	if len(r.Results) == 1 {
		return "the rule is broken"
	}
	return fmt.Sprintf("%d of %d rules broken", r.Violated, len(r.Results))
}
