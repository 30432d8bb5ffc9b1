package hypervisor

import (
	"context"
	"time"

	"libvirt.org/go/libvirt"
)

// DomainCounters is one reading of a running domain's bulk stats: the
// cumulative counters libvirt keeps, and the balloon's current view.
// A field whose Has… flag is false was not reported by the driver.
type DomainCounters struct {
	UUID string
	Name string
	// CPUTime is the CPU time used by the domain since it started, in ns.
	HasCPU  bool
	CPUTime uint64
	// Block requests and bytes over all disks since start.
	HasBlock                   bool
	RdReqs, WrReqs             uint64
	RdBytes, WrBytes           uint64
	HasNet                     bool
	RxBytes, TxBytes           uint64
	HasBalloon                 bool
	BalloonCurrent, BalloonRSS uint64 // bytes
}

// HostCounters is one reading of the node's CPU time counters (ns, summed
// over all CPUs) and memory (bytes).
type HostCounters struct {
	HasCPU                     bool
	Kernel, User, Idle, IOWait uint64
	HasMemory                  bool
	MemTotal, MemFree          uint64
	MemBuffers, MemCached      uint64
}

// Reading is the state of all counters at one moment.
type Reading struct {
	At      time.Time
	Host    HostCounters
	Domains map[string]DomainCounters // by UUID
}

// domainStatsTypes are the bulk stats berth reads. Types a driver does
// not support are left out silently (no ENFORCE flag), so the test driver
// answers with state only.
const domainStatsTypes = libvirt.DOMAIN_STATS_STATE | libvirt.DOMAIN_STATS_CPU_TOTAL |
	libvirt.DOMAIN_STATS_BALLOON | libvirt.DOMAIN_STATS_BLOCK | libvirt.DOMAIN_STATS_INTERFACE

