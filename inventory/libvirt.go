package inventory

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/hypervisor"
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
	Profiles []Profile
	// Progress, if set, is called after each host is read (from one
	// goroutine, in completion order).
	Progress func(Progress)
}

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
	Hosts []Host
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

// Scenario is the fleet as a scenario (built-in profiles, default policy,
// no demand), for saving a snapshot that can be planned on later. Every
// group named in berth metadata becomes a host-scope group (replicas never
// share a host); URIs are masked.
func (f *Fleet) Scenario(name string) *Scenario {
	s := &Scenario{
		APIVersion:  APIVersion,
		Name:        name,
		Description: fmt.Sprintf("inventory of %d libvirt hosts read %s", len(f.Hosts), f.ReadAt.UTC().Format(time.RFC3339)),
		Hosts:       (&Scenario{Hosts: f.Hosts}).Clone().Hosts,
		Profiles:    BuiltInProfiles(),
		Policy:      DefaultPolicy(),
	}
	groups := map[string]bool{}
	for i := range s.Hosts {
		s.Hosts[i].URI = hypervisor.MaskURI(s.Hosts[i].URI)
		for _, g := range s.Hosts[i].Guests {
			if g.Group != "" && !groups[g.Group] {
				groups[g.Group] = true
				s.Groups = append(s.Groups, Group{Name: g.Group, Scope: ScopeHost})
			}
		}
	}
	return s
}

// UnknownCapacity lists the hosts whose IOPS or network capacity is not
// known (neither the source nor its class gives it): a scenario needs
// both, so a snapshot of them must be completed before it can be planned.
func (f *Fleet) UnknownCapacity() []string {
	var out []string
	for _, h := range f.Hosts {
		if h.Capacity[IOPS] <= 0 || h.Capacity[Net] <= 0 {
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

// ReadFleet reads every source with a bounded pool of workers, each host
// within its own timeout. A host that fails is reported in Fleet.Status and
// left out of Fleet.Hosts; the others are still read. The error is non-nil
// when libvirt.so.0 cannot be loaded (hypervisor.KindNoLibrary), when two
// hosts have the same name (*DuplicateHostError, before anything is
// read when the names are known from the sources), when ctx ends, or under
// Strict when any host failed (*FailedHostsError); the fleet is returned
// with every error but the first kind.
func ReadFleet(ctx context.Context, sources []Source, opt ReadOptions) (*Fleet, error) {
	if err := checkNames(sources, nil); err != nil {
		return nil, err
	}
	if _, err := hypervisor.Check(); err != nil {
		return nil, err // every host would fail the same way
	}
	for i, s := range sources {
		if s.Class != "" {
			if _, ok := opt.Classes[s.Class]; !ok {
				return nil, fmt.Errorf("host %d (%s): unknown host class %q", i+1, hypervisor.MaskURI(s.URI), s.Class)
			}
		}
	}
	workers := opt.Concurrency
	if workers <= 0 {
		workers = DefaultConcurrency
	}
	workers = min(workers, max(len(sources), 1))

	fleet := &Fleet{Status: make([]HostStatus, len(sources)), Sample: opt.Sample, ReadAt: time.Now()}
	hosts := make([]*Host, len(sources))
	type result struct {
		i    int
		host *Host
		st   HostStatus
	}
	jobs := make(chan int)
	results := make(chan result)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				h, st := readSource(ctx, sources[i], opt)
				results <- result{i, h, st}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range sources {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	done := 0
	for r := range results {
		done++
		hosts[r.i] = r.host
		fleet.Status[r.i] = r.st
		if opt.Progress != nil {
			opt.Progress(Progress{Done: done, Total: len(sources), Status: r.st})
		}
	}
	fleet.Elapsed = time.Since(fleet.ReadAt)
	if err := ctx.Err(); err != nil {
		return fleet, fmt.Errorf("reading the fleet: %w (%d of %d hosts read)", err, done, len(sources))
	}
	for _, h := range hosts {
		if h != nil {
			fleet.Hosts = append(fleet.Hosts, *h)
		}
	}
	if err := checkNames(sources, fleet.Status); err != nil {
		return fleet, err
	}
	if opt.Strict {
		if failed := fleet.Failed(); len(failed) > 0 {
			return fleet, &FailedHostsError{Failed: failed}
		}
	}
	return fleet, nil
}

// checkNames finds two sources with the same host name: by HostName before
// reading (status nil), or by the names hosts were given once read.
func checkNames(sources []Source, status []HostStatus) error {
	seen := map[string]int{}
	for i, s := range sources {
		name := s.HostName()
		if status != nil {
			if !status[i].OK() {
				continue
			}
			name = status[i].Name
		}
		if name == "" {
			continue
		}
		if j, dup := seen[name]; dup {
			return &DuplicateHostError{Name: name, First: j, Second: i,
				URI1: hypervisor.MaskURI(sources[j].URI), URI2: hypervisor.MaskURI(s.URI)}
		}
		seen[name] = i
	}
	return nil
}

// readSource reads one host within the per-host timeout.
func readSource(ctx context.Context, src Source, opt ReadOptions) (*Host, HostStatus) {
	start := time.Now()
	st := HostStatus{Name: src.HostName(), URI: hypervisor.MaskURI(src.URI)}
	if st.Name == "" {
		st.Name = st.URI
	}
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = DefaultHostTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout+opt.Sample)
	defer cancel()
	raw, err := readHypervisor(ctx, src.URI, opt.Sample)
	st.Elapsed = time.Since(start)
	if err != nil {
		st.Reason = hypervisor.KindOf(err)
		st.Error = errorText(err)
		return nil, st
	}
	h := raw.host(src, opt)
	st.Name = h.Name
	st.Guests = len(h.Guests)
	return &h, st
}

// errorText is the part of a host's error worth showing next to its name.
func errorText(err error) string {
	var he *hypervisor.Error
	if errors.As(err, &he) {
		if he.Kind == hypervisor.KindNoLibrary {
			return he.Error()
		}
		if he.Kind == hypervisor.KindTimeout {
			return he.Op + ": no answer in time"
		}
		if he.Kind == hypervisor.KindUnreachable && he.Op != "connect" {
			// The host was reached, then lost: say so before libvirt's
			// words ("End of file while reading data", "Broken pipe").
			return "connection lost during " + he.Op + ": " + he.Msg
		}
		return he.Op + ": " + he.Msg
	}
	return err.Error()
}

// hostRead is the raw libvirt facts of one host.
type hostRead struct {
	facts   *hypervisor.HostFacts
	domains []hypervisor.Domain
	sample  *hypervisor.Sample // nil when not sampled
}

func readHypervisor(ctx context.Context, uri string, window time.Duration) (*hostRead, error) {
	c, err := hypervisor.Connect(ctx, uri)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var r hostRead
	if r.facts, err = c.HostFacts(ctx); err != nil {
		return nil, err
	}
	if r.domains, err = c.Domains(ctx); err != nil {
		return nil, err
	}
	if window > 0 {
		if r.sample, err = c.Sample(ctx, window); err != nil {
			return nil, err
		}
	}
	return &r, nil
}
