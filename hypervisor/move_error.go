package hypervisor

import (
	"context"
	"fmt"
	"time"
)

// MoveError is a move of a guest from one host to another that failed, or
// whose outcome is not known. Its Err is the host's *Error, so [KindOf]
// tells a lost connection (KindUnreachable) from a refusal (KindLibvirt)
// or an abort (KindTimeout); State says where the guest was found
// afterwards.
type MoveError struct {
	// Guest is the guest's name ("" when the source could not say) and
	// UUID its UUID.
	Guest, UUID string
	// From and To are the source's and the destination's URIs, masked.
	From, To string
	// State is where the guest was found after the failure; MoveUnknown
	// when a host could not be asked (locate it before retrying).
	State MoveState
	Err   error
}

func (e *MoveError) Error() string {
	return fmt.Sprintf("move of guest %s from %s to %s: %v; %s", e.guest(), e.From, e.To, e.Err, whereNow(e.State))
}

func (e *MoveError) Unwrap() error { return e.Err }

func (e *MoveError) guest() string {
	if e.Guest == "" {
		return e.UUID
	}
	return e.Guest
}

// whereNow is the end of a MoveError's text: where the guest is.
func whereNow(s MoveState) string {
	switch s {
	case MoveNowhere:
		return "the guest is on neither host"
	case MoveOnSource:
		return "the guest is still on its source"
	case MoveInFlight:
		return "its migration is still in progress"
	case MoveOnDestination:
		return "the guest is on its destination"
	case MoveOnBoth:
		return "the guest is defined on both hosts"
	case MoveRunsOnBoth:
		return "the guest runs on both hosts: decide which copy to keep"
	}
	return "where the guest is now is not known: locate it before retrying"
}

// afterFailure builds the MoveError for err, locating the guest on both
// hosts (within a few seconds, whatever ctx says: ctx may be what was
// cancelled).
func (c *Conn) afterFailure(uuid, name string, dst *Conn, err error) *MoveError {
	ctx, cancel := context.WithTimeout(context.Background(), locateAfterFailure)
	defer cancel()
	state, s := LocateMove(ctx, uuid, c, dst)
	if name == "" {
		name = s[0].Name
	}
	return &MoveError{Guest: name, UUID: uuid, From: c.URI(), To: dst.URI(), State: state, Err: err}
}

// locateAfterFailure bounds the look-up that follows a failed move.
const locateAfterFailure = 15 * time.Second
