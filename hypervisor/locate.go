package hypervisor

import (
	"context"
	"sync"

	"libvirt.org/go/libvirt"
)

// Sighting is what one host says about one guest, looked up by UUID.
type Sighting struct {
	// Host is the host's URI, masked.
	Host string
	// Err is why the host could not be asked (nil when it answered); the
	// other fields are then unset and nothing is known of this host.
	Err error
	// Found is whether the host has a domain with the guest's UUID,
	// defined or running.
	Found bool
	// Name, State (as in [Domain]), Persistent (defined, not only
	// running) and Metadata (berth's, nil without) of the domain found.
	Name       string
	State      string
	Persistent bool
	Metadata   *GuestMetadata
	// Active is whether the domain holds resources on the host (running,
	// paused, …; see [Domain.Running]).
	Active bool
	// Outgoing: a migration of the guest out of this host is in progress.
	Outgoing bool
	// PausedForMigration: libvirt paused the domain for a migration: the
	// receiving end waiting for the memory, or the sending end from the
	// switch-over until the destination confirms it runs the guest.
	PausedForMigration bool
	// Incoming: the domain is the receiving end of a migration in
	// progress (paused for the migration, not defined): not yet a copy of
	// the guest that runs.
	Incoming bool
}

// Runs reports whether the guest runs here: active, and not paused for a
// migration (on either end).
func (s Sighting) Runs() bool { return s.Active && !s.PausedForMigration }

// migrating reports whether the domain takes part in a migration now.
func (s Sighting) migrating() bool { return s.Outgoing || s.PausedForMigration }

// Locate asks each host, in parallel, whether it has the guest with this
// UUID and in what state. The sightings are in the order of hosts; a host
// that cannot be asked has its Err set and does not stop the others.
func Locate(ctx context.Context, uuid string, hosts ...*Conn) []Sighting {
	out := make([]Sighting, len(hosts))
	var wg sync.WaitGroup
	for i, c := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = c.Sight(ctx, uuid)
		}()
	}
	wg.Wait()
	return out
}

// Sight is what this host says about the guest with this UUID.
func (c *Conn) Sight(ctx context.Context, uuid string) Sighting {
	s := Sighting{Host: c.URI()}
	s.Err = c.do(ctx, "look up guest "+uuid, func() error {
		dom, err := c.raw.LookupDomainByUUIDString(uuid)
		if err != nil {
			if isNoDomain(err) {
				return nil
			}
			return err
		}
		defer dom.Free()
		err = sightDomain(dom, &s)
		if isNoDomain(err) {
			s = Sighting{Host: s.Host} // gone while we looked
			return nil
		}
		return err
	})
	return s
}

func sightDomain(dom *libvirt.Domain, s *Sighting) error {
	state, reason, err := dom.GetState()
	if err != nil {
		return err
	}
	xml, err := dom.GetXMLDesc(0)
	if err != nil {
		return err
	}
	d, err := ParseDomainXML(xml)
	if err != nil {
		return err
	}
	persistent, err := dom.IsPersistent()
	if err != nil {
		return err
	}
	s.Found, s.Name, s.Persistent, s.Metadata = true, d.Name, persistent, d.Metadata
	s.State = StateName(state)
	d.State = s.State
	s.Active = d.Running()
	if !s.Active {
		return nil
	}
	// The sending side has a migration job; the receiving side has no job
	// libvirt reports ("available only on the source host") and waits,
	// paused for the migration, with no definition of its own until the
	// migration ends.
	if job, err := dom.GetJobStats(0); err == nil && job.Type != libvirt.DOMAIN_JOB_NONE &&
		job.OperationSet && job.Operation == libvirt.DOMAIN_JOB_OPERATION_MIGRATION_OUT {
		s.Outgoing = true
	}
	s.PausedForMigration = state == libvirt.DOMAIN_PAUSED && libvirt.DomainPausedReason(reason) == libvirt.DOMAIN_PAUSED_MIGRATION
	s.Incoming = s.PausedForMigration && !s.Outgoing && !persistent
	return nil
}

// MoveState is where a guest being moved from one host to another is,
// from both hosts' sightings.
type MoveState int

const (
	// MoveUnknown: a host could not be asked; nothing may be done.
	MoveUnknown MoveState = iota
	// MoveNowhere: neither host has the guest.
	MoveNowhere
	// MoveOnSource: only the source has the guest (running or not).
	MoveOnSource
	// MoveInFlight: a migration is in progress between the hosts (or
	// from the source to elsewhere), or libvirt still holds one end
	// paused for it (until the source has stopped its copy): wait for
	// it, or abort it. A guest that stays so while the source has no
	// migration job is one libvirt could not finish: a person decides.
	MoveInFlight
	// MoveOnDestination: only the destination has the guest.
	MoveOnDestination
	// MoveOnBoth: both hosts have it defined and at most one runs it
	// (the sightings' Runs says which): a move that defined the guest on
	// the destination but did not yet undefine it on the source.
	MoveOnBoth
	// MoveRunsOnBoth: both hosts run it. A move never does this; a
	// person must decide which copy to keep.
	MoveRunsOnBoth
)

var moveStateNames = [...]string{"unknown", "nowhere", "on source", "in flight", "on destination", "on both", "runs on both"}

func (m MoveState) String() string {
	if int(m) < len(moveStateNames) {
		return moveStateNames[m]
	}
	return "unknown"
}

// StateOfMove says where a guest moving from src to dst is.
func StateOfMove(src, dst Sighting) MoveState {
	switch {
	case src.Err != nil || dst.Err != nil:
		return MoveUnknown
	case src.migrating() || dst.migrating():
		return MoveInFlight
	case !src.Found && !dst.Found:
		return MoveNowhere
	case !dst.Found:
		return MoveOnSource
	case !src.Found:
		return MoveOnDestination
	case src.Runs() && dst.Runs():
		return MoveRunsOnBoth
	}
	return MoveOnBoth
}

// LocateMove sights the guest on the source and the destination of a move
// and says where it is.
func LocateMove(ctx context.Context, uuid string, src, dst *Conn) (MoveState, [2]Sighting) {
	s := Locate(ctx, uuid, src, dst)
	return StateOfMove(s[0], s[1]), [2]Sighting{s[0], s[1]}
}
