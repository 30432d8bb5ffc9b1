package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestExitCodes pins the documented exit codes (docs/cli.md).
func TestExitCodes(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"everything placed", []string{"plan"}, exitOK},
		{"detailed: changes", []string{"plan", "--detailed-exitcode"}, exitChanges},
		{"unplaced", []string{"plan", "--scenario", "tight"}, exitUnplaced},
		{"unplaced beats detailed", []string{"plan", "--scenario", "tight", "--detailed-exitcode"}, exitUnplaced},
		{"bad flag value", []string{"plan", "-o", "xml"}, exitError},
		{"unknown scenario", []string{"plan", "--scenario", "nosuch"}, exitError},
		{"missing file", []string{"plan", "-f", "/nonexistent/fleet.yaml"}, exitError},
		{"bad pin", []string{"plan", "--pin", "web-api-1"}, exitError},
		{"pin to unknown host", []string{"plan", "--pin", "web-api-1=nohost"}, exitError},
		{"exclude unknown host", []string{"plan", "--exclude", "nohost"}, exitError},
		{"one guest pinned twice", []string{"plan", "--pin", "web-api-1=kvm01", "--pin", "web-api-1=kvm02"}, exitError},
		{"a dimension given twice", []string{"plan", "--overcommit", "cpu=4,cpu=2"}, exitError},
		{"failover k not below the hosts", []string{"plan", "--failover-hosts", "20"}, exitError},
		{"sample without live hosts", []string{"plan", "--sample", "1s"}, exitError},
		{"fractional count", []string{"plan", "--iterations", "1.5"}, exitError},
		{"NaN ratio", []string{"plan", "--headroom", "cpu=NaN"}, exitError},
		{"version", []string{"version"}, exitOK},
		{"unknown command", []string{"frobnicate"}, exitError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("XDG_CONFIG_HOME", t.TempDir())
			t.Chdir(t.TempDir())
			var stdout, stderr bytes.Buffer
			if got := run(tc.args, strings.NewReader(""), &stdout, &stderr); got != tc.want {
				t.Errorf("berth %s: exit %d, want %d\nstderr: %s", strings.Join(tc.args, " "), got, tc.want, stderr.String())
			}
			if tc.want == exitError && !strings.HasPrefix(stderr.String(), "berth: ") {
				t.Errorf("an error must be said on stderr, got %q", stderr.String())
			}
		})
	}
}

// TestDetailedNothingToDo: a scenario with no demand plans to nothing, which
// --detailed-exitcode reports as 0.
func TestDetailedNothingToDo(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_CONFIG_HOME", dir)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"scenarios", "show", "leftovers"}, nil, &stdout, &stderr); code != 0 {
		t.Fatal(stderr.String())
	}
	// Drop the demand section: everything after "demand:".
	sc := stdout.String()
	if i := strings.Index(sc, "\ndemand:"); i >= 0 {
		sc = sc[:i+1]
	}
	if err := writeFile("nodemand.yaml", sc); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"plan", "-f", "nodemand.yaml", "--detailed-exitcode"}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d, want 0; stderr:\n%s\nscenario:\n%s", code, stderr.String(), sc)
	}
}
