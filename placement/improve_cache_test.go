package placement

import (
	"cmp"
	"math"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// The improvement phase answers each step from indexes and caches
// (improve_cache.go) and prunes its scans by bounds. These properties
// check, on random fleets and random sequences of the moves the search
// makes, that every shortcut gives the answer of the plain scan it
// replaces: the indexes equal what the state implies, insert picks the
// host a scan of every host would, and bestSwap finds a swap of the best
// gain over its sample of hosts.
func TestImproveShortcutsMatchScans(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := imFleet(t)
		if p.Validate() != nil {
			t.Skip("invalid draw")
		}
		s, err := Solve(p, Options{Seed: 3})
		if err != nil {
			t.Fatalf("Solve: %v", err)
		}
		st := newImState(p, s)
		se := newSearch(st, Options{Seed: rapid.Uint64().Draw(t, "seed"), Iterations: math.MaxInt32}, 0)
		var pool []int32
		bestW := math.Inf(1)
		for range rapid.IntRange(1, 40).Draw(t, "steps") {
			switch rapid.IntRange(0, 4).Draw(t, "move") {
			case 0: // a placed guest into the pool
				if g := placedMovable(t, st); g >= 0 {
					st.remove(int(g))
					pool = append(pool, g)
				}
			case 1: // close or reopen a host, as rounds do with targets
				if st.nh > 0 {
					h := rapid.IntRange(0, st.nh-1).Draw(t, "host")
					st.setClosed(h, !st.closed[h] || st.excluded[h])
				}
			case 2: // insert, guest by guest, against a scan of every host
				rest := pool[:0]
				for _, g := range pool {
					want := scanUsedHostFor(st, g)
					if got := se.usedHostFor(g); got != want {
						t.Fatalf("usedHostFor(%d) = %d, a scan of every host gives %d", g, got, want)
					}
					if want < 0 {
						rest = append(rest, g)
					} else {
						st.add(int(g), want)
					}
				}
				pool = rest
			case 3: // the best swap, against every swap of the same sample
				w := 0.0
				for _, g := range pool {
					w += st.weight[g]
				}
				bestW = math.Min(bestW, w)
				h, out, in, ok := se.bestSwap(pool, w, bestW)
				got := math.Inf(-1)
				if ok {
					got = se.lastDelta
				}
				if want := scanBestSwap(se, pool, w, bestW); got != want {
					t.Fatalf("bestSwap gain %v, the best over its sample %v", got, want)
				}
				if !ok {
					break
				}
				wIn, wOut := 0.0, 0.0
				for _, g := range in {
					wIn += st.weight[g]
				}
				for _, g := range out {
					wOut += st.weight[g]
				}
				if gain := wIn - wOut; gain != got {
					t.Fatalf("bestSwap's swap gains %v, reported %v", gain, got)
				}
				if !st.swap(h, out, in) {
					t.Fatalf("bestSwap's swap of %v for %v on host %d is refused", out, in, h)
				}
				for _, g := range out {
					se.makeTabu(g, h)
				}
				pool = slices.DeleteFunc(pool, func(g int32) bool { return st.host[g] != NoHost })
				pool = append(pool, out...)
				se.tick()
			case 4:
				st.setWeight(1 - st.wi)
			}
			checkIndexes(t, st)
		}
	})
}

func placedMovable(t *rapid.T, st *imState) int32 {
	var gs []int32
	for g, x := range st.host {
		if x != NoHost && st.movable[g] {
			gs = append(gs, int32(g))
		}
	}
	if len(gs) == 0 {
		return -1
	}
	return gs[rapid.IntRange(0, len(gs)-1).Draw(t, "guest")]
}

// scanUsedHostFor is insert's rule applied to every host: the open host in
// use where g fits leaving the least room, ties to the lowest index.
func scanUsedHostFor(st *imState, g int32) int {
	best, bestLeft := -1, math.Inf(1)
	for h := range st.nh {
		if !st.inUse(h) || !st.fits(int(g), h) {
			continue
		}
		if left := 1 - st.fill(h); left < bestLeft {
			best, bestLeft = h, left
		}
	}
	return best
}

// scanBestSwap is the best gain of any swap bestSwap may make on the hosts
// of its last sample: every guest and pair of guests out (pairs while the
// host has few), every pool guest and pair in (pairs while the pool is
// small), capacity by arithmetic, the rules by making the swap and undoing
// it, tabu with aspiration. −Inf when there is none.
func scanBestSwap(se *search, pool []int32, w, bestW float64) float64 {
	st := se.st
	d := st.D
	var ins [][]int32
	for i, a := range pool {
		ins = append(ins, []int32{a})
		if len(pool) <= maxPoolForPairs {
			for _, b := range pool[i+1:] {
				ins = append(ins, []int32{a, b})
			}
		}
	}
	best := math.Inf(-1)
	for _, x32 := range se.recv {
		x := int(x32)
		m := slices.Clone(st.members[x])
		var outs [][]int32
		for i, o1 := range m {
			outs = append(outs, []int32{o1})
			if len(m) <= maxHostForPairs {
				for _, o2 := range m[i+1:] {
					outs = append(outs, []int32{o1, o2})
				}
			}
		}
		for _, out := range outs {
			for _, in := range ins {
				delta := 0.0
				for _, g := range in {
					delta += st.weight[g]
				}
				wOut := 0.0
				for _, g := range out {
					wOut += st.weight[g]
				}
				delta -= wOut
				if delta <= best {
					continue
				}
				fits := true
				for k := range d {
					free := st.off[x*d+k] - st.used[x*d+k]
					for _, g := range out {
						free += st.p.Demand[int(g)*d+k]
					}
					need := 0.0
					for _, g := range in {
						need += st.p.Demand[int(g)*d+k]
					}
					fits = fits && need <= free
				}
				if !fits {
					continue
				}
				tabu := false
				for _, g := range in {
					tabu = tabu || se.tabu(g, x)
				}
				if tabu && w-delta >= bestW-1e-12 {
					continue
				}
				if !st.simple {
					if !st.swap(x, out, in) {
						continue
					}
					for _, g := range in {
						st.remove(int(g))
					}
					for _, g := range out {
						st.add(int(g), x)
					}
				}
				best = delta
			}
		}
	}
	return best
}

