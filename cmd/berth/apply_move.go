package main

import (
	"context"
	"fmt"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/apply"
	"github.com/spf13/cobra"
)

// registerMoveFlags adds apply's flags for the plan's moves. --bandwidth
// is the key the move commands plan with (the bandwidth of one
// migration): set in the config file, one figure serves both.
func registerMoveFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.String("bandwidth", "", "most one live migration may use, e.g. 800Mbps or 2Gbps (default: no limit)")
	fl.Duration("migration-timeout", 0, "abort a live migration that has not ended after this long; the guest stays on its source (default: no limit)")
}

// moveHostConfig is what apply reads of a config host for moves, beside
// what berth inventory reads (name, uri, …): how the other hosts' libvirtd
// reach it in a peer-to-peer migration, and where a migration's data to
// it goes.
type moveHostConfig struct {
	Name            string `mapstructure:"name"`
	PeerURI         string `mapstructure:"peerURI"`
	MigrationURI    string `mapstructure:"migrationURI"`
	MigrationListen string `mapstructure:"migrationListen"`
}

// moveOptions reads apply's options for moves from the flags and the
// config: the bandwidth cap and timeout of each migration, and each
// host's routes (the URI apply connects to is hosts.uri's, as for
// creates).
func (a *app) moveOptions(hosts hostResolver) (apply.MoveOptions, error) {
	var o apply.MoveOptions
	if s := a.v.GetString("bandwidth"); s != "" {
		bps, err := inventory.ParseQuantity(inventory.Net, s)
		if err != nil {
			return o, fmt.Errorf("bandwidth %q: %v", s, err)
		}
		if bps <= 0 {
			return o, fmt.Errorf("bandwidth %q: a migration needs more than 0; leave --bandwidth out for no limit", s)
		}
		o.Bandwidth = uint64(bps / 8)
	}
	s := a.v.GetString("migration-timeout")
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return o, fmt.Errorf("migration-timeout %q: want a duration ≥ 0 such as 10m or 1h30m (0 = no limit)", s)
	}
	o.Timeout = d
	var raw []moveHostConfig
	if err := a.v.UnmarshalKey("hosts", &raw); err != nil {
		return o, fmt.Errorf("config hosts: %w", err)
	}
	routes := map[string]moveHostConfig{}
	for _, h := range raw {
		if h.Name != "" {
			routes[h.Name] = h
		}
	}
	o.Route = func(h planner.HostPlan) apply.MoveRoute {
		c := routes[h.Name]
		return apply.MoveRoute{URI: hosts.uri(h), PeerURI: c.PeerURI, MigrationURI: c.MigrationURI, ListenAddress: c.MigrationListen}
	}
	return o, nil
}

// dryRunMoves checks the prerequisites of the plan's moves on their hosts
// (--dry-run), writes the findings, and returns the exit code the real
// run would have.
func (a *app) dryRunMoves(ctx context.Context, prep *apply.Apply) error {
	if prep.Plan().Migrations() == 0 {
		return nil
	}
	p := prep.PreflightMoves(ctx)
	p.Render(a.stdout)
	if code := p.ExitCode(); code != 0 {
		return silentExit(code)
	}
	return nil
}
