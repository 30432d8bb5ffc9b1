package inventory

import "github.com/berth-dev/berth/internal/libvirturi"

// MaskURI hides a password in a libvirt connection URI so it can be printed,
// logged and saved (qemu+ssh://root:secret@kvm07/system →
// qemu+ssh://root:xxxxx@kvm07/system). It is libvirturi.Mask, the one
// place that knows where libvirt URIs carry secrets; it links no libvirt.
func MaskURI(uri string) string { return libvirturi.Mask(uri) }
