package hosturi

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"qemu+ssh://root@kvm07/system", "qemu+ssh://root@kvm07/system"},
		{"qemu+ssh://root:s3cret@kvm07/system", "qemu+ssh://root:xxxxx@kvm07/system"},
		{"qemu+tcp://admin:p%40ss@10.0.0.7:16509/system?keyfile=/k", "qemu+tcp://admin:xxxxx@10.0.0.7:16509/system?keyfile=xxxxx"},
		{"qemu+tls://kvm07/system?password=hunter2", "qemu+tls://kvm07/system?password=xxxxx"},
		{"qemu+ssh://root:s3cret@[bad/system", "qemu+ssh://root:xxxxx@[bad/system"},
		{"test:///default", "test:///default"},
	} {
		if got := Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := MaskText("cannot connect to qemu+ssh://root:s3cret@kvm07/system?no_tty=1", "qemu+ssh://root:s3cret@kvm07/system"); strings.Contains(got, "s3cret") {
		t.Errorf("MaskText left the password: %q", got)
	}
}

func TestURINames(t *testing.T) {
	for _, tc := range []struct{ uri, host, file string }{
		{"qemu+ssh://root@kvm07/system", "kvm07", ""},
		{"qemu+tcp://10.0.0.7:16509/system", "10.0.0.7", ""},
		{"qemu:///system", "", ""},
		{"test:///x/kvm-a1.xml", "", "kvm-a1"},
		{"test:///default", "", ""},
	} {
		if got := Host(tc.uri); got != tc.host {
			t.Errorf("Host(%q) = %q, want %q", tc.uri, got, tc.host)
		}
		if got := TestDriverName(tc.uri); got != tc.file {
			t.Errorf("TestDriverName(%q) = %q, want %q", tc.uri, got, tc.file)
		}
	}
}

func TestReserved(t *testing.T) {
	for host, want := range map[string]bool{
		"kvm07.example.net": true, "EXAMPLE.com": true, "db.example": true, "x.invalid": true, "example.org.": true,
		"kvm07": false, "kvm07.lan": false, "myexample.net": false, "example.network": false, "": false,
	} {
		if got := Reserved(host); got != want {
			t.Errorf("Reserved(%q) = %v, want %v", host, got, want)
		}
	}
}
