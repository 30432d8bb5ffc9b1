package pages

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/components"
	"github.com/berth-dev/berth/tui/keymap"
)

// Guest is the guest detail: for a placed guest the ranking of every host
// for it (score terms of those where it fits, reasons of the others); for
// an unplaced guest the reasons matrix (host × dimension/rule, short by how
// much) and the smallest change that would make it fit. It is also where a
// guest is moved: pick a host and press m (or F to force a host that
// refuses it).
type Guest struct {
	ctx  *common.Context
	name string
	list components.List
	// allReasons shows every line of an unplaced guest's why-not summary,
	// not only the first summaryLines.
	allReasons bool

	width, height int
}

// NewGuest returns the detail screen of new guest name.
func NewGuest(ctx *common.Context, name string) *Guest { return &Guest{ctx: ctx, name: name} }

// Wants implements the root's candidates contract: the guest whose
// ranking this screen shows ("" for a running guest: the planner ranks
// hosts for new guests only).
func (g *Guest) Wants() string {
	if in := g.info(); in.action == nil && in.unplaced == nil {
		return ""
	}
	return g.name
}

// guestInfo is what the plan says about the guest: a new guest placed
// (action) or not (unplaced), or a running guest that a plan with moves
// could not move (stuck).
type guestInfo struct {
	action   *planner.Action
	unplaced *planner.Unplaced
	stuck    *planner.StuckGuest
}

func (g *Guest) info() guestInfo {
	p := g.ctx.Plan
	for i := range p.Actions {
		if p.Actions[i].Guest == g.name && p.Actions[i].Op == planner.OpCreate {
			return guestInfo{action: &p.Actions[i]}
		}
	}
	for i := range p.Unplaced {
		if p.Unplaced[i].Guest == g.name {
			return guestInfo{unplaced: &p.Unplaced[i]}
		}
	}
	if p.Moves != nil {
		for i := range p.Moves.Stuck {
			if p.Moves.Stuck[i].Guest == g.name {
				return guestInfo{stuck: &p.Moves.Stuck[i]}
			}
		}
	}
	return guestInfo{}
}

// rows are the hosts ranked for the guest: the planner's answer when the
// root has fetched it, else what the plan itself holds (a saved plan).
func (g *Guest) rows() (rows []planner.CandidateView, ranked bool) {
	if c, ok := g.ctx.Candidates[g.name]; ok {
		return c, true
	}
	in := g.info()
	switch {
	case in.unplaced != nil:
		return components.RefusalsByHost(g.ctx.Plan, in.unplaced.Refusals), false
	case in.stuck != nil:
		return components.RefusalsByHost(g.ctx.Plan, in.stuck.Refusals), false
	case in.action != nil && in.action.Score != nil:
		return []planner.CandidateView{{Host: in.action.Host, Feasible: true, Score: *in.action.Score}}, false
	}
	return nil, false
}

func (g *Guest) headHeight() int {
	in := g.info()
	switch {
	case in.unplaced != nil:
		return 3 + len(g.summary(in.unplaced.Summary)) + len(nearestLines(in.unplaced, g.width)) + g.loadLines()
	case in.stuck != nil:
		return 3 + max(len(g.summary(in.stuck.Summary)), 1) + g.loadLines()
	}
	return 4 + g.loadLines()
}

// loadLines is 1 when the explorer has load history for the guest (a
// sparkline line under the head), else 0.
func (g *Guest) loadLines() int {
	if _, ok := g.ctx.Load.Guest(g.name); ok {
		return 1
	}
	return 0
}

// summaryLines is how many lines of the why-not summary show at first.
const summaryLines = 3

