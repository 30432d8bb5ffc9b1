package pages

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/components"
	"github.com/berth-dev/berth/tui/keymap"
)

// Prompt asks for a file name and sends OnEnter(name).
type Prompt struct {
	ctx     *common.Context
	name    string
	title   string
	input   components.Input
	onEnter func(string) tea.Msg
	// enter is the binding the help shows for enter (save, export).
	enter key.Binding
	// note is said under the input (what the saved file is for).
	note string
}

// NewSavePrompt asks where to save the plan (same format as `berth plan
// --out`: JSON, or YAML for a .yaml name), and says before it is saved
// when the plan can only be reviewed (planner.Plan.ForReview).
func NewSavePrompt(ctx *common.Context, path string) *Prompt {
	p := &Prompt{ctx: ctx, name: "save plan", title: "Save the plan (JSON, or YAML if the name ends in .yaml); berth apply takes it",
		input: components.NewInput(ctx.Styles, "save plan to: ", path), onEnter: func(p string) tea.Msg { return common.SaveMsg{Path: p} },
		enter: ctx.Keys.SaveFile}
	if review, why := ctx.Plan.ForReview(); review {
		p.title = "Save the plan (JSON, or YAML if the name ends in .yaml) for review"
		p.note = "For review only: " + why + ", so berth apply would refuse it. " +
			"To make a plan berth apply can carry out, plan the live hosts: berth explore -c qemu+ssh://HOST/system -d DEMAND " +
			"(or give each host of the scenario a uri)."
	}
	return p
}

// NewExportPrompt asks where to export the edited scenario.
func NewExportPrompt(ctx *common.Context, path string) *Prompt {
	return &Prompt{ctx: ctx, name: "export scenario", title: "Export the edited scenario (policy and added demand; pins and exclusions as a comment)",
		input: components.NewInput(ctx.Styles, "export scenario to: ", path), onEnter: func(p string) tea.Msg { return common.ExportMsg{Path: p} },
		enter: ctx.Keys.ExportFile}
}

// SetSize implements common.Screen.
func (p *Prompt) SetSize(width, _ int) { p.input.SetWidth(width) }

// Title implements common.Screen.
func (p *Prompt) Title() string { return p.name }

// Capturing implements common.Screen.
func (p *Prompt) Capturing() bool { return true }

// Update implements common.Screen.
func (p *Prompt) Update(msg tea.KeyPressMsg) (common.Screen, tea.Cmd) {
	switch {
	case key.Matches(msg, p.enter):
		name := strings.TrimSpace(p.input.Value())
		if name == "" {
			return p, common.Status("give a file name", true)
		}
		return p, common.Send(common.BackMsg{Then: p.onEnter(name)})
	case key.Matches(msg, p.ctx.Keys.Cancel):
		return p, common.Send(common.BackMsg{})
	}
	p.input.Update(msg)
	return p, nil
}

// Paste takes a paste into the file name, where the cursor is.
func (p *Prompt) Paste(msg tea.PasteMsg) { p.input.Update(msg) }

// Help implements common.Screen.
func (p *Prompt) Help() keymap.Help {
	km := p.ctx.Keys
	return keymap.Help{Short: []key.Binding{p.enter, km.Cancel}, Full: [][]key.Binding{{p.enter, km.Cancel}}}
}

// View implements common.Screen.
func (p *Prompt) View(width, height int) string {
	st := p.ctx.Styles
	out := st.Heading.Render(p.title) + "\n\n" + p.input.View(st)
	if p.note != "" {
		out += "\n"
		for _, l := range common.Wrap(p.note, width, 4) {
			out += "\n" + st.Warn.Render(l)
		}
	}
	return common.Fit(out, width, height)
}

// Demand adds N guests of a profile (optionally in a group).
type Demand struct {
	ctx     *common.Context
	row     int
	profile int
	group   int // 0 = none
	count   int
}

