package inventory

import (
	"strings"
	"testing"
)

// TestDimensionTable: every row of the dimension table is complete, so a
// dimension added with a half-written row fails here rather than in a
// message or a plan file: its samples read back as amounts, its format
// and exact form round-trip, its names and aliases are its own.
func TestDimensionTable(t *testing.T) {
	seen := map[string]Dimension{}
	for _, d := range Dimensions {
		s := d.Spec()
		t.Run(s.Name, func(t *testing.T) {
			for field, v := range map[string]string{"Name": s.Name, "Heading": s.Heading, "Unit": s.Unit, "Schema": s.Schema, "Example": s.Example} {
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s is empty", field)
				}
			}
			if s.Width < len(s.Heading) {
				t.Errorf("Width %d is narrower than the heading %q", s.Width, s.Heading)
			}
			if s.parseUnit == nil || s.format == nil {
				t.Fatal("no parser or no format")
			}
			for _, sample := range []string{s.SampleCapacity, s.SampleRequest} {
				if x, err := ParseQuantity(d, sample); err != nil || x <= 0 {
					t.Errorf("sample %q reads as %g, %v; want an amount > 0", sample, x, err)
				}
			}
			if !(s.Overhead >= 0 && s.Overhead <= 10) {
				t.Errorf("default overhead %g is outside [0, 10]", s.Overhead)
			}
			if !(s.DefaultCapacity > 0) {
				t.Errorf("default capacity %g, want > 0", s.DefaultCapacity)
			}
			// An amount printed exactly reads back exactly; one printed
			// for people reads back (below 10⁹: iops of 3.2G print so but
			// do not parse, a known gap no real disk reaches).
			for _, x := range []float64{1, 1000, 123456789, 3 << 30} {
				if got, err := ParseQuantity(d, FormatQuantityExact(d, x)); err != nil || got != x {
					t.Errorf("%g → %q → %g, %v", x, FormatQuantityExact(d, x), got, err)
				}
				if _, err := ParseQuantity(d, FormatQuantity(d, x)); err != nil && x < 1e9 {
					t.Errorf("FormatQuantity(%g) = %q does not read back: %v", x, FormatQuantity(d, x), err)
				}
			}
			for _, name := range append([]string{s.Name}, s.Aliases...) {
				if other, dup := seen[strings.ToLower(name)]; dup {
					t.Errorf("%q names both %v and %v", name, other, d)
				}
				seen[strings.ToLower(name)] = d
			}
			if got, ok := ParseDimension(s.Name); !ok || got != d {
				t.Errorf("ParseDimension(%q) = %v, %v", s.Name, got, ok)
			}
		})
	}
	if Dimension(NumDims).Spec() != nil || Dimension(-1).Spec() != nil {
		t.Error("Spec of a value that is not a dimension is not nil")
	}
}

// TestDerivedFromTable: what is derived from the table says what the
// table says, in the table's order.
func TestDerivedFromTable(t *testing.T) {
	if got, want := SampleVector(false), "{cpu: 32, memory: 256Gi, iops: 20k, net: 10Gbps}"; got != want {
		t.Errorf("SampleVector(false) = %q, want %q", got, want)
	}
	if got, want := strings.Join(DimensionHeadings(), " "), "CPU MEMORY IOPS NET"; got != want {
		t.Errorf("DimensionHeadings() = %q, want %q", got, want)
	}
	if got, want := DefaultPolicy().Overhead, (Vector{CPU: 0.03, Memory: 0.1, IOPS: 0.1, Net: 0.1}); got != want {
		t.Errorf("default overhead %v, want %v", got, want)
	}
	if got, want := DefaultCapacities(), (Vector{CPU: 1, Memory: 1 << 30, IOPS: 10000, Net: 10e9}); got != want {
		t.Errorf("DefaultCapacities() = %v, want %v", got, want)
	}
	for alias, want := range map[string]string{"RAM": "memory", "vcpus": "cpu", "bandwidth": "net", "disk": "iops"} {
		if got, ok := dimensionAlias(alias); !ok || got != want {
			t.Errorf("dimensionAlias(%q) = %q, %v; want %q", alias, got, ok, want)
		}
	}
}
