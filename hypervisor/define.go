package hypervisor

import (
	"context"

	"libvirt.org/go/libvirt"
)

// onDomain runs f on the named domain within c.do (timeout, error
// classification). A missing domain is an error, or — with missingOK, for
// look-ups and clean-ups — success without calling f.
func (c *Conn) onDomain(ctx context.Context, op, name string, missingOK bool, f func(*libvirt.Domain) error) error {
	return c.do(ctx, op, func() error {
		dom, err := c.raw.LookupDomainByName(name)
		if err != nil {
			if missingOK && isNoDomain(err) {
				return nil
			}
			return err
		}
		defer dom.Free()
		return f(dom)
	})
}

// LookupDomain reads the named domain, or returns nil (and no error) when
// the host has no domain of that name.
func (c *Conn) LookupDomain(ctx context.Context, name string) (*Domain, error) {
	var out *Domain
	err := c.onDomain(ctx, "look up domain "+name, name, true, func(dom *libvirt.Domain) error {
		d, err := readDomain(dom)
		if err != nil {
			if isNoDomain(err) {
				return nil
			}
			return err
		}
		out = &d
		return nil
	})
	return out, err
}

// DefineGuest defines (persistently, without starting) the domain of s.
// The definition carries a fresh UUID, so libvirt refuses it if another
// domain of the same name exists: a foreign domain is never redefined.
func (c *Conn) DefineGuest(ctx context.Context, s GuestSpec) error {
	doc, err := s.DomainXML()
	if err != nil {
		return err
	}
	return c.do(ctx, "define domain "+s.Name, func() error {
		dom, err := c.raw.DomainDefineXMLFlags(doc, libvirt.DOMAIN_DEFINE_VALIDATE)
		if err != nil && isCode(err, libvirt.ERR_NO_SUPPORT) {
			dom, err = c.raw.DomainDefineXML(doc)
		}
		if err != nil {
			return err
		}
		dom.Free()
		return nil
	})
}

// StartDomain starts the named domain; one that already runs is left alone.
func (c *Conn) StartDomain(ctx context.Context, name string) error {
	return c.onDomain(ctx, "start domain "+name, name, false, func(dom *libvirt.Domain) error {
		if active, err := dom.IsActive(); err == nil && active {
			return nil
		}
		return dom.Create()
	})
}

// DestroyDomain stops the named domain at once (power off); a domain that
// is not running or not there is not an error.
func (c *Conn) DestroyDomain(ctx context.Context, name string) error {
	return c.onDomain(ctx, "destroy domain "+name, name, true, func(dom *libvirt.Domain) error {
		if active, err := dom.IsActive(); err == nil && !active {
			return nil
		}
		err := dom.Destroy()
		if err != nil && isCode(err, libvirt.ERR_OPERATION_INVALID) {
			return nil // stopped meanwhile
		}
		return err
	})
}

// UndefineDomain removes the named domain's persistent definition (with
// its managed save, snapshot metadata and NVRAM); a domain that is not
// there is not an error. It does not stop a running domain.
func (c *Conn) UndefineDomain(ctx context.Context, name string) error {
	return c.onDomain(ctx, "undefine domain "+name, name, true, func(dom *libvirt.Domain) error {
		// The fullest clean-up first; drivers that do not know a flag
		// (the test driver) get fewer.
		for _, flags := range []libvirt.DomainUndefineFlagsValues{
			libvirt.DOMAIN_UNDEFINE_MANAGED_SAVE | libvirt.DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
				libvirt.DOMAIN_UNDEFINE_NVRAM | libvirt.DOMAIN_UNDEFINE_CHECKPOINTS_METADATA,
			libvirt.DOMAIN_UNDEFINE_MANAGED_SAVE | libvirt.DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
		} {
			err := dom.UndefineFlags(flags)
			if err == nil || !(isCode(err, libvirt.ERR_INVALID_ARG) || isCode(err, libvirt.ERR_NO_SUPPORT)) {
				return err
			}
		}
		return dom.Undefine()
	})
}
