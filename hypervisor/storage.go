package hypervisor

import (
	"context"
	"errors"

	"libvirt.org/go/libvirt"
)

// VolumeExists reports whether pool holds a volume named name. A pool that
// does not exist is an error.
func (c *Conn) VolumeExists(ctx context.Context, pool, name string) (bool, error) {
	var found bool
	err := c.do(ctx, "look up volume "+pool+"/"+name, func() error {
		var err error
		found, err = c.withVolume(pool, name, func(*libvirt.StorageVol) error { return nil })
		return err
	})
	return found, err
}

// withVolume runs f on the volume name of pool, if there is one; found
// says whether there was. A pool that does not exist is an error.
func (c *Conn) withVolume(pool, name string, f func(*libvirt.StorageVol) error) (found bool, err error) {
	p, err := c.raw.LookupStoragePoolByName(pool)
	if err != nil {
		return false, err
	}
	defer p.Free()
	v, err := p.LookupStorageVolByName(name)
	if err != nil {
		if isCode(err, libvirt.ERR_NO_STORAGE_VOL) {
			return false, nil
		}
		return false, err
	}
	defer v.Free()
	return true, f(v)
}

// CreateVolume creates the guest's disk volume (GuestSpec.VolumeName) in
// the template's pool: empty with the template's size, or a copy of the
// base image grown to that size. The pool is refreshed first, so a volume
// put there behind libvirt's back is seen (and refused: libvirt will not
// create over an existing volume).
func (c *Conn) CreateVolume(ctx context.Context, s GuestSpec) error {
	if err := s.Check(); err != nil {
		return err
	}
	t := s.Template
	if !t.HasDisk() {
		return nil
	}
	return c.do(ctx, "create volume "+t.Pool+"/"+s.VolumeName(), func() error {
		p, err := c.raw.LookupStoragePoolByName(t.Pool)
		if err != nil {
			return err
		}
		defer p.Free()
		if active, err := p.IsActive(); err == nil && active {
			_ = p.Refresh(0) // best effort; the test driver cannot
		}
		vx := s.Volume()
		var base *libvirt.StorageVol
		if t.BaseImage != "" {
			if base, err = p.LookupStorageVolByName(t.BaseImage); err != nil {
				return err
			}
			defer base.Free()
			if info, err := base.GetInfo(); err == nil && info.Capacity > vx.Capacity.Value {
				vx.Capacity.Value = info.Capacity
			}
		}
		doc, err := vx.Marshal()
		if err != nil {
			return err
		}
		var v *libvirt.StorageVol
		if base != nil {
			v, err = p.StorageVolCreateXMLFrom(doc, base, 0)
		} else {
			v, err = p.StorageVolCreateXML(doc, 0)
		}
		if err != nil {
			return err
		}
		v.Free()
		return nil
	})
}

// DeleteVolume deletes a volume from pool; a volume that is not there is
// not an error.
func (c *Conn) DeleteVolume(ctx context.Context, pool, name string) error {
	return c.do(ctx, "delete volume "+pool+"/"+name, func() error {
		_, err := c.withVolume(pool, name, func(v *libvirt.StorageVol) error { return v.Delete(0) })
		return err
	})
}

// isCode reports whether err is a libvirt error with the given code.
func isCode(err error, code libvirt.ErrorNumber) bool {
	var lerr libvirt.Error
	return errors.As(err, &lerr) && lerr.Code == code
}
