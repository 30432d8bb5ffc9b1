package hypervisor

import (
	"context"
	"errors"
)

// RecordPlan records planID in berth's metadata on the guest with this
// UUID, keeping the profile and group already there: in its definition
// and, when it runs, in the running domain. A move records its plan this
// way once the guest is on its destination; a resumed apply records it on
// a guest it finds moved by an earlier run that could not.
func (c *Conn) RecordPlan(ctx context.Context, uuid, planID string) error {
	return c.do(ctx, "record plan "+planID+" on guest "+uuid, func() error {
		dom, err := c.raw.LookupDomainByUUIDString(uuid)
		if err != nil {
			return err
		}
		defer dom.Free()
		return setPlanID(dom, planID)
	})
}

// FinishMove settles a guest that a move left defined on both hosts
// (MoveOnBoth), keeping the copy that counts and undefining the other,
// which never runs:
//
//   - it runs on dst and is shut off on src: a live migration that
//     stopped the source's copy and did not undefine it (or not yet):
//     src's definition is removed, and the guest is on its destination;
//   - it is shut off on both: an offline move that defined the guest on
//     dst and did not undefine it on src: MoveOffline finishes it;
//   - it runs on src and dst's copy (shut off) carries planID: an offline
//     move of this plan defined it on dst and the guest was started on
//     src since: dst's definition is taken back, and the guest is on its
//     source, to be moved live.
//
// Anything else (a copy on dst that berth did not make, both running) is
// refused and left as it is. It returns where the guest is afterwards.
func (c *Conn) FinishMove(ctx context.Context, uuid string, dst *Conn, planID string) (MoveState, error) {
	state, s := LocateMove(ctx, uuid, c, dst)
	if state != MoveOnBoth {
		return state, nil
	}
	name := guestLabel(s[0].Name, uuid)
	fail := func(err error) (MoveState, error) {
		return state, &MoveError{Guest: s[0].Name, UUID: uuid, From: c.URI(), To: dst.URI(), State: state, Err: err}
	}
	switch src, dest := s[0], s[1]; {
	case dest.Runs() && dest.Persistent && !src.Active:
		if err := c.undefineIfOff(ctx, uuid, name); err != nil {
			return fail(err)
		}
	case !src.Active && !dest.Active:
		if err := c.MoveOffline(ctx, uuid, dst, planID); err != nil {
			return fail(err)
		}
	case src.Runs() && !dest.Active && dest.Metadata != nil && planID != "" && dest.Metadata.PlanID == planID:
		if err := dst.undefineIfOff(ctx, uuid, name); err != nil {
			return fail(err)
		}
	default:
		return fail(&Error{Kind: KindLibvirt, URI: dst.URI(), Op: "finish move of " + name,
			Msg: "the guest is defined on both hosts (" + src.State + " on the source, " + dest.State +
				" on the destination) and neither copy is one a move of this plan left: a person decides which to keep"})
	}
	state, s = LocateMove(ctx, uuid, c, dst)
	if state != MoveOnDestination && state != MoveOnSource {
		return state, &MoveError{Guest: s[0].Name, UUID: uuid, From: c.URI(), To: dst.URI(), State: state,
			Err: errors.New("the guest is " + state.String() + " after finishing its move")}
	}
	return state, nil
}
