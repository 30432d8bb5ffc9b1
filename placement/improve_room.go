package placement

// roomTable keeps the free room of every open host in use, one array per
// dimension, current through imState.touch, so that insert can pass over
// the hosts without room for a guest at a comparison or two each: most fail
// in the guest's tightest dimension, whose array is read alone. (The
// construction's tree index, index.go, prunes nothing here: hosts nearly
// full in different dimensions leave every subtree room in each dimension,
// and a walk visited about as many nodes as there are hosts.) It only
// filters by capacity; imState.fits decides.
type roomTable struct {
	free [][]float64 // [k][h]; −1 for hosts closed or not in use
}

// roomSlack widens each host's free room by this share of its offer: the
// table computes room as offer − used, fits compares used + demand with
// the offer, and the two may round apart by an ulp. The widening keeps
// the table from hiding a host that fits.
const roomSlack = 1e-9

func newRoomTable(st *imState) *roomTable {
	r := &roomTable{free: make([][]float64, st.D)}
	for k := range r.free {
		r.free[k] = make([]float64, st.nh)
	}
	for h := range st.nh {
		r.update(st, h)
	}
	return r
}

// update refreshes host h's room from the state.
func (r *roomTable) update(st *imState, h int) {
	d := st.D
	open := !st.closed[h] && st.inUse(h)
	for k, free := range r.free {
		free[h] = -1
		if open {
			o := st.off[h*d+k]
			free[h] = o - st.used[h*d+k] + o*roomSlack + roomSlack
		}
	}
}

// next returns the first host from h on whose room covers dem (len D), or
// −1. Dimension k0 is compared first: the caller passes the one where dem
// is largest, the likeliest to refuse.
func (r *roomTable) next(h int, dem []float64, k0 int) int {
	first, v0 := r.free[k0], dem[k0]
hosts:
	for ; h < len(first); h++ {
		if v0 > first[h] {
			continue
		}
		for k, v := range dem {
			if v > r.free[k][h] {
				continue hosts
			}
		}
		return h
	}
	return -1
}
