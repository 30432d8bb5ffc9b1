package inventory

import "github.com/berth-dev/berth/internal/hosturi"

// MaskURI hides a password in a libvirt connection URI so it can be printed,
// logged and saved (qemu+ssh://root:secret@kvm07/system →
// qemu+ssh://root:xxxxx@kvm07/system). It is hosturi.Mask, the one
// place that knows where libvirt URIs carry secrets; it links no libvirt.
func MaskURI(uri string) string { return hosturi.Mask(uri) }
