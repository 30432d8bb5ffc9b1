package report

import (
	"strconv"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner/report/extra"
)

// Sparkline geometry, in SVG user units.
const (
	sparkWidth  = 120
	sparkHeight = 24
)

// sparkline is a host's observed use over time: one line per dimension, as
// a share of what the host offers (the top edge is 100%).
type sparkline struct {
	Lines []sparkLine
	Title string
}

type sparkLine struct {
	Class  string // s0…s3: the dimension's colour
	Points string // "x,y x,y …"
	Name   string
}

// newSparkline draws samples against offered; nil without samples.
func newSparkline(offered inventory.Vector, samples []extra.Sample) *sparkline {
	if len(samples) == 0 {
		return nil
	}
	s := &sparkline{Title: "observed use, " + strconv.Itoa(len(samples)) + " samples"}
	if first, last := samples[0].Time, samples[len(samples)-1].Time; first != "" && last != "" {
		s.Title += " from " + first + " to " + last
	}
	for i, d := range dimensions() {
		if offered[d.ID] <= 0 {
			continue
		}
		pts := make([]string, len(samples))
		for j, smp := range samples {
			x := 0.0
			if len(samples) > 1 {
				x = float64(j) / float64(len(samples)-1) * sparkWidth
			}
			share := min(max(smp.Use[d.ID]/offered[d.ID], 0), 1)
			y := sparkHeight - share*sparkHeight
			pts[j] = width(x) + "," + width(y)
		}
		s.Lines = append(s.Lines, sparkLine{Class: "s" + strconv.Itoa(i), Points: strings.Join(pts, " "), Name: d.Name})
	}
	return s
}
