package hvtest

import (
	"testing"

	"libvirt.org/go/libvirtxml"
)

// TestTwoHosts starts the kit and checks that the two daemons are two
// hosts to libvirt (their own host UUIDs) and that each runs a guest.
func TestTwoHosts(t *testing.T) {
	k := StartTwoHosts(t)
	seen := map[string]bool{}
	for _, h := range []*SessionHost{k.A, k.B} {
		s, err := h.Conn.Raw().GetCapabilities()
		if err != nil {
			t.Fatal(err)
		}
		var caps libvirtxml.Caps
		if err := caps.Unmarshal(s); err != nil {
			t.Fatal(err)
		}
		if caps.Host.UUID != h.UUID {
			t.Errorf("host %s reports host UUID %s, want %s from its libvirtd.conf", h.Name, caps.Host.UUID, h.UUID)
		}
		seen[caps.Host.UUID] = true
		g := k.IdleGuest(t, h, "kit-"+h.Name)
		dom, err := h.Conn.Raw().LookupDomainByUUIDString(g.UUID)
		if err != nil {
			t.Fatal(err)
		}
		if active, err := dom.IsActive(); err != nil || !active {
			t.Errorf("guest %s on host %s: active %v, %v", g.Name, h.Name, active, err)
		}
		dom.Free()
	}
	if len(seen) != 2 {
		t.Errorf("the two daemons report %d distinct host UUIDs, want 2", len(seen))
	}
}
