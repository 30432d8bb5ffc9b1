package hypervisor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"libvirt.org/go/libvirt"
)

// MigrateOptions say how a live migration is done.
type MigrateOptions struct {
	// DestURI is the destination's libvirt URI as the source host's
	// libvirtd reaches it (the migration is peer-to-peer: see
	// [Conn.Migrate]). "" uses the URI berth's own connection to the
	// destination was opened with, which suits when both are the same
	// (qemu+tls://kvm08/system), not when berth reaches the destination
	// in a way the source host cannot (an ssh key only berth's user has).
	DestURI string
	// MigrationURI is where the guest's memory goes (libvirt's migrate
	// URI: tcp://10.1.0.8 for a migration network). "" is libvirt's
	// default: the destination's host name, on a port from its qemu.conf
	// migration_port_min..max (49152–49215).
	MigrationURI string
	// ListenAddress is the address the destination listens on for the
	// migration stream; "" is libvirt's default (qemu.conf
	// migration_address, else every address).
	ListenAddress string
	// CopyStorage copies the guest's disks to the destination, for hosts
	// that do not share storage (libvirt's non-shared-disk migration,
	// over NBD). The destination must have the disk paths in a storage
	// pool (libvirt then creates the volumes) or the files precreated.
	CopyStorage bool
	// Bandwidth is the most the migration may use, in bytes per second,
	// rounded up to whole MiB/s (libvirt's unit); 0 is no limit.
	Bandwidth uint64
	// Timeout aborts a migration that has not ended after this long, as
	// a cancelled ctx does; 0 is no limit.
	Timeout time.Duration
	// Progress, when set, is called with the job's progress every
	// ProgressInterval (default 1s) while the migration runs, from a
	// goroutine of its own, one call at a time.
	Progress         func(MigrationProgress)
	ProgressInterval time.Duration
	// PlanID, when set, is recorded in berth's metadata on the guest once
	// it runs on the destination (its profile and group are kept).
	PlanID string
}

// DefaultProgressInterval is how often progress is read when
// MigrateOptions.ProgressInterval is 0.
const DefaultProgressInterval = time.Second

// MigrationResult is a live migration that succeeded.
type MigrationResult struct {
	Name, UUID string
	// Wall is how long Migrate took, from its call until the guest was
	// confirmed running (and tagged) on the destination. Call is the
	// part spent in libvirt's migrate call (the peer-to-peer exchange
	// between the two daemons, from its start to the source's confirm);
	// Wall − Call is berth's overhead (its checks before and after).
	Wall, Call time.Duration
	// Job is libvirt's time for the migration job as the destination
	// measured it (from its prepare to the end of the transfer; 0 when it
	// kept no statistics). Downtime is how long the guest was paused for
	// the switch-over, DataProcessed the bytes sent.
	Job, Downtime time.Duration
	DataProcessed uint64
}

// migrateFlags is what Migrate asks of libvirt: the equivalent of
// virsh migrate --live --p2p --persistent --undefinesource
// [--copy-storage-all].
func (o MigrateOptions) migrateFlags() libvirt.DomainMigrateFlags {
	f := libvirt.MIGRATE_LIVE | libvirt.MIGRATE_PEER2PEER | libvirt.MIGRATE_PERSIST_DEST |
		libvirt.MIGRATE_UNDEFINE_SOURCE | libvirt.MIGRATE_ABORT_ON_ERROR
	if o.CopyStorage {
		f |= libvirt.MIGRATE_NON_SHARED_DISK
	}
	return f
}

// migrateParams are libvirt's typed parameters for the options.
func (o MigrateOptions) migrateParams() *libvirt.DomainMigrateParameters {
	p := &libvirt.DomainMigrateParameters{}
	if o.MigrationURI != "" {
		p.URISet, p.URI = true, o.MigrationURI
	}
	if o.ListenAddress != "" {
		p.ListenAddressSet, p.ListenAddress = true, o.ListenAddress
	}
	if o.Bandwidth > 0 {
		const mib = 1 << 20
		p.BandwidthSet, p.Bandwidth = true, (o.Bandwidth+mib-1)/mib
	}
	return p
}

// errMigrationTimeout is the cause of a migration's context ending at
// MigrateOptions.Timeout.
var errMigrationTimeout = errors.New("migration timeout")

// Migrate moves the running guest with this UUID from c to dst, live, as
// `virsh migrate --live --p2p --persistent --undefinesource` does: the
// guest keeps running while its memory is copied, then runs on dst,
// defined there, and is no longer defined on c.
//
// The migration is peer-to-peer: c's libvirtd connects to dst's itself
// and drives the whole exchange. Unlike a migration managed by the client,
// it then does not depend on berth staying alive and connected: if berth
// dies or loses c half-way, libvirt finishes the migration (or fails it,
// leaving the guest running on c) on its own, and never leaves the guest
// paused on one host waiting for a client that will not come back. The
// price is that c's host must reach dst's libvirtd (MigrateOptions.DestURI).
//
// When ctx ends (or MigrateOptions.Timeout passes), Migrate aborts the
// migration through libvirt's abort-job and waits for libvirt to say so:
// the guest then still runs on c. An abort that comes too late (libvirt
// already switching the guest over) does not undo the move: Migrate then
// returns its result as for any migration that succeeded.
//
// Any failure is a *MoveError that says where the guest was found
// afterwards; a lost connection gives MoveUnknown, and the guest must be
// located (on fresh connections) before anything is retried.
//
// libvirt's migrate call runs on a second connection to the source that
// Migrate opens and closes, so c stays free for other calls (progress, the
// abort, other migrations from the same host) while the migration runs.
func (c *Conn) Migrate(ctx context.Context, uuid string, dst *Conn, o MigrateOptions) (*MigrationResult, error) {
	start := time.Now()
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, o.Timeout, errMigrationTimeout)
		defer cancel()
	}
	// The checks are a few look-ups: a cancel in the middle of them would
	// only leave the guest's whereabouts unknown, so they run to their end
	// (bounded), and a cancel is heeded once they are done.
	check, cancelCheck := context.WithTimeout(context.WithoutCancel(ctx), locateAfterFailure)
	name, err := c.checkMigration(check, uuid, dst)
	cancelCheck()
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, &MoveError{Guest: name, UUID: uuid, From: c.URI(), To: dst.URI(), State: MoveOnSource,
			Err: describeAbort(context.Cause(ctx), &Error{Kind: KindTimeout, URI: c.URI(), Op: "migrate " + name, Msg: "not started"}, o.Timeout)}
	}
	call, err := c.runMigration(ctx, uuid, name, dst, o)
	if err != nil {
		return nil, c.afterFailure(uuid, name, dst, err)
	}
	// What follows talks to hosts that have just done the work; a cancel
	// now would only hide that the guest moved.
	after, cancel := context.WithTimeout(context.Background(), locateAfterFailure)
	defer cancel()
	res, err := c.confirmMigration(after, uuid, name, dst, o.PlanID)
	if res != nil {
		res.Wall, res.Call = time.Since(start), call
	}
	return res, err
}

