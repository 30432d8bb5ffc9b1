package main

import (
	"os"
	"strings"

	"github.com/berth-dev/berth/inventory/live"
	"github.com/spf13/cast"
	"github.com/spf13/cobra"
)

// count reads the setting key as a whole number of at least min.
func (a *app) count(cmd *cobra.Command, key string, min int) (int, error) {
	n, err := cast.ToIntE(a.v.Get(key))
	if err != nil || n < min {
		return 0, a.badValue(cmd, key, "%q: want a whole number ≥ %d", a.v.GetString(key), min)
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
	opt.Strict, err = a.boolean(cmd, "strict")
	return err
}
