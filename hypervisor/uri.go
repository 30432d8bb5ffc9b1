package hypervisor

import "github.com/berth-dev/berth/internal/hosturi"

// MaskURI returns uri with any password replaced by "xxxxx" (see
// hosturi.Mask, where the rules live). Use it wherever a URI is printed,
// logged or saved.
func MaskURI(uri string) string { return hosturi.Mask(uri) }

// maskText masks uri (and any user:password@ form) wherever it occurs in s,
// for libvirt error messages that quote the URI.
func maskText(s, uri string) string { return hosturi.MaskText(s, uri) }

// URIHost returns the host part of a libvirt URI ("kvm07" for
// qemu+ssh://root@kvm07/system), or "".
func URIHost(uri string) string { return hosturi.Host(uri) }

// TestDriverFile returns the host file of a test-driver URI, or "".
func TestDriverFile(uri string) string { return hosturi.TestDriverFile(uri) }

// TestDriverName is the base name of a test-driver host file without its
// extension ("kvm-a1" for test:///x/kvm-a1.xml), or "".
func TestDriverName(uri string) string { return hosturi.TestDriverName(uri) }
