package placement

import (
	"fmt"
	"math"
	"testing"
)

// hv is a one-line fixture for a two-dimensional host view (cpu, memory).
func hv(offered, used, demand [2]float64) *hostView {
	return &hostView{Offered: offered[:], Used: used[:], Demand: demand[:], InUse: true}
}

func TestScoringFormulas(t *testing.T) {
	// The running example of the doc comments: a host offering 32 vCPUs and
	// 128 GiB, 8 vCPUs and 120 GiB used, and a web guest of 4 vCPUs, 8 GiB.
	ex := func() *hostView { return hv([2]float64{32, 128}, [2]float64{8, 120}, [2]float64{4, 8}) }
	tests := []struct {
		name string
		f    func(*hostView) float64
		v    *hostView
		want float64
	}{
		// a = (4/32, 8/128) = (0.125, 0.0625); b = (24/32, 8/128) = (0.75, 0.0625)
		// a·b = 0.09375 + 0.00390625 = 0.09765625
		// |a||b| = √0.01953125 · √0.56640625 = 0.139754 · 0.752599 = 0.105180
		// 0.09765625 / 0.105180 = 0.928475
		{"alignment/web on spare cpu", alignment, ex(), 0.928475},
		// same guest where memory is left over: b = (2/32, 96/128) = (0.0625, 0.75)
		// a·b = 0.0078125 + 0.046875 = 0.0546875; |b| = 0.752599
		// 0.0546875 / 0.105180 = 0.519942
		{"alignment/web on spare memory", alignment, hv([2]float64{32, 128}, [2]float64{30, 32}, [2]float64{4, 8}), 0.519942},
		// nothing left: |b| = 0 ⇒ 0
		{"alignment/full host", alignment, hv([2]float64{32, 128}, [2]float64{32, 128}, [2]float64{4, 8}), 0},
		// (12/32 + 128/128)/2 = (0.375 + 1)/2
		{"fill", fillAfter, ex(), 0.6875},
		// leftover shares (32−30)/32 = 0.0625, (128−40)/128 = 0.6875: 0.6875 − 0.0625
		{"stranded", strandedAfter, hv([2]float64{32, 128}, [2]float64{24, 32}, [2]float64{6, 8}), 0.625},
		// leftover shares 0.625 and 0: −(0.625² + 0²)/2 = −0.390625/2
		{"bestfit", func(v *hostView) float64 { return scoreBestFit(v).Total }, ex(), -0.1953125},
		// 1 − fill = 1 − 0.6875
		{"spread", func(v *hostView) float64 { return scoreSpread(v).Total }, ex(), 0.3125},
		// 20 − (10^0.625 + 10^0) = 20 − (4.216965 + 1) = 14.783035; /18
		{"nomad", nomadBinPack, ex(), 0.821280},
		// nomad on an exactly full host: 20 − (1 + 1) = 18; /18
		{"nomad/perfect fit", nomadBinPack, hv([2]float64{32, 128}, [2]float64{28, 120}, [2]float64{4, 8}), 1},
		// nomad on an empty host for a zero guest: 20 − (10 + 10) = 0
		{"nomad/empty", nomadBinPack, hv([2]float64{32, 128}, [2]float64{0, 0}, [2]float64{0, 0}), 0},
		// kube MostAllocated: (12·100/32 + 128·100/128)/2/100 = (37.5 + 100)/200
		{"kube", func(v *hostView) float64 { return scoreKube(v).Total }, ex(), 0.6875},
		// align, pack, no weights (the move planner's view): 0.928475 +
		// 0.6875 (fill) − 0.625 (stranded) = 0.990975
		{"align/pack", func(v *hostView) float64 { return scoreAlign(v).Total }, ex(), 0.990975},
		// align, pack, weights all 1: 0.928475/2 + 0.6875 (fill) = 1.151738
		// (stranded is reported, not counted)
		{"align/pack weighted", func(v *hostView) float64 {
			v.Weight = []float64{1, 1}
			return scoreAlign(v).Total
		}, ex(), 1.151738},
		// weighted (1, 0.5): a = (0.125, 0.03125), b = (0.75, 0.03125);
		// a·b = 0.0947266, |a| = 0.128847, |b| = 0.750651 ⇒ 0.979398
		{"align/weighted alignment", func(v *hostView) float64 {
			v.Weight = []float64{1, 0.5}
			return weightedAlignment(v)
		}, ex(), 0.979398},
		// weighted fill: (1·12/32 + 0.5·128/128)/1.5 = 0.583333
		{"align/weighted fill", func(v *hostView) float64 {
			v.Weight = []float64{1, 0.5}
			return weightedFill(v)
		}, ex(), 0.583333},
		// weighted total: 0.979398/2 + 0.583333 = 1.073032
		{"align/weighted pack", func(v *hostView) float64 {
			v.Weight = []float64{1, 0.5}
			return scoreAlign(v).Total
		}, ex(), 1.073032},
		// weighted stranded: leftovers 1·0.625 and 0.5·0 ⇒ 0.625
		{"align/weighted stranded", func(v *hostView) float64 {
			v.Weight = []float64{1, 0.5}
			return weightedStranded(v)
		}, ex(), 0.625},
		// align, spread: 0.928475 − 0.6875 − 0.625 = −0.384025
		{"align/spread", func(v *hostView) float64 {
			v.Objective = ObjectiveSpread
			return scoreAlign(v).Total
		}, ex(), -0.384025},
		// align, pack, two same-appetite guests there, penalty 0.25:
		// 1.151738 − 2·0.25 = 0.651738
		// (weights all 1)
		{"align/appetite penalty", func(v *hostView) float64 {
			v.Stacked, v.Penalty, v.Weight = 2, 0.25, []float64{1, 1}
			return scoreAlign(v).Total
		}, ex(), 0.651738},
		// hardness: ref (32, 128), demand (8, 16): max(0.25, 0.125) + (0.25+0.125)/2
		{"hardness", func(*hostView) float64 { return hardness([]float64{8, 16}, []float64{32, 128}) }, nil, 0.4375},
		// ceilNeed: (40, 160) on (32, 128): ⌈max(1.25, 1.25)⌉ = 2
		{"ceilNeed", func(*hostView) float64 { return ceilNeed([]float64{40, 160}, []float64{32, 128}) }, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f(tt.v); math.Abs(got-tt.want) > 5e-6 {
				t.Errorf("got %.6f, want %.6f", got, tt.want)
			}
		})
	}
}

