package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestCheckExitCodes pins berth check's exit codes: 0 every rule holds, 3
// a rule is broken, 1 an error (bad rules, no rules, no plan).
func TestCheckExitCodes(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Chdir(t.TempDir())
	var out, errs bytes.Buffer
	if code := run([]string{"plan", "--scenario", "leftovers", "--out", "plan.json"}, strings.NewReader(""), &out, &errs); code != exitOK {
		t.Fatalf("plan: exit %d: %s", code, errs.String())
	}
	files := map[string]string{
		"kept.yaml":   "maxHostsBought: 0\n",
		"broken.yaml": "hostUtilisation: {max: {cpu: 95%}}\n",
		"bad.yaml":    "maxHostsBought: lots\n",
	}
	for name, text := range files {
		if err := writeFile(name, text); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"every rule holds", []string{"check", "plan.json", "--rules", "kept.yaml"}, exitOK},
		{"a rule broken", []string{"check", "plan.json", "--rules", "broken.yaml"}, exitUnplaced},
		{"a rule broken, as JUnit", []string{"check", "plan.json", "--rules", "broken.yaml", "-o", "junit"}, exitUnplaced},
		{"bad rules", []string{"check", "plan.json", "--rules", "bad.yaml"}, exitError},
		{"no rules", []string{"check", "plan.json"}, exitError},
		{"no plan", []string{"check", "nosuch.json", "--rules", "kept.yaml"}, exitError},
		{"bad format", []string{"check", "plan.json", "--rules", "kept.yaml", "-o", "xml"}, exitError},
		{"report", []string{"report", "plan.json", "-o", "r.html"}, exitOK},
		{"report of no plan", []string{"report", "kept.yaml", "-o", "r.html"}, exitError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
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
