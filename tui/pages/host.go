package pages

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/components"
	"github.com/berth-dev/berth/tui/keymap"
)

// Host is the host detail: its use per dimension and what is left, its
// guests (existing and new), and why each new guest landed here.
type Host struct {
	ctx  *common.Context
	name string
	list components.List

	width, height int
}

// NewHost returns the detail screen of host name.
func NewHost(ctx *common.Context, name string) *Host { return &Host{ctx: ctx, name: name} }

// hostGuest is one guest on the host: existing (kept) or new (created);
// in a plan with moves also one that arrives (moving "in", action its
// last migration, from other) or leaves (moving "out", action its first
// migration, to other).
type hostGuest struct {
	action planner.Action
	isNew  bool
	moving string
	other  string
	// off: an existing guest that is shut off (HostPlan.ShutOff).
	off bool
}

// kind is the guest's KIND cell: keep, new, in, out or rm (removed: a guest
// beyond its demand entry's count); off for an existing guest that is shut off.
func (g hostGuest) kind() string {
	switch {
	case g.isNew:
		return "new"
	case g.moving != "":
		return g.moving
	case g.action.Op == planner.OpRemove:
		return "rm"
	case g.off:
		return "off"
	}
	return "keep"
}

func (h *Host) host() *planner.HostPlan {
	for i := range h.ctx.Plan.Hosts {
		if h.ctx.Plan.Hosts[i].Name == h.name {
			return &h.ctx.Plan.Hosts[i]
		}
	}
	return nil
}

// guests lists the host's guests: existing first (in a plan with moves,
// those that stay, then those that leave, then those that arrive), then
// new, each by name in its natural order (cache-2 before cache-10).
func (h *Host) guests() []hostGuest {
	var keep, create []hostGuest
	for _, a := range h.ctx.Plan.Actions {
		if a.Host != h.name || a.Op == planner.OpMove {
			continue
		}
		if a.Op == planner.OpCreate {
			create = append(create, hostGuest{action: a, isNew: true})
		} else {
			off := false
			if hp := h.host(); hp != nil {
				off = slices.Contains(hp.ShutOff, a.Guest)
			}
			keep = append(keep, hostGuest{action: a, off: off})
		}
	}
	out, in := h.movingGuests()
	byName := func(a, b hostGuest) int { return components.CompareNames(a.action.Guest, b.action.Guest) }
	for _, gs := range [][]hostGuest{keep, out, in, create} {
		slices.SortFunc(gs, byName)
	}
	return slices.Concat(keep, out, in, create)
}

// headLines is the number of lines above the guest list.
const headLines = 8

func (h *Host) listHeight() int { return max(h.height-headLines-4, 1) }

// SetSize implements common.Screen.
func (h *Host) SetSize(width, height int) {
	h.width, h.height = width, height
	h.list.Clamp(len(h.guests()), h.listHeight(), nil)
}

// Title implements common.Screen.
func (h *Host) Title() string { return "host " + h.name }

// Capturing implements common.Screen.
func (h *Host) Capturing() bool { return false }

// Update implements common.Screen.
func (h *Host) Update(msg tea.KeyPressMsg) (common.Screen, tea.Cmd) {
	km := h.ctx.Keys
	gs := h.guests()
	if h.list.Key(km, msg, len(gs), h.listHeight(), nil) {
		return h, nil
	}
	var sel *hostGuest
	if h.list.Cursor < len(gs) {
		sel = &gs[h.list.Cursor]
	}
	switch {
	case key.Matches(msg, km.Back):
		return h, common.Send(common.BackMsg{})
	case key.Matches(msg, km.Exclude):
		if hp := h.host(); hp != nil {
			return h, excludeCmd(hp)
		}
	case key.Matches(msg, km.Open), key.Matches(msg, km.Move):
		if sel != nil && sel.isNew {
			return h, common.Send(common.OpenGuestMsg{Guest: sel.action.Guest})
		}
		if sel != nil && sel.moving != "" && key.Matches(msg, km.Open) {
			return h, common.Send(common.OpenHostMsg{Host: sel.other})
		}
		if sel != nil {
			return h, common.Status(h.notMovable(sel), false)
		}
	case key.Matches(msg, km.Pin), key.Matches(msg, km.Keep):
		if sel != nil && sel.isNew {
			a := sel.action
			return h, pinCmd(components.GuestRow{Guest: a.Guest, Host: a.Host, Pinned: a.Pinned})
		}
		if sel != nil && h.ctx.Plan.Moves != nil {
			return h, common.Send(common.EditMsg{Edit: common.KeepToggle(sel.action.Guest, slices.Contains(h.ctx.Plan.Edits.Keep, sel.action.Guest))})
		}
	}
	return h, nil
}

