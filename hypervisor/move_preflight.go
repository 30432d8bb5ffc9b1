package hypervisor

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"path"
	"time"

	"github.com/dustin/go-humanize"
	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// PreflightCheck is one thing PreflightMove checks.
type PreflightCheck string

const (
	CheckReachable    PreflightCheck = "reachable"     // the host answers
	CheckGuest        PreflightCheck = "guest"         // the guest is on the source only, and how it will move
	CheckRoom         PreflightCheck = "room"          // the destination has the CPUs and memory now
	CheckMigrationURI PreflightCheck = "migration-uri" // the destination's addresses resolve
	CheckStorage      PreflightCheck = "storage"       // each disk is there on the destination, or can be copied
)

// Verdict is how a check came out.
type Verdict string

const (
	Pass Verdict = "pass"
	Warn Verdict = "warn" // berth cannot tell; the move may still fail
	Fail Verdict = "fail" // the move would fail, or must not be tried
)

// Finding is one check of a move on one host.
type Finding struct {
	// Host is the URI (masked) of the host the finding is about.
	Host    string
	Check   PreflightCheck
	Verdict Verdict
	// Detail says what was found, in words.
	Detail string
}

// Preflight is the findings of PreflightMove, in the order of its checks.
type Preflight []Finding

// OK reports whether no finding is a Fail.
func (p Preflight) OK() bool {
	for _, f := range p {
		if f.Verdict == Fail {
			return false
		}
	}
	return true
}

// lookupHost resolves a host name (a variable for tests, which must not
// depend on the machine's DNS).
var lookupHost = net.DefaultResolver.LookupHost

// resolveTimeout bounds one name resolution.
const resolveTimeout = 5 * time.Second

// PreflightMove checks, changing nothing, what berth can check of moving
// the guest with this UUID from src to dst with options o, before it
// starts: both hosts answer; the guest is on the source only (running:
// it moves live; shut off: offline); the destination has the CPUs and the
// free memory now; the destination's URIs resolve (here, from berth's
// machine: the source host must resolve them too); each disk is on the
// destination (shared storage) or, with o.CopyStorage, can be created
// there. Checks that need a host that does not answer are left out.
func PreflightMove(ctx context.Context, uuid string, src, dst *Conn, o MigrateOptions) Preflight {
	var out Preflight
	add := func(c *Conn, check PreflightCheck, v Verdict, format string, args ...any) {
		out = append(out, Finding{Host: c.URI(), Check: check, Verdict: v, Detail: fmt.Sprintf(format, args...)})
	}
	facts := [2]*HostFacts{}
	for i, c := range []*Conn{src, dst} {
		f, err := c.HostFacts(ctx)
		if err != nil {
			add(c, CheckReachable, Fail, "%v", err)
			continue
		}
		facts[i] = f
		add(c, CheckReachable, Pass, "libvirt %s, %s %s on %s", f.LibvirtVersion, f.Hypervisor, f.HypervisorVersion, f.Hostname)
	}
	if facts[0] == nil || facts[1] == nil {
		return out
	}
	state, s := LocateMove(ctx, uuid, src, dst)
	if state != MoveOnSource {
		add(src, CheckGuest, Fail, "guest %s is %s, not on this source only", guestLabel(s[0].Name, uuid), state)
		return out
	}
	g, err := src.domainByUUID(ctx, uuid)
	if err != nil {
		add(src, CheckGuest, Fail, "%v", err)
		return out
	}
	live := g.Running()
	how := "shut off: it moves offline (defined there, then undefined here)"
	if live {
		how = g.State + ": it moves live (peer-to-peer migration)"
	}
	add(src, CheckGuest, Pass, "guest %s is %s", g.Name, how)
	out = append(out, roomFindings(dst.URI(), g, facts[1], live)...)
	if live {
		out = append(out, uriFindings(ctx, dst, facts[1], o)...)
	}
	return append(out, dst.storageFindings(ctx, g, o.CopyStorage && live)...)
}

