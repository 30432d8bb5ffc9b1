package hypervisor

import (
	"context"

	"libvirt.org/go/libvirt"
)

// ShutdownDomain asks the named domain's guest to shut down (ACPI power
// button or guest agent, as the hypervisor chooses) and returns without
// waiting: the guest may take its time, or ignore the request. A domain
// that is not running or not there is not an error.
func (c *Conn) ShutdownDomain(ctx context.Context, name string) error {
	return c.onDomain(ctx, "shut down domain "+name, name, true, func(dom *libvirt.Domain) error {
		if active, err := dom.IsActive(); err == nil && !active {
			return nil
		}
		err := dom.Shutdown()
		if err != nil && isCode(err, libvirt.ERR_OPERATION_INVALID) {
			return nil // stopped meanwhile
		}
		return err
	})
}
