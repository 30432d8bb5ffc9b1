package main

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// configAt names a key of the config file for a message: "FILE line N:
// templates.web.poool" when the key is found in the file (YAML or JSON),
// else "FILE templates.web.poool", else the key alone.
func (a *app) configAt(keys ...string) string {
	path := strings.Join(keys, ".")
	if a.configUsed == "" {
		return path
	}
	if line := yamlLine(a.configData, keys); line > 0 {
		return fmt.Sprintf("%s line %d: %s", a.configUsed, line, path)
	}
	return a.configUsed + " " + path
}

// yamlLine is the line of the key at path in a YAML (or JSON) document,
// keys matched without regard to case as viper does; 0 when not found.
func yamlLine(data []byte, path []string) int {
	var doc yaml.Node
	if len(data) == 0 || yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return 0
	}
	n, line := doc.Content[0], 0
	for _, key := range path {
		if n.Kind != yaml.MappingNode {
			return 0
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if strings.EqualFold(n.Content[i].Value, key) {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			return 0
		}
	}
	return line
}