// domainByUUID reads the domain with this UUID.
func (c *Conn) domainByUUID(ctx context.Context, uuid string) (*Domain, error) {
	var d Domain
	err := c.do(ctx, "read guest "+uuid, func() error {
		dom, err := c.raw.LookupDomainByUUIDString(uuid)
		if err != nil {
			return err
		}
		defer dom.Free()
		d, err = readDomain(dom)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// roomFindings compares what the guest needs with what the destination
// has now. A shut-off guest needs nothing until it is started there, so
// a shortfall is only a warning for it.
func roomFindings(host string, g *Domain, f *HostFacts, live bool) []Finding {
	short := Fail
	if !live {
		short = Warn
	}
	cpu := Finding{Host: host, Check: CheckRoom, Verdict: Pass,
		Detail: fmt.Sprintf("%d vCPUs on %d CPUs", g.VCPUs, f.CPUs)}
	if g.VCPUs > f.CPUs {
		cpu.Verdict, cpu.Detail = short, fmt.Sprintf("guest has %d vCPUs, the host only %d CPUs", g.VCPUs, f.CPUs)
	}
	mem := Finding{Host: host, Check: CheckRoom, Verdict: Pass,
		Detail: fmt.Sprintf("%s of memory, %s free", humanize.IBytes(g.MemoryMax), humanize.IBytes(f.MemoryFree))}
	switch {
	case f.MemoryFree == 0:
		mem.Verdict, mem.Detail = Warn, fmt.Sprintf("guest needs %s of memory; the host does not say how much is free", humanize.IBytes(g.MemoryMax))
	case g.MemoryMax > f.MemoryFree:
		mem.Verdict, mem.Detail = short, fmt.Sprintf("guest needs %s of memory, the host has %s free", humanize.IBytes(g.MemoryMax), humanize.IBytes(f.MemoryFree))
	}
	return []Finding{cpu, mem}
}

// uriFindings checks that the addresses a live migration uses resolve:
// the destination's libvirt URI as the source will open it, and where the
// memory goes (o.MigrationURI, else the destination's host name, which must
// not resolve to a loopback address: the source would send it to itself).
func uriFindings(ctx context.Context, dst *Conn, f *HostFacts, o MigrateOptions) []Finding {
	var out []Finding
	add := func(v Verdict, format string, args ...any) {
		out = append(out, Finding{Host: dst.URI(), Check: CheckMigrationURI, Verdict: v, Detail: fmt.Sprintf(format, args...)})
	}
	peer := o.DestURI
	if peer == "" {
		peer = dst.uri
	}
	if h := URIHost(peer); h == "" {
		add(Pass, "the source reaches the destination at %s (no host name to resolve)", MaskURI(peer))
	} else if addrs, err := resolve(ctx, h); err != nil {
		add(Fail, "the destination's libvirt URI %s: %s does not resolve: %v", MaskURI(peer), h, err)
	} else {
		add(Pass, "the source reaches the destination at %s (%s → %v)", MaskURI(peer), h, addrs)
	}
	if o.MigrationURI != "" {
		u, err := url.Parse(o.MigrationURI)
		switch {
		case err != nil || u.Hostname() == "":
			add(Fail, "migration URI %q has no host name (want tcp://HOST)", o.MigrationURI)
		default:
			if addrs, err := resolve(ctx, u.Hostname()); err != nil {
				add(Fail, "migration URI %s: %s does not resolve: %v", o.MigrationURI, u.Hostname(), err)
			} else {
				add(Pass, "memory goes to %s (%v)", o.MigrationURI, addrs)
			}
		}
		return out
	}
	addrs, err := resolve(ctx, f.Hostname)
	switch {
	case err != nil:
		add(Fail, "memory goes to the destination's host name %s, which does not resolve (%v): set a migration URI", f.Hostname, err)
	case allLoopback(addrs):
		add(Fail, "memory goes to the destination's host name %s, which resolves to loopback %v (the source would send it to itself): set a migration URI", f.Hostname, addrs)
	default:
		add(Pass, "memory goes to the destination's host name %s (%v)", f.Hostname, addrs)
	}
	return out
}

func resolve(ctx context.Context, host string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	return lookupHost(ctx, host)
}

func allLoopback(addrs []string) bool {
	for _, a := range addrs {
		if ip := net.ParseIP(a); ip == nil || !ip.IsLoopback() {
			return false
		}
	}
	return len(addrs) > 0
}

// storageFindings checks each disk of g on c, the destination: present
// there (shared storage) or, when copying, somewhere libvirt can create
// the copy. A path outside every storage pool of c cannot be checked.
func (c *Conn) storageFindings(ctx context.Context, g *Domain, copying bool) []Finding {
	var out []Finding
	add := func(v Verdict, format string, args ...any) {
		out = append(out, Finding{Host: c.URI(), Check: CheckStorage, Verdict: v, Detail: fmt.Sprintf(format, args...)})
	}
	disks := 0
	for _, d := range g.Disks {
		if d.Source == "" {
			continue // an empty cdrom drive
		}
		disks++
		label := d.Target + " (" + d.Source + ")"
		switch d.Type {
		case "network":
			add(Pass, "%s is a network disk, reached from any host", label)
		case "file", "block", "volume":
			v, detail := c.diskOnHost(ctx, d, copying)
			add(v, "%s %s", label, detail)
		default:
			add(Warn, "%s is a %s disk, which berth cannot check", label, d.Type)
		}
	}
	if disks == 0 {
		add(Pass, "the guest has no disks")
	}
	return out
}

// diskOnHost says whether disk d is on c (or, copying, can be created
// there), and why.
func (c *Conn) diskOnHost(ctx context.Context, d Disk, copying bool) (Verdict, string) {
	var pool string
	found, inPool := false, false
	err := c.do(ctx, "look up disk "+d.Source, func() error {
		if d.Type == "volume" {
			p, v := path.Split(d.Source)
			pool = path.Clean(p)
			var err error
			found, err = c.withVolume(pool, v, func(*libvirt.StorageVol) error { return nil })
			if isCode(err, libvirt.ERR_NO_STORAGE_POOL) {
				return nil
			}
			inPool = err == nil
			return err
		}
		if v, err := c.raw.LookupStorageVolByPath(d.Source); err == nil {
			found = true
			if p, err := v.LookupPoolByVolume(); err == nil {
				pool, _ = p.GetName()
				p.Free()
			}
			v.Free()
			return nil
		}
		var err error
		pool, err = c.poolAt(path.Dir(d.Source))
		inPool = pool != ""
		return err
	})
	switch {
	case err != nil:
		return Warn, fmt.Sprintf("could not be looked up: %v", err)
	case found && copying:
		return Warn, fmt.Sprintf("is already on the destination (pool %s): if the storage is shared, do not copy it", pool)
	case found:
		return Pass, fmt.Sprintf("is on the destination too (pool %s)", pool)
	case copying && inPool:
		return Pass, fmt.Sprintf("will be copied into pool %s of the destination", pool)
	case d.Type == "volume" && !inPool:
		return Fail, "is not on the destination: it has no pool " + pool
	case copying:
		return Fail, "cannot be copied: no storage pool of the destination holds " + path.Dir(d.Source) + " (define one, or create the file first)"
	case d.Type == "volume":
		return Fail, "is not on the destination (no such volume in pool " + pool + "): copy the storage, or share it"
	case inPool:
		return Warn, "is not among the volumes of pool " + pool + " on the destination: the storage is not shared (copy it), or the pool needs a refresh"
	}
	return Warn, "is in no storage pool of the destination: berth cannot tell whether it is there (shared storage must have the same path)"
}

// poolAt is the name of c's storage pool whose target is dir, "" for
// none. (Not libvirt's look-up by target path, which not every driver
// has.)
func (c *Conn) poolAt(dir string) (string, error) {
	pools, err := c.raw.ListAllStoragePools(0)
	if err != nil {
		return "", err
	}
	defer func() {
		for i := range pools {
			pools[i].Free()
		}
	}()
	for i := range pools {
		s, err := pools[i].GetXMLDesc(0)
		if err != nil {
			continue // undefined meanwhile
		}
		var x libvirtxml.StoragePool
		if x.Unmarshal(s) == nil && x.Target != nil && path.Clean(x.Target.Path) == path.Clean(dir) {
			return x.Name, nil
		}
	}
	return "", nil
}
