package bench

import "github.com/berth-dev/berth/vbp"

// checkBins is the independent checker: from the instance alone it
// recomputes each bin's load and reports the number of bins in use and
// whether every item is in a bin and no bin exceeds the capacity in any
// dimension.
func checkBins(inst *vbp.Instance, bin []int) (hosts int, valid bool) {
	if len(bin) != len(inst.Items) {
		return 0, false
	}
	d := inst.Dims
	load := map[int][]int64{}
	for i, b := range bin {
		if b < 0 {
			return 0, false
		}
		l := load[b]
		if l == nil {
			l = make([]int64, d)
			load[b] = l
		}
		for k := range d {
			l[k] += inst.Items[i][k]
		}
	}
	for _, l := range load {
		for k := range d {
			if l[k] > inst.Capacity[k] {
				return len(load), false
			}
		}
	}
	return len(load), true
}
