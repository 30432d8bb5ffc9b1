// Package report renders a plan as one self-contained HTML page for people:
// the fleet's utilisation before and after, a row of stacked bars per host
// (existing, this plan, free: the table's █ ▓ ░) grouped by zone and rack,
// the new guests, the moves by wave, the buy list, every unplaced guest with
// its why-not matrix, the failover check, and the policy and inputs the plan
// was made from.
//
// The page needs no network: the charts are SVG written here, the CSS and
// the little JavaScript (filter, sort, open/close, print) are inlined, and a
// Content-Security-Policy forbids loading anything. Everything taken from
// the plan is escaped by html/template. The same plan gives the same bytes.
package report

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/report/extra"
)

var (
	//go:embed assets/report.html.tmpl
	pageTemplate string
	//go:embed assets/report.css
	pageCSS string
	//go:embed assets/report.js
	pageJS string
)

// templates is parsed once; the CSS and JS are berth's own files, so they
// are marked safe to inline as they are.
var templates = template.Must(template.New("report").Funcs(template.FuncMap{
	"css": func() template.CSS { return template.CSS(pageCSS) },
	"js":  func() template.JS { return template.JS(pageJS) },
	"inc": func(i int) string { return strconv.Itoa(i + 1) },
}).Parse(pageTemplate))

// Render writes the plan as an HTML page to w. It has the signature of the
// plan renderers (planner.RenderTable, RenderMarkdown), so `berth plan -o
// html` can use it as one.
func Render(w io.Writer, p *planner.Plan) error {
	ex, err := extra.Of(p)
	if err != nil {
		return err
	}
	return renderPage(w, "page", build(p, ex))
}

// renderPage executes one template of the page (tests render fragments).
func renderPage(w io.Writer, name string, data any) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := templates.ExecuteTemplate(bw, name, data); err != nil {
		return fmt.Errorf("rendering the HTML report: %w", err)
	}
	return bw.Flush()
}
