package report

import (
	"strings"

	"github.com/berth-dev/berth/inventory"
)

// dimension is one resource as the report shows it: a column of host bars,
// a line of the fleet chart, a column of the why-not matrix.
type dimension struct {
	ID    inventory.Dimension
	Name  string // "memory", as written in scenario files
	Title string // "Memory", for headings
}

// dimensions lists what the report shows, in order. It is the report's one
// place that knows the dimensions: when inventory grows a dimension table
// (names, units, titles), only this function changes.
func dimensions() []dimension {
	out := make([]dimension, 0, len(inventory.Dimensions))
	for _, d := range inventory.Dimensions {
		name := d.String()
		title := strings.ToUpper(name[:1]) + name[1:]
		if d == inventory.CPU || d == inventory.IOPS {
			title = strings.ToUpper(name)
		}
		out = append(out, dimension{ID: d, Name: name, Title: title})
	}
	return out
}

// amount writes an amount of d in human units ("18 GiB", "5.5k", "220 Mbps").
func amount(d inventory.Dimension, v float64) string { return inventory.FormatQuantity(d, v) }

// dimIndex is the column of d in dims, or -1.
func dimIndex(dims []dimension, d inventory.Dimension) int {
	for i, x := range dims {
		if x.ID == d {
			return i
		}
	}
	return -1
}
