package tui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// screenBlock is a screenshot in docs/tui.md: a marker naming a golden
// file, then a text block.
var screenBlock = regexp.MustCompile("(?s)<!-- screen: ([a-z0-9x-]+) -->\n```text\n(.*?)```")

// TestDocsScreenshots keeps the screenshots in docs/tui.md equal to the
// golden files (trailing spaces aside); -update rewrites them.
func TestDocsScreenshots(t *testing.T) {
	path := filepath.Join("..", "docs", "tui.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	out := screenBlock.ReplaceAllStringFunc(string(doc), func(block string) string {
		m := screenBlock.FindStringSubmatch(block)
		n++
		g, err := os.ReadFile(filepath.Join("testdata", m[1]+".golden"))
		if err != nil {
			t.Errorf("docs/tui.md shows %s: %v", m[1], err)
			return block
		}
		want := trimRight(string(g)) + "\n"
		if m[2] != want && !*update {
			t.Errorf("docs/tui.md's screenshot %s differs from testdata/%s.golden; run go test ./tui/ -update", m[1], m[1])
		}
		return "<!-- screen: " + m[1] + " -->\n```text\n" + want + "```"
	})
	if n < 4 {
		t.Errorf("docs/tui.md has %d screenshots, want the fleet, host, why-not and help screens", n)
	}
	if *update {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func trimRight(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}
