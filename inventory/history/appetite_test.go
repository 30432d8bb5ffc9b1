package history

import (
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/google/go-cmp/cmp"
)

const gi = 1 << 30

// all says every dimension has a figure.
var all = [inventory.NumDims]bool{true, true, true, true}

func TestClassify(t *testing.T) {
	// The allocation of a 4-vCPU, 16 GiB guest with 1,000 IOPS and 1 Gbit/s.
	alloc := inventory.Vector{4, 16 * gi, 1000, 1e9}
	rule := DefaultAppetiteRule() // 10 points, 1% idle
	noMemory := rule
	noMemory.Ignore[inventory.Memory] = true

	cases := []struct {
		name  string
		use   inventory.Vector
		known [inventory.NumDims]bool
		alloc inventory.Vector
		rule  AppetiteRule
		want  string
	}{
		{
			// cpu 1/4 = 25%, memory 2/16 = 12.5%, iops 185/1000 = 18.5%,
			// net 0.1/1 = 10%: lead 25 − 18.5 = 6.5 < 10.
			name: "issue's example: margin too small",
			use:  inventory.Vector{1, 2 * gi, 185, 0.1e9}, known: all, alloc: alloc, rule: rule,
			want: "none: cpu 25% vs iops 18.5%: margin 6.5 points < 10",
		},
		{
			// cpu 3.2/4 = 80%, iops 120/1000 = 12%, memory 4/16 = 25%,
			// net 5%: lead 80 − 25 = 55 ≥ 10.
			name: "cpu-heavy",
			use:  inventory.Vector{3.2, 4 * gi, 120, 0.05e9}, known: all, alloc: alloc, rule: rule,
			want: "cpu: cpu 80% vs memory 25%: lead 55 points ≥ 10",
		},
		{
			// iops 900/1000 = 90%, cpu 0.4/4 = 10%, memory 1/16 = 6.25%:
			// lead 80.
			name: "iops-heavy",
			use:  inventory.Vector{0.4, 1 * gi, 900, 0}, known: all, alloc: alloc, rule: rule,
			want: "iops: iops 90% vs cpu 10%: lead 80 points ≥ 10",
		},
		{
			// memory 15/16 = 93.75% would lead, but it is ignored (the
			// balloon's size): cpu 50% vs iops 5%: lead 45.
			name: "memory ignored as occupancy",
			use:  inventory.Vector{2, 15 * gi, 50, 0}, known: all, alloc: alloc, rule: noMemory,
			want: "cpu: cpu 50% vs iops 5%: lead 45 points ≥ 10",
		},
		{
			// Same figures, memory compared: 93.75 − 50 = 43.75 → 43.8.
			name: "memory compared",
			use:  inventory.Vector{2, 15 * gi, 50, 0}, known: all, alloc: alloc, rule: rule,
			want: "memory: memory 93.8% vs cpu 50%: lead 43.8 points ≥ 10",
		},
		{
			// cpu 1.2/4 = 30%, iops 200/1000 = 20%: lead exactly 10
			// (9.999999999999998 in floating point) counts.
			name: "lead exactly the margin",
			use:  inventory.Vector{1.2, 0, 200, 0}, known: all, alloc: alloc, rule: noMemory,
			want: "cpu: cpu 30% vs iops 20%: lead 10 points ≥ 10",
		},
		{
			// A TCG guest that burns I/O: 0.1 core of 1 = 10%, 800 of 100
			// IOPS = 800%: lead 790.
			name: "share over 100%",
			use:  inventory.Vector{0.1, 0, 800, 0}, known: all,
			alloc: inventory.Vector{1, 64 << 20, 100, 0}, rule: noMemory,
			want: "iops: iops 800% vs cpu 10%: lead 790 points ≥ 10",
		},
		{
			// cpu 0.02/4 = 0.5%, iops 3/1000 = 0.3%: under 1%.
			name: "idle",
			use:  inventory.Vector{0.02, 0, 3, 0}, known: all, alloc: alloc, rule: noMemory,
			want: "none: idle: the largest share, cpu 0.5%, is under 1%",
		},
		{
			// Equal shares: cpu 2/4 = 50%, iops 500/1000 = 50%; cpu
			// comes first, lead 0.
			name: "tie",
			use:  inventory.Vector{2, 0, 500, 0}, known: all, alloc: alloc, rule: noMemory,
			want: "none: cpu 50% vs iops 50%: margin 0 points < 10",
		},
		{
			// Net has no allocation and iops no figure: only cpu is left.
			name:  "one dimension left",
			use:   inventory.Vector{2, 0, 0, 5e6},
			known: [inventory.NumDims]bool{true, true, false, true},
			alloc: inventory.Vector{4, 16 * gi, 1000, 0}, rule: noMemory,
			want: "none: only cpu has history and an allocation: nothing to compare it with",
		},
		{
			name: "nothing known",
			use:  inventory.Vector{}, alloc: alloc, rule: rule,
			want: "none: no dimension has both history and an allocation",
		},
		{
			// A 25-point margin: cpu 80% vs memory 62.5% is a 17.5 lead.
			name: "margin configured",
			use:  inventory.Vector{3.2, 10 * gi, 100, 0}, known: all, alloc: alloc,
			rule: AppetiteRule{Margin: 25, IdleShare: 0.01},
			want: "none: cpu 80% vs memory 62.5%: margin 17.5 points < 25",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Classify(c.use, c.known, c.alloc, c.rule).String()
			if got != c.want {
				t.Errorf("Classify = %q\nwant        %q", got, c.want)
			}
		})
	}
}

