package live

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
)

// Progress reports one host read out of Total.
type Progress struct {
	Done, Total int
	Status      HostStatus
}

// HostStatus is how reading one source went.
type HostStatus struct {
	// Name is the host's name (the source's name, or its URI when the name
	// could only come from the host itself and it failed).
	Name string `json:"name" yaml:"name"`
	// URI is the source's URI with any password masked.
	URI string `json:"uri" yaml:"uri"`
	// Reason is the failure's category ("" when the host was read): auth,
	// dns, unreachable, timeout, host-file, bad-uri, no-libvirt, libvirt.
	Reason hypervisor.Kind `json:"reason,omitempty" yaml:"reason,omitempty"`
	// Error is the failure's text ("" when the host was read), masked.
	Error   string        `json:"error,omitempty" yaml:"error,omitempty"`
	Guests  int           `json:"guests" yaml:"guests"`
	Elapsed time.Duration `json:"elapsed" yaml:"elapsed"`
}

// OK reports whether the host was read.
func (s HostStatus) OK() bool { return s.Reason == "" }

// Fleet is what ReadFleet read.
type Fleet struct {
	// Hosts are the hosts read, in source order; failed hosts are left out.
	Hosts []inventory.Host
	// Status has one entry per source, in source order.
	Status []HostStatus
	// Sample is the observed-use window (0 = allocations only).
	Sample time.Duration
	// ReadAt is when reading started; Elapsed how long it took.
	ReadAt  time.Time
	Elapsed time.Duration
}

// Failed returns the status of every host that could not be read.
func (f *Fleet) Failed() []HostStatus {
	var out []HostStatus
	for _, s := range f.Status {
		if !s.OK() {
			out = append(out, s)
		}
	}
	return out
}

// Scenario is the fleet as a scenario (default policy, no demand), for
// saving a snapshot that can be planned on later, self-contained: every
// group named in berth metadata becomes a host-scope group (replicas never
// share a host), and every profile a guest carries that is not built in
// (named by berth's metadata or a role pattern) becomes a profile of the
// snapshot (see snapshotProfile); URIs are masked.
func (f *Fleet) Scenario(name string) *inventory.Scenario {
	s := &inventory.Scenario{
		APIVersion:  inventory.APIVersion,
		Name:        name,
		Description: fmt.Sprintf("inventory of %d libvirt hosts read %s", len(f.Hosts), f.ReadAt.UTC().Format(time.RFC3339)),
		Hosts:       (&inventory.Scenario{Hosts: f.Hosts}).Clone().Hosts,
		Profiles:    inventory.BuiltInProfiles(),
		Policy:      inventory.DefaultPolicy(),
	}
	groups := map[string]bool{}
	profiles := map[string]bool{}
	for _, p := range s.Profiles {
		profiles[p.Name] = true
	}
	for i := range s.Hosts {
		s.Hosts[i].URI = hypervisor.MaskURI(s.Hosts[i].URI)
		for _, g := range s.Hosts[i].Guests {
			if g.Group != "" && !groups[g.Group] {
				groups[g.Group] = true
				s.Groups = append(s.Groups, inventory.Group{Name: g.Group, Scope: inventory.ScopeHost})
			}
			if g.Profile != "" && !profiles[g.Profile] {
				profiles[g.Profile] = true
				s.Profiles = append(s.Profiles, snapshotProfile(&g))
			}
		}
	}
	slices.SortFunc(s.Profiles, func(a, b inventory.Profile) int { return strings.Compare(a.Name, b.Name) })
	return s
}

// snapshotProfile is a profile the snapshot defines for a name guests
// carry but no built-in has (a demand file's own profile, such as
// "rel-tiny", named by berth's metadata on the guests it created): the
// fleet does not say what the profile asked for, so its request is what
// the first guest carrying it was given, and it has no appetite. Guests
// given something else keep their own allocation in the snapshot.
func snapshotProfile(g *inventory.Guest) inventory.Profile {
	return inventory.Profile{
		Name:        g.Profile,
		Description: fmt.Sprintf("written by berth inventory: guest %s carries this profile; its request is that guest's allocation", g.Name),
		Request:     g.Allocation,
	}
}

// UnknownCapacity lists the hosts whose IOPS or network capacity is not
// known (neither the source nor its class gives it): a scenario needs
// both, so a snapshot of them must be completed before it can be planned.
func (f *Fleet) UnknownCapacity() []string {
	var out []string
	for _, h := range f.Hosts {
		if h.Capacity[inventory.IOPS] <= 0 || h.Capacity[inventory.Net] <= 0 {
			out = append(out, h.Name)
		}
	}
	return out
}

// FailedHostsError is ReadFleet's error under ReadOptions.Strict.
type FailedHostsError struct {
	Failed []HostStatus
}

func (e *FailedHostsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of the hosts could not be read:", len(e.Failed))
	for _, s := range e.Failed {
		fmt.Fprintf(&b, "\n  %s: %s: %s", s.Name, s.Reason, s.Error)
	}
	return b.String()
}

// DuplicateHostError says two sources ended up with the same host name.
type DuplicateHostError struct {
	Name          string
	First, Second int    // source indexes (0-based)
	URI1, URI2    string // masked
}

func (e *DuplicateHostError) Error() string {
	return fmt.Sprintf("hosts %d (%s) and %d (%s) are both named %q: give one of them a name",
		e.First+1, e.URI1, e.Second+1, e.URI2, e.Name)
}
