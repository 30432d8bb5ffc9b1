package hypervisor

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// Domain is one guest as libvirt defines it, running or not.
type Domain struct {
	Name string
	UUID string
	// ID is the running domain's id (-1 when not running).
	ID int
	// State is libvirt's state in lower case: running, blocked, paused,
	// shutdown (shutting down), shutoff, crashed, pmsuspended, nostate.
	State      string
	Persistent bool
	// VCPUs is the number of vCPUs the domain runs with; MaxVCPUs how many
	// it may be given.
	VCPUs    int
	MaxVCPUs int
	// MemoryMax is the domain's <memory> (the most it can have) and
	// MemoryCurrent its <currentMemory> (what the balloon gives it now), in
	// bytes.
	MemoryMax     uint64
	MemoryCurrent uint64
	Disks         []Disk
	Interfaces    []Interface
	// Metadata is berth's metadata element, nil when berth did not create
	// the domain.
	Metadata *GuestMetadata
}

// Disk is one disk device of a domain.
type Disk struct {
	// Device is disk, cdrom, floppy or lun; Type the source kind (file,
	// block, network, volume, dir, …).
	Device string
	Type   string
	// Target is the device name in the guest (vda) and Bus its bus (virtio).
	Target string
	Bus    string
	// Source is the file, block device, volume (pool/volume) or network
	// name ("" for an empty cdrom); Format the driver type (qcow2, raw).
	Source string
	Format string
}

// Interface is one network interface of a domain.
type Interface struct {
	// Type is the source kind (network, bridge, direct, user, …) and
	// Source its name (the network, bridge or device).
	Type   string
	Source string
	MAC    string
	Model  string
	// Target is the host-side device (vnet0), set while running.
	Target string
}

// Running reports whether the domain is running (or paused or blocked:
// anything that holds its resources on the host).
func (d *Domain) Running() bool {
	switch d.State {
	case "running", "blocked", "paused", "shutdown", "pmsuspended":
		return true
	}
	return false
}

