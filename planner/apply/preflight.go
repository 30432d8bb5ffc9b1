package apply

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/planner"
)

// ResourceReader is what the pre-flight check reads from a host: whether
// the pools, networks, bridges, base images and domain types the templates
// name are there. *hypervisor.Conn implements it.
type ResourceReader interface {
	PoolPresence(ctx context.Context, name string) (hypervisor.Presence, error)
	NetworkPresence(ctx context.Context, name string) (hypervisor.Presence, error)
	InterfacePresence(ctx context.Context, name string) (hypervisor.Presence, error)
	VolumeExists(ctx context.Context, pool, name string) (bool, error)
	GuestTypes(ctx context.Context) (map[string][]string, error)
	HostUUID(ctx context.Context) (string, error)
}

// Lack is one thing a host lacks that the templates of the guests it gets
// need, and how to make it.
type Lack struct {
	// What it is and what is wrong: `storage pool "default" does not exist`.
	What string
	// Profiles whose templates need it.
	Profiles []string
	// Fix is what would make it: virsh commands, or what to change.
	Fix string
}

// HostLacks is what one host lacks.
type HostLacks struct {
	Host, URI string // URI masked
	Lacks     []Lack
}

// MissingResourcesError refuses a plan whose hosts lack what its guests'
// templates need: a storage pool, a base image, a network or bridge, a
// domain type; or a host that cannot be reached to check.
type MissingResourcesError struct {
	Plan string
	// Templates says where the templates come from, for the operator to
	// change them ("templates: in /etc/berth.yaml").
	Templates string
	Hosts     []HostLacks
}

func (e *MissingResourcesError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "plan %s cannot be applied as configured: %s what the guests' templates (%s) need; nothing was changed:",
		e.Plan, planner.CountOf(len(e.Hosts), "host lacks", "hosts lack"), e.Templates)
	for _, h := range e.Hosts {
		fmt.Fprintf(&b, "\n  %s (%s):", h.Host, h.URI)
		for _, l := range h.Lacks {
			fmt.Fprintf(&b, "\n    %s (%s %s)", l.What, plural(len(l.Profiles), "profile", "profiles"), strings.Join(l.Profiles, ", "))
			if l.Fix != "" {
				fmt.Fprintf(&b, "; %s", l.Fix)
			}
		}
	}
	fmt.Fprintf(&b, "\nmake what is missing (the commands above), or change %s to name what the hosts have", e.Templates)
	return b.String()
}

// checkHosts connects to every host that gets new guests and checks that
// it has what their templates need; what is missing goes to a.Missing. It
// runs in a dry run too, so that a dry run fails where the real run would
// (before changing anything).
func (a *Apply) checkHosts(ctx context.Context) {
	a.Missing = a.lacks(ctx)
}

func (a *Apply) lacks(ctx context.Context) *MissingResourcesError {
	if a.opt.skipHostChecks || len(a.hosts) == 0 {
		return nil
	}
	results := make([]HostLacks, len(a.hosts))
	warnings := make([][]string, len(a.hosts))
	keys := make([]string, len(a.hosts))
	sem := make(chan struct{}, max(a.opt.Parallel, 1))
	var wg sync.WaitGroup
	for i, w := range a.hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i], warnings[i], keys[i] = a.checkHost(ctx, w)
		}()
	}
	wg.Wait()
	a.hostKeys = map[string]string{}
	for i, w := range a.hosts {
		a.hostKeys[w.host.Name] = keys[i]
	}
	var lacking []HostLacks
	for i, r := range results {
		a.Warnings = append(a.Warnings, warnings[i]...)
		if len(r.Lacks) > 0 {
			lacking = append(lacking, r)
		}
	}
	if len(lacking) == 0 {
		return nil
	}
	from := a.opt.TemplateSource
	if from == "" {
		from = "the built-in default template"
	}
	return &MissingResourcesError{Plan: a.plan.ID, Templates: from, Hosts: lacking}
}

// needs are the resources one host's new guests need, each with the
// profiles that need it.
type needs struct {
	pools, networks, bridges map[string][]string
	images                   map[[2]string][]string // pool, volume
	types                    map[[2]string][]string // arch, domain type
}

