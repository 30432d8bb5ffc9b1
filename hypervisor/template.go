package hypervisor

import (
	"crypto/rand"
	"fmt"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// Template is how a new guest's domain is built: its hypervisor type, its
// disk (a volume in a storage pool, empty or cloned from a base image) and
// its network interface. berth keeps one per guest profile.
type Template struct {
	// DomainType is the libvirt domain type: kvm (hardware virtualisation,
	// the default), qemu (TCG emulation, no /dev/kvm needed) or test (the
	// test driver).
	DomainType string
	// Arch is the guest architecture (default x86_64); Machine the machine
	// type ("" = the hypervisor's default).
	Arch    string
	Machine string
	// Pool is the storage pool the guest's disk volume is created in; ""
	// gives the guest no disk.
	Pool string
	// VolumeSize is the disk's capacity in bytes (at least the base
	// image's size when cloning).
	VolumeSize uint64
	// VolumeFormat is the volume's format: qcow2 (default) or raw.
	VolumeFormat string
	// BaseImage, when set, is a volume in Pool that the guest's disk is a
	// full copy of; "" creates an empty volume.
	BaseImage string
	// Bridge is a host bridge for the guest's NIC; when empty, Network is a
	// libvirt network. Both empty gives the guest no NIC.
	Bridge  string
	Network string
	// NICModel is the NIC's device model (default virtio).
	NICModel string
}

// Defaults of a Template.
const (
	DefaultDomainType   = "kvm"
	DefaultArch         = "x86_64"
	DefaultVolumeFormat = "qcow2"
	DefaultNICModel     = "virtio"
)

// GuestSpec is one guest to create: its name, its size, the berth metadata
// it carries and the template it is built from.
type GuestSpec struct {
	Name string
	// VCPUs is the number of virtual CPUs (at least 1).
	VCPUs int
	// Memory is the guest's memory in bytes (rounded up to whole KiB).
	Memory   uint64
	Metadata GuestMetadata
	Template Template
}

// Check reports what makes the spec unusable, before anything is created.
func (s GuestSpec) Check() error {
	switch {
	case s.Name == "" || strings.ContainsAny(s.Name, "/\x00") || strings.TrimSpace(s.Name) != s.Name:
		return fmt.Errorf("guest name %q cannot name a domain", s.Name)
	case s.VCPUs < 1:
		return fmt.Errorf("guest %s: %d vCPUs, want at least 1", s.Name, s.VCPUs)
	case s.Memory < 1<<20:
		return fmt.Errorf("guest %s: %d bytes of memory, want at least 1 MiB", s.Name, s.Memory)
	}
	t := s.Template
	if t.Pool != "" && t.BaseImage == "" && t.VolumeSize == 0 {
		return fmt.Errorf("guest %s: a volume in pool %s needs a size or a base image", s.Name, t.Pool)
	}
	switch t.format() {
	case "qcow2", "raw":
	default:
		return fmt.Errorf("guest %s: volume format %q, want qcow2 or raw", s.Name, t.VolumeFormat)
	}
	return nil
}

func (t Template) format() string {
	if t.VolumeFormat == "" {
		return DefaultVolumeFormat
	}
	return t.VolumeFormat
}

// HasDisk reports whether guests built from t get a disk volume.
func (t Template) HasDisk() bool { return t.Pool != "" }

// VolumeName is the name of the guest's disk volume in its pool
// ("web-1.qcow2"), "" when the template gives it no disk. The name follows
// from the guest's, so a resumed apply finds the volume it started.
func (s GuestSpec) VolumeName() string {
	if !s.Template.HasDisk() {
		return ""
	}
	ext := ".img"
	if s.Template.format() == "qcow2" {
		ext = ".qcow2"
	}
	return s.Name + ext
}

// Volume is the storage volume XML of the guest's disk.
func (s GuestSpec) Volume() *libvirtxml.StorageVolume {
	return &libvirtxml.StorageVolume{
		Name:     s.VolumeName(),
		Capacity: &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: s.Template.VolumeSize},
		Target: &libvirtxml.StorageVolumeTarget{
			Format: &libvirtxml.StorageVolumeTargetFormat{Type: s.Template.format()},
		},
	}
}

// Domain is the guest's domain definition: vCPUs, memory, the disk volume
// (by pool and volume name, so the host resolves its path), the NIC and
// berth's metadata. It carries a fresh random UUID, so that defining it
// can never silently redefine another domain of the same name (libvirt
// refuses a name that exists with a different UUID).
func (s GuestSpec) Domain() (*libvirtxml.Domain, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	t := s.Template
	uuid, err := newUUID()
	if err != nil {
		return nil, err
	}
	d := &libvirtxml.Domain{
		Type:          orDefault(t.DomainType, DefaultDomainType),
		Name:          s.Name,
		UUID:          uuid,
		Memory:        &libvirtxml.DomainMemory{Value: uint((s.Memory + 1023) / 1024), Unit: "KiB"},
		CurrentMemory: &libvirtxml.DomainCurrentMemory{Value: uint((s.Memory + 1023) / 1024), Unit: "KiB"},
		VCPU:          &libvirtxml.DomainVCPU{Placement: "static", Value: uint(s.VCPUs)},
		OS: &libvirtxml.DomainOS{
			Type:        &libvirtxml.DomainOSType{Arch: orDefault(t.Arch, DefaultArch), Machine: t.Machine, Type: "hvm"},
			BootDevices: []libvirtxml.DomainBootDevice{{Dev: "hd"}},
		},
		Features:   &libvirtxml.DomainFeatureList{ACPI: &libvirtxml.DomainFeature{}, APIC: &libvirtxml.DomainFeatureAPIC{}},
		OnPoweroff: "destroy",
		OnReboot:   "restart",
		OnCrash:    "destroy",
		Devices:    &libvirtxml.DomainDeviceList{},
	}
	if t.HasDisk() {
		d.Devices.Disks = append(d.Devices.Disks, libvirtxml.DomainDisk{
			Device: "disk",
			Driver: &libvirtxml.DomainDiskDriver{Name: "qemu", Type: t.format()},
			Source: &libvirtxml.DomainDiskSource{Volume: &libvirtxml.DomainDiskSourceVolume{Pool: t.Pool, Volume: s.VolumeName()}},
			Target: &libvirtxml.DomainDiskTarget{Dev: "vda", Bus: "virtio"},
		})
	}
	if nic := s.nic(); nic != nil {
		d.Devices.Interfaces = append(d.Devices.Interfaces, *nic)
	}
	if err := AddMetadata(d, s.Metadata); err != nil {
		return nil, err
	}
	return d, nil
}

func (s GuestSpec) nic() *libvirtxml.DomainInterface {
	t := s.Template
	var src libvirtxml.DomainInterfaceSource
	switch {
	case t.Bridge != "":
		src.Bridge = &libvirtxml.DomainInterfaceSourceBridge{Bridge: t.Bridge}
	case t.Network != "":
		src.Network = &libvirtxml.DomainInterfaceSourceNetwork{Network: t.Network}
	default:
		return nil
	}
	return &libvirtxml.DomainInterface{
		Source: &src,
		Model:  &libvirtxml.DomainInterfaceModel{Type: orDefault(t.NICModel, DefaultNICModel)},
	}
}

// DomainXML is Domain marshalled.
func (s GuestSpec) DomainXML() (string, error) {
	d, err := s.Domain()
	if err != nil {
		return "", err
	}
	return d.Marshal()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// newUUID is a random (version 4) UUID.
func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
