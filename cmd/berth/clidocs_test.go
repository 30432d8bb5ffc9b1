package main

import (
	"go/scanner"
	"go/token"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// docSection is one command section of docs/cli.md: a heading naming one
// or more commands (## `berth plan`; ## `berth rebalance`, `berth drain`)
// and the flags its tables list in their first column (`-o, --output`).
type docSection struct {
	heading  string
	commands []string        // "berth plan", "berth scenarios show"
	flags    map[string]bool // "--output"
	short    map[string]bool // "-o, --output"
}

var (
	docHeadingRE = regexp.MustCompile("^#{2,4} ")
	docSpanRE    = regexp.MustCompile("`([^`]*)`")
	docFlagRE    = regexp.MustCompile(`^(?:(-[a-zA-Z]), )?(--[a-z][a-z0-9-]*)`)
	docCommandRE = regexp.MustCompile(`^berth(?: [a-z][a-z0-9-]*)*`)
)

// parseDocSections reads the command sections of a Markdown document: a
// heading whose backticked spans start with "berth" names the commands
// (up to the first word that is not a command word, such as PLAN); the
// flags are the backticked spans of its tables' first cells that start
// with a flag, up to the next heading.
func parseDocSections(doc string) []docSection {
	var out []docSection
	var cur *docSection
	for _, line := range strings.Split(doc, "\n") {
		if docHeadingRE.MatchString(line) {
			cur = nil
			var cmds []string
			for _, m := range docSpanRE.FindAllStringSubmatch(line, -1) {
				if c := docCommandRE.FindString(m[1]); c != "" {
					cmds = append(cmds, c)
				}
			}
			if len(cmds) > 0 {
				out = append(out, docSection{heading: line, commands: cmds, flags: map[string]bool{}, short: map[string]bool{}})
				cur = &out[len(out)-1]
			}
			continue
		}
		if cur == nil || !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.ReplaceAll(line, `\|`, "¦"), "|")
		if len(cells) < 2 {
			continue
		}
		for _, m := range docSpanRE.FindAllStringSubmatch(cells[1], -1) {
			f := docFlagRE.FindStringSubmatch(m[1])
			if f == nil {
				continue
			}
			cur.flags[f[2]] = true
			if f[1] != "" {
				cur.short[f[1]+", "+f[2]] = true
			}
		}
	}
	return out
}

// commandTree is every command berth has, by path ("berth plan"), with
// cobra's own help command (added when berth runs) left out.
func commandTree(t *testing.T) map[string]*cobra.Command {
	t.Helper()
	root := newRootCmd(&app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard})
	out := map[string]*cobra.Command{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		out[c.CommandPath()] = c
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

// TestCLIDocsMatchCommands: docs/cli.md has a section for every command
// the code has and none for a command it does not; each command's table
// lists every flag it has, with its one-letter form where it has one, and
// no flag it does not have. So the reference cannot drift from the code.
func TestCLIDocsMatchCommands(t *testing.T) {
	data, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := parseDocSections(string(data))
	tree := commandTree(t)
	documented := map[string][]docSection{}
	for _, s := range sections {
		for _, c := range s.commands {
			if _, ok := tree[c]; !ok {
				t.Errorf("docs/cli.md: %q names %q, which berth does not have", s.heading, c)
			}
			documented[c] = append(documented[c], s)
		}
	}
	for _, path := range slices.Sorted(maps.Keys(tree)) {
		cmd := tree[path]
		secs := documented[path]
		if len(secs) == 0 {
			t.Errorf("docs/cli.md has no section for %q (a heading such as ## `%s`, with a table of its flags)", path, path)
			continue
		}
		cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
			long := "--" + f.Name
			if !slices.ContainsFunc(secs, func(s docSection) bool { return s.flags[long] }) {
				t.Errorf("docs/cli.md: the section for %q does not list its flag %s (%s)", path, long, f.Usage)
				return
			}
			if f.Shorthand != "" {
				pair := "-" + f.Shorthand + ", " + long
				if !slices.ContainsFunc(secs, func(s docSection) bool { return s.short[pair] }) {
					t.Errorf("docs/cli.md: the section for %q lists %s without its short form: write `%s`", path, long, pair)
				}
			}
		})
	}
	for _, s := range sections {
		for flag := range s.flags {
			has := slices.ContainsFunc(s.commands, func(c string) bool {
				cmd, ok := tree[c]
				return ok && cmd.LocalFlags().Lookup(strings.TrimPrefix(flag, "--")) != nil
			})
			if !has {
				t.Errorf("docs/cli.md: %q lists %s, which none of %v has", s.heading, flag, s.commands)
			}
		}
	}
}

// TestCLIDocsConfigAndEnvironment: docs/cli.md names every config key that
// is not a flag (the sections), every key taken from the command line
// only, and every environment variable the code reads by name.
func TestCLIDocsConfigAndEnvironment(t *testing.T) {
	data, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, key := range configSections {
		if !strings.Contains(doc, "`"+key+"`") {
			t.Errorf("docs/cli.md does not name the config section `%s`", key)
		}
	}
	for key := range commandLineOnly {
		if !strings.Contains(doc, "`--"+key+"`") {
			t.Errorf("docs/cli.md does not say that `--%s` is taken from the command line only", key)
		}
	}
	vars := envVarsInCode(t, "../..")
	if len(vars) == 0 {
		t.Fatal("found no environment variable names in the code: the scan is broken")
	}
	for _, v := range vars {
		if !strings.Contains(doc, "`"+v) {
			t.Errorf("docs/cli.md does not name the environment variable %s, which the code reads", v)
		}
	}
}

// envVarsInCode are the BERTH_* and LIBVIRT_* names written as string
// literals in the module's non-test Go files (a prefix such as "BERTH_"
// alone is not a name).
func envVarsInCode(t *testing.T, dir string) []string {
	t.Helper()
	nameRE := regexp.MustCompile(`^"((?:BERTH|LIBVIRT)_[A-Z0-9_]*[A-Z0-9])"$`)
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != dir {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		var s scanner.Scanner
		s.Init(fset.AddFile(path, -1, len(src)), src, nil, 0)
		for {
			_, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			if m := nameRE.FindStringSubmatch(lit); tok == token.STRING && m != nil {
				seen[m[1]] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(seen))
}

// TestEveryCommandHasExamples: every command's --help shows examples.
func TestEveryCommandHasExamples(t *testing.T) {
	for path, cmd := range commandTree(t) {
		if strings.TrimSpace(cmd.Example) == "" {
			t.Errorf("%s --help has no examples (set Example)", path)
		}
	}
}
