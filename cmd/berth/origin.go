package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cast"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

// A setting's value comes from one of four places, highest first (viper's
// order, docs/cli.md): a flag on the command line, a BERTH_* environment
// variable, the config file, the flag's default. When a value is bad, the
// error names the place, so that a stale export or a forgotten line in
// berth.yaml is found at once:
//
//	berth: --headroom: cpu=x: want a finite number such as 4, 0.8 or 80%
//	berth: BERTH_ITERATIONS: "1.5": want a whole number ≥ 0
//	berth: berth.yaml:3: headroom: cpu: headroom is the share … found 1.5

// valueFrom is where a setting's value came from.
type valueFrom int

const (
	fromDefault valueFrom = iota
	fromFlag
	fromEnv
	fromConfig
)

// from says where key's value comes from for cmd. An environment variable
// set to "" does not count, as viper ignores it.
func (a *app) from(cmd *cobra.Command, key string) valueFrom {
	if f := cmd.Flags().Lookup(key); f != nil && f.Changed {
		return fromFlag
	}
	if os.Getenv(envName(key)) != "" {
		return fromEnv
	}
	if a.v.InConfig(key) {
		return fromConfig
	}
	return fromDefault
}

// isSet reports whether the user gave key on the command line, in the
// environment or in the config file (a flag's default does not count, so
// the scenario's own policy is kept unless the user overrides it).
func (a *app) isSet(cmd *cobra.Command, key string) bool {
	return a.from(cmd, key) != fromDefault
}

// envName is the environment variable for key: BERTH_ and the key in upper
// case with - and . as _ (the replacer loadConfig gives viper).
func envName(key string) string {
	return "BERTH_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(key))
}

// origin names where key's value came from, for an error message:
// "--headroom", "BERTH_HEADROOM", or the config file with the key's line
// ("berth.yaml:3: headroom"; "berth.toml: headroom" when the line cannot be
// found).
func (a *app) origin(cmd *cobra.Command, key string) string {
	switch a.from(cmd, key) {
	case fromEnv:
		return envName(key)
	case fromConfig:
		path := a.configPath()
		if line := configLine(path, key); line > 0 {
			return fmt.Sprintf("%s:%d: %s", path, line, key)
		}
		return path + ": " + key
	}
	return "--" + key
}

// badValue is err said as a bad value of key, prefixed with its origin.
func (a *app) badValue(cmd *cobra.Command, key string, format string, args ...any) error {
	return fmt.Errorf("%s: %s", a.origin(cmd, key), fmt.Sprintf(format, args...))
}

// duration reads a duration setting, refusing what does not parse (a
// stale BERTH_SAMPLE=abc) instead of taking it as 0.
func (a *app) duration(cmd *cobra.Command, key string) (time.Duration, error) {
	d, err := cast.ToDurationE(a.v.Get(key))
	if err != nil || d < 0 {
		return 0, a.badValue(cmd, key, "%q: want a duration ≥ 0 such as 10s", a.v.GetString(key))
	}
	return d, nil
}

// boolean reads an on/off setting, refusing what is not true or false
// (BERTH_STRICT=yes) instead of taking it as false.
func (a *app) boolean(cmd *cobra.Command, key string) (bool, error) {
	b, err := cast.ToBoolE(a.v.Get(key))
	if err != nil {
		return false, a.badValue(cmd, key, "%q: want true or false", a.v.GetString(key))
	}
	return b, nil
}

// configPath is the config file this run read ("" for none). The config
// is read from bytes (capped, see loadConfig), so viper's ConfigFileUsed
// is empty: the path is kept in a.configUsed.
func (a *app) configPath() string { return a.configUsed }

// maxConfigBytes bounds the second read of the config file that looks for
// a key's line (only when reporting a bad value).
const maxConfigBytes = 16 << 20

// configLine is the line of the top-level key in the YAML (or JSON) config
// file at path, matched without regard to case as viper matches keys; 0
// when it cannot be found (TOML, unreadable).
func configLine(path, key string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes))
	if err != nil {
		return 0
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return 0
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return 0
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		if strings.EqualFold(top.Content[i].Value, key) {
			return top.Content[i].Line
		}
	}
	return 0
}
