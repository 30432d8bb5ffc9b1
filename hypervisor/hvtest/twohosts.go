package hvtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"libvirt.org/go/libvirt"
)

// TwoHosts is two libvirt daemons on this machine acting as two hosts, so
// that guests can be live-migrated between them: two session-mode
// libvirtd processes, each run as an unprivileged user of its own
// (berth-hv-a, berth-hv-b) with its own host_uuid (libvirt refuses a
// migration between two daemons that report the same host UUID).
//
// Everything lives under a directory of this test process (the daemons'
// XDG directories, sockets, logs, guest images), so kits of several test
// processes, from several worktrees, run side by side.
type TwoHosts struct {
	A, B *SessionHost
	// Shared is a directory both daemons' users can read, at the same
	// path on both "hosts" (shared storage).
	Shared string
}

// MigrationURI is where a migration between the kit's daemons sends the
// guest's memory (libvirt's migrate URI), and MigrationListen the address
// the receiving QEMU listens on: loopback only. (By default libvirt sends
// it to the host name, which need not be loopback, and listens on every
// address.)
const (
	MigrationURI    = "tcp://127.0.0.1"
	MigrationListen = "127.0.0.1"
)

// SessionHost is one session-mode libvirtd of a TwoHosts kit.
type SessionHost struct {
	// Name is "a" or "b"; User the account the daemon and its QEMU
	// processes run as; UUID the host_uuid in its libvirtd.conf.
	Name, User, UUID string
	// Dir holds the daemon's configuration, state, socket and log.
	Dir string
	// Socket is the daemon's unix socket; URI reaches it
	// (qemu+unix:///session?socket=…), from this process and from the
	// other daemon (peer-to-peer migration).
	Socket, URI string
	// Conn is a connection to the daemon, closed at the end of the test.
	Conn *hypervisor.Conn
	// MigrationPorts is the first and last TCP port on 127.0.0.1 the
	// daemon gives incoming migrations (qemu.conf migration_port_min/max).
	MigrationPorts [2]int

	cmd    *exec.Cmd
	exited chan error
}

// Users the daemons of a TwoHosts kit run as.
const (
	UserA = "berth-hv-a"
	UserB = "berth-hv-b"
)

// portsPerHost is the size of each daemon's range of migration ports.
const portsPerHost = 8

