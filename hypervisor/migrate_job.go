package hypervisor

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"libvirt.org/go/libvirt"
)

// MigrationProgress is a running migration's progress, from libvirt's job
// statistics on the source.
type MigrationProgress struct {
	Name, UUID string
	// Elapsed is libvirt's time since the job started.
	Elapsed time.Duration
	// DataProcessed, DataRemaining and DataTotal are bytes of memory and
	// disks: sent, left to send in this pass, and the whole. Memory
	// written again by the running guest is sent again, so Processed can
	// exceed Total and Remaining can grow.
	DataProcessed, DataRemaining, DataTotal uint64
	// DiskProcessed and DiskTotal are the disks' share (CopyStorage).
	DiskProcessed, DiskTotal uint64
	// MemoryBps is the memory transfer rate libvirt measures, in bytes
	// per second; Iteration the pass over memory (1 is the first).
	MemoryBps uint64
	Iteration uint64
}

func progressOf(name, uuid string, j *libvirt.DomainJobInfo) MigrationProgress {
	return MigrationProgress{Name: name, UUID: uuid,
		Elapsed:       time.Duration(j.TimeElapsed) * time.Millisecond,
		DataProcessed: j.DataProcessed, DataRemaining: j.DataRemaining, DataTotal: j.DataTotal,
		DiskProcessed: j.DiskProcessed, DiskTotal: j.DiskTotal,
		MemoryBps: j.MemBps, Iteration: j.MemIteration,
	}
}

// Bounds of the calls made around a running migration.
const (
	// abortWait is how long an abort may take before Migrate gives up
	// waiting for libvirt's answer (the outcome is then unknown).
	abortWait = 60 * time.Second
	// abortRetry is how often the abort is asked again while libvirt says
	// no job is active yet (the migration had not started its job).
	abortRetry = 200 * time.Millisecond
)

