package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestReadmeSample: the sample output at the top of the README is what
// `berth plan --scenario leftovers` prints today, byte for byte, so a
// newcomer's first run looks like what they read.
func TestReadmeSample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const prompt = "$ berth plan --scenario leftovers\n"
	_, rest, ok := strings.Cut(string(readme), prompt)
	if !ok {
		t.Fatalf("README.md has no %q sample", strings.TrimSpace(prompt))
	}
	want, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("the README's sample has no closing fence")
	}
	var out, errb bytes.Buffer
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Chdir(t.TempDir()) // no berth.yaml of the checkout's
	if code := run([]string{"plan", "--scenario", "leftovers"}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if out.String() != want {
		t.Errorf("README.md's sample differs from what berth prints; paste this in:\n%s", out.String())
	}
}