func TestStrategiesListed(t *testing.T) {
	got := Strategies()
	want := []string{"align", "bestfit", "firstfit", "kube", "nomad", "spread"}
	if len(got) != len(want) {
		t.Fatalf("Strategies() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Strategies() = %v, want %v", got, want)
		}
	}
	if _, err := Solve(fleet(seedFleet()), Options{Strategy: "nope"}); err == nil {
		t.Error("unknown strategy accepted")
	}
}

func TestScarcity(t *testing.T) {
	// The doc comment's example: demand (900 cpu, 4,000 GiB, 50 Gbps) on
	// 20 hosts of (64, 512, 25): s = (0.703, 0.391, 0.1) ⇒ /0.703.
	p := &Problem{DimNames: []string{"cpu", "memory", "net"}}
	for i := range 20 {
		p.HostNames = append(p.HostNames, fmt.Sprint("h", i))
		p.Offered = append(p.Offered, 64, 512, 25)
		p.Rack = append(p.Rack, int32(i))
		p.Zone = append(p.Zone, int32(i))
	}
	for i := range 10 {
		p.GuestNames = append(p.GuestNames, fmt.Sprint("g", i))
		p.Demand = append(p.Demand, 90, 400, 5)
		p.Appetite = append(p.Appetite, -1)
		p.Group = append(p.Group, NoHost)
	}
	got := scarcity(p)
	want := []float64{1, (4000.0 / 10240) / (900.0 / 1280), (50.0 / 500) / (900.0 / 1280)}
	for k := range want {
		if math.Abs(got[k]-want[k]) > 1e-9 {
			t.Fatalf("scarcity = %v, want %v", got, want)
		}
	}
	if math.Abs(got[1]-0.5556) > 1e-3 || math.Abs(got[2]-0.1422) > 1e-3 {
		t.Fatalf("scarcity = %v, want about (1, 0.56, 0.14)", got)
	}
}
