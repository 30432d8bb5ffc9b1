package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
)

// ReadFleet reads every source with a bounded pool of workers, each host
// within its own timeout. A host that fails is reported in Fleet.Status and
// left out of Fleet.Hosts; the others are still read. The error is non-nil
// when libvirt.so.0 cannot be loaded (hypervisor.KindNoLibrary), when two
// hosts have the same name (*DuplicateHostError, before anything is
// read when the names are known from the sources), when ctx ends, or under
// Strict when any host failed (*FailedHostsError); the fleet is returned
// with every error but the first kind.
func ReadFleet(ctx context.Context, sources []Source, opt ReadOptions) (*Fleet, error) {
	if err := checkSources(sources, opt); err != nil {
		return nil, err
	}
	fleet := &Fleet{Status: make([]HostStatus, len(sources)), Sample: opt.Sample, ReadAt: time.Now()}
	hosts, done := readAll(ctx, sources, opt, fleet.Status)
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

// checkSources refuses, before any host is read, what would fail for
// every host or cannot be right: two sources with the same name, no
// libvirt library, a host class nobody defined.
func checkSources(sources []Source, opt ReadOptions) error {
	if err := checkNames(sources, nil); err != nil {
		return err
	}
	if _, err := hypervisor.Check(); err != nil {
		return err // every host would fail the same way
	}
	for i, s := range sources {
		if s.Class != "" {
			if _, ok := opt.Classes[s.Class]; !ok {
				return fmt.Errorf("host %d (%s): unknown host class %q", i+1, hypervisor.MaskURI(s.URI), s.Class)
			}
		}
	}
	return nil
}

// readAll reads the sources with a pool of opt.Concurrency workers,
// filling status (one entry per source) and reporting progress as hosts
// finish. It returns the hosts read, by source index (nil where a host
// failed or was never read because ctx ended), and how many finished.
func readAll(ctx context.Context, sources []Source, opt ReadOptions, status []HostStatus) (hosts []*inventory.Host, done int) {
	workers := opt.Concurrency
	if workers <= 0 {
		workers = DefaultConcurrency
	}
	workers = min(workers, max(len(sources), 1))
	type result struct {
		i    int
		host *inventory.Host
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

	hosts = make([]*inventory.Host, len(sources))
	for r := range results {
		done++
		hosts[r.i] = r.host
		status[r.i] = r.st
		if opt.Progress != nil {
			opt.Progress(Progress{Done: done, Total: len(sources), Status: r.st})
		}
	}
	return hosts, done
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
func readSource(ctx context.Context, src Source, opt ReadOptions) (*inventory.Host, HostStatus) {
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
		st.Error = errorText(err, timeout+opt.Sample)
		return nil, st
	}
	h := raw.host(src, opt)
	st.Name = h.Name
	st.Guests = len(h.Guests)
	return &h, st
}

// errorText is the part of a host's error worth showing next to its name;
// within is the time the host was given.
func errorText(err error, within time.Duration) string {
	var he *hypervisor.Error
	if errors.As(err, &he) {
		if he.Kind == hypervisor.KindNoLibrary {
			return he.Error()
		}
		if he.Kind == hypervisor.KindTimeout {
			return fmt.Sprintf("%s: no answer within %s", he.Op, within)
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
