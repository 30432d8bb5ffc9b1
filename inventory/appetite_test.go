package inventory

import "testing"

const gi = 1 << 30

func TestClassifyAppetite(t *testing.T) {
	host := Vector{CPU: 64, Memory: 256 * gi, IOPS: 20000, Net: 10e9}
	for _, tc := range []struct {
		name     string
		observed Vector
		capacity Vector
		want     string
	}{
		// 16/64 = 25% CPU, 4/256 = 1.6% memory, 200/20000 = 1% IOPS.
		{"cpu heavy", Vector{CPU: 16, Memory: 4 * gi, IOPS: 200}, host, "web"},
		// 2/64 = 3.1% CPU, 8/256 = 3.1% memory, 3000/20000 = 15% IOPS.
		{"io heavy", Vector{CPU: 2, Memory: 8 * gi, IOPS: 3000}, host, "db"},
		// 0.5/64 = 0.8% CPU, 48/256 = 18.8% memory, 50/20000 = 0.25% IOPS.
		{"memory heavy", Vector{CPU: 0.5, Memory: 48 * gi, IOPS: 50}, host, "cache"},
		// Unknown IOPS capacity: against the 10,000 reference, 3000 = 30%.
		{"io heavy, capacity unknown", Vector{CPU: 2, Memory: 8 * gi, IOPS: 3000}, Vector{CPU: 64, Memory: 256 * gi}, "db"},
		// Net is nobody's appetite: 9 Gbit/s = 90% is ignored; 1/64 = 1.6% CPU wins.
		{"net is not an appetite", Vector{CPU: 1, Memory: 1 * gi, Net: 9e9}, host, "web"},
		// Everything under 1%: 0.1/64, 1/256, 10/20000.
		{"idle", Vector{CPU: 0.1, Memory: 1 * gi, IOPS: 10}, host, ""},
		// The same share, 25%, in CPU and memory: the earlier profile (cache).
		{"tie", Vector{CPU: 16, Memory: 64 * gi}, host, "cache"},
		{"nothing observed", Vector{}, host, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ClassifyAppetite(tc.observed, tc.capacity, BuiltInProfiles())
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("ClassifyAppetite = %q, %v; want %q", got, ok, tc.want)
			}
		})
	}
}