// Domains reads every domain of the host, running and defined-but-off, in
// the order libvirt lists them (running first).
func (c *Conn) Domains(ctx context.Context) ([]Domain, error) {
	var out []Domain
	err := c.do(ctx, "list domains", func() error {
		doms, err := c.raw.ListAllDomains(0)
		if err != nil {
			return err
		}
		defer func() {
			for i := range doms {
				doms[i].Free()
			}
		}()
		out = make([]Domain, 0, len(doms))
		for i := range doms {
			d, err := readDomain(&doms[i])
			if err != nil {
				if isNoDomain(err) {
					continue // undefined while we were reading
				}
				return err
			}
			out = append(out, d)
		}
		sortDomains(out)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// sortDomains orders domains as virsh list --all does: running ones by ID,
// then the others by name. (libvirt's own order is a hash table's.)
func sortDomains(ds []Domain) {
	slices.SortStableFunc(ds, func(a, b Domain) int {
		switch {
		case a.ID >= 0 && b.ID >= 0:
			return cmp.Compare(a.ID, b.ID)
		case a.ID >= 0:
			return -1
		case b.ID >= 0:
			return 1
		}
		return cmp.Compare(a.Name, b.Name)
	})
}

func isNoDomain(err error) bool {
	lerr, ok := err.(libvirt.Error)
	return ok && lerr.Code == libvirt.ERR_NO_DOMAIN
}

func readDomain(dom *libvirt.Domain) (Domain, error) {
	state, _, err := dom.GetState()
	if err != nil {
		return Domain{}, err
	}
	s, err := dom.GetXMLDesc(0)
	if err != nil {
		return Domain{}, err
	}
	d, err := ParseDomainXML(s)
	if err != nil {
		return Domain{}, err
	}
	d.State = StateName(state)
	d.ID = -1
	if id, err := dom.GetID(); err == nil && d.Running() {
		d.ID = int(id)
	}
	if p, err := dom.IsPersistent(); err == nil {
		d.Persistent = p
	}
	return d, nil
}

// ParseDomainXML reads a domain's name, UUID, vCPUs, memory, disks,
// interfaces and berth metadata from its XML (state and ID are left for the
// caller, which knows them from libvirt).
func ParseDomainXML(s string) (Domain, error) {
	var x libvirtxml.Domain
	if err := x.Unmarshal(s); err != nil {
		return Domain{}, fmt.Errorf("domain XML: %w", err)
	}
	d := Domain{Name: x.Name, UUID: x.UUID, ID: -1}
	if x.VCPU != nil {
		d.MaxVCPUs = int(x.VCPU.Value)
		d.VCPUs = int(x.VCPU.Value)
		if x.VCPU.Current != 0 {
			d.VCPUs = int(x.VCPU.Current)
		}
	}
	if x.Memory != nil {
		d.MemoryMax = memoryBytes(uint64(x.Memory.Value), x.Memory.Unit)
	}
	d.MemoryCurrent = d.MemoryMax
	if x.CurrentMemory != nil {
		d.MemoryCurrent = memoryBytes(uint64(x.CurrentMemory.Value), x.CurrentMemory.Unit)
	}
	if x.Devices != nil {
		for _, dk := range x.Devices.Disks {
			d.Disks = append(d.Disks, diskOf(dk))
		}
		for _, in := range x.Devices.Interfaces {
			d.Interfaces = append(d.Interfaces, interfaceOf(in))
		}
	}
	if x.Metadata != nil {
		m, err := ParseGuestMetadata(x.Metadata.XML)
		if err != nil {
			return Domain{}, fmt.Errorf("domain %s: %w", x.Name, err)
		}
		d.Metadata = m
	}
	return d, nil
}

// memoryBytes converts a libvirt memory amount in unit (default KiB) to
// bytes. libvirt's units: b/bytes, KB/KiB/k, MB/MiB/M, GB/GiB/G, TB/TiB/T,
// where the "KB" forms are powers of 1000 and the rest powers of 1024.
func memoryBytes(v uint64, unit string) uint64 {
	switch unit {
	case "b", "bytes":
		return v
	case "", "k", "K", "KiB":
		return v << 10
	case "KB":
		return v * 1000
	case "M", "m", "MiB":
		return v << 20
	case "MB":
		return v * 1000 * 1000
	case "G", "g", "GiB":
		return v << 30
	case "GB":
		return v * 1000 * 1000 * 1000
	case "T", "t", "TiB":
		return v << 40
	case "TB":
		return v * 1000 * 1000 * 1000 * 1000
	}
	return v << 10
}

func diskOf(dk libvirtxml.DomainDisk) Disk {
	d := Disk{Device: dk.Device}
	if d.Device == "" {
		d.Device = "disk"
	}
	if dk.Target != nil {
		d.Target, d.Bus = dk.Target.Dev, dk.Target.Bus
	}
	if dk.Driver != nil {
		d.Format = dk.Driver.Type
	}
	if s := dk.Source; s != nil {
		switch {
		case s.File != nil:
			d.Type, d.Source = "file", s.File.File
		case s.Block != nil:
			d.Type, d.Source = "block", s.Block.Dev
		case s.Volume != nil:
			d.Type, d.Source = "volume", s.Volume.Pool+"/"+s.Volume.Volume
		case s.Network != nil:
			d.Type, d.Source = "network", s.Network.Protocol+":"+s.Network.Name
		case s.Dir != nil:
			d.Type, d.Source = "dir", s.Dir.Dir
		case s.NVME != nil:
			d.Type = "nvme"
		case s.VHostUser != nil:
			d.Type = "vhostuser"
		}
	}
	return d
}

func interfaceOf(in libvirtxml.DomainInterface) Interface {
	var i Interface
	if in.MAC != nil {
		i.MAC = in.MAC.Address
	}
	if in.Model != nil {
		i.Model = in.Model.Type
	}
	if in.Target != nil {
		i.Target = in.Target.Dev
	}
	if s := in.Source; s != nil {
		switch {
		case s.Network != nil:
			i.Type, i.Source = "network", s.Network.Network
		case s.Bridge != nil:
			i.Type, i.Source = "bridge", s.Bridge.Bridge
		case s.Direct != nil:
			i.Type, i.Source = "direct", s.Direct.Dev
		case s.User != nil:
			i.Type = "user"
		case s.Ethernet != nil:
			i.Type = "ethernet"
		case s.VHostUser != nil:
			i.Type = "vhostuser"
		case s.Hostdev != nil:
			i.Type = "hostdev"
		case s.Internal != nil:
			i.Type, i.Source = "internal", s.Internal.Name
		case s.VDPA != nil:
			i.Type = "vdpa"
		case s.Null != nil:
			i.Type = "null"
		default:
			i.Type = "other"
		}
	}
	return i
}

// StateName is libvirt's domain state as a lower-case word.
func StateName(s libvirt.DomainState) string {
	switch s {
	case libvirt.DOMAIN_RUNNING:
		return "running"
	case libvirt.DOMAIN_BLOCKED:
		return "blocked"
	case libvirt.DOMAIN_PAUSED:
		return "paused"
	case libvirt.DOMAIN_SHUTDOWN:
		return "shutdown"
	case libvirt.DOMAIN_SHUTOFF:
		return "shutoff"
	case libvirt.DOMAIN_CRASHED:
		return "crashed"
	case libvirt.DOMAIN_PMSUSPENDED:
		return "pmsuspended"
	case libvirt.DOMAIN_NOSTATE:
		return "nostate"
	}
	return strings.ToLower(fmt.Sprintf("nostate(%d)", int(s)))
}
