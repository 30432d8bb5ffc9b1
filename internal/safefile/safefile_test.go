package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// entries lists dir, to check that nothing (no temporary file) was left.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}

func TestWriteFile(t *testing.T) {
	cases := []struct {
		name string
		// setup plants what is at dir/out.json (and anything else) and
		// returns what dir must hold afterwards.
		setup   func(t *testing.T, dir string) []string
		wantErr string // "" = the write succeeds
		check   func(t *testing.T, dir string)
	}{
		{
			name:  "new file",
			setup: func(t *testing.T, dir string) []string { return []string{"out.json"} },
			check: func(t *testing.T, dir string) { wantContent(t, filepath.Join(dir, "out.json"), "new", 0o644) },
		},
		{
			name: "replaces a file and keeps its mode",
			setup: func(t *testing.T, dir string) []string {
				must(t, os.WriteFile(filepath.Join(dir, "out.json"), []byte("old"), 0o600))
				return []string{"out.json"}
			},
			check: func(t *testing.T, dir string) { wantContent(t, filepath.Join(dir, "out.json"), "new", 0o600) },
		},
		{
			// The old writer went through a fixed PATH.tmp and followed a
			// link planted there.
			name: "a link planted at the old temporary name is not followed",
			setup: func(t *testing.T, dir string) []string {
				must(t, os.WriteFile(filepath.Join(dir, "victim"), []byte("precious"), 0o644))
				must(t, os.Symlink(filepath.Join(dir, "victim"), filepath.Join(dir, "out.json.tmp")))
				return []string{"out.json", "out.json.tmp", "victim"}
			},
			check: func(t *testing.T, dir string) {
				wantContent(t, filepath.Join(dir, "victim"), "precious", 0o644)
				wantContent(t, filepath.Join(dir, "out.json"), "new", 0o644)
			},
		},
		{
			name: "a directory is refused and nothing is left",
			setup: func(t *testing.T, dir string) []string {
				must(t, os.Mkdir(filepath.Join(dir, "out.json"), 0o755))
				return []string{"out.json"}
			},
			wantErr: "out.json is a directory, not a regular file",
		},
		{
			name: "a named pipe is refused",
			setup: func(t *testing.T, dir string) []string {
				must(t, syscall.Mkfifo(filepath.Join(dir, "out.json"), 0o644))
				return []string{"out.json"}
			},
			wantErr: "out.json is a named pipe, not a regular file",
			check:   func(t *testing.T, dir string) { wantMode(t, filepath.Join(dir, "out.json"), fs.ModeNamedPipe) },
		},
		{
			name: "a link to a device is refused and the device stays",
			setup: func(t *testing.T, dir string) []string {
				must(t, os.Symlink("/dev/null", filepath.Join(dir, "out.json")))
				return []string{"out.json"}
			},
			wantErr: "out.json is a symbolic link to /dev/null, a character device, not a regular file",
			check: func(t *testing.T, dir string) {
				wantMode(t, "/dev/null", fs.ModeCharDevice)
				if fi, err := os.Lstat(filepath.Join(dir, "out.json")); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
					t.Errorf("the link was replaced: %v %v", fi, err)
				}
			},
		},
		{
			name: "a link to a file replaces the file, the link stays",
			setup: func(t *testing.T, dir string) []string {
				must(t, os.WriteFile(filepath.Join(dir, "real.json"), []byte("old"), 0o640))
				must(t, os.Symlink("real.json", filepath.Join(dir, "out.json")))
				return []string{"out.json", "real.json"}
			},
			check: func(t *testing.T, dir string) {
				wantContent(t, filepath.Join(dir, "real.json"), "new", 0o640)
				if fi, err := os.Lstat(filepath.Join(dir, "out.json")); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
					t.Errorf("the link was replaced: %v %v", fi, err)
				}
			},
		},
		{
			name: "a dangling link is refused",
			setup: func(t *testing.T, dir string) []string {
				must(t, os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "out.json")))
				return []string{"out.json"}
			},
			wantErr: "out.json is a symbolic link that leads nowhere",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			want := tc.setup(t, dir)
			err := WriteFile(filepath.Join(dir, "out.json"), []byte("new"), 0o644)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
			}
			if got := entries(t, dir); !slices.Equal(got, want) {
				t.Errorf("the directory holds %v, want %v (no temporary file left)", got, want)
			}
			if tc.check != nil {
				tc.check(t, dir)
			}
		})
	}
}