// summary is the why-not summary as shown: every line with allReasons (or
// when there are few), else the first summaryLines and a line saying how
// many more there are and how to see them.
func (g *Guest) summary(lines []string) []string {
	var out []string
	for i, s := range lines {
		if i == summaryLines && !g.allReasons {
			more := len(lines) - summaryLines
			out = append(out, fmt.Sprintf("… %s (%s shows all)", planner.CountOf(more, "more reason", "more reasons"), g.ctx.Keys.Reasons.Help().Key))
			break
		}
		out = append(out, g.wrapReason("- "+s)...)
	}
	return out
}

// wrapReason breaks one why-not line into rows of the screen's width
// (indented two cells, continuations four), so that a long reason is read
// whole rather than cut: at most reasonRows rows.
func (g *Guest) wrapReason(s string) []string {
	const reasonRows = 6
	if g.width <= 8 {
		return []string{s}
	}
	rows := common.Wrap(s, g.width-4, reasonRows)
	for i := 1; i < len(rows); i++ {
		rows[i] = "  " + rows[i]
	}
	return rows
}

// summaryCut reports whether the guest has why-not lines that the screen
// can fold (more than summaryLines).
func (g *Guest) summaryCut() bool {
	in := g.info()
	switch {
	case in.unplaced != nil:
		return len(in.unplaced.Summary) > summaryLines
	case in.stuck != nil:
		return len(in.stuck.Summary) > summaryLines
	}
	return false
}

// nearestLines is the nearest-fix hint wrapped at word breaks onto at most
// two lines of width cells.
func nearestLines(u *planner.Unplaced, width int) []string {
	near := "nearest fix: none (every host refuses it by a rule, not only by capacity)"
	if u.Nearest != nil {
		near = "nearest fix: " + u.Nearest.Hint
	}
	return common.Wrap(near, width, 2)
}

func (g *Guest) listHeight() int { return max(g.height-g.headHeight()-2, 1) }

// SetSize implements common.Screen.
func (g *Guest) SetSize(width, height int) {
	g.width, g.height = width, height
	rows, _ := g.rows()
	g.list.Clamp(len(rows), g.listHeight(), nil)
}

// Title implements common.Screen.
func (g *Guest) Title() string { return "guest " + g.name }

// Capturing implements common.Screen.
func (g *Guest) Capturing() bool { return false }

// Update implements common.Screen.
func (g *Guest) Update(msg tea.KeyPressMsg) (common.Screen, tea.Cmd) {
	km := g.ctx.Keys
	rows, ranked := g.rows()
	if g.list.Key(km, msg, len(rows), g.listHeight(), nil) {
		return g, nil
	}
	var sel *planner.CandidateView
	if g.list.Cursor < len(rows) {
		sel = &rows[g.list.Cursor]
	}
	in := g.info()
	switch {
	case key.Matches(msg, km.Back):
		return g, common.Send(common.BackMsg{})
	case key.Matches(msg, km.Reasons) && g.summaryCut():
		g.allReasons = !g.allReasons
		g.SetSize(g.width, g.height)
	case key.Matches(msg, km.Open):
		if sel != nil {
			return g, common.Send(common.OpenHostMsg{Host: sel.Host})
		}
	case in.stuck != nil && key.Matches(msg, km.Keep):
		return g, common.Send(common.EditMsg{Edit: common.KeepToggle(g.name, slices.Contains(g.ctx.Plan.Edits.Keep, g.name))})
	case in.stuck != nil && (key.Matches(msg, km.Move) || key.Matches(msg, km.Force)):
		return g, common.Status(g.name+" runs on "+in.stuck.Host+"; the plan decides where running guests go (x on the fleet view takes a host out as a destination)", false)
	case key.Matches(msg, km.Move), key.Matches(msg, km.Force):
		force := key.Matches(msg, km.Force)
		switch {
		case sel == nil:
		case !ranked && g.ctx.Moves != nil:
			return g, common.Status("a plan with moves ranks no hosts: pin the guest where it is with p, or take hosts out with x", true)
		case !ranked:
			return g, common.Status("the host ranking is not loaded yet (or this is a read-only plan)", true)
		case in.action != nil && in.action.Host == sel.Host:
			return g, common.Status(g.name+" is already on "+sel.Host, false)
		case !sel.Feasible && !force:
			return g, common.Status(fmt.Sprintf("%s refuses %s (%s); press F to force the move and break the rule", sel.Host, g.name, components.ShortText(sel.Refusals)), true)
		default:
			label := "move " + g.name + " → " + sel.Host
			if !sel.Feasible {
				label = "force " + label
			}
			return g, common.Send(common.EditMsg{Edit: common.Edit{Kind: common.EditMove, Guest: g.name, Host: sel.Host, Label: label}})
		}
	case key.Matches(msg, km.Pin):
		if in.action != nil {
			a := in.action
			return g, pinCmd(components.GuestRow{Guest: a.Guest, Host: a.Host, Pinned: a.Pinned})
		}
		return g, pinCmd(components.GuestRow{Guest: g.name})
	}
	return g, nil
}

