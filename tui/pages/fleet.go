// Package pages holds the explorer's screens: the fleet view (home), host
// detail, guest detail / why-not, and the dialogs for demand, policy and
// file names. Each screen reads the shared common.Context and asks the root
// model for anything that needs the planner by sending an intent message.
package pages

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/components"
	"github.com/berth-dev/berth/tui/keymap"
)

// Fleet is the home screen: the fleet metrics and a table of hosts (or, on
// its second tab, of the demanded guests; on a third, in a plan with
// moves, of the migrations by wave).
type Fleet struct {
	ctx *common.Context

	tab       fleetTab
	hosts     components.HostTable
	guests    components.GuestTable
	moves     components.MoveTable
	filtering bool
	filter    components.Input

	width, height int
}

// fleetTab is one of the fleet view's tabs.
type fleetTab int

const (
	tabHosts fleetTab = iota
	tabGuests
	tabMoves
)

// tabs are the tabs the plan on screen has: hosts; the new guests, unless
// a plan with moves places none; the moves, in a plan with moves.
func (f *Fleet) tabs() []fleetTab {
	p := f.ctx.Plan
	if p.Moves == nil {
		return []fleetTab{tabHosts, tabGuests}
	}
	if p.Metrics.Guests == 0 && len(p.Unplaced) == 0 {
		return []fleetTab{tabHosts, tabMoves}
	}
	return []fleetTab{tabHosts, tabGuests, tabMoves}
}

// NewFleet returns the fleet view.
func NewFleet(ctx *common.Context) *Fleet {
	f := &Fleet{ctx: ctx, filter: components.NewInput(ctx.Styles, "filter: ", "")}
	f.hosts.Sort = 0
	f.Refresh()
	return f
}

// metricsLines is the height of the metrics header: a line more for the
// moves of a plan with moves.
func (f *Fleet) metricsLines() int {
	if f.ctx.Plan != nil && f.ctx.Plan.Moves != nil {
		return 5
	}
	return 4
}

// tableHeight is the rows left for the table in the body.
func (f *Fleet) tableHeight() int { return max(f.height-f.metricsLines()-2, 1) }

// SetSize implements common.Screen.
func (f *Fleet) SetSize(width, height int) {
	f.width, f.height = width, height
	f.Refresh()
}

// Refresh rebuilds the tables after a new plan or a sort/filter change.
func (f *Fleet) Refresh() {
	if f.ctx.Plan == nil {
		return
	}
	if !slices.Contains(f.tabs(), f.tab) {
		f.tab = tabHosts
	}
	// The filter takes the rest of the tabs' line.
	tabs := 0
	for _, w := range f.tabWidths() {
		tabs += w + 1
	}
	f.filter.SetWidth(f.width - tabs - 1)
	f.hosts.Filter, f.guests.Filter, f.moves.Filter = f.filter.Value(), f.filter.Value(), f.filter.Value()
	f.hosts.Refresh(f.ctx.Plan, f.tableHeight())
	f.guests.Refresh(f.ctx.Plan, f.tableHeight())
	f.moves.Refresh(f.ctx.Plan, f.tableHeight())
}

// refreshActive rebuilds only the table on screen (a sort key on a large
// fleet need not re-sort the other one).
func (f *Fleet) refreshActive() {
	switch f.tab {
	case tabGuests:
		f.guests.Refresh(f.ctx.Plan, f.tableHeight())
	case tabMoves:
		f.moves.Refresh(f.ctx.Plan, f.tableHeight())
	default:
		f.hosts.Refresh(f.ctx.Plan, f.tableHeight())
	}
}

// Title implements common.Screen.
func (f *Fleet) Title() string { return "fleet" }

// Paste takes a paste into the filter while it is open; elsewhere a paste
// is text, not keys, and does nothing.
func (f *Fleet) Paste(msg tea.PasteMsg) {
	if f.filtering {
		f.filter.Update(msg)
		f.Refresh()
	}
}

// Capturing implements common.Screen.
func (f *Fleet) Capturing() bool { return f.filtering }

