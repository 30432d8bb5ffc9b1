package pages

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
)

// stuckHead writes the head of the guest screen for a running guest that
// a plan with moves could not move: where it runs, the move it needed and
// why it stays, and the reasons summarised as for a new guest that fits
// nowhere (the matrix below has a row per refusing host).
func (g *Guest) stuckHead(b *strings.Builder, s *planner.StuckGuest, width int) {
	st := g.ctx.Styles
	kept := ""
	for _, k := range g.ctx.Plan.Edits.Keep {
		if k == s.Guest {
			kept = st.Warn.Render(" · kept in place")
		}
	}
	b.WriteString(st.Heading.Render(common.Trunc(fmt.Sprintf("Guest %s · runs on %s · ", s.Guest, s.Host), width)) + st.Bad.Render("CANNOT MOVE") + kept + "\n")
	b.WriteString(common.Trunc(fmt.Sprintf("needed: %s move · stays: %s", s.Kind, s.WhyText()), width) + "\n")
	b.WriteString(st.Label.Render("why not:"))
	lines := g.summary(s.Summary)
	switch {
	case len(lines) > 0:
	case s.Why == "kept":
		lines = []string{"- kept in place by an edit: " + g.ctx.Keys.Keep.Help().Key + " lets it move"}
	default:
		lines = []string{"- no host refuses it: it stays because " + s.Why}
	}
	for _, l := range lines {
		b.WriteString("\n" + common.Trunc("  "+l, width))
	}
}
