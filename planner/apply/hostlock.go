package apply

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/berth-dev/berth/planner"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/berth-dev/berth/hypervisor"
)

// Host locks keep two applies off one host at once, whatever journal or
// copy of a plan each uses, and whatever name each gives the host: the
// lock is a file named for the host's UUID (from libvirt's capabilities;
// the URI when the host reports none, as the test driver does), locked
// with flock while apply may change the host. The kernel releases it when
// the process ends, however it ends, so a lock is never left stale; the
// file's content says who holds it.

// DefaultLockDirs are where host locks go when Options.LockDir is empty:
// the first that can be made and written. /run/berth is shared by every
// user that can write it (root); $XDG_RUNTIME_DIR/berth is a user's own.
// When neither can be used, the journal's directory is.
func DefaultLockDirs() []string {
	dirs := []string{"/run/berth"}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		dirs = append(dirs, filepath.Join(d, "berth"))
	}
	return dirs
}

// lockHolder is what a host lock file says about the apply holding it.
type lockHolder struct {
	PID     int       `json:"pid"`
	Plan    string    `json:"plan"`
	Journal string    `json:"journal"`
	Host    string    `json:"host"`
	URI     string    `json:"uri"`
	Since   time.Time `json:"since"`
}

// HostLockedError refuses to apply while another apply holds a host.
type HostLockedError struct {
	Host, Lock string
	// Holder is what the lock file says; zero when it says nothing yet.
	Holder lockHolder
}

func (e *HostLockedError) Error() string {
	h := e.Holder
	if h.PID == 0 {
		return fmt.Sprintf("host %s is being changed by another berth apply (lock %s); wait for it to finish", e.Host, e.Lock)
	}
	return fmt.Sprintf("host %s is being changed by another berth apply: pid %d, plan %s (journal %s), since %s; lock %s. Wait for it to finish; a lock is released when its process ends",
		e.Host, h.PID, h.Plan, h.Journal, h.Since.Local().Format("2006-01-02 15:04:05 MST"), e.Lock)
}

// hostLocks are the locks one apply holds.
type hostLocks struct {
	files []*os.File
}

func (l *hostLocks) release() {
	if l == nil {
		return
	}
	for _, f := range l.files {
		f.Close()
	}
	l.files = nil
}

// lockHosts takes the lock of every host apply will change, by its key
// (a.hostKeys, filled by the checks; the URI where the checks did not
// run), in a directory from Options.LockDir or DefaultLockDirs. It takes
// all or none.
func (a *Apply) lockHosts() (*hostLocks, error) {
	dir, err := a.lockDir()
	if err != nil {
		return nil, err
	}
	locks := &hostLocks{}
	var taken []string
	// The hosts the plan creates on, then those its moves leave and reach.
	var hosts []planner.HostPlan
	for _, w := range a.hosts {
		hosts = append(hosts, w.host)
	}
	hosts = append(hosts, a.moves.hosts(a.plan)...)
	for _, h := range hosts {
		key := a.hostKeys[h.Name]
		if key == "" {
			key = "uri:" + a.hostURI(h)
		}
		if slices.Contains(taken, key) {
			continue // two names for one host: one lock
		}
		f, err := lockHost(dir, key, lockHolder{PID: os.Getpid(), Plan: a.plan.ID, Journal: a.opt.Journal,
			Host: h.Name, URI: hypervisor.MaskURI(a.hostURI(h)), Since: time.Now().UTC().Round(time.Second)})
		if err != nil {
			locks.release()
			return nil, err
		}
		taken = append(taken, key)
		locks.files = append(locks.files, f)
	}
	return locks, nil
}

// lockDir is the directory host locks go in, made if need be.
func (a *Apply) lockDir() (string, error) {
	if a.opt.LockDir != "" {
		if err := os.MkdirAll(a.opt.LockDir, 0o755); err != nil {
			return "", fmt.Errorf("host locks: %w", err)
		}
		return a.opt.LockDir, nil
	}
	for _, d := range DefaultLockDirs() {
		if writableDir(d) {
			return d, nil
		}
	}
	return filepath.Dir(a.opt.Journal), nil
}

// writableDir makes dir if need be and reports whether a file can be
// created in it.
func writableDir(dir string) bool {
	if os.MkdirAll(dir, 0o755) != nil {
		return false
	}
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// lockHost takes the lock of the host known by key in dir and writes who
// holds it, or says who does.
func lockHost(dir, key string, me lockHolder) (*os.File, error) {
	sum := sha256.Sum256([]byte(key))
	path := filepath.Join(dir, "host-"+hex.EncodeToString(sum[:8])+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("host lock for %s: %w", me.Host, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("host lock %s for %s: %w", path, me.Host, err)
		}
		var holder lockHolder
		if b, err := os.ReadFile(path); err == nil {
			_ = json.Unmarshal(b, &holder)
		}
		return nil, &HostLockedError{Host: me.Host, Lock: path, Holder: holder}
	}
	b, _ := json.Marshal(me)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(b, '\n'), 0)
	}
	return f, nil
}
