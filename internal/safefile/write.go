// Package safefile is how berth reads and writes the files an operator
// names: plans, snapshots, journals, scenarios, configuration.
//
// Writes replace a file whole or not at all: the new content goes to a
// temporary file created (O_EXCL, so never through a planted link) in the
// target's own directory, is fsync'd, and is renamed over the target; the
// directory is fsync'd after. Only regular files are ever replaced: a
// target that is a directory, a device, a pipe or a socket (or a link to
// one) is refused with what it is, so `--out /dev/full` run as root can no
// longer replace a device node. Whatever fails, no temporary file is left
// behind.
//
// Reads are capped (see ReadFile): an input that never ends (/dev/zero) or
// is far larger than any fleet is refused instead of filling memory.
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile replaces the regular file at path with data, atomically. A
// path that does not exist yet is created with perm; an existing file
// keeps its permission bits. A symbolic link to a regular file has the
// file it points at replaced (the link stays); a link to anything else,
// or a dangling one, is refused.
func WriteFile(path string, data []byte, perm fs.FileMode) (err error) {
	target, mode, err := writeTarget(path, perm)
	if err != nil {
		return err
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Chmod(mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp, target); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	SyncDir(dir)
	return nil
}

// writeTarget is the file WriteFile replaces (path, or the regular file a
// link at path points at) and the mode the new file gets.
func writeTarget(path string, perm fs.FileMode) (string, fs.FileMode, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return path, perm, nil
	case err != nil:
		return "", 0, fmt.Errorf("writing %s: %w", path, err)
	case fi.Mode().IsRegular():
		return path, fi.Mode().Perm(), nil
	case fi.Mode()&fs.ModeSymlink != 0:
		resolved, err := filepath.EvalSymlinks(path)
		if err != nil {
			return "", 0, fmt.Errorf("%s is a symbolic link that leads nowhere (%v); berth does not create files through links: give the file's own path", path, err)
		}
		rfi, err := os.Stat(resolved)
		if err != nil {
			return "", 0, fmt.Errorf("writing %s: %w", path, err)
		}
		if !rfi.Mode().IsRegular() {
			return "", 0, fmt.Errorf("%s is a symbolic link to %s, %s, not a regular file: berth only replaces regular files", path, resolved, KindOf(rfi.Mode()))
		}
		return resolved, rfi.Mode().Perm(), nil
	}
	return "", 0, fmt.Errorf("%s is %s, not a regular file: berth only replaces regular files (give a file name)", path, KindOf(fi.Mode()))
}

// KindOf names what a file mode says a file is, with its article: "a
// directory", "a character device".
func KindOf(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}

// SyncDir fsyncs a directory so that a file created or renamed in it
// survives a crash. It is best effort: some file systems cannot.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
