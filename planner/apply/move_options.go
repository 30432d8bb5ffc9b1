package apply

import (
	"context"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/planner"
)

// MoveOptions say how the plan's moves (its move actions) are carried out.
type MoveOptions struct {
	// Route says how each host is reached for moves (nil: the plan's URI
	// and libvirt's defaults for the rest).
	Route func(planner.HostPlan) MoveRoute
	// Connect opens a connection to a host for moves; release is called
	// when apply is done with it (nil: hypervisor.Connect to Route's URI).
	Connect func(ctx context.Context, h planner.HostPlan) (c *hypervisor.Conn, release func(), err error)
	// Bandwidth caps each live migration, in bytes per second (libvirt
	// counts whole MiB/s, rounded up); 0 is no cap.
	Bandwidth uint64
	// Timeout aborts a live migration that has not ended after this long
	// (the guest then stays on its source); 0 is no limit.
	Timeout time.Duration
	// ProgressInterval is how often a migration's progress is read (0 =
	// hypervisor.DefaultProgressInterval).
	ProgressInterval time.Duration
	// Settle bounds the wait for a guest found between two hosts (a
	// migration in flight, or libvirt's last steps after one) before apply
	// acts on it (0 = DefaultSettle, or Timeout when that is longer).
	Settle time.Duration
}

// DefaultSettle is how long apply waits, by default, for a guest caught
// between two hosts to settle on one.
const DefaultSettle = 5 * time.Minute

// MoveRoute is how a host is reached for moves. For a live migration the
// source host's libvirtd connects to the destination's itself (peer to
// peer), so the destination may need a URI of its own for that, and the
// guest's memory may go over a network of its own.
type MoveRoute struct {
	// URI is what berth connects to (the config's or the plan's URI).
	URI string
	// PeerURI is this host's libvirt URI as the other hosts' libvirtd
	// open it, when it is a migration's destination ("" = URI).
	PeerURI string
	// MigrationURI is where a migration's data to this host goes, as
	// libvirt's migrate URI: tcp://ADDR (or tcp://ADDR:PORT). "" is
	// libvirt's default: the host's own host name.
	MigrationURI string
	// ListenAddress is the address this host listens on for an incoming
	// migration's data ("" = libvirt's default).
	ListenAddress string
}

// route is how apply reaches h for moves.
func (o *MoveOptions) route(h planner.HostPlan) MoveRoute {
	if o.Route == nil {
		return MoveRoute{URI: h.URI}
	}
	r := o.Route(h)
	if r.URI == "" {
		r.URI = h.URI
	}
	return r
}

// connect opens h for moves.
func (o *MoveOptions) connect(ctx context.Context, h planner.HostPlan) (*hypervisor.Conn, func(), error) {
	if o.Connect != nil {
		return o.Connect(ctx, h)
	}
	c, err := hypervisor.Connect(ctx, o.route(h).URI)
	if err != nil {
		return nil, nil, err
	}
	return c, func() { c.Close() }, nil
}

// settle is how long a guest between two hosts is waited for.
func (o *MoveOptions) settle() time.Duration {
	if o.Settle > 0 {
		return o.Settle
	}
	return max(DefaultSettle, o.Timeout)
}

// migrateOptions are the options of one live migration to dst.
func (o *MoveOptions) migrateOptions(dst planner.HostPlan, copyStorage bool, planID string) hypervisor.MigrateOptions {
	r := o.route(dst)
	return hypervisor.MigrateOptions{
		DestURI:          r.PeerURI,
		MigrationURI:     r.MigrationURI,
		ListenAddress:    r.ListenAddress,
		CopyStorage:      copyStorage,
		Bandwidth:        o.Bandwidth,
		Timeout:          o.Timeout,
		ProgressInterval: o.ProgressInterval,
		PlanID:           planID,
	}
}
