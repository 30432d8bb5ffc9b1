package placement

import (
	"cmp"
	"math/rand/v2"
	"slices"
)

// reference is the mean offer per dimension over the existing hosts that
// take guests (or over the models when there are none), the yardstick that
// makes demands in different units comparable. A dimension nobody offers
// gets 1.
func reference(p *Problem) []float64 {
	d := p.D()
	ref := make([]float64, d)
	n := 0
	for h := range p.H() {
		if p.Excluded != nil && p.Excluded[h] {
			continue
		}
		for k := range d {
			ref[k] += p.Offered[h*d+k]
		}
		n++
	}
	if n == 0 {
		for _, m := range p.Models {
			for k := range d {
				ref[k] += m.Offered[k]
			}
			n++
		}
	}
	for k := range ref {
		if n > 0 {
			ref[k] /= float64(n)
		}
		if ref[k] <= 0 {
			ref[k] = 1
		}
	}
	return ref
}

// hardness is how hard guest g is to place: its dominant share of a
// reference host plus its mean share, max_k s_k + (1/D)·Σ_k s_k with
// s_k = demand_k/ref_k. The dominant share decides (first-fit decreasing
// generalised as in Panigrahy et al. 2011, who found ordering by the
// largest normalised dimension among the best); the mean breaks near-ties
// in favour of guests that are big everywhere.
//
// Example: ref (32 cpu, 128 GiB), demand (8, 16): shares 0.25 and 0.125,
// hardness 0.25 + 0.1875 = 0.4375.
func hardness(dem, ref []float64) float64 {
	mx, sum := 0.0, 0.0
	for k, x := range dem {
		s := x / ref[k]
		mx = max(mx, s)
		sum += s
	}
	return mx + sum/float64(len(dem))
}

// order returns the guests in gs in placement order, hardest first.
//
// A guest in a group takes its group's key: the hardest member's hardness
// plus the share of the scope's domains the group needs (members / domains:
// three replicas that must sit in three of four zones get +0.75, three
// replicas over 1,000 hosts +0.003). Members thus come one after another,
// and groups that need most of the fleet's domains go before plain guests of
// the same size. A guest restricted to a host set gains the share of hosts
// outside it. Ties break by group index, then in a seed-derived order.
func order(p *Problem, gs []int32, ref []float64, seed uint64) []int32 {
	key := orderKeys(p, gs, ref)
	out := slices.Clone(gs)
	sortByKey(p, out, key, seed)
	return out
}

// orderKeys is the order key of each guest of gs (indexed by guest).
func orderKeys(p *Problem, gs []int32, ref []float64) []float64 {
	d := p.D()
	key := make([]float64, p.G())
	for _, g := range gs {
		key[g] = hardness(p.Demand[int(g)*d:int(g)*d+d], ref)
	}
	if len(p.Groups) > 0 {
		gkey := make([]float64, len(p.Groups))
		size := make([]int, len(p.Groups))
		for _, g := range gs {
			if k := p.Group[g]; k >= 0 {
				gkey[k] = max(gkey[k], key[g])
				size[k]++
			}
		}
		for _, k := range p.ExistingGroup {
			if k >= 0 {
				size[k]++
			}
		}
		doms := domainCounts(p)
		for k := range gkey {
			gkey[k] += float64(size[k]) / float64(max(1, doms[p.Groups[k].Scope]))
		}
		for _, g := range gs {
			if k := p.Group[g]; k >= 0 {
				key[g] = gkey[k]
			}
		}
	}
	// A guest restricted to a host set (a label selector) is harder by the
	// share of hosts it may not use: restricted to 10 of 1,000 hosts it gets
	// +0.99, so it is placed before unrestricted guests take its few hosts.
	if p.Eligible != nil && p.H() > 0 {
		excludedShare := make([]float64, len(p.HostSets))
		for i, hs := range p.HostSets {
			n := 0
			for _, ok := range hs.Hosts {
				if ok {
					n++
				}
			}
			excludedShare[i] = 1 - float64(n)/float64(p.H())
		}
		for _, g := range gs {
			if e := p.Eligible[g]; e >= 0 {
				key[g] += excludedShare[e]
			}
		}
	}
	return key
}

// mixedOrder is the construction's order: the urgent guests (see urgent)
// first, hardest first, then the others with their appetites interleaved
// (see interleave).
func mixedOrder(p *Problem, gs []int32, ref []float64, seed uint64) []int32 {
	first, rest := splitUrgent(p, gs, ref, seed)
	return append(first, interleave(p, rest, ref)...)
}

// arrivalOrder is the urgent guests first, hardest first, then the others
// in their own order (as the demand lists them): the second order the
// construction tries.
func arrivalOrder(p *Problem, gs []int32, ref []float64, seed uint64) []int32 {
	first, _ := splitUrgent(p, gs, ref, seed)
	urgentSet := make(map[int32]bool, len(first))
	for _, g := range first {
		urgentSet[g] = true
	}
	out := first
	for _, g := range gs {
		if !urgentSet[g] {
			out = append(out, g)
		}
	}
	return out
}