// checkMigration makes sure the guest runs on c, is not already being
// migrated, and that dst has no domain with its UUID; it returns the
// guest's name.
func (c *Conn) checkMigration(ctx context.Context, uuid string, dst *Conn) (string, error) {
	state, s := LocateMove(ctx, uuid, c, dst)
	fail := func(err error) error {
		return &MoveError{Guest: s[0].Name, UUID: uuid, From: c.URI(), To: dst.URI(), State: state, Err: err}
	}
	switch {
	case state == MoveUnknown:
		return "", fail(errors.Join(s[0].Err, s[1].Err))
	case state != MoveOnSource:
		return "", fail(&Error{Kind: KindLibvirt, URI: c.URI(), Op: "check guest " + uuid,
			Msg: "the guest is " + state.String() + ", not on its source only"})
	case !s[0].Runs():
		return "", fail(&Error{Kind: KindLibvirt, URI: c.URI(), Op: "check guest " + s[0].Name,
			Msg: "the guest is " + s[0].State + ", not running: move it offline"})
	}
	return s[0].Name, nil
}

// confirmMigration checks that the guest now runs on dst, defined, and is
// gone from c; reads libvirt's statistics of the job; and records planID.
func (c *Conn) confirmMigration(ctx context.Context, uuid, name string, dst *Conn, planID string) (*MigrationResult, error) {
	state, s := LocateMove(ctx, uuid, c, dst)
	if state != MoveOnDestination || !s[1].Runs() || !s[1].Persistent {
		return nil, &MoveError{Guest: name, UUID: uuid, From: c.URI(), To: dst.URI(), State: state,
			Err: &Error{Kind: KindLibvirt, URI: dst.URI(), Op: "confirm migration of " + name,
				Msg: "libvirt reported the migration done, but the destination does not show the guest running and defined"}}
	}
	res := &MigrationResult{Name: name, UUID: uuid}
	var tagErr error
	err := dst.do(ctx, "read migration statistics of "+name, func() error {
		dom, err := dst.raw.LookupDomainByUUIDString(uuid)
		if err != nil {
			return err
		}
		defer dom.Free()
		if job, err := dom.GetJobStats(libvirt.DOMAIN_JOB_STATS_COMPLETED); err == nil {
			res.Job = time.Duration(job.TimeElapsed) * time.Millisecond
			res.Downtime = time.Duration(job.Downtime) * time.Millisecond
			res.DataProcessed = job.DataProcessed
		}
		if planID != "" {
			tagErr = wrap(setPlanID(dom, planID), dst.uri, "record plan "+planID+" on "+name)
		}
		return nil
	})
	if err = errors.Join(err, tagErr); err != nil {
		// The guest has moved; only the record of it is missing.
		return res, &MoveError{Guest: name, UUID: uuid, From: c.URI(), To: dst.URI(), State: MoveOnDestination, Err: err}
	}
	return res, nil
}

// setPlanID records planID in berth's metadata on dom, keeping the
// profile and group already there, in its definition and, when it runs,
// in the running domain.
func setPlanID(dom *libvirt.Domain, planID string) error {
	s, err := dom.GetXMLDesc(libvirt.DOMAIN_XML_INACTIVE)
	if err != nil {
		return err
	}
	d, err := ParseDomainXML(s)
	if err != nil {
		return err
	}
	m := GuestMetadata{}
	if d.Metadata != nil {
		m = *d.Metadata
	}
	m.PlanID = planID
	flags := libvirt.DOMAIN_AFFECT_CONFIG
	if active, err := dom.IsActive(); err == nil && active {
		flags |= libvirt.DOMAIN_AFFECT_LIVE
	}
	return dom.SetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, m.element(""), MetadataPrefix, MetadataNamespace, flags)
}

// describeAbort is the error of a migration that libvirt aborted at
// berth's request: why it was aborted (cause), with libvirt's error.
func describeAbort(cause, err error, timeout time.Duration) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	out := *e
	out.Kind = KindTimeout
	switch {
	case errors.Is(cause, errMigrationTimeout):
		out.Msg = fmt.Sprintf("aborted after the migration timeout of %v (%s)", timeout, e.Msg)
	case errors.Is(cause, context.DeadlineExceeded):
		out.Msg = "aborted: the deadline passed (" + e.Msg + ")"
	default:
		out.Msg = "aborted: cancelled (" + e.Msg + ")"
	}
	return &out
}