// Read takes one reading of the host's counters and the bulk stats of all
// running domains (virConnectGetAllDomainStats).
func (c *Conn) Read(ctx context.Context) (*Reading, error) {
	r := &Reading{Domains: map[string]DomainCounters{}}
	err := c.do(ctx, "read domain stats", func() error {
		stats, err := c.raw.GetAllDomainStats(nil, domainStatsTypes, libvirt.CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE)
		r.At = time.Now()
		if err != nil {
			return err
		}
		defer func() {
			for i := range stats {
				if stats[i].Domain != nil {
					stats[i].Domain.Free()
				}
			}
		}()
		for _, s := range stats {
			dc, err := countersOf(s)
			if err != nil {
				if isNoDomain(err) {
					continue
				}
				return err
			}
			r.Domains[dc.UUID] = dc
		}
		if cs, err := c.raw.GetCPUStats(int(libvirt.NODE_CPU_STATS_ALL_CPUS), 0); err == nil {
			r.Host.HasCPU = cs.KernelSet && cs.UserSet && cs.IdleSet
			r.Host.Kernel, r.Host.User, r.Host.Idle, r.Host.IOWait = cs.Kernel, cs.User, cs.Idle, cs.Iowait
		} else if !isNoSupport(err) {
			return err
		}
		if ms, err := c.raw.GetMemoryStats(int(libvirt.NODE_MEMORY_STATS_ALL_CELLS), 0); err == nil {
			r.Host.HasMemory = ms.TotalSet && ms.FreeSet
			r.Host.MemTotal, r.Host.MemFree = ms.Total<<10, ms.Free<<10
			r.Host.MemBuffers, r.Host.MemCached = ms.Buffers<<10, ms.Cached<<10
		} else if !isNoSupport(err) {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func countersOf(s libvirt.DomainStats) (DomainCounters, error) {
	var dc DomainCounters
	var err error
	if dc.UUID, err = s.Domain.GetUUIDString(); err != nil {
		return dc, err
	}
	if dc.Name, err = s.Domain.GetName(); err != nil {
		return dc, err
	}
	if cpu := s.Cpu; cpu != nil && cpu.TimeSet {
		dc.HasCPU, dc.CPUTime = true, cpu.Time
	}
	for _, b := range s.Block {
		if b.RdReqsSet || b.WrReqsSet {
			dc.HasBlock = true
		}
		dc.RdReqs += b.RdReqs
		dc.WrReqs += b.WrReqs
		dc.RdBytes += b.RdBytes
		dc.WrBytes += b.WrBytes
	}
	for _, n := range s.Net {
		if n.RxBytesSet || n.TxBytesSet {
			dc.HasNet = true
		}
		dc.RxBytes += n.RxBytes
		dc.TxBytes += n.TxBytes
	}
	if b := s.Balloon; b != nil && (b.CurrentSet || b.RssSet) {
		dc.HasBalloon = true
		dc.BalloonCurrent, dc.BalloonRSS = b.Current<<10, b.Rss<<10
	}
	return dc, nil
}

// DomainUse is what a running domain was seen to use over a window.
// A Has… flag is false when the driver reported no counter for it.
type DomainUse struct {
	UUID, Name string
	// Cores is CPU time per wall-clock time (1.5 = one and a half vCPUs busy).
	HasCPU bool
	Cores  float64
	// IOPS is block read + write requests per second over all disks;
	// ReadBps/WriteBps the bytes per second.
	HasBlock          bool
	IOPS              float64
	ReadBps, WriteBps float64
	// NetBits is received + sent bits per second over all interfaces.
	HasNet  bool
	NetBits float64
	// MemoryUsed is the memory the domain holds on the host in bytes: the
	// QEMU process's resident set when reported, else the balloon's
	// current size.
	HasMemory  bool
	MemoryUsed uint64
}

// HostUse is what the host as a whole was seen to use over a window.
type HostUse struct {
	// CPUBusy is the busy fraction of all CPUs (0–1); multiply by the
	// number of CPUs for cores busy.
	HasCPU  bool
	CPUBusy float64
	// MemoryUsed is total − free − buffers − cache at the second reading, in bytes.
	HasMemory  bool
	MemoryUsed uint64
}

// Sample is observed use over a window between two readings.
type Sample struct {
	Window  time.Duration
	Host    HostUse
	Domains map[string]DomainUse // by UUID; domains running at both readings
}

// Sample takes two readings window apart and returns the use between them.
func (c *Conn) Sample(ctx context.Context, window time.Duration) (*Sample, error) {
	first, err := c.Read(ctx)
	if err != nil {
		return nil, err
	}
	t := time.NewTimer(window)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return nil, wrap(ctx.Err(), c.uri, "sample")
	}
	second, err := c.Read(ctx)
	if err != nil {
		return nil, err
	}
	return Use(first, second), nil
}

// Use computes the use between two readings (first before second). A
// counter that went backwards (the domain restarted) gives no figure.
func Use(first, second *Reading) *Sample {
	dt := second.At.Sub(first.At)
	s := &Sample{Window: dt, Domains: map[string]DomainUse{}}
	secs := dt.Seconds()
	if secs <= 0 {
		return s
	}
	rate := func(a, b uint64) (float64, bool) {
		if b < a {
			return 0, false
		}
		return float64(b-a) / secs, true
	}
	for id, b := range second.Domains {
		a, ok := first.Domains[id]
		if !ok {
			continue
		}
		u := DomainUse{UUID: id, Name: b.Name}
		if a.HasCPU && b.HasCPU {
			ns, ok := rate(a.CPUTime, b.CPUTime)
			u.HasCPU, u.Cores = ok, ns/1e9
		}
		if a.HasBlock && b.HasBlock {
			r, ok1 := rate(a.RdReqs, b.RdReqs)
			w, ok2 := rate(a.WrReqs, b.WrReqs)
			rb, _ := rate(a.RdBytes, b.RdBytes)
			wb, _ := rate(a.WrBytes, b.WrBytes)
			u.HasBlock, u.IOPS, u.ReadBps, u.WriteBps = ok1 && ok2, r+w, rb, wb
		}
		if a.HasNet && b.HasNet {
			rx, ok1 := rate(a.RxBytes, b.RxBytes)
			tx, ok2 := rate(a.TxBytes, b.TxBytes)
			u.HasNet, u.NetBits = ok1 && ok2, (rx+tx)*8
		}
		if b.HasBalloon {
			u.HasMemory = true
			u.MemoryUsed = b.BalloonRSS
			if u.MemoryUsed == 0 {
				u.MemoryUsed = b.BalloonCurrent
			}
		}
		s.Domains[id] = u
	}
	if a, b := first.Host, second.Host; a.HasCPU && b.HasCPU {
		busy := float64(b.Kernel+b.User) - float64(a.Kernel+a.User)
		total := busy + float64(b.Idle+b.IOWait) - float64(a.Idle+a.IOWait)
		if total > 0 && busy >= 0 {
			s.Host.HasCPU, s.Host.CPUBusy = true, busy/total
		}
	}
	if b := second.Host; b.HasMemory {
		free := b.MemFree + b.MemBuffers + b.MemCached
		if free <= b.MemTotal {
			s.Host.HasMemory, s.Host.MemoryUsed = true, b.MemTotal-free
		}
	}
	return s
}