// Update implements common.Screen.
func (f *Fleet) Update(msg tea.KeyPressMsg) (common.Screen, tea.Cmd) {
	km := f.ctx.Keys
	if f.filtering {
		switch {
		case key.Matches(msg, km.KeepFilter):
			f.filtering = false
		case key.Matches(msg, km.Cancel):
			f.filtering = false
			f.filter.SetValue("")
		default:
			f.filter.Update(msg)
		}
		f.Refresh()
		return f, nil
	}
	h := f.tableHeight()
	guestsTab := f.tab == tabGuests
	switch f.tab {
	case tabGuests:
		if f.guests.Key(km, msg, f.guests.Len(), h, nil) {
			return f, nil
		}
	case tabMoves:
		if f.moves.Key(km, msg, f.moves.Len(), h, f.moves.IsHeading) {
			return f, nil
		}
		if cmd, ok := f.movesKey(msg); ok {
			return f, cmd
		}
	default:
		if f.hosts.Key(km, msg, f.hosts.Len(), h, f.hosts.IsHeading) {
			return f, nil
		}
	}
	ncols := len(components.HostColumns)
	sort, desc := &f.hosts.Sort, &f.hosts.Desc
	if guestsTab {
		ncols, sort, desc = len(components.GuestColumns), &f.guests.Sort, &f.guests.Desc
	}
	switch {
	case key.Matches(msg, km.Tab):
		tabs := f.tabs()
		f.tab = tabs[(slices.Index(tabs, f.tab)+1)%len(tabs)]
	case key.Matches(msg, km.Filter):
		f.filtering = true
	case key.Matches(msg, km.Back):
		if f.filter.Value() != "" {
			f.filter.SetValue("")
			f.Refresh()
		}
	case key.Matches(msg, km.SortNext):
		*sort = (*sort + 1) % ncols
		f.refreshActive()
	case key.Matches(msg, km.SortPrev):
		*sort = (*sort + ncols - 1) % ncols
		f.refreshActive()
	case key.Matches(msg, km.Reverse):
		*desc = !*desc
		f.refreshActive()
	case key.Matches(msg, km.Group) && f.tab == tabHosts:
		f.hosts.GroupRack = !f.hosts.GroupRack
		f.refreshActive()
	case key.Matches(msg, km.Open):
		if guestsTab {
			if g, ok := f.guests.Selected(); ok {
				return f, common.Send(common.OpenGuestMsg{Guest: g.Guest})
			}
		} else if hi, ok := f.hosts.Selected(); ok && f.tab == tabHosts {
			return f, common.Send(common.OpenHostMsg{Host: f.ctx.Plan.Hosts[hi].Name})
		}
	case key.Matches(msg, km.Exclude) && f.tab == tabHosts:
		if hi, ok := f.hosts.Selected(); ok {
			return f, excludeCmd(&f.ctx.Plan.Hosts[hi])
		}
	case key.Matches(msg, km.Pin) && guestsTab:
		if g, ok := f.guests.Selected(); ok {
			return f, pinCmd(g)
		}
	case key.Matches(msg, km.Move) && guestsTab:
		if g, ok := f.guests.Selected(); ok {
			return f, common.Send(common.OpenGuestMsg{Guest: g.Guest})
		}
	}
	return f, nil
}

// excludeCmd toggles a host's exclusion.
func excludeCmd(h *planner.HostPlan) tea.Cmd {
	if h.New {
		return common.Status(h.Name+" is a host to buy; it cannot be excluded", true)
	}
	return common.Send(common.EditMsg{Edit: common.ExcludeToggle(h.Name, h.Excluded)})
}

// pinCmd pins a placed guest where it is, or unpins a pinned one.
func pinCmd(g components.GuestRow) tea.Cmd {
	switch {
	case g.Unplaced():
		return common.Status(g.Guest+" is not placed: open it (enter) and move it to a host instead", true)
	}
	return common.Send(common.EditMsg{Edit: common.PinToggle(g.Guest, g.Host, g.Pinned)})
}

