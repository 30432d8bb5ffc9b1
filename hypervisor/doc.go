// Package hypervisor is everything in berth that talks to libvirt: connect to
// a host (with a timeout), read its node facts, its domains (running and
// defined-but-off, parsed from the domain XML with libvirtxml) and berth's own
// metadata on them, and sample observed use from two readings of the bulk
// domain stats.
//
// It returns raw libvirt facts in libvirt's own terms (bytes, nanoseconds,
// counters) and knows nothing of berth's fleet model; package inventory/live
// turns them into the hosts and guests of package inventory.
//
// The binding is built with the libvirt_dlopen tag, so libvirt.so.0 (Debian
// package libvirt0) is loaded on first use; when it is missing every call
// returns an error of kind [KindNoLibrary] that says what to install.
package hypervisor
