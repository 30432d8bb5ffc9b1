package main

import (
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/report"
)

// planFormats is every output format of a plan: the planner's own
// renderers, then the HTML report, which lives in a package of its own
// (it imports planner, so planner cannot list it).
func planFormats() []planner.Format {
	return append(planner.Formats(), planner.Format{Name: "html", Render: report.Render})
}