// Click handles a left click on line y, column x of the body: on the tabs
// it switches to the tab clicked; on a row it selects the row, and on the
// row already selected it opens it (as enter does).
func (f *Fleet) Click(x, y int) tea.Cmd {
	if f.filtering {
		return nil
	}
	tabsLine := f.metricsLines() // under the metrics header
	if y == tabsLine {
		// What follows the tabs (grouping, the filter) is not a tab; nor
		// is the space between two tabs.
		left := 0
		for i, w := range f.tabWidths() {
			if x >= left && x < left+w {
				f.tab = f.tabs()[i]
			}
			left += w + 1
		}
		return nil
	}
	line := y - tabsLine - 2 // under the tabs and the table heading
	h := f.tableHeight() - 1 // as the tables draw their rows
	open := common.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	switch f.tab {
	case tabMoves:
		r, ok := f.moves.At(line, f.moves.Len(), h)
		if !ok {
			return nil
		}
		if r == f.moves.Cursor {
			return open
		}
		f.moves.Select(r, f.moves.Len(), h, f.moves.IsHeading)
		return nil
	case tabGuests:
		r, ok := f.guests.At(line, f.guests.Len(), h)
		if !ok {
			return nil
		}
		if r == f.guests.Cursor {
			return open
		}
		f.guests.Select(r, f.guests.Len(), h, nil)
		return nil
	}
	r, ok := f.hosts.At(line, f.hosts.Len(), h)
	if !ok {
		return nil
	}
	if r == f.hosts.Cursor {
		return open
	}
	f.hosts.Select(r, f.hosts.Len(), h, f.hosts.IsHeading)
	return nil
}

// tabNames are the tabs' names, in the order of tabs.
func (f *Fleet) tabNames() []string {
	p := f.ctx.Plan
	var out []string
	for _, t := range f.tabs() {
		switch t {
		case tabHosts:
			out = append(out, fmt.Sprintf("Hosts (%d)", len(p.Hosts)))
		case tabGuests:
			out = append(out, fmt.Sprintf("New guests (%d, %d unplaced)", p.Metrics.Guests, p.Metrics.Unplaced))
		case tabMoves:
			out = append(out, movesTabName(p.Moves))
		}
	}
	return out
}

// tabWidths are the cells of the tabs as View draws them, "[Hosts (20)]"
// then a space and the next tab, each two cells wider than its name.
func (f *Fleet) tabWidths() []int {
	var out []int
	for _, t := range f.tabNames() {
		out = append(out, ansi.StringWidth(t)+2)
	}
	return out
}

// Help implements common.Screen.
func (f *Fleet) Help() keymap.Help {
	km := f.ctx.Keys
	if f.filtering {
		return keymap.Help{Short: []key.Binding{km.KeepFilter, km.Cancel}, Full: [][]key.Binding{{km.KeepFilter, km.Cancel}}}
	}
	tab := km.Tab
	if f.ctx.Plan != nil && f.ctx.Plan.Moves != nil {
		tab.SetHelp(tab.Help().Key, "next tab")
	}
	short := []key.Binding{km.Open, tab, km.Filter, km.SortNext, km.Exclude, km.Undo, km.Save, km.Help, km.Quit}
	nav := append(km.Navigation(), km.Exclude)
	view := []key.Binding{km.Open, tab, km.Filter, km.SortNext, km.SortPrev, km.Reverse, km.Group}
	switch f.tab {
	case tabGuests:
		// m opens the guest's ranking, where the host is chosen.
		short = []key.Binding{km.Open, tab, km.PickHost, km.Pin, km.Filter, km.Undo, km.Save, km.Help, km.Quit}
		nav = append(km.Navigation(), km.PickHost, km.Pin)
		view = view[:len(view)-1] // no rack grouping of guests
	case tabMoves:
		// The moves run in their order: no sorting, no grouping.
		short = []key.Binding{km.Open, tab, km.Keep, km.ExcludeDest, km.Filter, km.Undo, km.Save, km.Help, km.Quit}
		nav = append(km.Navigation(), km.Keep, km.ExcludeDest)
		view = []key.Binding{km.Open, tab, km.Filter}
	}
	return keymap.Help{Short: short, Full: [][]key.Binding{nav, view, km.Global()}}
}

