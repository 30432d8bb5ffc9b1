package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/berth-dev/berth/inventory/live"
	"github.com/spf13/cast"
	"github.com/spf13/cobra"
)

// settingSource names where the value of key comes from, for an error
// about it: the flag, the BERTH_ variable, the config file, or the default.
func (a *app) settingSource(cmd *cobra.Command, key string) string {
	if f := cmd.Flags().Lookup(key); f != nil && f.Changed {
		return "--" + key
	}
	env := "BERTH_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(key))
	if v, ok := os.LookupEnv(env); ok && v != "" {
		return env
	}
	if a.v.InConfig(key) {
		return key + " in " + a.configUsed
	}
	return "--" + key
}

// duration reads the setting key as a duration of at least 0 (flag >
// BERTH_ variable > config > default); a value that does not parse is an
// error naming where it came from, never a silent 0.
func (a *app) duration(cmd *cobra.Command, key string) (time.Duration, error) {
	d, err := cast.ToDurationE(a.v.Get(key))
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s %q: want a duration ≥ 0 such as 30s or 2m", a.settingSource(cmd, key), a.v.GetString(key))
	}
	return d, nil
}

// count reads the setting key as a whole number of at least min.
func (a *app) count(cmd *cobra.Command, key string, min int) (int, error) {
	n, err := cast.ToIntE(a.v.Get(key))
	if err != nil || n < min {
		return 0, fmt.Errorf("%s %q: want a whole number ≥ %d", a.settingSource(cmd, key), a.v.GetString(key), min)
	}
	return n, nil
}

// connectURIs are the hosts to read: -c on the command line, else
// BERTH_CONNECT (URIs separated by spaces or commas) or connect: in the
// config (a list). fromFlag says they came from the command line: only
// then do they choose live hosts over a scenario by themselves.
func (a *app) connectURIs(cmd *cobra.Command) (uris []string, fromFlag bool) {
	if f := cmd.Flags().Lookup("connect"); f != nil && f.Changed {
		uris, _ = cmd.Flags().GetStringArray("connect")
		return uris, true
	}
	if v := os.Getenv("BERTH_CONNECT"); strings.TrimSpace(v) != "" {
		return strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == '\n' || r == '\t' }), false
	}
	return cast.ToStringSlice(a.v.Get("connect")), false
}

// readSettings fills how live hosts are read from the settings: the
// sample window, --strict, the hosts read at once and the time allowed to
// read one (--timeout, BERTH_TIMEOUT, timeout: in the config).
func (a *app) readSettings(cmd *cobra.Command, opt *live.ReadOptions) error {
	var err error
	if opt.Sample, err = a.duration(cmd, "sample"); err != nil {
		return err
	}
	if opt.Timeout, err = a.duration(cmd, "timeout"); err != nil {
		return err
	}
	if opt.Concurrency, err = a.count(cmd, "concurrency", 0); err != nil {
		return err
	}
	opt.Strict = a.v.GetBool("strict")
	return nil
}
