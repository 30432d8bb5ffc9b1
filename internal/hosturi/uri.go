// Package hosturi reads libvirt connection URIs as text: it masks the
// secrets they may carry, and finds the name of the host they point at. It
// is pure (it links no libvirt), so that the fleet model, the planner and
// the command line can print URIs safely without linking libvirt; package
// hypervisor uses it for the URIs in its errors.
package hosturi

import (
	"net/url"
	"path"
	"regexp"
	"strings"
)

// Masked replaces a password in a masked URI.
const Masked = "xxxxx"

// secretQueryKeys are URI query parameters whose values are masked.
var secretQueryKeys = []string{"pass", "secret", "token", "key"}

// userinfoPassword matches "scheme://user:password@" in text that does not
// parse as a URI (a malformed URI, or a URI quoted inside an error message).
var userinfoPassword = regexp.MustCompile(`(://[^/@:\s]*):[^/@\s]*@`)

// Mask returns uri with any password replaced by "xxxxx": the userinfo
// password (qemu+ssh://root:secret@kvm07/system → qemu+ssh://root:xxxxx@kvm07/system)
// and query parameters whose name contains pass, secret, token or key.
// A URI that does not parse is masked textually. Use it wherever a URI is
// printed, logged or saved.
func Mask(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return userinfoPassword.ReplaceAllString(uri, "$1:"+Masked+"@")
	}
	changed := false
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), Masked)
			changed = true
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k, vs := range q {
			if isSecretKey(k) {
				for i := range vs {
					vs[i] = Masked
				}
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	if !changed {
		return uri
	}
	return u.String()
}

func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range secretQueryKeys {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// MaskText masks uri (and any user:password@ form) wherever it occurs in s,
// for libvirt error messages that quote the URI.
func MaskText(s, uri string) string {
	if uri != "" {
		if m := Mask(uri); m != uri {
			s = strings.ReplaceAll(s, uri, m)
		}
	}
	return userinfoPassword.ReplaceAllString(s, "$1:"+Masked+"@")
}

// Host returns the host part of a libvirt URI ("kvm07" for
// qemu+ssh://root@kvm07/system), or "" for a local URI or one that does not
// parse.
func Host(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// TestDriverFile returns the host file of a test-driver URI
// (/x/kvm-a1.xml for test:///x/kvm-a1.xml), or "" for any other URI,
// including test:///default.
func TestDriverFile(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "test" || u.Host != "" {
		return ""
	}
	if u.Path == "" || u.Path == "/default" {
		return ""
	}
	return u.Path
}

// TestDriverName is the base name of a test-driver host file without its
// extension ("kvm-a1" for test:///x/kvm-a1.xml), or "".
func TestDriverName(uri string) string {
	f := TestDriverFile(uri)
	if f == "" {
		return ""
	}
	b := path.Base(f)
	return strings.TrimSuffix(b, path.Ext(b))
}

// reservedSuffixes are the DNS names reserved for documentation and tests
// (RFC 2606, RFC 6761): they never resolve to a real host.
var reservedSuffixes = []string{"example", "example.com", "example.net", "example.org", "invalid"}

// Reserved reports whether host is in a domain reserved for documentation
// (kvm07.example.net, db.example, x.invalid), so that a URI naming it can
// never reach a real host.
func Reserved(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, s := range reservedSuffixes {
		if host == s || strings.HasSuffix(host, "."+s) {
			return true
		}
	}
	return false
}
