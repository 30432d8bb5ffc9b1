// Package scripts holds the tests of the repository's shell scripts.
package scripts

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInstallWaitsForTheDpkgLock: on a freshly booted machine apt is often
// busy, and make test used to fail at once with "Could not get lock". With
// the dpkg front-end lock held by another process, install-deps.sh must wait
// for it, say so, and install once it is free.
//
// It needs root and a Debian machine (as make test itself does); it installs
// Debian's tiny hello package and removes it afterwards.
func TestInstallWaitsForTheDpkgLock(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root, as make test's install step does")
	}
	const lockPath, pkg = "/var/lib/dpkg/lock-frontend", "hello"
	if _, err := os.Stat(lockPath); err != nil {
		t.Skipf("not a Debian machine: %v", err)
	}
	if installed(pkg) {
		if out, err := exec.Command("apt-get", "remove", "-y", "-q", pkg).CombinedOutput(); err != nil {
			t.Fatalf("removing %s first: %v\n%s", pkg, err, out)
		}
	}
	t.Cleanup(func() { _ = exec.Command("apt-get", "remove", "-y", "-q", pkg).Run() })

	// apt and dpkg lock with fcntl, so hold the lock the same way.
	lock, err := os.OpenFile(lockPath, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	fl := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0}
	if err := syscall.FcntlFlock(lock.Fd(), syscall.F_SETLKW, &fl); err != nil {
		t.Fatalf("holding %s: %v", lockPath, err)
	}
	locked := true
	unlock := func() {
		if locked {
			fl.Type = syscall.F_UNLCK
			_ = syscall.FcntlFlock(lock.Fd(), syscall.F_SETLK, &fl)
			locked = false
		}
	}
	defer unlock()

	var stderr bytes.Buffer
	cmd := exec.Command("./install-deps.sh", "test")
	cmd.Env = append(os.Environ(), "DEPS_EXTRA="+pkg, "DEPS_LOCK_TIMEOUT=300")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	// Wait for the install step itself (after apt-get update) to be
	// blocked on the lock: its process lives on while the lock is held.
	deadline := time.Now().Add(4 * time.Minute)
	for !aptInstallRunning(pkg) {
		select {
		case err := <-done:
			t.Fatalf("install-deps.sh ended before installing, with the lock held (%v):\n%s", err, stderr.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("apt-get install never started:\n%s", stderr.String())
		}
	}
	select {
	case err := <-done:
		t.Fatalf("install-deps.sh did not wait for the dpkg lock (%v):\n%s", err, stderr.String())
	case <-time.After(3 * time.Second):
	}
	if installed(pkg) {
		t.Fatalf("%s was installed while the dpkg lock was held by someone else", pkg)
	}
	unlock()
	if err := <-done; err != nil {
		t.Fatalf("install-deps.sh failed once the lock was free: %v\n%s", err, stderr.String())
	}
	if !installed(pkg) {
		t.Errorf("%s is not installed after install-deps.sh ended well:\n%s", pkg, stderr.String())
	}
	for _, want := range []string{"asked for in DEPS_EXTRA", "waiting up to 300s if apt or dpkg is busy"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("install-deps.sh did not say %q:\n%s", want, stderr.String())
		}
	}
}

func installed(pkg string) bool {
	out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", pkg).Output()
	return err == nil && strings.Contains(string(out), "ok installed")
}

// aptInstallRunning: an apt-get process installing pkg exists.
func aptInstallRunning(pkg string) bool {
	out, err := exec.Command("pgrep", "-f", "apt-get .*install .*"+pkg).Output()
	return err == nil && len(bytes.TrimSpace(out)) > 0
}
