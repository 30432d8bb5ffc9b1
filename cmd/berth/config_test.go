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
			inConfigDir(t, tc.config)
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

// TestConfigStrictValues: values from the environment or the config file
// that do not parse are errors, never truncated or defaulted; a scenario
// saved as ./berth.yaml is not read as configuration; apply's fleet-changing
// flags cannot come from a file.
func TestConfigStrictValues(t *testing.T) {
	cases := []struct {
		name, config, envKey, envVal string
		want                         int
		stderr                       string
	}{
		{name: "fractional env count", envKey: "BERTH_ITERATIONS", envVal: "1.5", want: exitError, stderr: `BERTH_ITERATIONS: "1.5": want a whole number`},
		{name: "fractional config count", config: "failover-hosts: 1.5\n", want: exitError, stderr: `berth.yaml:1: failover-hosts: "1.5"`},
		{name: "env overcommit", envKey: "BERTH_OVERCOMMIT", envVal: "cpu=4,memory=x", want: exitError, stderr: "BERTH_OVERCOMMIT: memory=x"},
		{name: "typo in config", config: "stratgy: bestfit\n", want: exitError, stderr: `did you mean "strategy"`},
		{name: "yes in config", config: "yes: true\n", want: exitError, stderr: `"yes" is taken from the command line only`},
		{name: "scenario as berth.yaml", config: "apiVersion: berth/v1\nname: x\n", want: exitOK, stderr: "is a scenario file (it has apiVersion), not a config file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inConfigDir(t, tc.config)
			if tc.envKey != "" {
				t.Setenv(tc.envKey, tc.envVal)
			}
			var stdout, stderr bytes.Buffer
			if code := run([]string{"plan"}, nil, &stdout, &stderr); code != tc.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.want, stderr.String())
			}
			if !bytes.Contains(stderr.Bytes(), []byte(tc.stderr)) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, stderr.String())
			}
		})
	}
}

// inConfigDir runs the test in an empty directory with no user config
// (XDG_CONFIG_HOME points inside it) and, unless config is "", a
// ./berth.yaml holding config.
func inConfigDir(t *testing.T, config string) {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "xdg"))
	if config != "" {
		if err := os.WriteFile("berth.yaml", []byte(config), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
