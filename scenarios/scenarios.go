// Package scenarios holds ready-made fleets and demands as scenario YAML
// (format: docs/scenario.md), embedded in the binary so that berth runs
// with no libvirt at all: `berth plan` plans Default, `berth scenarios
// list|show NAME` prints them so a user can start from one.
package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed *.yaml
var files embed.FS

// Default is the scenario `berth plan` uses when given none.
const Default = "default"

// Info describes one embedded scenario.
type Info struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Source is how an embedded scenario is named in messages
// (inventory.ParseScenario's source): "embedded:NAME".
func Source(name string) string { return "embedded:" + name }

// Names lists the embedded scenarios, sorted.
func Names() []string {
	entries, _ := fs.Glob(files, "*.yaml")
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = strings.TrimSuffix(e, ".yaml")
	}
	sort.Strings(names)
	return names
}

// List describes every embedded scenario, sorted by name. The description
// is the scenario's own description field (its first line).
func List() []Info {
	var out []Info
	for _, name := range Names() {
		data, _ := Get(name)
		var head struct {
			Description string `yaml:"description"`
		}
		_ = yaml.Unmarshal(data, &head)
		desc, _, _ := strings.Cut(strings.TrimSpace(head.Description), "\n")
		out = append(out, Info{Name: name, Description: desc})
	}
	return out
}

// Get returns the YAML of the embedded scenario name (with or without
// ".yaml"); an unknown name is an error listing the available ones.
func Get(name string) ([]byte, error) {
	name = strings.TrimSuffix(name, ".yaml")
	if name == "" || strings.ContainsAny(name, "/\\") {
		return nil, unknown(name)
	}
	data, err := files.ReadFile(name + ".yaml")
	if err != nil {
		return nil, unknown(name)
	}
	return data, nil
}

func unknown(name string) error {
	return fmt.Errorf("no embedded scenario %q; available: %s", name, strings.Join(Names(), ", "))
}
