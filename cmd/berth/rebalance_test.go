package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestRebalanceDocSample: the tour in docs/rebalance.md shows what
// `berth rebalance --scenario drifted --goal consolidate` prints: every
// line of its sample is a line of the output, in the same order ("..."
// alone stands for lines left out; a line ending in "..." for the start
// of one).
func TestRebalanceDocSample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/rebalance.md")
	if err != nil {
		t.Fatal(err)
	}
	const cmd = "berth rebalance --scenario drifted --goal consolidate\n```\n\n```\n"
	_, rest, ok := strings.Cut(string(doc), cmd)
	if !ok {
		t.Fatalf("docs/rebalance.md has no sample of %q", strings.SplitN(cmd, "\n", 2)[0])
	}
	sample, _, _ := strings.Cut(rest, "```")
	var out, errb bytes.Buffer
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Chdir(t.TempDir())
	if code := run([]string{"rebalance", "--scenario", "drifted", "--goal", "consolidate"}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(out.String(), "\n")
	at := 0
	for _, want := range strings.Split(strings.TrimSpace(sample), "\n") {
		if strings.TrimSpace(want) == "..." {
			continue // lines left out
		}
		// A line ending in "..." shows the start of an output line.
		prefix, cut := strings.CutSuffix(want, "...")
		found := false
		for at < len(lines) {
			at++
			got := lines[at-1]
			if (cut && strings.HasPrefix(got, prefix)) || (!cut && strings.TrimRight(got, " ") == strings.TrimRight(want, " ")) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("docs/rebalance.md's sample line is not in the output (in order):\n%s\noutput:\n%s", want, out.String())
			return
		}
	}
}
