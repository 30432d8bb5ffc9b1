package placement

import (
	"cmp"
	"math"
	"slices"
)

// imIndexes is what the improvement phase derives from its state to make a
// search step cost what the step looks at rather than the size of the
// fleet: every field follows from imState's placement, and touch keeps
// them current as hosts change (or marks them for rebuilding when next
// asked).
type imIndexes struct {
	// recv lists the hosts a swap can use (open, with a movable guest),
	// in no particular order; recvPos is each host's place in it, −1 if
	// absent.
	recv    []int32
	recvPos []int32
	// byWeight[i][h] is members[h] sorted lightest first under
	// weights[i] (ties by guest index), rebuilt when sorted[i][h] is false.
	byWeight [2][][]int32
	sorted   [2][]bool
	// emptied[0][h*D:] is roomIfEmptied(h, false), emptied[1] with
	// true; valid while emptiedOK[h].
	emptied   [2][]float64
	emptiedOK []bool
	// room is the free room of the open hosts in use, for insert.
	room *roomTable
	// changed logs the hosts touch saw, in order, since the log last
	// filled up and started a new epoch: what insert needs to ask again
	// about a guest that found no room (see usedHostFor). A host touched
	// again with no mark taken in between is logged once.
	changed []int32
	epoch   int64
	marked  int // len(changed) at the last mark
}

// newIndexes sizes the indexes for nh hosts and D dimensions, guest lists
// for the placement host; imState fills them as it places the guests.
func newIndexes(nh, d int, host []int32) imIndexes {
	ix := imIndexes{
		recvPos:   make([]int32, nh),
		byWeight:  [2][][]int32{carve(nh, host), carve(nh, host)},
		sorted:    [2][]bool{make([]bool, nh), make([]bool, nh)},
		emptied:   [2][]float64{make([]float64, nh*d), make([]float64, nh*d)},
		emptiedOK: make([]bool, nh),
	}
	for i := range ix.recvPos {
		ix.recvPos[i] = -1
	}
	return ix
}

// carve gives each of nh hosts an empty guest list with room for the
// guests on it in host (and a few more), all from one allocation.
func carve(nh int, host []int32) [][]int32 {
	const extra = 4
	n := make([]int, nh)
	for _, x := range host {
		if x >= 0 && int(x) < nh {
			n[x]++
		}
	}
	backing := make([]int32, len(host)+extra*nh)
	out := make([][]int32, nh)
	at := 0
	for h, c := range n {
		out[h] = backing[at : at : at+c+extra]
		at += c + extra
	}
	return out
}

// setClosed opens or closes host h to new guests.
func (st *imState) setClosed(h int, closed bool) {
	if st.closed[h] != closed {
		st.closed[h] = closed
		st.touch(h)
	}
}

// touch brings the indexes up to date after host h's load, guests or
// closed flag changed: O(D), the caches of h being rebuilt when next asked.
func (st *imState) touch(h int) {
	st.sorted[0][h], st.sorted[1][h], st.emptiedOK[h] = false, false, false
	if n := len(st.changed); n == st.marked || st.changed[n-1] != int32(h) {
		if n >= changeLogCap {
			st.changed = st.changed[:0]
			st.epoch++
			st.marked = 0
		}
		st.changed = append(st.changed, int32(h))
	}
	in := !st.closed[h] && len(st.members[h]) > 0
	switch i := st.recvPos[h]; {
	case in && i < 0:
		st.recvPos[h] = int32(len(st.recv))
		st.recv = append(st.recv, int32(h))
	case !in && i >= 0:
		last := st.recv[len(st.recv)-1]
		st.recv[i] = last
		st.recvPos[last] = i
		st.recv = st.recv[:len(st.recv)-1]
		st.recvPos[h] = -1
	}
	if st.room != nil {
		st.room.update(st, h)
	}
}

// changeLogCap bounds the change log; a full log starts a new epoch.
const changeLogCap = 1 << 16

// mark is a point in the change log: epoch<<32 | position.
func (st *imState) mark() int64 {
	st.marked = len(st.changed)
	return st.epoch<<32 | int64(st.marked)
}

// changedSince returns the hosts touched since mark m, or false when m is
// from another epoch or more than limit hosts ago.
func (st *imState) changedSince(m int64, limit int) ([]int32, bool) {
	at := int(m & (1<<32 - 1))
	if m>>32 != st.epoch || len(st.changed)-at > limit {
		return nil, false
	}
	return st.changed[at:], true
}

// lightFirst returns host h's movable guests, lightest first under the
// current weighting, ties by guest index. The slice is the cache's: valid
// until h changes or the weighting does.
func (st *imState) lightFirst(h int) []int32 {
	i := st.wi
	if !st.sorted[i][h] {
		m := append(st.byWeight[i][h][:0], st.members[h]...)
		w := st.weight
		slices.SortFunc(m, func(a, b int32) int {
			if c := cmp.Compare(w[a], w[b]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		st.byWeight[i][h] = m
		st.sorted[i][h] = true
	}
	return st.byWeight[i][h]
}

// roomIfEmptied bounds the room a swap can make on host h, per dimension:
// the free room plus the largest demand of its movable guests, and the
// second largest too if two may leave (the two need not be the same
// guests in every dimension). Widened a little: a swap sums the same
// terms in another order.
func (st *imState) roomIfEmptied(h int, two bool) []float64 {
	d := st.D
	one, both := st.emptied[0][h*d:h*d+d], st.emptied[1][h*d:h*d+d]
	if !st.emptiedOK[h] {
		clear(one)  // the largest demand, then the room
		clear(both) // the second largest, then the room
		for _, g := range st.members[h] {
			for k, v := range st.p.Demand[int(g)*d : int(g)*d+d] {
				switch {
				case v > one[k]:
					one[k], both[k] = v, one[k]
				case v > both[k]:
					both[k] = v
				}
			}
		}
		for k := range d {
			r1 := st.off[h*d+k] - st.used[h*d+k] + one[k]
			r2 := r1 + both[k]
			one[k] = r1 + math.Abs(r1)*1e-12 + 1e-12
			both[k] = r2 + math.Abs(r2)*1e-12 + 1e-12
		}
		st.emptiedOK[h] = true
	}
	if two {
		return both
	}
	return one
}

// setWeight switches the weighting the pool minimises to weights[i].
func (st *imState) setWeight(i int) {
	st.wi, st.weight = i, st.weights[i]
	st.weightGen++
}
