package main

import (
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/report"
)

// planFormats is every output format of a plan: the planner's own
// renderers, then the HTML report, which lives in a package of its own
// (it imports planner, so planner cannot list it).
func planFormats() []planner.Format { return planFormatsSigned(planner.PlanFiles{}) }

// planFormatsSigned is planFormats with the plan files (JSON, YAML)
// written through pf, so that they carry a signature when pf has a key.
func planFormatsSigned(pf planner.PlanFiles) []planner.Format {
	fs := append(planner.Formats(), planner.Format{Name: "html", Render: report.Render})
	for i := range fs {
		switch fs[i].Name {
		case "json":
			fs[i].Render = pf.EncodeJSON
		case "yaml":
			fs[i].Render = pf.EncodeYAML
		}
	}
	return fs
}
