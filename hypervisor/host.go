package hypervisor

import (
	"context"
	"fmt"

	"libvirt.org/go/libvirtxml"
)

// HostFacts are what libvirt says about a host (the node).
type HostFacts struct {
	Hostname string
	// Arch is the node's architecture as libvirt names it (x86_64);
	// CPUModel the host CPU model from the capabilities (Skylake-Server-IBRS),
	// or Arch when the driver reports none.
	Arch     string
	CPUModel string
	// MHz is the nominal CPU frequency.
	MHz int
	// CPUs is the number of logical CPUs (threads) the host schedules on.
	CPUs int
	// NUMACells, Sockets (in all cells), Cores per socket and Threads per
	// core. libvirt counts sockets per NUMA cell; Sockets here is the total.
	NUMACells int
	Sockets   int
	Cores     int
	Threads   int
	// MemoryTotal and MemoryFree in bytes. MemoryFree is 0 when the driver
	// cannot tell (the test driver).
	MemoryTotal uint64
	MemoryFree  uint64
	// LibvirtVersion is the version of libvirt on the host ("9.0.0");
	// Hypervisor the driver's name ("QEMU", "TEST") and HypervisorVersion
	// its version ("7.2.0").
	LibvirtVersion    string
	Hypervisor        string
	HypervisorVersion string
}

// HostFacts reads the node's facts.
func (c *Conn) HostFacts(ctx context.Context) (*HostFacts, error) {
	var f HostFacts
	err := c.do(ctx, "read host facts", func() error {
		r := c.raw
		info, err := r.GetNodeInfo()
		if err != nil {
			return err
		}
		f.Arch = info.Model
		f.CPUModel = info.Model
		f.MHz = int(info.MHz)
		f.CPUs = int(info.Cpus)
		f.NUMACells = int(info.Nodes)
		f.Sockets = int(info.Sockets) * max(int(info.Nodes), 1)
		f.Cores = int(info.Cores)
		f.Threads = int(info.Threads)
		f.MemoryTotal = info.Memory * 1024
		if f.Hostname, err = r.GetHostname(); err != nil {
			return err
		}
		// Optional: the test driver fails this call with an unknown cause.
		if free, err := r.GetFreeMemory(); err == nil {
			f.MemoryFree = free
		}
		if v, err := r.GetLibVersion(); err == nil {
			f.LibvirtVersion = versionString(v)
		} else {
			return err
		}
		if f.Hypervisor, err = r.GetType(); err != nil {
			return err
		}
		if v, err := r.GetVersion(); err == nil {
			f.HypervisorVersion = versionString(v)
		} else if !isNoSupport(err) {
			return err
		}
		if s, err := r.GetCapabilities(); err == nil {
			var caps libvirtxml.Caps
			if caps.Unmarshal(s) == nil {
				if caps.Host.CPU != nil && caps.Host.CPU.Model != "" {
					f.CPUModel = caps.Host.CPU.Model
				}
				if t := caps.Host.NUMA; t != nil && t.Cells != nil && len(t.Cells.Cells) > f.NUMACells {
					f.NUMACells = len(t.Cells.Cells)
				}
			}
		} else if !isNoSupport(err) {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// versionString formats libvirt's major*1,000,000 + minor*1,000 + release.
func versionString(v uint32) string {
	return fmt.Sprintf("%d.%d.%d", v/1000000, v/1000%1000, v%1000)
}
