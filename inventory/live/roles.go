package live

import (
	"context"
	"fmt"
	"time"

	"github.com/berth-dev/berth/hypervisor"
)

// RoleWrite is one guest's role to write into berth's libvirt metadata
// (berth inventory --write-roles).
type RoleWrite struct {
	// URI is the host's libvirt URI; Domain the guest's name there.
	URI, Domain string
	// UUID, when set, must be the domain's: a guest re-created under the
	// same name since it was read is not written to.
	UUID string
	// Profile is the role to record; PlanID and Group are kept as read
	// (berth's metadata element is written whole).
	Profile, PlanID, Group string
}

// WriteRole records w.Profile in berth's metadata on the domain, on its
// persistent definition and, when it runs, on the running domain, keeping
// the plan and group already recorded there (read again first: the
// metadata is the host's, not what was read a while ago). The whole call
// is bounded by timeout.
func WriteRole(ctx context.Context, w RoleWrite, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := hypervisor.Connect(ctx, w.URI)
	if err != nil {
		return err
	}
	defer c.Close()
	d, err := c.LookupDomain(ctx, w.Domain)
	if err != nil {
		return err
	}
	if d == nil {
		return fmt.Errorf("%s: no domain named %s any more", hypervisor.MaskURI(w.URI), w.Domain)
	}
	if w.UUID != "" && d.UUID != w.UUID {
		return fmt.Errorf("%s: domain %s is now uuid %s, not the %s that was read: not written", hypervisor.MaskURI(w.URI), w.Domain, d.UUID, w.UUID)
	}
	m := hypervisor.GuestMetadata{PlanID: w.PlanID, Profile: w.Profile, Group: w.Group}
	if d.Metadata != nil {
		m.PlanID, m.Group = d.Metadata.PlanID, d.Metadata.Group
	}
	return c.SetGuestMetadata(ctx, w.Domain, m)
}