// Help implements common.Screen.
func (h *Host) Help() keymap.Help {
	km := h.ctx.Keys
	pin := km.Pin
	if h.ctx.Plan != nil && h.ctx.Plan.Moves != nil {
		pin = km.Keep
	}
	return keymap.Help{
		Short: []key.Binding{km.Open, km.PickHost, pin, km.Exclude, km.Undo, km.Back, km.Help, km.Quit},
		Full:  [][]key.Binding{km.Navigation(), {km.Open, km.PickHost, pin, km.Exclude, km.Back}, km.Global()},
	}
}

// View implements common.Screen.
func (h *Host) View(width, height int) string {
	st := h.ctx.Styles
	hp := h.host()
	if hp == nil {
		return common.Fit(st.Bad.Render("host "+h.name+" is not in this plan (esc to go back)"), width, height)
	}
	var b strings.Builder
	title := fmt.Sprintf("Host %s · rack %s · zone %s · %d existing + %d new guests", hp.Name, common.Dash(hp.Rack), common.Dash(hp.Zone), len(hp.Existing), len(hp.Placed))
	if h.ctx.Plan.Moves != nil {
		title = fmt.Sprintf("Host %s · rack %s · zone %s · %d guests → %d (%d leave, %d arrive, %d new)", hp.Name, common.Dash(hp.Rack), common.Dash(hp.Zone),
			len(hp.Existing), components.GuestsAfter(hp), len(hp.MovedOut), len(hp.MovedIn), len(hp.Placed))
	}
	title += planner.ShutOffNote(h.ctx.Plan, hp)
	switch {
	case hp.New:
		title += st.Good.Render(" · to buy (model " + hp.Model + ")")
	case hp.Excluded:
		title += st.Warn.Render(" · excluded")
	case components.Freed(h.ctx.Plan, hp):
		title += st.Good.Render(" · freed")
	}
	b.WriteString(st.Heading.Render(common.Trunc(title, width)) + "\n")

	// Use per dimension: offered, before, after, residual and a bar.
	barW := min(max(width-60, 5), 30)
	// With load history, a sparkline per dimension after the bar: the
	// host's guests' load over the window.
	load, hasLoad := h.ctx.Load.Sum(hp.Existing)
	sparkW, loadHead := 0, ""
	if hasLoad {
		sparkW = min(max((width-60)/2, 6), 24)
		barW = min(max(width-60-sparkW-2, 5), 30)
		loadHead = strings.Repeat(" ", barW+5-3) + "  LOAD"
		if width >= 100 {
			loadHead = strings.Repeat(" ", barW+5-3) + "  GUESTS' LOAD, " + strings.ToUpper(h.ctx.Load.Label)
		}
	}
	b.WriteString(st.Heading.Render(common.Trunc(fmt.Sprintf("%-7s %10s %10s %10s %10s  %s", "", "OFFERED", "BEFORE", "AFTER", "LEFT", "USE")+loadHead, width)) + "\n")
	res := components.Residual(hp)
	bar := func(d inventory.Dimension) string {
		return components.Bar(st, hp.Before[d], hp.After[d], hp.Offered[d], h.ctx.Plan.Policy.Overhead[d], barW)
	}
	if h.ctx.Plan.Moves != nil {
		ld := h.loads()
		bar = func(d inventory.Dimension) string {
			return components.MoveBar(st, ld.Staying[d], hp.After[d], ld.Leaving[d], hp.Offered[d], h.ctx.Plan.Policy.Overhead[d], barW)
		}
	}
	for _, d := range inventory.Dimensions {
		left := components.Quantity(d, res[d])
		if res[d] < 0 {
			left = st.Bad.Render(common.PadLeft("−"+components.Quantity(d, -res[d]), 10))
		} else {
			left = common.PadLeft(left, 10)
		}
		line := fmt.Sprintf("%-7s %10s %10s %10s %s  %s", d, components.Quantity(d, hp.Offered[d]), components.Quantity(d, hp.Before[d]),
			components.Quantity(d, hp.After[d]), left, bar(d))
		if hasLoad {
			line += " " + st.Label.Render(components.Sparkline(load[d], sparkW))
		}
		b.WriteString(common.Trunc(line, width) + "\n")
	}
	b.WriteString(common.Trunc(st.Dim.Render("residual: "+planner.VectorText(res)), width) + "\n")
	b.WriteString("\n")

	gs := h.guests()
	head := fmt.Sprintf("    %-4s %-18s %-7s", "", "GUEST", "PROFILE")
	for _, d := range inventory.Dimensions {
		head += fmt.Sprintf(" %*s", d.Spec().Width, d.Spec().Heading)
	}
	last := components.ScoreHeading + " when placed"
	if h.ctx.Plan.Moves != nil {
		last = "MOVE"
	}
	b.WriteString(st.Heading.Render(common.Trunc(head+"  "+last, width)))
	from, to := h.list.Window(len(gs), h.listHeight())
	if len(gs) == 0 {
		b.WriteString("\n" + st.Dim.Render("  no guests"))
	}
	_, bad := components.Violations(h.ctx.Plan)
	for i := from; i < to; i++ {
		g := gs[i]
		a := g.action
		mark := "  "
		if i == h.list.Cursor {
			mark = "› "
		}
		flag, kind := " ", g.kind()
		switch {
		case bad[a.Guest]:
			flag = st.Bad.Render("!")
		case a.Pinned:
			flag = st.Warn.Render("p")
		case slices.Contains(h.ctx.Plan.Edits.Keep, a.Guest):
			flag = st.Warn.Render("k")
		}
		name := common.Pad(a.Guest, 18)
		if i == h.list.Cursor {
			name = st.Cursor.Render(name)
		}
		why := ""
		if g.moving != "" {
			why = moveCell(g)
		} else if a.Score != nil {
			why = components.ScoreCells(a.Score)
			if a.Score.Opens {
				why += " opens"
			}
		}
		line := fmt.Sprintf("%s%s %-4s %s %-7s", mark, flag, kind, name, common.Dash(a.Profile))
		for _, d := range inventory.Dimensions {
			line += fmt.Sprintf(" %*s", d.Spec().Width, components.Quantity(d, a.Allocation[d]))
		}
		b.WriteString("\n" + common.Trunc(line+"  "+st.Dim.Render(why), width))
	}
	body := common.Fit(b.String(), width, height-3)
	return body + "\n" + h.detail(gs, width)
}

