package live

import (
	"maps"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
)

// host turns the raw facts of one source into a Host.
//
// Capacity: cpu = logical CPUs, memory = total memory in bytes, iops and net
// from the source or its class. Each guest's allocation: cpu = vCPUs,
// memory = its maximum memory (<memory>, what it can balloon up to), iops and
// net = ReadOptions.GuestIOPS/GuestNet. Observed is set for guests that ran
// through the whole sampling window and reported CPU time.
func (r *hostRead) host(src Source, opt ReadOptions) inventory.Host {
	class := opt.Classes[src.Class]
	f := r.facts
	h := inventory.Host{
		Name:   src.HostName(),
		URI:    src.URI,
		Labels: maps.Clone(class.Labels),
		Capacity: inventory.Vector{
			inventory.CPU:    float64(f.CPUs),
			inventory.Memory: float64(f.MemoryTotal),
			inventory.IOPS:   firstNonZero(src.IOPS, class.IOPS),
			inventory.Net:    firstNonZero(src.Net, class.Net),
		},
		Facts: &inventory.HostFacts{
			Hostname:          f.Hostname,
			CPUModel:          f.CPUModel,
			Sockets:           f.Sockets,
			Cores:             f.Cores,
			Threads:           f.Threads,
			NUMACells:         f.NUMACells,
			CPUs:              f.CPUs,
			MHz:               f.MHz,
			FreeMemory:        f.MemoryFree,
			LibvirtVersion:    f.LibvirtVersion,
			HypervisorVersion: hypervisorVersion(f),
		},
	}
	if h.Name == "" {
		h.Name = f.Hostname
	}
	if len(src.Labels) > 0 {
		if h.Labels == nil {
			h.Labels = map[string]string{}
		}
		maps.Copy(h.Labels, src.Labels)
	}
	if r.sample != nil && r.sample.Host.HasCPU {
		h.Facts.CPUUsed = r.sample.Host.CPUBusy * float64(f.CPUs)
	}
	profiles := opt.Profiles
	if profiles == nil {
		profiles = inventory.BuiltInProfiles()
	}
	for _, d := range r.domains {
		g := inventory.Guest{
			Name:  d.Name,
			UUID:  d.UUID,
			State: d.State,
			Allocation: inventory.Vector{
				inventory.CPU:    float64(d.VCPUs),
				inventory.Memory: float64(d.MemoryMax),
				inventory.IOPS:   opt.GuestIOPS,
				inventory.Net:    opt.GuestNet,
			},
		}
		if r.sample != nil {
			if u, ok := r.sample.Domains[d.UUID]; ok && u.HasCPU {
				g.Observed = &inventory.Vector{inventory.CPU: u.Cores, inventory.Memory: float64(u.MemoryUsed), inventory.IOPS: u.IOPS, inventory.Net: u.NetBits}
			}
		}
		if m := d.Metadata; m != nil {
			g.PlanID, g.Group = m.PlanID, m.Group
		}
		g.Profile, g.RoleSource = guestRole(d, g.Observed, h.Capacity, opt.RolePatterns, profiles)
		h.Guests = append(h.Guests, g)
	}
	return h
}

// guestRole is a guest's profile and how it was learned: berth's metadata,
// else the first matching name pattern, else the appetite of its observed
// use; "" when none applies.
func guestRole(d hypervisor.Domain, observed *inventory.Vector, capacity inventory.Vector, patterns []NamePattern, profiles []inventory.Profile) (string, inventory.RoleSource) {
	if d.Metadata != nil && d.Metadata.Profile != "" {
		return d.Metadata.Profile, inventory.RoleMetadata
	}
	for _, p := range patterns {
		if p.Pattern.MatchString(d.Name) {
			return p.Profile, inventory.RolePattern
		}
	}
	if observed != nil {
		if p, ok := inventory.ClassifyAppetite(*observed, capacity, profiles); ok {
			return p, inventory.RoleInferred
		}
	}
	return "", inventory.RoleDeclared
}

func hypervisorVersion(f *hypervisor.HostFacts) string {
	if f.Hypervisor == "" {
		return f.HypervisorVersion
	}
	return f.Hypervisor + " " + f.HypervisorVersion
}

func firstNonZero(xs ...float64) float64 {
	for _, x := range xs {
		if x != 0 {
			return x
		}
	}
	return 0
}