// runMigration starts the peer-to-peer migration and watches it until it
// ends: progress at each interval, the abort when ctx ends. It returns how
// long libvirt's migrate call took.
func (c *Conn) runMigration(ctx context.Context, uuid, name string, dst *Conn, o MigrateOptions) (time.Duration, error) {
	destURI := o.DestURI
	if destURI == "" {
		destURI = dst.uri
	}
	call, err := c.startMigrateCall(ctx, uuid, name, destURI, o)
	if err != nil {
		return 0, err
	}
	var tick <-chan time.Time
	if o.Progress != nil {
		interval := o.ProgressInterval
		if interval <= 0 {
			interval = DefaultProgressInterval
		}
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	// One read of the progress at a time, off this loop: a read can wait
	// (for seconds on a busy host), and reads piling up would use the
	// daemon's requests per client (max_client_requests, 5) that the
	// abort needs.
	readCtx, stopReads := context.WithCancel(ctx)
	defer stopReads()
	read := make(chan *MigrationProgress, 1)
	reading := false
	for {
		select {
		case err := <-call.done:
			err = peerLost(call.mc, err)
			call.close()
			return call.took(), err
		case <-tick:
			if !reading {
				reading = true
				go func() { read <- c.jobProgress(readCtx, uuid, name) }()
			}
		case p := <-read:
			reading = false
			if p != nil {
				o.Progress(*p)
			}
		case <-ctx.Done():
			err := c.abortMigration(uuid, name, call.done, context.Cause(ctx), o.Timeout)
			// After an abort libvirt did not answer, the call may still
			// be running: close its connection once it returns.
			go call.close()
			return call.took(), err
		}
	}
}

// migrateCall is libvirt's migrate call, running on a connection of its
// own.
type migrateCall struct {
	mc   *Conn
	done chan error
	ns   atomic.Int64 // how long the call took, once it returned
}

func (m *migrateCall) took() time.Duration { return time.Duration(m.ns.Load()) }

// close closes the call's connection, waiting for the call to return.
func (m *migrateCall) close() { m.mc.Close() }

// startMigrateCall opens the call's connection to c's host and starts
// the call. The connection is its own because libvirt (9.0) holds a
// client's other calls on the connection that started a peer-to-peer
// migration until the migration ends (a second's grace aside); on c,
// progress, the abort, and other guests' migrations and look-ups go on
// while this one runs.
func (c *Conn) startMigrateCall(ctx context.Context, uuid, name, destURI string, o MigrateOptions) (*migrateCall, error) {
	mc, err := Connect(ctx, c.uri)
	if err != nil {
		return nil, err
	}
	m := &migrateCall{mc: mc, done: make(chan error, 1)}
	params, flags := o.migrateParams(), o.migrateFlags()
	go func() {
		// Not abandoned when ctx ends: the call ends when libvirt has
		// aborted the job.
		m.done <- mc.do(context.Background(), "migrate "+name, func() error {
			dom, err := mc.raw.LookupDomainByUUIDString(uuid)
			if err != nil {
				return err
			}
			defer dom.Free()
			start := time.Now()
			defer func() { m.ns.Store(int64(time.Since(start))) }()
			return dom.MigrateToURI3(destURI, params, flags)
		})
	}()
	return m, nil
}

// jobProgress reads the migration job's statistics: nil when there is
// no job (yet, or any more) or the host did not answer (the migration
// call itself reports a lost connection).
func (c *Conn) jobProgress(ctx context.Context, uuid, name string) *MigrationProgress {
	var p *MigrationProgress
	c.do(ctx, "read migration progress of "+name, func() error {
		dom, err := c.raw.LookupDomainByUUIDString(uuid)
		if err != nil {
			return err
		}
		defer dom.Free()
		j, err := dom.GetJobStats(0)
		if err != nil || j.Type == libvirt.DOMAIN_JOB_NONE {
			return err
		}
		pr := progressOf(name, uuid, j)
		p = &pr
		return nil
	})
	return p
}

// abortMigration asks libvirt to abort the migration and waits for the
// migration call to end. It returns nil when the migration succeeded
// anyway (the abort came too late), the abort's error when libvirt
// aborted it, and a KindTimeout error when libvirt did not end the
// migration within abortWait.
func (c *Conn) abortMigration(uuid, name string, done <-chan error, cause error, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), abortWait)
	defer cancel()
	aborted := make(chan error, 1)
	go func() { aborted <- c.abortJob(ctx, uuid, name) }()
	var abortErr error
	for {
		select {
		case err := <-done:
			if err == nil {
				return nil
			}
			if isCode(err, libvirt.ERR_OPERATION_ABORTED) {
				return describeAbort(cause, err, timeout)
			}
			return err
		case abortErr = <-aborted:
			// If libvirt refused the abort (post-copy, or the connection
			// is gone), the migration call still says how it ends.
			aborted = nil
		case <-ctx.Done():
			msg := "libvirt did not end the migration within " + abortWait.String() + " of the abort"
			if abortErr != nil {
				msg += " (" + abortErr.Error() + ")"
			}
			return &Error{Kind: KindTimeout, URI: c.URI(), Op: "abort migration of " + name, Msg: msg}
		}
	}
}

// abortJob calls libvirt's abort-job on the guest, again every abortRetry
// while libvirt says no job is active (the migration has not started its
// job yet), until it is accepted or refused for another reason.
func (c *Conn) abortJob(ctx context.Context, uuid, name string) error {
	for {
		err := c.do(ctx, "abort migration of "+name, func() error {
			dom, err := c.raw.LookupDomainByUUIDString(uuid)
			if err != nil {
				return err
			}
			defer dom.Free()
			return dom.AbortJob()
		})
		if err == nil || !isCode(err, libvirt.ERR_OPERATION_INVALID) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(abortRetry):
		}
	}
}

// peerLost says so when a migrate call that failed for a lost connection
// came back on a connection that is still alive: the connection lost was
// the source's own, to the destination (peer-to-peer), not berth's.
func peerLost(mc *Conn, err error) error {
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindUnreachable {
		return err
	}
	if alive, aerr := mc.raw.IsAlive(); aerr != nil || !alive {
		return err
	}
	lost := *e
	lost.Msg = "the source lost its connection to the destination: " + e.Msg
	return &lost
}