func TestClassifyFields(t *testing.T) {
	// cpu 3/4 = 75%, iops 100/1000 = 10%: classified cpu, lead 65.
	a := Classify(inventory.Vector{3, 0, 100, 0}, [inventory.NumDims]bool{true, false, true, false},
		inventory.Vector{4, 16 * gi, 1000, 1e9}, DefaultAppetiteRule())
	want := Appetite{
		Dimension: inventory.CPU, Verdict: VerdictClassified,
		Shares:   inventory.Vector{0.75, 0, 0.1, 0},
		Compared: [inventory.NumDims]bool{true, false, true, false},
		Leader:   inventory.CPU, Next: inventory.IOPS,
		Margin: 10, IdleShare: 0.01,
	}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("Classify (-want +got):\n%s", diff)
	}
	if !a.Classified() || a.Lead() != 65 {
		t.Errorf("Classified() = %v, Lead() = %v; want true, 65", a.Classified(), a.Lead())
	}
}

func TestUsageClassifyIgnoresOccupancy(t *testing.T) {
	u := &Usage{Occupancy: [inventory.NumDims]bool{inventory.Memory: true}}
	// memory 64/64 MiB = 100% is the balloon's size; cpu 0.3/1 = 30% vs
	// iops 5/100 = 5% decides.
	g := &GuestUsage{Quantile: inventory.Vector{0.3, 64 << 20, 5, 0}, Has: [inventory.NumDims]bool{true, true, true, false}}
	a := u.Classify(g, inventory.Vector{1, 64 << 20, 100, 0}, DefaultAppetiteRule())
	if got, want := a.String(), "cpu: cpu 30% vs iops 5%: lead 25 points ≥ 10"; got != want {
		t.Errorf("Usage.Classify = %q, want %q", got, want)
	}
}

func TestProfileFor(t *testing.T) {
	profiles := inventory.BuiltInProfiles()
	for d, want := range map[inventory.Dimension]string{inventory.CPU: "web", inventory.Memory: "cache", inventory.IOPS: "db", inventory.Net: ""} {
		got, ok := ProfileFor(d, profiles)
		if got != want || ok != (want != "") {
			t.Errorf("ProfileFor(%s) = %q, %v; want %q", d, got, ok, want)
		}
	}
}

func TestAppetiteOnePoint(t *testing.T) {
	// cpu 0.011/1 = 1.1%, iops 0.1/100 = 0.1%: a 1-point lead.
	a := Classify(inventory.Vector{0.011, 0, 0.1, 0}, all, inventory.Vector{1, 0, 100, 0}, AppetiteRule{Margin: 2, IdleShare: 0.01})
	if got, want := a.String(), "none: cpu 1.1% vs iops 0.1%: margin 1 point < 2"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
