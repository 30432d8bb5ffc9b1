package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestConfigPrecedence proves the documented order: a flag beats a BERTH_*
// environment variable, which beats the config file, which beats the
// default (and the default leaves the scenario's own policy alone).
func TestConfigPrecedence(t *testing.T) {
	cases := []struct {
		name   string
		config string // contents of ./berth.yaml, "" for none
		env    string // BERTH_STRATEGY, "" for unset
		flag   string // --strategy, "" for not given
		want   string
	}{
		{name: "default", want: "align"},
		{name: "file", config: "strategy: bestfit\n", want: "bestfit"},
		{name: "env beats file", config: "strategy: bestfit\n", env: "firstfit", want: "firstfit"},
		{name: "flag beats env and file", config: "strategy: bestfit\n", env: "firstfit", flag: "spread", want: "spread"},
		{name: "flag beats file", config: "strategy: bestfit\n", flag: "kube", want: "kube"},
		{name: "env alone", env: "nomad", want: "nomad"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "xdg"))
			if tc.config != "" {
				if err := os.WriteFile("berth.yaml", []byte(tc.config), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tc.env != "" {
				t.Setenv("BERTH_STRATEGY", tc.env)
			} else {
				os.Unsetenv("BERTH_STRATEGY")
			}
			args := []string{"plan", "-o", "json"}
			if tc.flag != "" {
				args = append(args, "--strategy", tc.flag)
			}
			var stdout, stderr bytes.Buffer
			code := run(args, nil, &stdout, &stderr)
			if code != exitOK && code != exitUnplaced {
				t.Fatalf("berth %v: exit %d, stderr:\n%s", args, code, stderr.String())
			}
			var plan struct {
				Policy struct{ Strategy string }
			}
			if err := json.Unmarshal(stdout.Bytes(), &plan); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
			}
			if plan.Policy.Strategy != tc.want {
				t.Errorf("strategy = %q, want %q", plan.Policy.Strategy, tc.want)
			}
		})
	}
}

// TestConfigFileBroken: a config file that exists but does not parse is an
// error that names it; a missing one is fine.
func TestConfigFileBroken(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "xdg"))
	if err := os.WriteFile("berth.yaml", []byte("strategy: [unclosed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"plan"}, nil, &stdout, &stderr); code != exitError {
		t.Fatalf("exit %d, want %d", code, exitError)
	}
	if !bytes.Contains(stderr.Bytes(), []byte("berth.yaml")) {
		t.Errorf("stderr does not name the config file:\n%s", stderr.String())
	}
}
