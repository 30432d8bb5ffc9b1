package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/berth-dev/berth/hypervisor"
)

// Before apply acts on a move it finds the guest, by UUID, on both hosts
// of the move (hypervisor.LocateMove), whatever the journal says: an
// earlier run may have died, or lost its connection, in the middle of the
// move, and a peer-to-peer migration goes on without berth. A guest
// caught between the hosts is waited for; one libvirt left defined on
// both is settled (hypervisor.Conn.FinishMove). Only a guest on its
// source is moved; one on its destination is done.

// Polling of a guest that is between two hosts.
const (
	settlePoll = 500 * time.Millisecond
	// onBothGrace is how long a guest defined on both hosts is left to
	// libvirt (which undefines the source's copy a moment after a live
	// migration) before apply settles it itself.
	onBothGrace = 10 * time.Second
)

// sighted is where a move's guest was found.
type sighted struct {
	uuid  string
	state hypervisor.MoveState
	s     [2]hypervisor.Sighting
	// movedOn names the host of a later move of the guest's where it was
	// found instead (this move was done, and the next too).
	movedOn string
	// settled says what apply did to settle it, "" for nothing; err why
	// the guest could not be located (a host did not answer) or settled.
	settled string
	err     error
}

// where is the guest's host in words.
func (g *sighted) where(m *moveWork) string {
	switch g.state {
	case hypervisor.MoveOnSource:
		return "on its source " + m.from.Name
	case hypervisor.MoveOnDestination:
		return "on its destination " + m.to.Name
	case hypervisor.MoveOnBoth:
		return fmt.Sprintf("defined on both %s and %s", m.from.Name, m.to.Name)
	case hypervisor.MoveRunsOnBoth:
		return fmt.Sprintf("running on both %s and %s: a person decides which copy to keep; berth touches neither", m.from.Name, m.to.Name)
	case hypervisor.MoveInFlight:
		return fmt.Sprintf("still being migrated between %s and %s", m.from.Name, m.to.Name)
	case hypervisor.MoveNowhere:
		return fmt.Sprintf("on neither %s nor %s", m.from.Name, m.to.Name)
	}
	return "not known: a host did not answer"
}

// locate finds m's guest on src and dst, waiting out a migration in
// flight (for at most the settle time) and settling a guest left defined
// on both hosts. When the guest is on neither and it has later moves, the
// hosts of those are asked too (open connects to them).
func (r *movesRun) locate(ctx context.Context, m *moveWork, src, dst *hypervisor.Conn, open func(string) (*hypervisor.Conn, error)) *sighted {
	g := &sighted{}
	uuid, err := r.uuidOf(ctx, m, src, dst)
	if err != nil {
		g.state, g.err = hypervisor.MoveUnknown, err
		return g
	}
	if uuid == "" {
		g.state = hypervisor.MoveNowhere
		g.movedOn = r.movedOn(ctx, m, "", open)
		return g
	}
	g.uuid = uuid
	deadline := time.Now().Add(r.a.opt.Moves.settle())
	if r.dryRun {
		deadline = time.Now()
	}
	var onBoth time.Time
	waited := false
	for {
		g.state, g.s = r.look(ctx, uuid, src, dst)
		if g.state == hypervisor.MoveUnknown {
			g.err = errors.Join(g.s[0].Err, g.s[1].Err)
		}
		switch {
		case g.state == hypervisor.MoveOnBoth && !r.dryRun && (!g.s[0].Active && !g.s[1].Active || !onBoth.IsZero() && time.Since(onBoth) > onBothGrace):
			// Shut off on both hosts, nothing of libvirt's is moving it: it
			// is settled at once; one copy running may be a live
			// migration's last steps, which libvirt is given time for.
			r.finish(ctx, g, src, dst)
			return g
		case g.state == hypervisor.MoveOnBoth && onBoth.IsZero():
			onBoth = time.Now()
		case g.state != hypervisor.MoveInFlight && g.state != hypervisor.MoveOnBoth:
			if g.state == hypervisor.MoveNowhere {
				g.movedOn = r.movedOn(ctx, m, uuid, open)
			}
			return g
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return g
		}
		if !waited {
			waited = true
			r.p.moveLine(m, "waiting (at most "+r.a.opt.Moves.settle().String()+"): the guest is "+g.state.String()+", as a migration leaves it until it ends")
		}
		select {
		case <-ctx.Done():
		case <-time.After(settlePoll):
		}
	}
}

// finish settles a guest libvirt left defined on both hosts
// (hypervisor.Conn.FinishMove) and locates it again; g.settled says what
// was done, or g.err why it could not be.
func (r *movesRun) finish(ctx context.Context, g *sighted, src, dst *hypervisor.Conn) {
	c, cancel := r.bound(ctx)
	defer cancel()
	state, err := src.FinishMove(c, g.uuid, dst, r.a.plan.ID)
	if err != nil {
		g.err = err
		var me *hypervisor.MoveError
		if errors.As(err, &me) {
			g.state = me.State
		}
		return
	}
	g.settled = "it was defined on both hosts: its move was finished, one copy kept"
	g.state, g.s = r.look(ctx, g.uuid, src, dst)
	if g.state != state {
		g.settled += " (then it was " + g.state.String() + ")"
	}
}

// look is one LocateMove, bounded by the step timeout.
func (r *movesRun) look(ctx context.Context, uuid string, src, dst *hypervisor.Conn) (hypervisor.MoveState, [2]hypervisor.Sighting) {
	c, cancel := r.bound(ctx)
	defer cancel()
	return hypervisor.LocateMove(c, uuid, src, dst)
}

// uuidOf is the UUID of m's guest: the plan's, else (a plan made from a
// scenario without UUIDs) the domain of that name on the source, else on
// the destination; "" when neither has it.
func (r *movesRun) uuidOf(ctx context.Context, m *moveWork, src, dst *hypervisor.Conn) (string, error) {
	if u := m.act.Move.UUID; u != "" {
		return u, nil
	}
	for _, c := range []*hypervisor.Conn{src, dst} {
		bc, cancel := r.bound(ctx)
		d, err := c.LookupDomain(bc, m.guest())
		cancel()
		if err != nil {
			return "", err
		}
		if d != nil {
			return d.UUID, nil
		}
	}
	return "", nil
}

// movedOn asks the hosts of the guest's later moves whether it is there,
// and names the first that has it ("" for none): an earlier run did this
// move and the next.
func (r *movesRun) movedOn(ctx context.Context, m *moveWork, uuid string, open func(string) (*hypervisor.Conn, error)) string {
	for _, h := range m.chain[m.hop+2:] {
		c, err := open(h.Name)
		if err != nil {
			continue
		}
		bc, cancel := r.bound(ctx)
		found := false
		if uuid != "" {
			s := c.Sight(bc, uuid)
			found = s.Err == nil && s.Found
		} else if d, err := c.LookupDomain(bc, m.guest()); err == nil && d != nil {
			found = true
		}
		cancel()
		if found {
			return h.Name
		}
	}
	return ""
}

// bound is ctx for one round of libvirt calls: bounded by the step
// timeout, and not cancelled by an interrupt (a look-up in flight is
// finished).
func (r *movesRun) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), r.a.stepTimeout())
}
