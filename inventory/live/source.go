package live

import (
	"regexp"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
)

// Source is one libvirt host to read.
type Source struct {
	// Name is what berth calls the host; "" derives it (see HostName).
	Name string
	// URI is the libvirt connection URI (qemu+ssh://root@kvm07/system,
	// qemu:///system, test:///abs/path/host.xml, test:///default).
	URI    string
	Labels map[string]string
	// IOPS (operations/s) and Net (bits/s) are the capacities libvirt
	// cannot know; 0 takes them from Class, and stays 0 (unknown) without one.
	IOPS, Net float64
	// Class names a HostClass in ReadOptions.Classes that supplies IOPS,
	// Net and labels the source does not set itself.
	Class string
}

// HostClass is a kind of host that shares the capacities libvirt cannot
// know, and labels.
type HostClass struct {
	IOPS, Net float64
	Labels    map[string]string
}

// NamePattern gives guests whose name matches Pattern the profile Profile.
type NamePattern struct {
	Pattern *regexp.Regexp
	Profile string
}

// Defaults for ReadOptions.
const (
	DefaultConcurrency = 16
	DefaultHostTimeout = 30 * time.Second
)

// ReadOptions say how a fleet is read.
type ReadOptions struct {
	// Concurrency is how many hosts are read at once (0 = DefaultConcurrency).
	Concurrency int
	// Timeout bounds the reading of one host, connection included; the
	// sampling window is added to it (0 = DefaultHostTimeout).
	Timeout time.Duration
	// Sample is the observed-use window: two readings of the domain stats
	// this far apart. 0 reads allocations only.
	Sample time.Duration
	// Strict makes ReadFleet return an error when any host fails.
	Strict bool
	// Classes are the host classes Sources may name.
	Classes map[string]HostClass
	// RolePatterns are tried in order on guests without berth metadata.
	RolePatterns []NamePattern
	// GuestIOPS and GuestNet are the allocation recorded for every existing
	// guest in the dimensions libvirt does not allocate (0 = none).
	GuestIOPS, GuestNet float64
	// Profiles map appetites to profiles for guests whose role is inferred
	// (nil = BuiltInProfiles: cpu → web, iops → db, memory → cache).
	Profiles []inventory.Profile
	// Progress, if set, is called after each host is read (from one
	// goroutine, in completion order).
	Progress func(Progress)
}

// HostName is the name a source's host is known by before it is read: the
// configured name, else the URI's host part (kvm07 in
// qemu+ssh://root@kvm07/system), else a test-driver file's base name
// (kvm-a1 for test:///x/kvm-a1.xml). "" means the host's own hostname will
// name it (qemu:///system, test:///default).
func (s Source) HostName() string {
	if s.Name != "" {
		return s.Name
	}
	if h := hypervisor.URIHost(s.URI); h != "" {
		return h
	}
	return hypervisor.TestDriverName(s.URI)
}
