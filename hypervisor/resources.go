package hypervisor

import (
	"context"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// Presence is whether a named libvirt object (a storage pool, a network, a
// host interface) is on a host, and whether it is active.
type Presence int

const (
	Absent   Presence = iota // not defined on the host
	Inactive                 // defined, not started
	Active                   // defined and running
	Unknown                  // the host's driver cannot tell (no interface driver)
)

// PoolPresence says whether the storage pool name is defined and active.
func (c *Conn) PoolPresence(ctx context.Context, name string) (Presence, error) {
	return lookupPresence(ctx, c, "look up pool "+name, libvirt.ERR_NO_STORAGE_POOL,
		func() (*libvirt.StoragePool, error) { return c.raw.LookupStoragePoolByName(name) })
}

// NetworkPresence says whether the libvirt network name is defined and
// active.
func (c *Conn) NetworkPresence(ctx context.Context, name string) (Presence, error) {
	return lookupPresence(ctx, c, "look up network "+name, libvirt.ERR_NO_NETWORK,
		func() (*libvirt.Network, error) { return c.raw.LookupNetworkByName(name) })
}

// InterfacePresence says whether the host has the network interface name
// (a bridge a guest NIC can join), as libvirt's interface driver sees it;
// Unknown when the host's libvirt has no interface driver.
func (c *Conn) InterfacePresence(ctx context.Context, name string) (Presence, error) {
	return lookupPresence(ctx, c, "look up interface "+name, libvirt.ERR_NO_INTERFACE,
		func() (*libvirt.Interface, error) { return c.raw.LookupInterfaceByName(name) })
}

// activeObject is what the pool, network and interface handles share.
type activeObject[T any] interface {
	*T
	IsActive() (bool, error)
	Free() error
}

// lookupPresence looks an object up by name: absent when libvirt answers
// with the not-found code, Unknown when the driver cannot tell, else
// whether it is active.
func lookupPresence[T any, P activeObject[T]](ctx context.Context, c *Conn, op string,
	notFound libvirt.ErrorNumber, lookup func() (P, error)) (Presence, error) {
	var out Presence
	err := c.do(ctx, op, func() error {
		obj, err := lookup()
		switch {
		case isCode(err, notFound):
			out = Absent
			return nil
		case isNoSupport(err):
			out = Unknown
			return nil
		case err != nil:
			return err
		}
		defer obj.Free()
		out, err = presence(obj.IsActive())
		return err
	})
	return out, err
}

func presence(active bool, err error) (Presence, error) {
	switch {
	case err != nil:
		return Absent, err
	case active:
		return Active, nil
	}
	return Inactive, nil
}

// GuestTypes lists, by guest architecture, the domain types the host can
// run (x86_64 → [kvm qemu]), from its capabilities.
func (c *Conn) GuestTypes(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	err := c.do(ctx, "read capabilities", func() error {
		doc, err := c.raw.GetCapabilities()
		if err != nil {
			return err
		}
		var caps libvirtxml.Caps
		if err := caps.Unmarshal(doc); err != nil {
			return err
		}
		for _, g := range caps.Guests {
			for _, d := range g.Arch.Domains {
				out[g.Arch.Name] = append(out[g.Arch.Name], d.Type)
			}
		}
		return nil
	})
	return out, err
}

// HostUUID is the host's UUID as its capabilities give it (the machine's
// SMBIOS UUID on a QEMU host), "" when the driver reports none.
func (c *Conn) HostUUID(ctx context.Context) (string, error) {
	var out string
	err := c.do(ctx, "read capabilities", func() error {
		doc, err := c.raw.GetCapabilities()
		if err != nil {
			return err
		}
		var caps libvirtxml.Caps
		if err := caps.Unmarshal(doc); err != nil {
			return err
		}
		out = caps.Host.UUID
		return nil
	})
	return out, err
}
