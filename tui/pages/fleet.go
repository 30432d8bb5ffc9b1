// Package pages holds the explorer's screens: the fleet view (home), host
// detail, guest detail / why-not, and the dialogs for demand, policy and
// file names. Each screen reads the shared common.Context and asks the root
// model for anything that needs the planner by sending an intent message.
package pages

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/components"
	"github.com/berth-dev/berth/tui/keymap"
)

// Fleet is the home screen: the fleet metrics and a table of hosts (or, on
// its second tab, of the demanded guests).
type Fleet struct {
	ctx *common.Context

	guestsTab bool
	hosts     components.HostTable
	guests    components.GuestTable
	filtering bool
	filter    components.Input

	width, height int
}

// NewFleet returns the fleet view.
func NewFleet(ctx *common.Context) *Fleet {
	f := &Fleet{ctx: ctx, filter: components.NewInput(ctx.Styles, "filter: ", "")}
	f.hosts.Sort = 0
	f.Refresh()
	return f
}

// metricsLines is the height of the metrics header.
const metricsLines = 4

// tableHeight is the rows left for the table in the body.
func (f *Fleet) tableHeight() int { return max(f.height-metricsLines-2, 1) }

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
	// The filter takes the rest of the tabs' line.
	hosts, guests := f.tabWidths()
	f.filter.SetWidth(f.width - hosts - 1 - guests - 2)
	f.hosts.Filter, f.guests.Filter = f.filter.Value(), f.filter.Value()
	f.hosts.Refresh(f.ctx.Plan, f.tableHeight())
	f.guests.Refresh(f.ctx.Plan, f.tableHeight())
}

// refreshActive rebuilds only the table on screen (a sort key on a large
// fleet need not re-sort the other one).
func (f *Fleet) refreshActive() {
	if f.guestsTab {
		f.guests.Refresh(f.ctx.Plan, f.tableHeight())
	} else {
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
	if f.guestsTab {
		if f.guests.Key(km, msg, f.guests.Len(), h, nil) {
			return f, nil
		}
	} else if f.hosts.Key(km, msg, f.hosts.Len(), h, f.hosts.IsHeading) {
		return f, nil
	}
	ncols := len(components.HostColumns)
	sort, desc := &f.hosts.Sort, &f.hosts.Desc
	if f.guestsTab {
		ncols, sort, desc = len(components.GuestColumns), &f.guests.Sort, &f.guests.Desc
	}
	switch {
	case key.Matches(msg, km.Tab):
		f.guestsTab = !f.guestsTab
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
	case key.Matches(msg, km.Group) && !f.guestsTab:
		f.hosts.GroupRack = !f.hosts.GroupRack
		f.refreshActive()
	case key.Matches(msg, km.Open):
		if f.guestsTab {
			if g, ok := f.guests.Selected(); ok {
				return f, common.Send(common.OpenGuestMsg{Guest: g.Guest})
			}
		} else if hi, ok := f.hosts.Selected(); ok {
			return f, common.Send(common.OpenHostMsg{Host: f.ctx.Plan.Hosts[hi].Name})
		}
	case key.Matches(msg, km.Exclude) && !f.guestsTab:
		if hi, ok := f.hosts.Selected(); ok {
			return f, excludeCmd(&f.ctx.Plan.Hosts[hi])
		}
	case key.Matches(msg, km.Pin) && f.guestsTab:
		if g, ok := f.guests.Selected(); ok {
			return f, pinCmd(g)
		}
	case key.Matches(msg, km.Move) && f.guestsTab:
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
	const tabsLine = metricsLines // under the metrics header
	if y == tabsLine {
		// What follows the tabs (grouping, the filter) is not a tab.
		hosts, guests := f.tabWidths()
		switch {
		case x < hosts:
			f.guestsTab = false
		case x > hosts && x <= hosts+guests:
			f.guestsTab = true
		}
		return nil
	}
	line := y - tabsLine - 2 // under the tabs and the table heading
	h := f.tableHeight() - 1 // as the tables draw their rows
	open := common.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	if f.guestsTab {
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

// tabNames are the two tabs' names.
func (f *Fleet) tabNames() []string {
	p := f.ctx.Plan
	return []string{fmt.Sprintf("Hosts (%d)", len(p.Hosts)), fmt.Sprintf("New guests (%d, %d unplaced)", p.Metrics.Guests, p.Metrics.Unplaced)}
}

// tabWidths are the cells of the tabs as View draws them, "[Hosts (20)]"
// then a space and the second tab, each two cells wider than its name.
func (f *Fleet) tabWidths() (hosts, guests int) {
	t := f.tabNames()
	return len(t[0]) + 2, len(t[1]) + 2
}

// Help implements common.Screen.
func (f *Fleet) Help() keymap.Help {
	km := f.ctx.Keys
	if f.filtering {
		return keymap.Help{Short: []key.Binding{km.KeepFilter, km.Cancel}, Full: [][]key.Binding{{km.KeepFilter, km.Cancel}}}
	}
	short := []key.Binding{km.Open, km.Tab, km.Filter, km.SortNext, km.Exclude, km.Undo, km.Save, km.Help, km.Quit}
	nav := append(km.Navigation(), km.Exclude)
	view := []key.Binding{km.Open, km.Tab, km.Filter, km.SortNext, km.SortPrev, km.Reverse, km.Group}
	if f.guestsTab {
		// m opens the guest's ranking, where the host is chosen.
		short = []key.Binding{km.Open, km.Tab, km.PickHost, km.Pin, km.Filter, km.Undo, km.Save, km.Help, km.Quit}
		nav = append(km.Navigation(), km.PickHost, km.Pin)
		view = view[:len(view)-1] // no rack grouping of guests
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
	active := 0
	if f.guestsTab {
		active = 1
	}
	tabs[active] = st.Selected.Render("[" + tabs[active] + "]")
	tabs[1-active] = st.Dim.Render(" " + tabs[1-active] + " ")
	line := tabs[0] + " " + tabs[1]
	if f.hosts.GroupRack && !f.guestsTab {
		line += st.Dim.Render("  grouped by rack")
	}
	if f.filtering {
		line += "  " + f.filter.View(st)
	} else if f.filter.Value() != "" {
		line += "  " + st.Input.Render("filter: ") + f.filter.Value() + st.Dim.Render(" (esc clears)")
	}
	b.WriteString(common.Trunc(line, width) + "\n")
	th := max(height-metricsLines-2, 1)
	if f.guestsTab {
		b.WriteString(f.guests.View(st, p, width, th))
	} else {
		b.WriteString(f.hosts.View(st, p, width, th))
	}
	out := common.Fit(b.String(), width, height-1)
	if f.guestsTab {
		return out + "\n" + common.Trunc(st.Dim.Render("! unplaced or breaks a rule  p pinned · scores as placed; strand is subtracted"), width)
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
	for i, l := range lines {
		lines[i] = common.Trunc(l, width)
	}
	return strings.Join(lines, "\n")
}
