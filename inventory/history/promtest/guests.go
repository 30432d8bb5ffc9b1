package promtest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/hypervisor/hvtest"
	"libvirt.org/go/libvirt"
)

// Load is what a BusyGuest keeps busy. Guests have no OS: a 512-byte boot
// sector (or the NIC's boot ROM) is all they run, which is enough to make
// libvirt count CPU time, disk requests and network bytes under TCG.
type Load string

const (
	// LoadCPU spins: the boot sector is `jmp $`. Under TCG it takes what
	// the host gives one vCPU thread (a whole core on a quiet machine).
	LoadCPU Load = "cpu"
	// LoadDisk reads sector 2 through the BIOS (int 13h) over and over:
	// every read is a virtio-blk request (hundreds a second under TCG).
	LoadDisk Load = "disk"
	// LoadIdle halts with interrupts off: no CPU, no I/O.
	LoadIdle Load = "idle"
	// LoadNet has no disk and boots from the network: iPXE (Debian
	// package ipxe-qemu) sends DHCP requests through a tap that no
	// bridge answers, a few hundred bytes a second.
	LoadNet Load = "net"
)

// Boot sectors, assembled with GNU as (.code16) from the source beside
// each; 0x55 0xAA at bytes 510–511 make them bootable.
var bootSectors = map[Load][]byte{
	// start: jmp start
	LoadCPU: {0xeb, 0xfe},
	// cli; halt: hlt; jmp halt
	LoadIdle: {0xfa, 0xf4, 0xeb, 0xfd},
	// cli; xor ax,ax; mov ds/es/ss,ax; mov sp,0x7c00; sti
	// xor dh,dh; mov bp,dx                (keep the boot drive in bp)
	// again: mov ax,0x0201; mov cx,0x0002 (read 1 sector: cylinder 0, sector 2)
	//        mov dx,bp; mov bx,0x8000; int 0x13; jmp again
	LoadDisk: {
		0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xc0, 0x8e, 0xd0, 0xbc, 0x00, 0x7c,
		0xfb, 0x30, 0xf6, 0x89, 0xd5, 0xb8, 0x01, 0x02, 0xb9, 0x02, 0x00, 0x89,
		0xea, 0xbb, 0x00, 0x80, 0xcd, 0x13, 0xeb, 0xf1,
	},
}

// BusyGuest defines and starts a 64 MiB, 1-vCPU type='qemu' guest named
// berth-test-PID-SUFFIX that keeps load busy. The test's cleanup destroys
// and undefines it and removes its disk.
func BusyGuest(t testing.TB, c *hypervisor.Conn, suffix string, load Load) hvtest.Guest {
	t.Helper()
	name := fmt.Sprintf("berth-test-%d-%s", os.Getpid(), suffix)
	g := hvtest.Guest{Name: name}
	devices := "<interface type='ethernet'><model type='virtio'/></interface>"
	boot := "network"
	if load != LoadNet {
		code, ok := bootSectors[load]
		if !ok {
			t.Fatalf("BusyGuest: unknown load %q", load)
		}
		g.Disk = filepath.Join(hvtest.ImageDir, name+".img")
		if err := writeBootDisk(g.Disk, code); err != nil {
			t.Fatalf("write the boot disk of %s: %v", name, err)
		}
		t.Cleanup(func() { os.Remove(g.Disk) })
		devices = fmt.Sprintf(`<disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='%s'/>
      <target dev='vda' bus='virtio'/>
    </disk>`, g.Disk)
		boot = "hd"
	}
	xml := fmt.Sprintf(`<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='%s'/></os>
  <devices>
    %s
    <memballoon model='virtio'/>
  </devices>
</domain>`, name, boot, devices)
	raw := c.Raw()
	dom, err := raw.DomainDefineXML(xml)
	if err != nil {
		t.Fatalf("define %s: %v", name, err)
	}
	defer dom.Free()
	t.Cleanup(func() {
		d, err := raw.LookupDomainByName(name)
		if err != nil {
			return
		}
		defer d.Free()
		if active, _ := d.IsActive(); active {
			d.Destroy()
		}
		d.UndefineFlags(libvirt.DOMAIN_UNDEFINE_MANAGED_SAVE | libvirt.DOMAIN_UNDEFINE_NVRAM)
	})
	if err := dom.Create(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	if g.UUID, err = dom.GetUUIDString(); err != nil {
		t.Fatal(err)
	}
	return g
}

// writeBootDisk writes a 1 MiB raw image whose first sector holds code and
// the boot signature.
func writeBootDisk(path string, code []byte) error {
	img := make([]byte, 1<<20)
	copy(img, code)
	img[510], img[511] = 0x55, 0xaa
	return os.WriteFile(path, img, 0o644)
}