// StartTwoHosts starts the two daemons, waits until both answer and
// returns them connected. The test's cleanup destroys and undefines every
// domain on them, stops the daemons (and any QEMU process they leave) and
// removes the directory. Under -short it skips the test; otherwise
// anything missing (root, libvirtd, QEMU) fails the test with the reason.
func StartTwoHosts(t testing.TB) *TwoHosts {
	t.Helper()
	if testing.Short() {
		t.Skip("needs two real libvirt daemons (session-mode libvirtd as two users); not run with -short")
	}
	if os.Geteuid() != 0 {
		t.Fatal("the two-host kit runs libvirtd as the users " + UserA + " and " + UserB + ", which needs root")
	}
	libvirtd, err := lookBinary("libvirtd", "libvirt-daemon and libvirt-daemon-driver-qemu")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lookBinary("qemu-system-x86_64", "qemu-system-x86"); err != nil {
		t.Fatal(err)
	}
	sweepDeadKits()
	// Not t.TempDir(): a unix socket's path must stay under 108 bytes,
	// and the daemons' users must be able to reach it.
	root, err := os.MkdirTemp("", fmt.Sprintf("berth-hv-%d-", os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	k := &TwoHosts{Shared: filepath.Join(root, "shared")}
	if err := os.Mkdir(k.Shared, 0o755); err != nil {
		t.Fatal(err)
	}
	ports, err := freePortRange(2 * portsPerHost)
	if err != nil {
		t.Fatal(err)
	}
	k.A = &SessionHost{Name: "a", User: UserA, Dir: filepath.Join(root, "a"), MigrationPorts: [2]int{ports, ports + portsPerHost - 1}}
	k.B = &SessionHost{Name: "b", User: UserB, Dir: filepath.Join(root, "b"),
		MigrationPorts: [2]int{ports + portsPerHost, ports + 2*portsPerHost - 1}}
	for _, h := range []*SessionHost{k.A, k.B} {
		if err := h.start(t, libvirtd); err != nil {
			t.Fatalf("host %s: %v", h.Name, err)
		}
	}
	for _, h := range []*SessionHost{k.A, k.B} {
		if err := h.connect(t); err != nil {
			t.Fatalf("host %s: %v", h.Name, err)
		}
	}
	return k
}

// lookBinary finds name in PATH or /usr/sbin, or says which Debian
// package installs it.
func lookBinary(name, pkg string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	p := filepath.Join("/usr/sbin", name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s is not installed (Debian package %s)", name, pkg)
}

// start writes the daemon's configuration and starts it as its user.
func (h *SessionHost) start(t testing.TB, libvirtd string) error {
	uid, gid, err := ensureUser(h.User)
	if err != nil {
		return err
	}
	h.UUID = newUUID()
	dirs := map[string]string{}
	for _, d := range []string{"config", "run", "cache", "data", "home", "sock"} {
		dirs[d] = filepath.Join(h.Dir, d)
		if err := os.MkdirAll(dirs[d], 0o755); err != nil {
			return err
		}
	}
	conf := filepath.Join(dirs["config"], "libvirt")
	if err := os.MkdirAll(conf, 0o755); err != nil {
		return err
	}
	h.Socket = filepath.Join(dirs["sock"], "libvirt-sock")
	h.URI = "qemu+unix:///session?socket=" + h.Socket
	files := map[string]string{
		// The socket is open to every local user: the other daemon
		// connects to it for peer-to-peer migration.
		"libvirtd.conf": fmt.Sprintf("host_uuid = %q\nunix_sock_dir = %q\nunix_sock_rw_perms = \"0777\"\nunix_sock_ro_perms = \"0777\"\n",
			h.UUID, dirs["sock"]),
		// Incoming migrations use ports of this kit's own (libvirt
		// refuses a loopback migration_address or migration_host here:
		// migrations give MigrationURI and MigrationListen instead);
		// QEMU's output goes to files, not to a session virtlogd that
		// would outlive the daemon.
		"qemu.conf": fmt.Sprintf("migration_port_min = %d\nmigration_port_max = %d\nstdio_handler = \"file\"\n",
			h.MigrationPorts[0], h.MigrationPorts[1]),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(conf, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	if err := chownTree(h.Dir, uid, gid); err != nil {
		return err
	}
	logf, err := os.Create(filepath.Join(h.Dir, "libvirtd.out"))
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(libvirtd, "-f", filepath.Join(conf, "libvirtd.conf"))
	cmd.Env = []string{
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + dirs["home"], "USER=" + h.User, "LANG=C",
		"XDG_CONFIG_HOME=" + dirs["config"], "XDG_RUNTIME_DIR=" + dirs["run"],
		"XDG_CACHE_HOME=" + dirs["cache"], "XDG_DATA_HOME=" + dirs["data"],
		"LIBVIRT_LOG_OUTPUTS=3:file:" + h.logPath(),
	}
	cmd.Dir = dirs["home"]
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: &syscall.Credential{Uid: uid, Gid: gid, Groups: []uint32{}},
		Setpgid:    true,
		// Should the test binary itself be killed, the daemon goes too.
		Pdeathsig: syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s as %s: %v", libvirtd, h.User, err)
	}
	h.cmd = cmd
	h.exited = make(chan error, 1)
	go func() { h.exited <- cmd.Wait() }()
	t.Cleanup(func() { h.stop(t) })
	return h.waitSocket(30 * time.Second)
}

func (h *SessionHost) logPath() string { return filepath.Join(h.Dir, "libvirtd.log") }

// waitSocket waits until the daemon's socket answers, or the daemon exits.
func (h *SessionHost) waitSocket(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for !answers(h.Socket) {
		select {
		case err := <-h.exited:
			h.exited <- err
			return fmt.Errorf("libvirtd exited (%v) before its socket answered: %s", err, h.logTail())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("libvirtd's socket %s does not answer after %v: %s", h.Socket, limit, h.logTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

func (h *SessionHost) connect(t testing.TB) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := hypervisor.Connect(ctx, h.URI)
	if err != nil {
		return fmt.Errorf("libvirtd runs but %s cannot be opened (its QEMU driver is the Debian package libvirt-daemon-driver-qemu): %v", h.URI, err)
	}
	h.Conn = c
	// Registered after stop's cleanup, so it runs before it.
	t.Cleanup(func() { c.Close() })
	return nil
}

// logTail is the end of the daemon's log, for failure messages.
func (h *SessionHost) logTail() string {
	var out []string
	for _, p := range []string{filepath.Join(h.Dir, "libvirtd.out"), h.logPath()} {
		b, _ := os.ReadFile(p)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) > 8 {
			lines = lines[len(lines)-8:]
		}
		out = append(out, lines...)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// stop destroys and undefines every domain of the daemon, stops the daemon
// and kills any QEMU process it left behind.
func (h *SessionHost) stop(t testing.TB) {
	if t.Failed() {
		t.Logf("log of host %s (%s):\n%s", h.Name, h.Dir, h.logTail())
	}
	if c, err := libvirt.NewConnect(h.URI); err == nil {
		if doms, err := c.ListAllDomains(0); err == nil {
			for _, d := range doms {
				if active, _ := d.IsActive(); active {
					d.Destroy()
				}
				d.UndefineFlags(libvirt.DOMAIN_UNDEFINE_MANAGED_SAVE | libvirt.DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | libvirt.DOMAIN_UNDEFINE_NVRAM)
				d.Free()
			}
		}
		c.Close()
	}
	if h.cmd != nil && h.cmd.Process != nil {
		h.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-h.exited:
		case <-time.After(10 * time.Second):
			h.cmd.Process.Kill()
			<-h.exited
		}
	}
	killLeftQEMU(h.Dir)
}

// sweepDeadKits cleans up after kits whose test process died without
// its cleanup (killed, or timed out): their daemons died with it
// (Pdeathsig), but QEMU processes outlive their daemon.
func sweepDeadKits() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "berth-hv-*-*"))
	for _, dir := range dirs {
		var pid, n int
		if _, err := fmt.Sscanf(filepath.Base(dir), "berth-hv-%d-%d", &pid, &n); err != nil || pid <= 1 {
			continue
		}
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			continue // alive (or not ours to judge)
		}
		killLeftQEMU(dir)
		os.RemoveAll(dir)
	}
}

// killLeftQEMU kills, by the PID files libvirt keeps for them, the QEMU
// processes of a daemon's directory that still run (a guest the daemon
// could not destroy).
func killLeftQEMU(dir string) {
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".pid") || !strings.Contains(p, "/qemu/") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 1 {
			return nil
		}
		if cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && strings.Contains(string(cmdline), "qemu-system") {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		return nil
	})
}

// ensureUser returns the uid and gid of the named system user, creating it
// (no home, no login shell) when it does not exist. Two test processes may
// create it at once; the loser finds it made.
func ensureUser(name string) (uid, gid uint32, err error) {
	u, err := user.Lookup(name)
	if err != nil {
		out, aerr := exec.Command("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
			"--shell", "/usr/sbin/nologin", name).CombinedOutput()
		if u, err = user.Lookup(name); err != nil {
			return 0, 0, fmt.Errorf("cannot create the user %s (useradd: %v: %s)", name, aerr, strings.TrimSpace(string(out)))
		}
	}
	id, err1 := strconv.ParseUint(u.Uid, 10, 32)
	g, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return 0, 0, fmt.Errorf("user %s: %v", name, err)
	}
	return uint32(id), uint32(g), nil
}

func chownTree(dir string, uid, gid uint32) error {
	return filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(uid), int(gid))
	})
}

// freePortRange finds n consecutive TCP ports on 127.0.0.1 that are free
// now, above the usual ephemeral range, starting at a random one.
func freePortRange(n int) (int, error) {
	const lo, hi = 61000, 65535
	for try := 0; try < 50; try++ {
		base := lo + rand.IntN(hi-lo-n)
		free := true
		for p := base; p < base+n && free; p++ {
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
			if err != nil {
				free = false
				continue
			}
			ln.Close()
		}
		if free {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no %d free consecutive ports on 127.0.0.1 between %d and %d", n, lo, hi)
}

// newUUID is a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Relay starts a relay (see StartRelay) to h's daemon, reachable by every
// local user, so that the other daemon's peer-to-peer connection can go
// through it too.
func (h *SessionHost) Relay(t testing.TB, rule func(Packet) Cut) *Relay {
	t.Helper()
	r := StartRelayTo(t, h.Socket, "qemu+unix:///session", rule)
	for p, mode := range map[string]os.FileMode{filepath.Dir(r.path): 0o755, r.path: 0o777} {
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	return r
}
