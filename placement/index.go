package placement

import "math/bits"

// index finds hosts with room for a demand without scanning every host. It
// is a complete binary tree over host indices (a "tournament tree", the
// structure that makes first fit O(log n) per item in one dimension) whose
// nodes keep, per dimension, the largest free room of any active host below
// them. A subtree whose maximum in some dimension is below the demand holds
// no host that fits, so the search skips it whole. In several dimensions the
// per-dimension maxima can come from different hosts, so a node that passes
// may still hold no fitting host; the leaves are exact.
//
// Inactive leaves (hosts not in this index) hold −1, below any demand.
// Everything is one flat slice: node i's maxima are max[i*D : i*D+D], the
// root is node 1, the leaf of host h is node size+h.
type index struct {
	d    int
	size int // leaves, a power of two
	max  []float64
	// ref normalises room for the spread descent order (the reference
	// host of order.go).
	ref []float64
}

func newIndex(hosts, d int, ref []float64) *index {
	size := 1
	for size < hosts {
		size *= 2
	}
	x := &index{d: d, size: size, max: make([]float64, 2*size*d), ref: ref}
	for i := range x.max {
		x.max[i] = -1
	}
	return x
}

// set makes host h active with the given free room (len D) and updates its
// ancestors.
func (x *index) set(h int, free []float64) {
	d := x.d
	i := x.size + h
	copy(x.max[i*d:i*d+d], free)
	x.pull(i)
}

// clear makes host h inactive.
func (x *index) clear(h int) {
	d := x.d
	i := x.size + h
	leaf := x.max[i*d : i*d+d]
	for k := range leaf {
		leaf[k] = -1
	}
	x.pull(i)
}

func (x *index) pull(i int) {
	d := x.d
	for i > 1 {
		i /= 2
		n, l, r := x.max[i*d:i*d+d], x.max[2*i*d:2*i*d+d], x.max[(2*i+1)*d:(2*i+1)*d+d]
		for k := range n {
			n[k] = max(l[k], r[k])
		}
	}
}

// cursor is one depth-first walk over an index. The stack never holds more
// than two entries per level.
type cursor struct {
	stack  [128]int32
	top    int
	spread bool // descend into the child with more room first
	visits int  // nodes visited so far
	// flip, when non-zero, swaps the children of every node at depth j when
	// bit j+1 of flip is set: the walk then meets the leaves in the order of
	// their index XOR a per-search mask, so the first fitting hosts it finds
	// are a sample spread over the whole index rather than the lowest
	// indices.
	flip uint64
}

func (x *index) start(c *cursor, spread bool) {
	c.stack[0] = 1
	c.top = 1
	c.spread = spread
	c.visits = 0
}

// next returns the next active host, in index order (or roomiest subtree
// first when spreading), whose free room covers dem in every dimension, or
// −1 when there is none left. Hosts not passing the capacity test are never
// returned; the caller checks the other rules.
func (x *index) next(c *cursor, dem []float64) int {
	d := x.d
	for c.top > 0 {
		c.top--
		i := int(c.stack[c.top])
		c.visits++
		node := x.max[i*d : i*d+d]
		node = node[:len(dem)]
		ok := true
		for k, v := range dem {
			if node[k] < v {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if i >= x.size {
			return i - x.size
		}
		l, r := 2*i, 2*i+1
		if c.spread {
			if x.room(r) > x.room(l) {
				l, r = r, l
			}
		} else if c.flip != 0 && c.flip>>(bits.Len(uint(i))&63)&1 != 0 {
			l, r = r, l
		}
		c.stack[c.top] = int32(r)
		c.stack[c.top+1] = int32(l)
		c.top += 2
	}
	return -1
}

// room is a node's summed normalised maxima, the spread descent key.
func (x *index) room(i int) float64 {
	d := x.d
	s := 0.0
	for k, v := range x.max[i*d : i*d+d] {
		s += v / x.ref[k]
	}
	return s
}
