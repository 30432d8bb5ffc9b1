package inventory

import (
	"fmt"
	"strings"
)

// Dimension is one kind of resource a host offers and a guest consumes.
type Dimension int

const (
	CPU    Dimension = iota // vCPUs (fractional allowed)
	Memory                  // bytes
	IOPS                    // disk operations per second
	Net                     // network bandwidth, bits per second
	NumDims
)

// Dimensions lists every dimension in order, for loops.
var Dimensions = [NumDims]Dimension{CPU, Memory, IOPS, Net}

// DimensionSpec is everything berth knows about one dimension. The
// dimensions table below is the one place that says it: units (parsing and
// printing amounts), defaults, the plan's JSON Schema, the headings of the
// plan's tables and of the explorer's columns are all derived from it.
//
// Adding a dimension (GPUs, say) is a constant above, a row in the table,
// and the code that reads it from libvirt; placement needs no change.
// docs/algorithms.md, "Adding a dimension", walks through it.
type DimensionSpec struct {
	// Name is the dimension as written in scenario files, flags and JSON.
	Name string
	// Aliases are names people write for it, suggested when they do.
	Aliases []string
	// Heading is its column heading in tables, Markdown and the explorer,
	// and Width the cells an amount takes in the explorer's fixed-width
	// tables (FormatQuantity's usual longest form).
	Heading string
	Width   int
	// Unit is the base unit amounts are kept in, for people ("vCPUs").
	Unit string
	// Schema describes an amount in the plan's JSON Schema.
	Schema string
	// Example says how amounts are written, at the end of a parse error.
	Example string
	// SampleCapacity and SampleRequest are amounts in messages that show a
	// whole vector ("e.g. {cpu: 32, memory: 256Gi, …}").
	SampleCapacity, SampleRequest string
	// Overhead is the default virtualisation overhead, a fraction of each
	// guest's use (Policy.Overhead; docs/scenario.md, Defaults).
	Overhead float64
	// DefaultCapacity is what a host is taken to have where its capacity
	// is unknown (libvirt reports no disk IOPS or network bandwidth): a
	// modest host's, for comparing a guest's use across dimensions.
	DefaultCapacity float64

	// parseUnit maps the unit written after a number (num) to its
	// multiplier.
	parseUnit func(num, unit string) (float64, error)
	// format writes an amount rounded for people (FormatQuantity).
	format func(v float64) string
	// exact are the suffixes FormatQuantityExact may write, and base the
	// suffix of an amount in the base unit ("" when none is needed).
	exact []unit
	base  string
}

// dimensions is the table. Amounts' units are described in units.go and
// docs/scenario.md ("Amounts and units").
var dimensions = [NumDims]DimensionSpec{
	CPU: {
		Name: "cpu", Aliases: []string{"vcpu", "vcpus", "cores"}, Heading: "CPU", Width: 6, Unit: "vCPUs",
		Schema:         "vCPUs (or a ratio for policy fields)",
		Example:        "write vCPUs such as 4, 0.5 or 500m",
		SampleCapacity: "32", SampleRequest: "2",
		Overhead: 0.03, DefaultCapacity: 1,
		parseUnit: cpuUnit, format: formatVCPUs,
	},
	Memory: {
		Name: "memory", Aliases: []string{"mem", "ram"}, Heading: "MEMORY", Width: 9, Unit: "bytes",
		Schema:         "bytes (or a ratio for policy fields)",
		Example:        "write bytes such as 64Gi (2^30 bytes each) or 64G (10^9 bytes each)",
		SampleCapacity: "256Gi", SampleRequest: "4Gi",
		Overhead: 0.10, DefaultCapacity: 1 << 30,
		parseUnit: memoryUnit, format: formatBytes, exact: append(append([]unit(nil), memBinary...), memDecimal...),
	},
	IOPS: {
		Name: "iops", Aliases: []string{"disk", "io"}, Heading: "IOPS", Width: 6, Unit: "disk operations per second",
		Schema:         "disk operations per second (or a ratio for policy fields)",
		Example:        "write operations per second such as 5000 or 5k",
		SampleCapacity: "20k", SampleRequest: "500",
		Overhead: 0.10, DefaultCapacity: 10000,
		parseUnit: iopsUnit, format: formatIOPS, exact: iopsUnits,
	},
	Net: {
		Name: "net", Aliases: []string{"network", "bandwidth"}, Heading: "NET", Width: 10, Unit: "bits per second",
		Schema:         "bits per second (or a ratio for policy fields)",
		Example:        "write bits per second such as 10Gbps, 500Mbps or 1Gbit/s",
		SampleCapacity: "10Gbps", SampleRequest: "100Mbps",
		Overhead: 0.10, DefaultCapacity: 10e9,
		parseUnit: netUnit, format: formatBits, exact: netUnits, base: "bps",
	},
}

// Spec is the dimension's row of the table (nil for a value that is not a
// dimension).
func (d Dimension) Spec() *DimensionSpec {
	if d >= 0 && d < NumDims {
		return &dimensions[d]
	}
	return nil
}

// String is the dimension's name as written in scenario files.
func (d Dimension) String() string {
	if s := d.Spec(); s != nil {
		return s.Name
	}
	return fmt.Sprintf("dim(%d)", int(d))
}

// DimensionNames returns the names of all dimensions in order.
func DimensionNames() []string { return column(func(s *DimensionSpec) string { return s.Name }) }

// DimensionHeadings returns the column headings of all dimensions in order
// ("CPU", "MEMORY", …), for tables and the explorer.
func DimensionHeadings() []string { return column(func(s *DimensionSpec) string { return s.Heading }) }

// DefaultOverhead is the default virtualisation overhead per dimension.
func DefaultOverhead() Vector {
	return vectorColumn(func(s *DimensionSpec) float64 { return s.Overhead })
}

// DefaultCapacities is what a host is taken to have in a dimension whose
// capacity is unknown (DimensionSpec.DefaultCapacity).
func DefaultCapacities() Vector {
	return vectorColumn(func(s *DimensionSpec) float64 { return s.DefaultCapacity })
}

// SampleVector writes a vector of sample amounts for messages, such as
// "{cpu: 32, memory: 256Gi, iops: 20k, net: 10Gbps}".
func SampleVector(request bool) string {
	s := "{"
	for i, d := range Dimensions {
		if i > 0 {
			s += ", "
		}
		amount := d.Spec().SampleCapacity
		if request {
			amount = d.Spec().SampleRequest
		}
		s += d.String() + ": " + amount
	}
	return s + "}"
}

func column(f func(*DimensionSpec) string) []string {
	out := make([]string, NumDims)
	for d := range dimensions {
		out[d] = f(&dimensions[d])
	}
	return out
}

func vectorColumn(f func(*DimensionSpec) float64) Vector {
	var v Vector
	for d := range dimensions {
		v[d] = f(&dimensions[d])
	}
	return v
}

// ParseDimension maps a name from a scenario file to a Dimension.
func ParseDimension(s string) (Dimension, bool) {
	for _, d := range Dimensions {
		if d.Spec().Name == s {
			return d, true
		}
	}
	return 0, false
}

// dimensionAlias maps a name people write for a dimension (any case) to
// the dimension's name.
func dimensionAlias(s string) (string, bool) {
	for _, d := range Dimensions {
		for _, a := range d.Spec().Aliases {
			if strings.EqualFold(a, s) {
				return d.Spec().Name, true
			}
		}
	}
	return "", false
}
