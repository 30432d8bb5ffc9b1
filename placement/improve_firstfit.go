package placement

// firstFit packs guests first fit onto a fixed order of hosts, for
// restart. Like roomTable it keeps each host's free room in one flat
// array, here in that order, so that passing over the hosts without room
// costs a few comparisons each: on a fleet a guest's first fit lies
// hundreds of hosts in. (Trees do not help: the hosts passed over are
// each full in some dimension, which one varies from host to host, so a
// tree of per-dimension maxima, index.go, prunes nothing, and leapfrogging
// over one max tree per dimension took twice as long as the scan.)
type firstFit struct {
	st    *imState
	hosts []int
	free  []float64 // len(hosts)*D
}

func newFirstFit(st *imState, hosts []int) *firstFit {
	return &firstFit{st: st, hosts: hosts, free: make([]float64, len(hosts)*st.D)}
}

// refresh sets position i's room from the state, widened by roomSlack as
// in roomTable.
func (ff *firstFit) refresh(i int) {
	st, d := ff.st, ff.st.D
	h := ff.hosts[i]
	for k := range d {
		o := st.off[h*d+k]
		ff.free[i*d+k] = o - st.used[h*d+k] + o*roomSlack + roomSlack
	}
}

// pass places the unplaced guests order first fit. It reports whether all
// found a host; it gives up early, reporting false, once as many hosts
// are in use as bestUsed, since the pass could then not beat it.
func (ff *firstFit) pass(se *search, order []int32, bestUsed int) bool {
	st, d := ff.st, ff.st.D
	for i := range ff.hosts {
		ff.refresh(i)
	}
	for n, g := range order {
		if n&63 == 0 && se.timeUp() {
			return false
		}
		if used, _ := st.hostsInUse(); used >= bestUsed {
			return false
		}
		i := ff.first(int(g), st.p.Demand[int(g)*d:int(g)*d+d], se.tightest[g])
		if i < 0 {
			return false
		}
		st.add(int(g), ff.hosts[i])
		ff.refresh(i)
	}
	return true
}

// first is the position of the first host where g fits, −1 if none;
// dimension k0 is compared first.
func (ff *firstFit) first(g int, dem []float64, k0 int) int {
	d := ff.st.D
	v0 := dem[k0]
next:
	for i := range ff.hosts {
		free := ff.free[i*d : i*d+d]
		if v0 > free[k0] {
			continue
		}
		for k, v := range dem {
			if v > free[k] {
				continue next
			}
		}
		if ff.st.fits(g, ff.hosts[i]) {
			return i
		}
	}
	return -1
}
