package inventory

import (
	"os"
	"testing"
)

func TestTmp(t *testing.T) {
	s, err := LoadScenario("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	t.Log(s.Warnings)
	WriteScenario(os.Stdout, s)
}