// NewDemand returns the add-demand dialog.
func NewDemand(ctx *common.Context) *Demand { return &Demand{ctx: ctx, count: 1} }

func (d *Demand) profiles() []string {
	var out []string
	for _, p := range d.ctx.Scenario.Profiles {
		out = append(out, p.Name)
	}
	return out
}

func (d *Demand) groups() []string {
	out := []string{""}
	for _, g := range d.ctx.Scenario.Groups {
		out = append(out, g.Name)
	}
	return out
}

// SetSize implements common.Screen.
func (d *Demand) SetSize(int, int) {}

// Title implements common.Screen.
func (d *Demand) Title() string { return "add demand" }

// Capturing implements common.Screen: digits type the count.
func (d *Demand) Capturing() bool { return true }

// Update implements common.Screen.
func (d *Demand) Update(msg tea.KeyPressMsg) (common.Screen, tea.Cmd) {
	km := d.ctx.Keys
	step := 0
	switch {
	case key.Matches(msg, km.Cancel):
		return d, common.Send(common.BackMsg{})
	case key.Matches(msg, km.Apply):
		profs, groups := d.profiles(), d.groups()
		e := planner.DemandEdit{Profile: profs[d.profile], Count: d.count, Group: groups[d.group]}
		label := fmt.Sprintf("add %d × %s", d.count, e.Profile)
		if e.Group != "" {
			label += " in group " + e.Group
		}
		return d, common.Send(common.BackMsg{Then: common.EditMsg{Edit: common.Edit{Kind: common.EditDemand, Demand: e, Label: label}}})
	case key.Matches(msg, km.Up):
		d.row = (d.row + 2) % 3
	case key.Matches(msg, km.Down):
		d.row = (d.row + 1) % 3
	case key.Matches(msg, km.Left):
		step = -1
	case key.Matches(msg, km.Right):
		step = 1
	case msg.Text != "" && d.row == 1:
		if n, err := strconv.Atoi(strconv.Itoa(d.count) + msg.Text); err == nil && n <= 10000 {
			d.count = n
		}
	case msg.Code == tea.KeyBackspace && d.row == 1:
		d.count /= 10
	}
	switch d.row {
	case 0:
		n := len(d.profiles())
		d.profile = (d.profile + step + n) % n
	case 1:
		d.count = max(d.count+step, 0)
	case 2:
		n := len(d.groups())
		d.group = (d.group + step + n) % n
	}
	return d, nil
}

// Help implements common.Screen.
func (d *Demand) Help() keymap.Help {
	km := d.ctx.Keys
	short := []key.Binding{km.Up, km.Down, km.Left, km.Right, km.Apply, km.Cancel}
	return keymap.Help{Short: short, Full: [][]key.Binding{short}}
}

// View implements common.Screen.
func (d *Demand) View(width, height int) string {
	st := d.ctx.Styles
	profs, groups := d.profiles(), d.groups()
	prof, _ := d.ctx.Scenario.Profile(profs[d.profile])
	rows := []string{
		fmt.Sprintf("profile  ‹ %s ›  %s", prof.Name, st.Dim.Render(prof.Description)),
		fmt.Sprintf("count    ‹ %d ›  %s", d.count, st.Dim.Render("type digits, ←/→ ±1")),
		fmt.Sprintf("group    ‹ %s ›", common.Dash(groups[d.group])),
	}
	var b strings.Builder
	b.WriteString(st.Heading.Render("Add demand: N new guests of a profile, then re-plan") + "\n\n")
	for i, r := range rows {
		if i == d.row {
			b.WriteString("› " + st.Cursor.Render(r) + "\n")
		} else {
			b.WriteString("  " + r + "\n")
		}
	}
	b.WriteString("\n" + st.Dim.Render("each guest asks for "+planner.VectorText(prof.Request)+" (+ overhead)"))
	return common.Fit(b.String(), width, height)
}
