package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// DefaultMaxInput is the most berth reads from one input file unless told
// otherwise (--max-input-size): 256 MiB. The largest inputs berth meets
// are plans of fleet-scale runs (about 2 KB a guest: a plan of 100,000
// new guests is some 200 MB) and their journals; a scenario of 10,000
// hosts is a few MB. Parsing takes several times the file's size in
// memory, so the cap also bounds what a hostile or mistaken input can
// cost: a file of 256 MiB is refused at once, /dev/zero after 256 MiB
// instead of at the OOM killer.
const DefaultMaxInput int64 = 256 << 20

// TooLargeError refuses an input over the cap.
type TooLargeError struct {
	Name  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s, the most berth reads from one input; raise the limit with --max-input-size (or max-input-size: in the config) if it really is that large",
		e.Name, SizeText(e.Limit))
}

// ReadFile reads the file at path, at most limit bytes (DefaultMaxInput
// when limit ≤ 0). A regular file larger than that is refused before it is
// read; a pipe or socket (a shell's <(…), /dev/stdin) is read up to the
// cap; a directory or a device (/dev/zero never ends) is refused.
func ReadFile(path string, limit int64) ([]byte, error) {
	limit = Limit(limit)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	m := fi.Mode()
	switch {
	case m.IsRegular():
		if fi.Size() > limit {
			return nil, &TooLargeError{Name: path, Limit: limit}
		}
	case m&fs.ModeNamedPipe != 0 || m&fs.ModeSocket != 0:
	default:
		return nil, fmt.Errorf("%s is %s, not a file berth can read as input%s", path, KindOf(m), deviceHint(m))
	}
	return ReadAll(path, f, limit)
}

func deviceHint(m fs.FileMode) string {
	if m&fs.ModeDevice != 0 {
		return " (a device may never end); give a regular file, or - for standard input"
	}
	return ""
}

// ReadAll reads r to its end, at most limit bytes (DefaultMaxInput when
// limit ≤ 0); name says what r is in the error.
func ReadAll(name string, r io.Reader, limit int64) ([]byte, error) {
	limit = Limit(limit)
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Name: name, Limit: limit}
	}
	return data, nil
}

// Limit is limit, or DefaultMaxInput when limit ≤ 0.
func Limit(limit int64) int64 {
	if limit <= 0 {
		return DefaultMaxInput
	}
	return limit
}

// OpenAppend opens the regular file at path for reading and appending,
// creating it (mode 0644) if it does not exist. A symbolic link is never
// followed (a planted link cannot make berth append to another file), and
// anything but a regular file is refused.
func OpenAppend(path string) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s, not a regular file: berth appends only to regular files", path, KindOf(fi.Mode()))
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("%s is a symbolic link: berth does not follow links for a file it appends to; give the file's own path", path)
	}
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is %s, not a regular file: berth appends only to regular files", path, KindOf(fi.Mode()))
	}
	return f, nil
}

// SizeText writes a byte count the way berth's flags take it: 256Mi, 1Gi,
// or bytes.
func SizeText(n int64) string {
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"Ti", 1 << 40}, {"Gi", 1 << 30}, {"Mi", 1 << 20}, {"Ki", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d%s", n/u.size, u.suffix)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
