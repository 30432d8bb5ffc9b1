package hypervisor

import (
	"context"
	"errors"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// MoveOffline moves the shut-off guest with this UUID from c to dst: its
// definition (read from c with libvirtxml, planID recorded in berth's
// metadata when set) is defined on dst, confirmed there, and only then
// undefined on c. At no point is the guest defined nowhere; if anything
// fails after the definition on dst, the guest is defined on both hosts
// (MoveOnBoth) and a second call finishes the move.
//
// The guest's disks are not copied: its storage must be shared, or at the
// same paths on dst. A guest with a managed save image or snapshots is
// refused (their state cannot go with it), as is one that runs on either
// host.
func (c *Conn) MoveOffline(ctx context.Context, uuid string, dst *Conn, planID string) error {
	state, s := LocateMove(ctx, uuid, c, dst)
	name := s[0].Name
	fail := func(state MoveState, err error) error {
		return &MoveError{Guest: name, UUID: uuid, From: c.URI(), To: dst.URI(), State: state, Err: err}
	}
	refuse := func(host *Conn, msg string) error {
		return fail(state, &Error{Kind: KindLibvirt, URI: host.URI(), Op: "check guest " + guestLabel(name, uuid), Msg: msg})
	}
	switch {
	case state == MoveUnknown:
		return fail(state, errors.Join(s[0].Err, s[1].Err))
	case state != MoveOnSource && state != MoveOnBoth:
		return refuse(c, "the guest is "+state.String()+", not on its source")
	case !s[0].Persistent || s[0].Active:
		return refuse(c, "the guest is "+s[0].State+" and not only defined: migrate it live")
	case s[1].Found && s[1].Active:
		return refuse(dst, "the guest runs on the destination already")
	}
	doc, err := c.offlineDefinition(ctx, uuid, name, planID)
	if err != nil {
		return fail(MoveOnSource, err)
	}
	if err := dst.defineConfirmed(ctx, uuid, name, doc); err != nil {
		return c.afterFailure(uuid, name, dst, err)
	}
	if err := c.undefineIfOff(ctx, uuid, name); err != nil {
		if errors.Is(err, errStartedMeanwhile) {
			// Take back the definition just made, so that the guest
			// cannot be started a second time. (Only then: after any
			// other failure the source may have undefined it.)
			if uerr := dst.undefineIfOff(ctx, uuid, name); uerr != nil {
				err = errors.Join(err, uerr)
			}
		}
		return c.afterFailure(uuid, name, dst, err)
	}
	return nil
}

// errStartedMeanwhile is undefineIfOff's refusal of a guest that runs.
var errStartedMeanwhile = errors.New("the guest was started meanwhile; it is left defined")

// guestLabel names a guest in messages: its name, or its UUID.
func guestLabel(name, uuid string) string {
	if name == "" {
		return uuid
	}
	return name
}

// offlineDefinition reads the guest's persistent definition from c,
// secrets included (it is never shown), checks it can move offline, and
// returns it with planID recorded.
func (c *Conn) offlineDefinition(ctx context.Context, uuid, name, planID string) (string, error) {
	var doc string
	err := c.do(ctx, "read definition of "+name, func() error {
		dom, err := c.raw.LookupDomainByUUIDString(uuid)
		if err != nil {
			return err
		}
		defer dom.Free()
		if saved, err := dom.HasManagedSaveImage(0); err == nil && saved {
			return errors.New("the guest has a managed save image (saved memory) on the source: start it and migrate it live, or remove the image (virsh managedsave-remove)")
		}
		if n, err := dom.SnapshotNum(0); err == nil && n > 0 {
			return errors.New("the guest has snapshots on the source, which do not move with it")
		}
		s, err := dom.GetXMLDesc(libvirt.DOMAIN_XML_INACTIVE | libvirt.DOMAIN_XML_SECURE | libvirt.DOMAIN_XML_MIGRATABLE)
		if err != nil {
			return err
		}
		var d libvirtxml.Domain
		if err := d.Unmarshal(s); err != nil {
			return err
		}
		if planID != "" {
			m := GuestMetadata{}
			if d.Metadata != nil {
				old, err := ParseGuestMetadata(d.Metadata.XML)
				if err != nil {
					return err
				}
				if old != nil {
					m = *old
				}
			}
			m.PlanID = planID
			if err := AddMetadata(&d, m); err != nil {
				return err
			}
		}
		doc, err = d.Marshal()
		return err
	})
	return doc, err
}

// defineConfirmed defines doc on c and confirms that c then has the guest,
// with this UUID and name, defined and not running.
func (c *Conn) defineConfirmed(ctx context.Context, uuid, name, doc string) error {
	err := c.do(ctx, "define "+name, func() error {
		dom, err := c.raw.DomainDefineXMLFlags(doc, libvirt.DOMAIN_DEFINE_VALIDATE)
		if err != nil && isCode(err, libvirt.ERR_NO_SUPPORT) {
			dom, err = c.raw.DomainDefineXML(doc)
		}
		if err != nil {
			return err
		}
		return dom.Free()
	})
	if err != nil {
		return err
	}
	s := c.Sight(ctx, uuid)
	if s.Err != nil {
		return s.Err
	}
	if !s.Found || !s.Persistent || s.Active || s.Name != name {
		return &Error{Kind: KindLibvirt, URI: c.URI(), Op: "confirm definition of " + name,
			Msg: "the host does not show the guest defined and shut off after defining it"}
	}
	return nil
}

// undefineIfOff undefines the guest on c if it is shut off there, keeping
// its NVRAM and TPM state files (they may be all the guest has of them);
// a guest c does not have is not an error. A running guest is an error.
func (c *Conn) undefineIfOff(ctx context.Context, uuid, name string) error {
	return c.do(ctx, "undefine "+name, func() error {
		dom, err := c.raw.LookupDomainByUUIDString(uuid)
		if err != nil {
			if isNoDomain(err) {
				return nil
			}
			return err
		}
		defer dom.Free()
		if active, err := dom.IsActive(); err != nil || active {
			if err == nil {
				err = errStartedMeanwhile
			}
			return err
		}
		err = dom.UndefineFlags(libvirt.DOMAIN_UNDEFINE_KEEP_NVRAM | libvirt.DOMAIN_UNDEFINE_KEEP_TPM)
		if err != nil && (isCode(err, libvirt.ERR_INVALID_ARG) || isCode(err, libvirt.ERR_NO_SUPPORT)) {
			err = dom.Undefine()
		}
		return err
	})
}