// View implements common.Screen.
func (f *Fleet) View(width, height int) string {
	st, p := f.ctx.Styles, f.ctx.Plan
	var b strings.Builder
	b.WriteString(Metrics(f.ctx, width))
	b.WriteString("\n")
	tabs := f.tabNames()
	active := slices.Index(f.tabs(), f.tab)
	for i := range tabs {
		if i == active {
			tabs[i] = st.Selected.Render("[" + tabs[i] + "]")
		} else {
			tabs[i] = st.Dim.Render(" " + tabs[i] + " ")
		}
	}
	line := strings.Join(tabs, " ")
	if f.hosts.GroupRack && f.tab == tabHosts {
		line += st.Dim.Render("  grouped by rack")
	}
	if f.filtering {
		line += "  " + f.filter.View(st)
	} else if f.filter.Value() != "" {
		line += "  " + st.Input.Render("filter: ") + f.filter.Value() + st.Dim.Render(" (esc clears)")
	}
	b.WriteString(common.Trunc(line, width) + "\n")
	th := max(height-f.metricsLines()-2, 1)
	switch f.tab {
	case tabGuests:
		b.WriteString(f.guests.View(st, p, width, th))
	case tabMoves:
		b.WriteString(f.moves.View(st, p, width, th))
	default:
		b.WriteString(f.hosts.View(st, p, width, th))
	}
	out := common.Fit(b.String(), width, height-1)
	switch {
	case f.tab == tabGuests:
		return out + "\n" + common.Trunc(st.Dim.Render("! unplaced or breaks a rule  p pinned · scores as placed; strand is subtracted"), width)
	case f.tab == tabMoves:
		return out + "\n" + common.Trunc(st.Dim.Render(p.Moves.LimitsText()+" · "+p.Moves.BoundsText()), width)
	case p.Moves != nil:
		return out + "\n" + common.Trunc(components.MoveBarLegend(st)+st.Dim.Render(" · ! over/rule x excluded "+components.FlagFreed+" freed"), width)
	}
	return out + "\n" + common.Trunc(components.BarLegend(st)+st.Dim.Render(" · ! over/rule x excluded + buy"), width)
}

// Metrics renders the fleet metrics header (metricsLines lines): hosts
// used against the lower bound, utilisation per dimension, stranded
// capacity, failover, unplaced and violations.
func Metrics(ctx *common.Context, width int) string {
	st, m := ctx.Styles, &ctx.Plan.Metrics
	lbl := func(s string) string { return st.Label.Render(fmt.Sprintf("%-9s", s)) }
	// Metrics.Hosts counts the hosts the fleet has; those to buy come on
	// top, and HostsUsed counts them too: "8 of 8 used (4 to buy; …)",
	// never "8 of 4".
	hosts := fmt.Sprintf("%d of %d used (was %d, lower bound %d)", m.HostsUsed, m.Hosts, m.HostsBefore, m.LowerBound)
	if m.NewHosts > 0 {
		hosts = fmt.Sprintf("%d of %d used (%s; was %d, lower bound %d)", m.HostsUsed, m.Hosts+m.NewHosts,
			st.Warn.Render(fmt.Sprintf("%d to buy", m.NewHosts)), m.HostsBefore, m.LowerBound)
	}
	guests := fmt.Sprintf(" · Guests %d placed, ", m.Placed)
	if m.Unplaced > 0 {
		guests += st.Bad.Render(fmt.Sprintf("%d unplaced", m.Unplaced))
	} else {
		guests += st.Good.Render("0 unplaced")
	}
	var use []string
	for _, d := range inventory.Dimensions {
		use = append(use, fmt.Sprintf("%s %s%s", d, st.Dim.Render(strings.TrimSuffix(planner.Percent(m.UtilisationBefore[d], 1), "%")+"→"), planner.Percent(m.Utilisation[d], 1)))
	}
	fo := planner.FailoverText(m.Failover)
	switch {
	case m.Failover.K == 0:
		fo = st.Dim.Render(fo)
	case m.Failover.Holds:
		fo = st.Good.Render(fmt.Sprintf("k=%d holds", m.Failover.K))
	default:
		fo = st.Bad.Render(fo)
	}
	viol := st.Good.Render("0")
	if m.Violations > 0 {
		viol = st.Bad.Render(fmt.Sprintf("%d (see host flags !)", m.Violations))
	}
	lines := []string{
		lbl("Hosts") + hosts + guests,
		lbl("Use") + strings.Join(use, " · "),
		lbl("Stranded") + planner.VectorText(m.Stranded),
		lbl("Failover") + fo + "  " + st.Label.Render("Violations ") + viol,
	}
	if s := ctx.Plan.Moves; s != nil {
		lines = append(lines, lbl("Moves")+movesLine(st, s))
	}
	for i, l := range lines {
		lines[i] = common.Trunc(l, width)
	}
	return strings.Join(lines, "\n")
}
