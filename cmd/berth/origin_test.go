package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadValueNamesItsOrigin: a bad value is reported with the place it
// came from — the flag, the BERTH_* variable, or the config file with the
// key's line (file and key when the format has no lines) — and a value
// that is overridden by a higher place is never reported.
func TestBadValueNamesItsOrigin(t *testing.T) {
	const headroomMsg = "headroom is the share of a host to fill: from 0.01 to 1 (1% to 100%), found 1.5"
	cases := []struct {
		name   string
		args   []string
		env    map[string]string
		config string // "NAME\nCONTENTS": written in the test's directory
		want   string // the whole of stderr, "" for a clean run
	}{
		{name: "flag, one value for every dimension", args: []string{"--headroom", "1.5"},
			want: "berth: --headroom: " + headroomMsg},
		{name: "flag, per dimension", args: []string{"--headroom", "memory=0.8,cpu=1.5"},
			want: "berth: --headroom: cpu: " + headroomMsg},
		{name: "environment", env: map[string]string{"BERTH_HEADROOM": "cpu=1.5"},
			want: "berth: BERTH_HEADROOM: cpu: " + headroomMsg},
		{name: "config file line", config: "berth.yaml\nstrategy: align\n\nheadroom: {cpu: 1.5}\n",
			want: "berth: berth.yaml:3: headroom: cpu: " + headroomMsg},
		{name: "config file, one value", config: "berth.yaml\nheadroom: 150%\n",
			want: "berth: berth.yaml:1: headroom: " + headroomMsg},
		{name: "JSON config line", args: []string{"--config", "berth.json"}, config: "berth.json\n{\n  \"headroom\": {\"cpu\": 1.5}\n}\n",
			want: "berth: berth.json:2: headroom: cpu: " + headroomMsg},
		{name: "TOML config: file and key", args: []string{"--config", "berth.toml"}, config: "berth.toml\n[headroom]\ncpu = 1.5\n",
			want: "berth: berth.toml: headroom: cpu: " + headroomMsg},
		{name: "flag beats a bad variable", args: []string{"--headroom", "0.8"}, env: map[string]string{"BERTH_HEADROOM": "9"}},
		{name: "variable beats a bad config", env: map[string]string{"BERTH_OVERCOMMIT": "2"}, config: "berth.yaml\novercommit: -1\n"},
		{name: "unparsable ratio", env: map[string]string{"BERTH_OVERCOMMIT": "cpu=4,memory=x"},
			want: "berth: BERTH_OVERCOMMIT: memory=x: want a finite number such as 4, 0.8 or 80%"},
		{name: "unknown dimension", config: "berth.yaml\novercommit: {gpu: 2}\n",
			want: `berth: berth.yaml:1: overcommit: gpu=2: unknown dimension "gpu" (want cpu, memory, iops, net)`},
		{name: "unknown dimension in pairs", args: []string{"--overcommit", "gpu=2"},
			want: `berth: --overcommit: gpu=2: unknown dimension "gpu" (want cpu, memory, iops, net)`},
		{name: "count from the environment", env: map[string]string{"BERTH_ITERATIONS": "1.5"},
			want: `berth: BERTH_ITERATIONS: "1.5": want a whole number ≥ 0`},
		{name: "count from the config", config: "berth.yaml\n# spare room\nfailover-hosts: 1.5\n",
			want: `berth: berth.yaml:2: failover-hosts: "1.5": want a whole number ≥ 0`},
		{name: "count too large for the fleet", env: map[string]string{"BERTH_FAILOVER_HOSTS": "20"},
			want: "berth: BERTH_FAILOVER_HOSTS: 20 failed hosts cannot be survived by a fleet of 20"},
		{name: "a rule that needs another knob", args: []string{"--max-per-host", "0"}, config: "berth.yaml\nsame-appetite: hard\n",
			want: "berth: --max-per-host: hard mode needs maxPerHost of at least 1, found 0"},
		{name: "word from the environment", env: map[string]string{"BERTH_OBJECTIVE": "fast"},
			want: `berth: BERTH_OBJECTIVE: unknown objective "fast": want pack or spread`},
		{name: "word from the config", config: "berth.yaml\nstrategy: bestfitt\n",
			want: `berth: berth.yaml:1: strategy: unknown strategy "bestfitt": want align, bestfit, firstfit, kube, nomad or spread; did you mean "bestfit"?`},
		{name: "output format from the environment", env: map[string]string{"BERTH_OUTPUT": "xml"},
			want: `berth: BERTH_OUTPUT: unknown output format "xml": want table, json, yaml, markdown or html`},
		{name: "on/off from the environment", env: map[string]string{"BERTH_DETAILED_EXITCODE": "maybe"},
			want: `berth: BERTH_DETAILED_EXITCODE: "maybe": want true or false`},
		{name: "duration from the config", config: "berth.yaml\nbudget: soon\n",
			want: `berth: berth.yaml:1: budget: "soon": want a duration ≥ 0 such as 5s`},
		{name: "pin from the config", config: "berth.yaml\npin: [web-1]\n",
			want: `berth: berth.yaml:1: pin: "web-1": want GUEST=HOST`},
		{name: "two sources, one from the environment", args: []string{"-f", "x.yaml"}, env: map[string]string{"BERTH_SCENARIO": "tight"},
			want: "berth: give one source, not --file and BERTH_SCENARIO: -f FILE, --scenario NAME, or live hosts (-c URI … -d DEMAND)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inConfigDir(t, "")
			if tc.config != "" {
				name, body, _ := strings.Cut(tc.config, "\n")
				if err := os.WriteFile(filepath.Join(".", name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			args := append([]string{"plan"}, tc.args...)
			var stdout, stderr bytes.Buffer
			code := run(args, nil, &stdout, &stderr)
			got := strings.TrimSuffix(stderr.String(), "\n")
			if got != tc.want {
				t.Errorf("berth %s: stderr\n got: %s\nwant: %s", strings.Join(args, " "), got, tc.want)
			}
			wantCode := exitError
			if tc.want == "" {
				wantCode = exitOK
			}
			if code != wantCode {
				t.Errorf("exit %d, want %d", code, wantCode)
			}
		})
	}
}
