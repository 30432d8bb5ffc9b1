package hvtest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"libvirt.org/go/libvirtxml"
)

// GuestMemory is the memory of the kit's guests: little to copy, enough
// for BusyGuest's program to rewrite 16 MiB of it.
const GuestMemory = 32 << 20

// IdleGuest defines and starts on h a 32 MiB, 1-vCPU type='qemu' (TCG)
// guest with no disk and no NIC, named berth-test-PID-SUFFIX. Its BIOS
// finds nothing to boot and halts, so its memory is almost all zero pages:
// it live-migrates in seconds and costs no CPU.
func (k *TwoHosts) IdleGuest(t testing.TB, h *SessionHost, suffix string) Guest {
	t.Helper()
	return k.startGuest(t, h, guestDomain(guestName(suffix), ""))
}

// BusyGuest is IdleGuest with a program: it boots from a read-only 1 MiB
// disk in k.Shared whose boot sector (busyBootSector) rewrites 16 MiB of
// the guest's memory with a new value about 15 times a second, halting in
// between. Under a bandwidth limit of a few MiB/s its live migration never
// converges, so it can be watched, cut and aborted; without a limit it
// converges in seconds. The read-only disk counts as shared storage.
func (k *TwoHosts) BusyGuest(t testing.TB, h *SessionHost, suffix string) Guest {
	t.Helper()
	img, err := k.bootImage()
	if err != nil {
		t.Fatal(err)
	}
	g := k.startGuest(t, h, guestDomain(guestName(suffix), img))
	g.Disk = img
	return g
}

func guestName(suffix string) string { return fmt.Sprintf("berth-test-%d-%s", os.Getpid(), suffix) }

// startGuest defines and starts d on h.
func (k *TwoHosts) startGuest(t testing.TB, h *SessionHost, d *libvirtxml.Domain) Guest {
	t.Helper()
	doc, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	dom, err := h.Conn.Raw().DomainDefineXML(doc)
	if err != nil {
		t.Fatalf("define %s on host %s: %v", d.Name, h.Name, err)
	}
	defer dom.Free()
	if err := dom.Create(); err != nil {
		t.Fatalf("start %s on host %s: %v", d.Name, h.Name, err)
	}
	uuid, err := dom.GetUUIDString()
	if err != nil {
		t.Fatal(err)
	}
	return Guest{Name: d.Name, UUID: uuid}
}

// guestDomain is the kit's guest definition; bootImage "" gives it no disk.
func guestDomain(name, bootImage string) *libvirtxml.Domain {
	d := &libvirtxml.Domain{
		Type:   "qemu",
		Name:   name,
		Memory: &libvirtxml.DomainMemory{Value: GuestMemory >> 20, Unit: "MiB"},
		VCPU:   &libvirtxml.DomainVCPU{Value: 1},
		OS: &libvirtxml.DomainOS{
			Type:        &libvirtxml.DomainOSType{Arch: "x86_64", Machine: "pc", Type: "hvm"},
			BootDevices: []libvirtxml.DomainBootDevice{{Dev: "hd"}},
		},
		Devices: &libvirtxml.DomainDeviceList{
			MemBalloon: &libvirtxml.DomainMemBalloon{Model: "none"},
		},
	}
	if bootImage != "" {
		d.Devices.Disks = []libvirtxml.DomainDisk{{
			Device:   "disk",
			Driver:   &libvirtxml.DomainDiskDriver{Name: "qemu", Type: "raw"},
			Source:   &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: bootImage}},
			Target:   &libvirtxml.DomainDiskTarget{Dev: "vda", Bus: "virtio"},
			ReadOnly: &libvirtxml.DomainDiskReadOnly{},
		}}
	}
	return d
}

// bootImage writes the busy guest's disk (once per kit) and returns its path.
func (k *TwoHosts) bootImage() (string, error) {
	p := filepath.Join(k.Shared, "busy-boot.img")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	// SeaBIOS does not boot a disk of a single sector: make it 1 MiB.
	img := make([]byte, 1<<20)
	copy(img, busyBootSector())
	if err := os.WriteFile(p, img, 0o644); err != nil {
		return "", err
	}
	return p, nil
}

// busyBootSector is a 512-byte x86 boot sector that switches to "unreal
// mode" (real mode with a 4 GiB data segment limit, so that it can write
// above 1 MiB while the BIOS's timer interrupt still runs) and then
// forever fills 0x100000–0x10FFFFF (16 MiB) with a counter and halts until
// the next timer tick (18.2 Hz).
func busyBootSector() []byte {
	var sector []byte
	for _, in := range busyProgram {
		sector = append(sector, in.code...)
	}
	// The GDT at 0x7C40: the null descriptor, then base 0, limit 4 GiB,
	// data, read/write; the GDTR at 0x7C50: limit 15, base 0x7C40.
	sector = append(sector, make([]byte, gdtOffset-len(sector))...)
	sector = append(sector, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x92, 0xCF, 0x00)
	sector = append(sector, 0x0F, 0x00, 0x40, 0x7C, 0x00, 0x00)
	sector = append(sector, make([]byte, 510-len(sector))...)
	return append(sector, 0x55, 0xAA)
}

// gdtOffset is where the GDT starts in the boot sector (loaded at 0x7C00).
const gdtOffset = 0x40

// busyProgram is the boot sector's code, an instruction a line.
var busyProgram = []struct {
	code []byte
	asm  string
}{
	{[]byte{0xFA}, "cli"},
	{[]byte{0x31, 0xC0}, "xor ax,ax"},
	{[]byte{0x8E, 0xD8}, "mov ds,ax"},
	{[]byte{0x8E, 0xD0}, "mov ss,ax"},
	{[]byte{0xBC, 0x00, 0x7C}, "mov sp,0x7C00"},
	{[]byte{0x0F, 0x01, 0x16, 0x50, 0x7C}, "lgdt [0x7C50]"},
	{[]byte{0x0F, 0x20, 0xC0}, "mov eax,cr0"},
	{[]byte{0x0C, 0x01}, "or al,1 ; protected mode on"},
	{[]byte{0x0F, 0x22, 0xC0}, "mov cr0,eax"},
	{[]byte{0xEB, 0x00}, "jmp $+2"},
	{[]byte{0xBB, 0x08, 0x00}, "mov bx,8 ; the flat 4 GiB data descriptor"},
	{[]byte{0x8E, 0xC3}, "mov es,bx"},
	{[]byte{0x24, 0xFE}, "and al,0xFE ; protected mode off: ES keeps its 4 GiB limit"},
	{[]byte{0x0F, 0x22, 0xC0}, "mov cr0,eax"},
	{[]byte{0x31, 0xC0}, "xor ax,ax"},
	{[]byte{0x8E, 0xC0}, "mov es,ax"},
	{[]byte{0xFB}, "sti"},
	{[]byte{0xFC}, "cld"},
	{[]byte{0x66, 0xBF, 0x00, 0x00, 0x10, 0x00}, "loop: mov edi,0x100000"},
	{[]byte{0x66, 0xB9, 0x00, 0x00, 0x40, 0x00}, "mov ecx,0x400000 ; 4 Mi dwords"},
	{[]byte{0xF3, 0x67, 0x66, 0xAB}, "rep stosd [es:edi] ; 32-bit addresses"},
	{[]byte{0x66, 0x40}, "inc eax"},
	{[]byte{0xF4}, "hlt ; until the next timer tick"},
	{[]byte{0xEB, 0xEB}, "jmp loop"},
}
