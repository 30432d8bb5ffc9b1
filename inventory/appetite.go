package inventory

// AppetiteReference is the capacity an observed use is measured against in
// a dimension where the host's capacity is unknown (0): libvirt cannot know
// a host's disk IOPS or network bandwidth, so unless the config gives them
// a guest's I/O is compared with a modest host's: 10,000 IOPS and 10 Gbit/s.
var AppetiteReference = Vector{CPU: 1, Memory: 1 << 30, IOPS: 10000, Net: 10e9}

// MinAppetiteShare is the smallest share of the host a guest must take in
// its heaviest dimension to be classified at all (1%): below it the guest
// is idle and has no appetite worth planning on.
const MinAppetiteShare = 0.01

// ClassifyAppetite names the profile a guest behaves like, from what it
// was observed to use on a host of the given capacity: the profile whose
// appetite is the dimension in which the guest takes the largest share of
// the host (observed[d] / capacity[d], with AppetiteReference where the
// capacity is 0). With the built-in profiles, CPU-heavy → web, I/O-heavy →
// db, memory-heavy → cache; a dimension no profile has as its appetite
// (net, with the built-ins) is not considered. Ties go to the earlier
// profile. ok is false when the largest share is below MinAppetiteShare.
//
// Example: on a 64-CPU, 256 GiB, 20,000 IOPS host, a guest using 2 cores,
// 8 GiB and 3,000 IOPS takes 2/64 = 3.1% CPU, 8/256 = 3.1% memory and
// 3000/20000 = 15% IOPS: it is db-like.
func ClassifyAppetite(observed, capacity Vector, profiles []Profile) (profile string, ok bool) {
	best := 0.0
	for _, p := range profiles {
		if !p.HasAppetite {
			continue
		}
		d := p.Appetite
		c := capacity[d]
		if c <= 0 {
			c = AppetiteReference[d]
		}
		if share := observed[d] / c; share > best {
			best, profile = share, p.Name
		}
	}
	if best < MinAppetiteShare {
		return "", false
	}
	return profile, true
}

// GuestAppetiteReference is the allocation a guest's observed use is
// measured against, when classifying its appetite from history
// (inventory/history.Classify: use / allocation), in a dimension where
// it has none: libvirt allocates no disk IOPS or bandwidth, so unless
// the config gives them (guestDefaults) a guest's I/O is compared with a
// modest guest's 1,000 IOPS and 1 Gbit/s.
var GuestAppetiteReference = Vector{IOPS: 1000, Net: 1e9}

// AppetiteAllocation is allocation with GuestAppetiteReference in the
// dimensions where it is 0.
func AppetiteAllocation(allocation Vector) Vector {
	for d, ref := range GuestAppetiteReference {
		if allocation[d] <= 0 {
			allocation[d] = ref
		}
	}
	return allocation
}
