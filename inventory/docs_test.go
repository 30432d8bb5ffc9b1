package inventory

import (
	"os"
	"strings"
	"testing"
)

// yamlBlocks returns the ```yaml blocks of a Markdown file.
func yamlBlocks(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, part := range strings.Split(string(data), "```yaml\n")[1:] {
		block, _, _ := strings.Cut(part, "```")
		blocks = append(blocks, block)
	}
	return blocks
}

// The examples in docs/scenario.md are what users copy: the complete
// example parses as a scenario, the demand-file example as a demand file,
// and the defaults written out are the defaults.
func TestDocsExamples(t *testing.T) {
	blocks := yamlBlocks(t, "../docs/scenario.md")
	var complete, demand, policy, profiles string
	for _, b := range blocks {
		switch {
		case strings.Contains(b, "name: shop "):
			complete = b
		case strings.HasPrefix(b, "apiVersion: berth/v1\nname: more-web"):
			demand = b
		case strings.HasPrefix(b, "policy:\n  overcommit: 1"):
			policy = b
		case strings.HasPrefix(b, "profiles:\n  - {name: web"):
			profiles = b
		}
	}
	if s, err := ParseScenario("docs/scenario.md#complete", []byte(complete)); err != nil {
		t.Errorf("complete example: %v", err)
	} else if len(s.Warnings) > 0 {
		t.Errorf("complete example warns: %v", s.Warnings)
	}
	if _, err := ParseDemand("docs/scenario.md#demand", []byte(demand)); err != nil {
		t.Errorf("demand example: %v", err)
	}
	hosts := "\nhosts:\n  - {name: h, capacity: {cpu: 64, memory: 256Gi, iops: 20k, net: 10Gbps}}\n"
	s, err := ParseScenario("docs/scenario.md#defaults", []byte("apiVersion: berth/v1\n"+policy+profiles+hosts))
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if s.Policy != DefaultPolicy() {
		t.Errorf("the documented default policy is not DefaultPolicy():\n%+v\n%+v", s.Policy, DefaultPolicy())
	}
	for i, p := range BuiltInProfiles() {
		got := s.Profiles[i]
		if got.Request != p.Request || got.Appetite != p.Appetite {
			t.Errorf("documented profile %s = %v %v, built-in %v %v", p.Name, got.Appetite, got.Request, p.Appetite, p.Request)
		}
	}
}