// TestWriteFileDeviceNode: as root, the old writer renamed its temporary
// file over a device node (--out /dev/full replaced /dev/full). The node
// here is made in the test's own directory, never the machine's.
func TestWriteFileDeviceNode(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making a device node needs root; TestWriteFile covers links to devices")
	}
	dir := t.TempDir()
	full := filepath.Join(dir, "full")
	if err := syscall.Mknod(full, syscall.S_IFCHR|0o666, int(1<<8|7)); err != nil {
		t.Fatalf("mknod (as root): %v", err)
	}
	err := WriteFile(full, []byte("plan"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "is a character device, not a regular file") {
		t.Fatalf("error %v, want a refusal naming a character device", err)
	}
	wantMode(t, full, fs.ModeCharDevice)
	if got := entries(t, dir); !slices.Equal(got, []string{"full"}) {
		t.Errorf("left behind: %v", got)
	}
}

func TestWriteFileNoDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(filepath.Join(dir, "missing", "out.json"), []byte("x"), 0o644); err == nil {
		t.Fatal("writing into a directory that does not exist succeeded")
	}
	if got := entries(t, dir); len(got) != 0 {
		t.Errorf("left behind: %v", got)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.yaml")
	must(t, os.WriteFile(small, []byte("0123456789"), 0o644))
	cases := []struct {
		name    string
		path    string
		limit   int64
		want    string
		wantErr string
	}{
		{"within the cap", small, 10, "0123456789", ""},
		{"over the cap", small, 9, "", "small.yaml is larger than 9 bytes, the most berth reads from one input; raise the limit with --max-input-size"},
		{"a device that never ends", "/dev/zero", 0, "", "/dev/zero is a character device, not a file berth can read as input (a device may never end)"},
		{"a directory", dir, 0, "", "is a directory, not a file berth can read"},
		{"missing", filepath.Join(dir, "nope"), 0, "", "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadFile(tc.path, tc.limit)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestReadPipeCapped: a pipe (standard input, <(…)) is read, but no
// further than the cap, however much is written into it.
func TestReadPipeCapped(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		defer w.Close()
		buf := make([]byte, 4096)
		for range 1024 { // 4 MiB, far over the cap
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	}()
	_, err = ReadAll("standard input", r, 64<<10)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 64<<10 || !strings.Contains(err.Error(), "standard input is larger than 64Ki") {
		t.Fatalf("error %v, want standard input refused at 64Ki", err)
	}
}

func TestOpenAppend(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	must(t, os.WriteFile(victim, []byte("precious"), 0o644))
	link := filepath.Join(dir, "link.journal")
	must(t, os.Symlink(victim, link))
	if f, err := OpenAppend(link); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		f.Close()
		t.Errorf("a link was opened: %v", err)
	}
	fifo := filepath.Join(dir, "fifo.journal")
	must(t, syscall.Mkfifo(fifo, 0o644))
	if f, err := OpenAppend(fifo); err == nil || !strings.Contains(err.Error(), "is a named pipe, not a regular file") {
		f.Close()
		t.Errorf("a pipe was opened: %v", err)
	}
	wantContent(t, victim, "precious", 0o644)
	f, err := OpenAppend(filepath.Join(dir, "plan.journal"))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("line\n")
	f.Close()
	wantContent(t, filepath.Join(dir, "plan.journal"), "line\n", 0o644)
}

func TestSizeText(t *testing.T) {
	for n, want := range map[int64]string{256 << 20: "256Mi", 1 << 30: "1Gi", 1500: "1500 bytes", 3 << 10: "3Ki"} {
		if got := SizeText(n); got != want {
			t.Errorf("SizeText(%d) = %q, want %q", n, got, want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantContent(t *testing.T, path, content string, mode fs.FileMode) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != content {
		t.Errorf("%s holds %q, want %q", path, b, content)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != mode {
		t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), mode)
	}
}

func wantMode(t *testing.T, path string, kind fs.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&kind == 0 {
		t.Errorf("%s is now %v, want it to stay %s", path, fi.Mode(), KindOf(kind))
	}
}
