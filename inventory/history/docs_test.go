package history

import (
	"os"
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
)

// TestDocsQueriesAndRules keeps docs/load-history.md honest: the queries
// and the recording rules it shows are the ones this package sends and
// writes for the default config.
func TestDocsQueriesAndRules(t *testing.T) {
	data, err := os.ReadFile("../../docs/load-history.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Join(strings.Fields(string(data)), " ")
	cfg := DefaultConfig("http://prometheus:9090")
	for _, d := range inventory.Dimensions {
		if q := cfg.QuantileQuery(d); !strings.Contains(doc, q) {
			t.Errorf("the docs do not show the %s query:\n  %s", d, q)
		}
	}
	_, rules, _ := strings.Cut(RecordingRules(cfg), "\n") // the comment line is not shown
	if r := strings.Join(strings.Fields(rules), " "); !strings.Contains(doc, r) {
		t.Errorf("the docs do not show the recording rules:\n%s", rules)
	}
}