// detail describes the selected guest in three lines: what it is given and
// what the plan budgets, what it was seen to use, why it is here.
func (h *Host) detail(gs []hostGuest, width int) string {
	st := h.ctx.Styles
	if h.list.Cursor >= len(gs) {
		return common.Fit("", width, 3)
	}
	g := gs[h.list.Cursor]
	a := g.action
	lines := []string{st.Label.Render(a.Guest) + st.Dim.Render(" needs ") + planner.VectorText(a.Demand)}
	if g.moving != "" || h.ctx.Plan.Moves != nil && !g.isNew {
		return common.Fit(strings.Join(append(lines, h.moveDetail(g)...), "\n"), width, 3)
	}
	if s, ok := h.ctx.Load.Guest(a.Guest); ok {
		lines = append(lines, components.LoadLine(st, "observed "+h.ctx.Load.Label+": ", s, h.observed(a.Guest), width))
	} else if obs := h.observed(a.Guest); obs != nil {
		lines = append(lines, st.Dim.Render("observed: ")+planner.VectorText(*obs))
	} else if !g.isNew {
		lines = append(lines, st.Dim.Render("observed: unknown"))
	}
	if a.Score != nil {
		// The plan records the score the guest had when it was placed,
		// with only the guests placed before it on the host; the guest
		// screen (enter) ranks hosts as of now, with every guest in place,
		// so the two can differ.
		s := a.Score
		why := fmt.Sprintf("why here (%s): %s when placed, before later guests · enter ranks it now", h.ctx.Plan.Policy.Strategy, components.Num(s.Total))
		if s.Opens {
			why += " · opened the host"
		}
		if a.Pinned {
			why += st.Warn.Render(" · pinned")
		}
		// Appetite is the penalty, written negative as berth plan writes
		// it; stranded is a share that the strategy subtracts.
		terms := fmt.Sprintf("align %s · fill %s · stranded %s (subtracted) · appetite %s",
			components.Num(s.Align), components.Num(s.Fill), components.Num(s.Stranded), components.Num(-s.Appetite))
		lines = append(lines, why, st.Dim.Render(terms))
	}
	return common.Fit(strings.Join(lines, "\n"), width, 3)
}

// observed is what the scenario says an existing guest was seen to use.
func (h *Host) observed(guest string) *inventory.Vector {
	if h.ctx.Scenario == nil {
		return nil
	}
	host, ok := h.ctx.Scenario.HostByName(h.name)
	if !ok {
		return nil
	}
	for _, g := range host.Guests {
		if g.Name == guest {
			return g.Observed
		}
	}
	return nil
}