// checkIndexes compares every index and cache with what the state implies.
func checkIndexes(t *rapid.T, st *imState) {
	var recv []int32
	used, bought := 0, 0
	d := st.D
	for h := range st.nh {
		if !st.closed[h] && len(st.members[h]) > 0 {
			recv = append(recv, int32(h))
		}
		if st.inUse(h) {
			used++
			if h >= st.H {
				bought++
			}
		}
		for k := range d {
			v := st.room.free[k][h]
			want := -1.0
			if !st.closed[h] && st.inUse(h) {
				o := st.off[h*d+k]
				want = o - st.used[h*d+k] + o*roomSlack + roomSlack
			}
			if v != want {
				t.Fatalf("room of host %d in d%d = %v, want %v", h, k, v, want)
			}
		}
		m := slices.Clone(st.members[h])
		slices.SortFunc(m, func(a, b int32) int {
			return cmp.Or(cmp.Compare(st.weight[a], st.weight[b]), cmp.Compare(a, b))
		})
		if diff := gocmp.Diff(m, st.lightFirst(h)); diff != "" && len(m) > 0 {
			t.Fatalf("lightFirst(%d) (-want +got):\n%s", h, diff)
		}
		for _, two := range []bool{false, true} {
			bound := st.roomIfEmptied(h, two)
			for i, o1 := range st.members[h] {
				outs := [][]int32{{o1}}
				if two {
					for _, o2 := range st.members[h][i+1:] {
						outs = append(outs, []int32{o1, o2})
					}
				}
				for _, out := range outs {
					for k := range d {
						free := st.off[h*d+k] - st.used[h*d+k]
						for _, g := range out {
							free += st.p.Demand[int(g)*d+k]
						}
						if free > bound[k] {
							t.Fatalf("roomIfEmptied(%d, %v)[%d] = %v below the room %v with %v out", h, two, k, bound[k], free, out)
						}
					}
				}
			}
		}
	}
	got := slices.Clone(st.recv)
	slices.Sort(got)
	if diff := gocmp.Diff(recv, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("recv (-want +got):\n%s", diff)
	}
	for i, h := range st.recv {
		if st.recvPos[h] != int32(i) {
			t.Fatalf("recvPos[%d] = %d, want %d", h, st.recvPos[h], i)
		}
	}
	if u, b := st.hostsInUse(); u != used || b != bought {
		t.Fatalf("hostsInUse = %d, %d; want %d, %d", u, b, used, bought)
	}
}

// TestPoolEntriesMatchRebuild: the pool entries edited step by step equal
// those built at once from the same pool.
func TestPoolEntriesMatchRebuild(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := imFleet(t)
		if p.Validate() != nil || p.G() == 0 {
			t.Skip("no guests")
		}
		st := newImState(p, &Solution{Host: slices.Repeat([]int32{NoHost}, p.G())})
		edited := newPoolEntries(st)
		for range rapid.IntRange(1, 20).Draw(t, "steps") {
			if rapid.IntRange(0, 4).Draw(t, "reweight") == 0 {
				st.setWeight(1 - st.wi)
			}
			var pool []int32
			for g := range p.G() {
				if rapid.Bool().Draw(t, "in") {
					pool = append(pool, int32(g))
				}
			}
			pool = rapid.Permutation(pool).Draw(t, "order")
			edited.update(st, pool)
			fresh := newPoolEntries(st)
			fresh.update(st, pool)
			if diff := gocmp.Diff(fresh.list, edited.list, gocmp.AllowUnexported(pair{}), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("entries (-rebuilt +edited):\n%s", diff)
			}
			if diff := gocmp.Diff(fresh.dem, edited.dem, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("demand (-rebuilt +edited):\n%s", diff)
			}
		}
	})
}

// TestImproveDeterministicFleet: on a fleet of the benchmark's kind (groups
// at host and rack scope, an appetite penalty), the same seed and step
// count give the same plan.
func TestImproveDeterministicFleet(t *testing.T) {
	p := benchFleet(100, 1000, 2)
	s, err := Solve(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{Seed: 5, Iterations: 400}
	first := Improve(p, s, opt)
	if first == s {
		t.Fatal("Improve found nothing better on a fleet with hosts to spare")
	}
	if diff := gocmp.Diff(first, Improve(p, s, opt)); diff != "" {
		t.Errorf("Improve is not deterministic for a seed (-first +second):\n%s", diff)
	}
	if b := imBreaches(p, first); len(b) > 0 {
		t.Errorf("Improve broke rules: %v", b[:min(len(b), 5)])
	}
}
