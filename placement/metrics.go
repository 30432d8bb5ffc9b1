package placement

import "math"

// strandedTight is the free share under which a dimension counts as
// exhausted for Metrics.Stranded: 5% of the host.
const strandedTight = 0.05

// Evaluate summarises s (see Metrics for each figure). It recomputes from
// the problem and the solution alone.
func Evaluate(p *Problem, s *Solution) Metrics {
	d := p.D()
	m := Metrics{Utilisation: make([]float64, d), Stranded: make([]float64, d)}
	if s == nil || p.validated() != nil {
		return m
	}
	st := stateOf(p, s, -1)
	before := make([]bool, p.H())
	for _, h := range p.ExistingHost {
		before[h] = true
	}
	for _, b := range before {
		if b {
			m.HostsBefore++
		}
	}
	for g := range p.G() {
		if g < len(s.Host) && s.Host[g] != NoHost && int(s.Host[g]) < st.n && s.Host[g] >= 0 {
			m.Placed++
		} else {
			m.Unplaced++
		}
	}
	m.NewHosts = len(s.NewHosts)
	usedSum := make([]float64, d)
	offSum := make([]float64, d)
	var fills []float64
	for h := range st.n {
		if st.guests[h] == 0 {
			continue
		}
		m.HostsUsed++
		used, off := st.used[h*d:h*d+d], st.offered[h*d:h*d+d]
		lo, fill, n := math.Inf(1), 0.0, 0
		for k := range d {
			usedSum[k] += used[k]
			offSum[k] += off[k]
			if off[k] > 0 {
				lo = min(lo, (off[k]-used[k])/off[k])
				fill += used[k] / off[k]
				n++
			}
			// Pairs of same-appetite guests sharing the host: the soft
			// rule charges Penalty per pair (each guest pays per guest of
			// its appetite already there).
			if c := st.app[h*d+k]; c >= 2 {
				m.AppetiteStacked += int(c * (c - 1) / 2)
			}
		}
		if n > 0 {
			fills = append(fills, fill/float64(n))
		}
		if lo <= strandedTight {
			for k := range d {
				if off[k] > 0 && (off[k]-used[k])/off[k] > strandedTight {
					m.Stranded[k] += off[k] - used[k]
				}
			}
		}
	}
	for k := range d {
		if offSum[k] > 0 {
			m.Utilisation[k] = usedSum[k] / offSum[k]
		}
	}
	if len(fills) > 0 {
		mean := 0.0
		for _, f := range fills {
			mean += f
		}
		mean /= float64(len(fills))
		v := 0.0
		for _, f := range fills {
			v += (f - mean) * (f - mean)
		}
		m.Balance = math.Sqrt(v / float64(len(fills)))
	}
	return m
}
