// Package hvtest starts what berth's end-to-end tests need from a real
// libvirt: a libvirtd with the QEMU driver (qemu:///system), and tiny QEMU
// guests that are cleaned up after the test. It is for tests only.
//
// No systemd is assumed: when the daemon's socket does not answer, Daemon
// starts virtlogd -d and libvirtd -d itself and waits (the first connection
// takes about 12 s while libvirt probes QEMU). When that cannot be done the
// test fails with the reason; it is skipped only under -short.
package hvtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"libvirt.org/go/libvirt"
)

// SystemURI is the URI of the local QEMU daemon.
const SystemURI = "qemu:///system"

// Sockets of the daemons (/var/run is /run on Debian).
const (
	libvirtdSocket = "/run/libvirt/libvirt-sock"
	virtlogdSocket = "/run/libvirt/virtlogd-sock"
)

// ImageDir is where test disk images go: a directory the QEMU process can
// reach (a test's TempDir is private to root).
var ImageDir = "/var/lib/libvirt/images"

var startMu sync.Mutex

// Daemon makes sure libvirtd answers on qemu:///system, starting virtlogd
// and libvirtd when needed, and returns a connection closed at the end of
// the test. Under -short it skips the test; otherwise any failure to get a
// daemon fails the test with the reason.
func Daemon(t testing.TB) *hypervisor.Conn {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real libvirtd (qemu:///system); not run with -short")
	}
	startMu.Lock()
	defer startMu.Unlock()
	if msg := shareKVM(); msg != "" {
		t.Log(msg)
	}
	if !answers(libvirtdSocket) {
		// Another test process may be starting them at the same time: a
		// failed start only counts when the socket then never answers.
		var startErr error
		if !answers(virtlogdSocket) {
			if err := startDaemon("virtlogd"); err != nil {
				startErr = err
			}
		}
		if err := startDaemon("libvirtd"); err != nil && startErr == nil {
			startErr = err
		}
		deadline := time.Now().Add(30 * time.Second)
		for !answers(libvirtdSocket) {
			if time.Now().After(deadline) {
				if startErr != nil {
					t.Fatalf("cannot start libvirtd for the QEMU tests: %v", startErr)
				}
				t.Fatalf("libvirtd was started but %s does not answer after 30s (see /var/log/libvirt/)", libvirtdSocket)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c, err := hypervisor.Connect(ctx, SystemURI)
	if err != nil {
		t.Fatalf("libvirtd runs but %s cannot be opened: %v", SystemURI, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// shareKVM gives group kvm access to /dev/kvm when it is root-only (no udev
// rule ran, as in containers). Guests here are type='qemu' and do not need
// KVM, but libvirtd probes QEMU as root, finds KVM, then sees that the QEMU
// user cannot use it and throws its capabilities cache away: every define
// then re-probes QEMU for 5–10 s. It returns what it did, "" for nothing.
func shareKVM() string {
	fi, err := os.Stat("/dev/kvm")
	if err != nil || os.Geteuid() != 0 || fi.Mode().Perm()&0o060 == 0o060 {
		return ""
	}
	grp, err := user.LookupGroup("kvm")
	if err != nil {
		return ""
	}
	gid, err := strconv.Atoi(grp.Gid)
	if err != nil {
		return ""
	}
	if err := os.Chown("/dev/kvm", 0, gid); err != nil {
		return "cannot give group kvm /dev/kvm: " + err.Error() + " (libvirtd will re-probe QEMU on every define)"
	}
	if err := os.Chmod("/dev/kvm", fi.Mode().Perm()|0o060); err != nil {
		return "cannot give group kvm /dev/kvm: " + err.Error()
	}
	return "gave group kvm read/write on /dev/kvm (chgrp kvm /dev/kvm; chmod g+rw /dev/kvm) so libvirtd keeps its QEMU capabilities cache"
}

func answers(socket string) bool {
	c, err := net.DialTimeout("unix", socket, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// startDaemon runs NAME -d (it forks into the background).
func startDaemon(name string) error {
	path, err := exec.LookPath(name)
	if err != nil {
		path = filepath.Join("/usr/sbin", name)
		if _, serr := os.Stat(path); serr != nil {
			return fmt.Errorf("%s is not installed (Debian package libvirt-daemon-system; scripts/install-deps.sh test installs it)", name)
		}
	}
	out, err := exec.Command(path, "-d").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s -d: %v: %s", path, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Guest is a running tiny QEMU guest made by TinyGuest.
type Guest struct {
	Name, UUID string
	Disk       string
}

// TinyGuest defines and starts a 64 MiB, 1-vCPU type='qemu' (TCG) guest
// with a 16M qcow2 disk and no OS (the BIOS looks for one), named
// berth-test-PID-SUFFIX. The test's cleanup destroys and undefines it and
// removes the disk.
func TinyGuest(t testing.TB, c *hypervisor.Conn, suffix string) Guest {
	t.Helper()
	name := fmt.Sprintf("berth-test-%d-%s", os.Getpid(), suffix)
	disk := filepath.Join(ImageDir, name+".qcow2")
	out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", disk, "16M").CombinedOutput()
	if err != nil {
		t.Fatalf("qemu-img create %s (Debian package qemu-utils): %v: %s", disk, err, out)
	}
	t.Cleanup(func() { os.Remove(disk) })
	xml := fmt.Sprintf(`<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%s'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <memballoon model='virtio'><stats period='1'/></memballoon>
  </devices>
</domain>`, name, disk)
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
	uuid, err := dom.GetUUIDString()
	if err != nil {
		t.Fatal(err)
	}
	return Guest{Name: name, UUID: uuid, Disk: disk}
}
