package inventory

import (
	"maps"

	"github.com/berth-dev/berth/hypervisor"
)

// host turns the raw facts of one source into a Host.
//
// Capacity: cpu = logical CPUs, memory = total memory in bytes, iops and net
// from the source or its class. Each guest's allocation: cpu = vCPUs,
// memory = its maximum memory (<memory>, what it can balloon up to), iops and
// net = ReadOptions.GuestIOPS/GuestNet. Observed is set for guests that ran
// through the whole sampling window and reported CPU time.
func (r *hostRead) host(src Source, opt ReadOptions) Host {
	class := opt.Classes[src.Class]
	f := r.facts
	h := Host{
		Name:   src.HostName(),
		URI:    src.URI,
		Labels: maps.Clone(class.Labels),
		Capacity: Vector{
			CPU:    float64(f.CPUs),
			Memory: float64(f.MemoryTotal),
			IOPS:   firstNonZero(src.IOPS, class.IOPS),
			Net:    firstNonZero(src.Net, class.Net),
		},
		Facts: &HostFacts{
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
		profiles = BuiltInProfiles()
	}
	for _, d := range r.domains {
		g := Guest{
			Name:  d.Name,
			UUID:  d.UUID,
			State: d.State,
			Allocation: Vector{
				CPU:    float64(d.VCPUs),
				Memory: float64(d.MemoryMax),
				IOPS:   opt.GuestIOPS,
				Net:    opt.GuestNet,
			},
		}
		if r.sample != nil {
			if u, ok := r.sample.Domains[d.UUID]; ok && u.HasCPU {
				g.Observed = &Vector{CPU: u.Cores, Memory: float64(u.MemoryUsed), IOPS: u.IOPS, Net: u.NetBits}
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
func guestRole(d hypervisor.Domain, observed *Vector, capacity Vector, patterns []NamePattern, profiles []Profile) (string, RoleSource) {
	if d.Metadata != nil && d.Metadata.Profile != "" {
		return d.Metadata.Profile, RoleMetadata
	}
	for _, p := range patterns {
		if p.Pattern.MatchString(d.Name) {
			return p.Profile, RolePattern
		}
	}
	if observed != nil {
		if p, ok := ClassifyAppetite(*observed, capacity, profiles); ok {
			return p, RoleInferred
		}
	}
	return "", RoleDeclared
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
