package scenarios_test

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/scenarios"
)

// Every embedded scenario parses and validates, with no warnings either:
// they are what users copy from.
func TestEmbeddedScenariosValidate(t *testing.T) {
	for _, info := range scenarios.List() {
		t.Run(info.Name, func(t *testing.T) {
			data, err := scenarios.Get(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			s, err := inventory.ParseScenario(scenarios.Source(info.Name), data)
			if err != nil {
				t.Fatalf("embedded scenario does not parse:\n%v", err)
			}
			if len(s.Warnings) > 0 {
				t.Errorf("warnings:\n%v", s.Warnings)
			}
			if s.Name != info.Name {
				t.Errorf("name field %q, file %s.yaml", s.Name, info.Name)
			}
			if info.Description == "" {
				t.Error("no description")
			}
		})
	}
}

func TestListHasTheDocumentedScenarios(t *testing.T) {
	var names []string
	for _, info := range scenarios.List() {
		names = append(names, info.Name)
	}
	for _, want := range []string{scenarios.Default, "leftovers", "tight", "growth"} {
		if !strings.Contains(" "+strings.Join(names, " ")+" ", " "+want+" ") {
			t.Errorf("List() = %v, missing %q", names, want)
		}
	}
}

func TestGetUnknownListsAvailable(t *testing.T) {
	for _, name := range []string{"nope", "", "../go.mod", "default/x"} {
		_, err := scenarios.Get(name)
		if err == nil {
			t.Fatalf("Get(%q): no error", name)
		}
		if !strings.Contains(err.Error(), "available: ") || !strings.Contains(err.Error(), scenarios.Default) {
			t.Errorf("Get(%q) error %q does not list the available scenarios", name, err)
		}
	}
	if _, err := scenarios.Get("default.yaml"); err != nil {
		t.Errorf("Get with .yaml suffix: %v", err)
	}
}
