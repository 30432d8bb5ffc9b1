package report

import (
	"io"
	"testing"
)

// BenchmarkRender1000Hosts measures writing the HTML page of a plan for a
// generated fleet of 1,000 hosts (the plan is made once, outside the loop).
// The page's target is to open in a browser within 2 s; TestReportInChromium
// logs the browser's side.
//
//	go test -tags libvirt_dlopen ./planner/report -run '^$' -bench Render -benchmem
func BenchmarkRender1000Hosts(b *testing.B) {
	p := generatedPlan(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if err := Render(io.Discard, p); err != nil {
			b.Fatal(err)
		}
	}
}