// splitUrgent sorts gs by order's key and splits off the urgent guests at
// the front; rest keeps the sorted order.
func splitUrgent(p *Problem, gs []int32, ref []float64, seed uint64) (first, rest []int32) {
	key := orderKeys(p, gs, ref)
	out := slices.Clone(gs)
	sortByKey(p, out, key, seed)
	d := p.D()
	n := 0
	for _, g := range out {
		if key[g]-hardness(p.Demand[int(g)*d:int(g)*d+d], ref) < urgent {
			break
		}
		n++
	}
	return out[:n:n], out[n:]
}

// sortByKey sorts gs by key, largest first; ties by group index, then in a
// seed-derived order.
func sortByKey(p *Problem, out []int32, key []float64, seed uint64) {
	slices.SortFunc(out, func(a, b int32) int {
		if c := cmp.Compare(key[b], key[a]); c != 0 {
			return c
		}
		if c := cmp.Compare(p.Group[a], p.Group[b]); c != 0 {
			return c
		}
		if c := cmp.Compare(mix(seed, int(a)), mix(seed, int(b))); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
}

// domainCounts is how many distinct hosts, racks and zones the existing
// fleet has, indexed by Scope.
func domainCounts(p *Problem) [3]int {
	var out [3]int
	out[ScopeHost] = p.H()
	out[ScopeRack] = distinct(p.Rack)
	out[ScopeZone] = distinct(p.Zone)
	return out
}

func distinct(xs []int32) int {
	s := slices.Clone(xs)
	slices.Sort(s)
	return len(slices.Compact(s))
}

// urgent is the part of a guest's order key beyond its size (a group that
// needs most of the fleet's domains, a guest restricted to few hosts) from
// which it goes before every other guest, whatever its appetite.
const urgent = 0.5

// interleave reorders queue (sorted hardest first by order) so that the
// appetites take turns: each guest keeps its rank among the guests of its
// appetite, and the next guest is taken from the appetite that has placed
// the smallest share of its total size so far.
//
// Why: sorted by size alone, the biggest guests of every appetite come
// first and fill the first hosts in their own dimension — large caches
// take a host's memory and strand its CPU, which the web guests that come
// much later cannot use, because they need some memory too. Taking
// appetites in proportion, each host meets a mix like the fleet's
// (first-fit decreasing per appetite, round-robin over appetites), and the
// leftover score has a complementary guest at hand when a host's shape
// calls for one.
//
// Example: sizes (share of a reference host) web 0.5, 0.5, cache 0.25,
// 0.25, 0.25, 0.25 (total 1 each): cache 0.25 (cache at 0.125 midpoint <
// web 0.25), web 0.5, cache 0.25, cache 0.25, web 0.5, cache 0.25 — where
// sorting by size gives web, web, cache, cache, cache, cache.
func interleave(p *Problem, queue []int32, ref []float64) []int32 {
	d := p.D()
	classOf := func(g int32) int {
		if a := p.Appetite[g]; a >= 0 && int(a) < d {
			return int(a)
		}
		best, bk := -1.0, 0
		for k := range d {
			if s := p.Demand[int(g)*d+k] / ref[k]; s > best {
				best, bk = s, k
			}
		}
		return bk
	}
	size := func(g int32) float64 {
		s := 0.0
		for k := range d {
			s += p.Demand[int(g)*d+k] / ref[k]
		}
		return s + 1e-12
	}
	out := make([]int32, 0, len(queue))
	class := make([][]int32, d)
	total := make([]float64, d)
	for _, g := range queue {
		c := classOf(g)
		class[c] = append(class[c], g)
		total[c] += size(g)
	}
	done := make([]float64, d)
	next := make([]int, d)
	for range len(queue) {
		best, bp := -1, 0.0
		for c := range d {
			if next[c] == len(class[c]) {
				continue
			}
			pr := (done[c] + size(class[c][next[c]])/2) / total[c]
			if best < 0 || pr < bp {
				best, bp = c, pr
			}
		}
		g := class[best][next[best]]
		next[best]++
		done[best] += size(g)
		out = append(out, g)
	}
	return out
}

// shuffledOrder is an order like arrivalOrder with the non-urgent guests
// shuffled by a generator seeded with the solve's seed and i.
func shuffledOrder(i uint64) func(*Problem, []int32, []float64, uint64) []int32 {
	return func(p *Problem, gs []int32, ref []float64, seed uint64) []int32 {
		out := arrivalOrder(p, gs, ref, seed)
		first, _ := splitUrgent(p, gs, ref, seed)
		rest := out[len(first):]
		r := rand.New(rand.NewPCG(seed, 0x5eed+i))
		r.Shuffle(len(rest), func(a, b int) { rest[a], rest[b] = rest[b], rest[a] })
		return out
	}
}