// Help implements common.Screen.
func (g *Guest) Help() keymap.Help {
	km := g.ctx.Keys
	h := keymap.Help{
		Short: []key.Binding{km.Move, km.Force, km.Pin, km.Open, km.Undo, km.Back, km.Help, km.Quit},
		Full:  [][]key.Binding{km.Navigation(), {km.Move, km.Force, km.Pin, km.Open, km.Back}, km.Global()},
	}
	if g.ctx.Plan != nil && g.info().stuck != nil {
		h = keymap.Help{
			Short: []key.Binding{km.Keep, km.Open, km.Undo, km.Back, km.Help, km.Quit},
			Full:  [][]key.Binding{km.Navigation(), {km.Keep, km.Open, km.Back}, km.Global()},
		}
	}
	if g.summaryCut() {
		reasons := km.Reasons
		if g.allReasons {
			reasons.SetHelp(reasons.Help().Key, "fewer reasons")
		}
		h.Short = append([]key.Binding{reasons}, h.Short...)
		h.Full[1] = append(h.Full[1], reasons)
	}
	return h
}

// View implements common.Screen.
func (g *Guest) View(width, height int) string {
	st := g.ctx.Styles
	in := g.info()
	var b strings.Builder
	switch {
	case in.action != nil:
		a := in.action
		where := "on " + a.Host
		if a.Pinned {
			where += st.Warn.Render(" (pinned)")
		}
		b.WriteString(st.Heading.Render(common.Trunc(fmt.Sprintf("Guest %s · %s · group %s · ", a.Guest, a.Profile, common.Dash(a.Group)), width)) + st.Good.Render(where) + "\n")
		b.WriteString(common.Trunc("needs "+planner.VectorText(a.Demand), width) + "\n")
		how := "scored as if moved now, every other guest in place · m moves here, F forces"
		if g.ctx.Moves != nil {
			how = "scored as the plan recorded it when it placed the guest, after the moves"
		}
		if g.ctx.ReadOnly {
			how = "scored as the plan recorded them (read-only: no ranking without the scenario)"
		}
		b.WriteString(st.Dim.Render(common.Trunc(how, width)) + "\n")
		b.WriteString(common.Trunc(g.scoreNote(a), width))
	case in.unplaced != nil:
		u := in.unplaced
		b.WriteString(st.Heading.Render(common.Trunc(fmt.Sprintf("Guest %s · %s · group %s · ", u.Guest, u.Profile, common.Dash(u.Group)), width)) + st.Bad.Render("UNPLACED") + "\n")
		b.WriteString(common.Trunc("needs "+planner.VectorText(u.Demand), width) + "\n")
		b.WriteString(st.Label.Render("why not:"))
		for _, s := range g.summary(u.Summary) {
			b.WriteString("\n" + common.Trunc("  "+s, width))
		}
		for _, l := range nearestLines(u, width) {
			b.WriteString("\n" + st.Warn.Render(l))
		}
	case in.stuck != nil:
		g.stuckHead(&b, in.stuck, width)
	default:
		return common.Fit(st.Bad.Render("guest "+g.name+" is not in this plan (esc to go back)"), width, height)
	}
	if s, ok := g.ctx.Load.Guest(g.name); ok {
		b.WriteString("\n" + components.LoadLine(st, "load "+g.ctx.Load.Label+": ", s, nil, width))
	}
	b.WriteString("\n")
	rows, ranked := g.rows()
	nfit := 0
	for _, r := range rows {
		if r.Feasible {
			nfit++
		}
	}
	// A guest that fits somewhere shows scores, and a refusing host's
	// reasons in words; an unplaced one the full reasons matrix.
	matrix := nfit == 0
	cols := components.ReasonColumns(allRefusals(rows))
	head := fmt.Sprintf("    %-14s %s", "HOST", components.ScoreHeading+"  (or why it refuses)")
	if matrix {
		head = fmt.Sprintf("    %-14s %s", "HOST", components.ReasonsHeading(cols)+"  (short by)")
	}
	b.WriteString(st.Heading.Render(common.Trunc(head, width)))
	from, to := g.list.Window(len(rows), g.listHeight())
	for i := from; i < to; i++ {
		r := rows[i]
		mark := "  "
		if i == g.list.Cursor {
			mark = "› "
		}
		flag := " "
		if in.action != nil && in.action.Host == r.Host {
			flag = st.Good.Render("*")
		} else if !r.Feasible {
			flag = st.Bad.Render("✗")
		}
		name := common.Pad(r.Host, 14)
		if i == g.list.Cursor {
			name = st.Cursor.Render(name)
		}
		var cells string
		switch {
		case r.Feasible:
			s := r.Score
			cells = components.ScoreCells(&s)
			if s.Opens {
				cells += st.Dim.Render(" opens host")
			}
		case matrix:
			cells = components.ReasonsCells(st, cols, r.Refusals)
		default:
			cells = st.Bad.Render("refuses: " + components.ShortText(r.Refusals))
		}
		b.WriteString("\n" + common.Trunc(mark+flag+" "+name+" "+cells, width))
	}
	foot := fmt.Sprintf("%d hosts: %d fit, %d refuse · * current host · ✗ refuses", len(rows), nfit, len(rows)-nfit)
	switch {
	case in.stuck != nil:
		foot = fmt.Sprintf("%s refuse it, nearest first · ✗ refuses · %s keeps it / lets it move", planner.CountOf(len(rows), "host", "hosts"), g.ctx.Keys.Keep.Help().Key)
	case !ranked && g.ctx.Moves != nil:
		foot = "as the plan recorded it: a plan with moves ranks no hosts (pin the guest with p, or edit and re-plan)"
	case !ranked && !g.ctx.ReadOnly:
		foot = "fetching the ranking from the planner…"
	}
	return common.Fit(b.String(), width, height-1) + "\n" + common.Trunc(st.Dim.Render(foot), width)
}

// scoreNote puts the guest's score on its host now next to the one the
// plan recorded when it placed the guest there (with only the guests
// placed before it on that host), which the host screen shows.
func (g *Guest) scoreNote(a *planner.Action) string {
	if a.Score == nil {
		return ""
	}
	then := components.Num(a.Score.Total)
	rows, ranked := g.rows()
	if ranked {
		for _, r := range rows {
			if r.Host == a.Host && r.Feasible {
				if now := components.Num(r.Score.Total); now != then {
					return fmt.Sprintf("* %s scores %s now; %s when placed, before later guests landed", a.Host, now, then)
				}
				return fmt.Sprintf("* %s scores %s now, as when it was placed", a.Host, then)
			}
		}
	}
	return fmt.Sprintf("* %s: %s when placed, before later guests landed", a.Host, then)
}

func allRefusals(rows []planner.CandidateView) []planner.Refusal {
	var out []planner.Refusal
	for _, r := range rows {
		out = append(out, r.Refusals...)
	}
	return out
}