func (a *Apply) hostNeeds(w hostWork) needs {
	n := needs{pools: map[string][]string{}, networks: map[string][]string{}, bridges: map[string][]string{},
		images: map[[2]string][]string{}, types: map[[2]string][]string{}}
	add := func(m map[string][]string, k, profile string) {
		if k != "" && !slices.Contains(m[k], profile) {
			m[k] = append(m[k], profile)
		}
	}
	for _, i := range w.actions {
		profile := orDash(a.plan.Actions[i].Profile)
		t := a.template(i).Template
		add(n.pools, t.Pool, profile)
		add(n.networks, t.Network, profile)
		add(n.bridges, t.Bridge, profile)
		if t.Pool != "" && t.BaseImage != "" {
			k := [2]string{t.Pool, t.BaseImage}
			if !slices.Contains(n.images[k], profile) {
				n.images[k] = append(n.images[k], profile)
			}
		}
		k := [2]string{orDefault(t.Arch, hypervisor.DefaultArch), orDefault(t.DomainType, hypervisor.DefaultDomainType)}
		if !slices.Contains(n.types[k], profile) {
			n.types[k] = append(n.types[k], profile)
		}
	}
	return n
}

// checkHost checks one host; it returns what the host lacks, warnings for
// what could not be checked, and the key of the host's lock (its UUID, ""
// when it has none).
func (a *Apply) checkHost(ctx context.Context, w hostWork) (HostLacks, []string, string) {
	uri := a.hostURI(w.host)
	out := HostLacks{Host: w.host.Name, URI: hypervisor.MaskURI(uri)}
	lack := func(what string, profiles []string, fix string) {
		out.Lacks = append(out.Lacks, Lack{What: what, Profiles: profiles, Fix: fix})
	}
	var hv Hypervisor
	var release func()
	err := a.callHost(ctx, func(ctx context.Context) (err error) {
		hv, release, err = a.opt.Connect(ctx, w.host)
		return err
	})
	if err != nil {
		lack("cannot be reached to check it: "+err.Error(), a.hostProfiles(w), "")
		return out, nil, ""
	}
	defer release()
	rr, ok := hv.(ResourceReader)
	if !ok {
		return out, []string{fmt.Sprintf("host %s: the pools, networks and base images its guests need were not checked", w.host.Name)}, ""
	}
	v := virsh{uri: out.URI}
	n := a.hostNeeds(w)
	var warnings []string
	failed := func(what string, err error, profiles []string) {
		lack(fmt.Sprintf("%s could not be checked: %v", what, err), profiles, "")
	}
	if types, err := callValue(a, ctx, rr.GuestTypes); err != nil {
		failed("the domain types", err, a.hostProfiles(w))
	} else {
		for _, k := range sortedKeys2(n.types) {
			if what, fix := domainTypeLack(types, k[0], k[1]); what != "" {
				lack(what, n.types[k], fix)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(n.pools)) {
		p, err := callValue(a, ctx, func(ctx context.Context) (hypervisor.Presence, error) { return rr.PoolPresence(ctx, name) })
		switch {
		case err != nil:
			failed("storage pool "+quote(name), err, n.pools[name])
		case p == hypervisor.Absent:
			lack("storage pool "+quote(name)+" does not exist", n.pools[name], "to create it: "+v.createPool(name))
		case p == hypervisor.Inactive:
			lack("storage pool "+quote(name)+" is not active", n.pools[name], "to start it: "+v.run("pool-start", name)+" && "+v.run("pool-autostart", name))
		}
		if p != hypervisor.Active {
			continue
		}
		for _, k := range sortedKeys2(n.images) {
			if k[0] != name {
				continue
			}
			ok, err := callValue(a, ctx, func(ctx context.Context) (bool, error) { return rr.VolumeExists(ctx, k[0], k[1]) })
			switch {
			case err != nil:
				failed("base image "+k[0]+"/"+k[1], err, n.images[k])
			case !ok:
				lack(fmt.Sprintf("base image %s is not in storage pool %s", quote(k[1]), quote(k[0])), n.images[k],
					fmt.Sprintf("copy the image into the pool's directory and run %s, or set baseImage to a volume of the pool (%s)", v.run("pool-refresh", k[0]), v.run("vol-list", k[0])))
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(n.networks)) {
		p, err := callValue(a, ctx, func(ctx context.Context) (hypervisor.Presence, error) { return rr.NetworkPresence(ctx, name) })
		switch {
		case err != nil:
			failed("network "+quote(name), err, n.networks[name])
		case p == hypervisor.Absent:
			lack("network "+quote(name)+" does not exist", n.networks[name], "to create it: "+v.createNetwork(name))
		case p == hypervisor.Inactive:
			lack("network "+quote(name)+" is defined but not active", n.networks[name], "to start it: "+v.run("net-start", name)+" && "+v.run("net-autostart", name))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(n.bridges)) {
		p, err := callValue(a, ctx, func(ctx context.Context) (hypervisor.Presence, error) { return rr.InterfacePresence(ctx, name) })
		switch {
		case err != nil:
			failed("bridge "+quote(name), err, n.bridges[name])
		case p == hypervisor.Unknown:
			warnings = append(warnings, fmt.Sprintf("host %s: bridge %s was not checked (libvirt there has no interface driver)", w.host.Name, name))
		case p == hypervisor.Absent:
			lack("bridge "+quote(name)+" does not exist", n.bridges[name],
				fmt.Sprintf("create it on the host (ip link add %s type bridge, or the host's network configuration), or set bridge to one the host has (%s)", name, v.run("iface-list", "--all")))
		}
	}
	key := ""
	if uuid, err := callValue(a, ctx, rr.HostUUID); err == nil && uuid != "" {
		key = "uuid:" + uuid
	}
	return out, warnings, key
}

// hostProfiles lists the profiles of a host's new guests.
func (a *Apply) hostProfiles(w hostWork) []string {
	var out []string
	for _, i := range w.actions {
		if p := orDash(a.plan.Actions[i].Profile); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// callHost runs one libvirt call of the checks within the step timeout.
func (a *Apply) callHost(ctx context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, a.stepTimeout())
	defer cancel()
	return f(ctx)
}

func callValue[T any](a *Apply, ctx context.Context, f func(context.Context) (T, error)) (out T, err error) {
	err = a.callHost(ctx, func(ctx context.Context) (err error) {
		out, err = f(ctx)
		return err
	})
	return out, err
}

// virsh writes virsh commands for one host.
type virsh struct{ uri string }

func (v virsh) run(args ...string) string {
	return "virsh -c " + shellWord(v.uri) + " " + strings.Join(args, " ")
}

// createPool is the commands that make a directory pool: the Debian
// layout's /var/lib/libvirt/images for "default", a directory of its own
// under it for any other name.
func (v virsh) createPool(name string) string {
	dir := "/var/lib/libvirt/images"
	if name != "default" {
		dir += "/" + name
	}
	return strings.Join([]string{
		v.run("pool-define-as", shellWord(name), "dir", "--target", shellWord(dir)),
		v.run("pool-build", shellWord(name)),
		v.run("pool-start", shellWord(name)),
		v.run("pool-autostart", shellWord(name)),
	}, " && ")
}

// createNetwork is the commands that make a network: libvirt's own
// definition of "default" (NAT on virbr0), else a definition to write.
func (v virsh) createNetwork(name string) string {
	if name == "default" {
		return strings.Join([]string{
			v.run("net-define", "/usr/share/libvirt/networks/default.xml"),
			v.run("net-start", "default"),
			v.run("net-autostart", "default"),
		}, " && ")
	}
	return fmt.Sprintf("write its definition (see /usr/share/libvirt/networks/default.xml) and run %s && %s && %s, or set network to one the host has (%s)",
		v.run("net-define", shellWord(name)+".xml"), v.run("net-start", shellWord(name)), v.run("net-autostart", shellWord(name)), v.run("net-list", "--all"))
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:+@=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// domainTypeLack says what is wrong when the host (whose capabilities
// offer types, by architecture) cannot run arch guests of domainType, ""
// when it can. The test driver lists only i686 yet defines any
// architecture, so for type test only the type is checked.
func domainTypeLack(types map[string][]string, arch, domainType string) (what, fix string) {
	var all []string
	for _, ts := range types {
		for _, t := range ts {
			if !slices.Contains(all, t) {
				all = append(all, t)
			}
		}
	}
	slices.Sort(all)
	offered, known := types[arch]
	switch {
	case !slices.Contains(all, domainType):
		return fmt.Sprintf("domain type %s is not available (the host offers %s)", domainType, orNone(all)),
			"set domainType to one the host offers" + kvmHint(domainType)
	case domainType == "test":
		return "", ""
	case !known:
		return fmt.Sprintf("%s guests cannot run here (the host runs %s guests)", arch, orNone(slices.Sorted(maps.Keys(types)))),
			"set arch to one the host runs, or install its emulator (qemu-system-" + arch + ")"
	case !slices.Contains(offered, domainType):
		return fmt.Sprintf("domain type %s for %s guests is not available (the host offers %s for them)", domainType, arch, orNone(offered)),
			"set domainType to one the host offers" + kvmHint(domainType)
	}
	return "", ""
}

func kvmHint(domainType string) string {
	if domainType == "kvm" {
		return " (qemu runs without hardware virtualisation), or give the host /dev/kvm (load the kvm module)"
	}
	return ""
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func sortedKeys2(m map[[2]string][]string) [][2]string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	return keys
}
