package pages

import (
	"fmt"
	"math"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/keymap"
)

// Policy edits the policy knobs (overcommit, headroom, same-appetite,
// failover k, objective); enter re-plans with all changes as one edit.
type Policy struct {
	ctx *common.Context
	pol inventory.Policy
	row int
}

// NewPolicy returns the policy dialog, starting from the current policy.
func NewPolicy(ctx *common.Context) *Policy { return &Policy{ctx: ctx, pol: ctx.Policy} }

// knob is one adjustable line of the dialog.
type knob struct {
	name string
	show func(p *inventory.Policy) string
	step func(p *inventory.Policy, dir int)
}

var appetiteModes = []inventory.AppetiteMode{inventory.AppetiteSoft, inventory.AppetiteHard, inventory.AppetiteOff}

func knobs() []knob {
	var ks []knob
	for _, d := range inventory.Dimensions {
		ks = append(ks, knob{
			name: "overcommit " + d.String(),
			show: func(p *inventory.Policy) string { return fmt.Sprintf("%.2f×", p.Overcommit[d]) },
			step: func(p *inventory.Policy, dir int) {
				p.Overcommit[d] = math.Max(0.25, math.Round((p.Overcommit[d]+0.25*float64(dir))*4)/4)
			},
		})
	}
	for _, d := range inventory.Dimensions {
		ks = append(ks, knob{
			name: "headroom " + d.String(),
			show: func(p *inventory.Policy) string { return fmt.Sprintf("%.0f%%", p.Headroom[d]*100) },
			step: func(p *inventory.Policy, dir int) {
				pct := math.Round(p.Headroom[d]*100) + 5*float64(dir)
				p.Headroom[d] = math.Min(100, math.Max(5, pct)) / 100
			},
		})
	}
	ks = append(ks,
		knob{name: "same-appetite", show: func(p *inventory.Policy) string { return string(p.SameAppetite.Mode) },
			step: func(p *inventory.Policy, dir int) {
				i := 0
				for j, m := range appetiteModes {
					if m == p.SameAppetite.Mode {
						i = j
					}
				}
				p.SameAppetite.Mode = appetiteModes[(i+dir+len(appetiteModes))%len(appetiteModes)]
			}},
		knob{name: "max per host (hard)", show: func(p *inventory.Policy) string { return fmt.Sprint(p.SameAppetite.MaxPerHost) },
			step: func(p *inventory.Policy, dir int) { p.SameAppetite.MaxPerHost = max(1, p.SameAppetite.MaxPerHost+dir) }},
		knob{name: "failover hosts (k)", show: func(p *inventory.Policy) string { return fmt.Sprint(p.FailoverHosts) },
			step: func(p *inventory.Policy, dir int) { p.FailoverHosts = max(0, p.FailoverHosts+dir) }},
		knob{name: "objective", show: func(p *inventory.Policy) string { return string(p.Objective) },
			step: func(p *inventory.Policy, _ int) {
				if p.Objective == inventory.ObjectiveSpread {
					p.Objective = inventory.ObjectivePack
				} else {
					p.Objective = inventory.ObjectiveSpread
				}
			}},
	)
	return ks
}

// SetSize implements common.Screen.
func (p *Policy) SetSize(int, int) {}

// Title implements common.Screen.
func (p *Policy) Title() string { return "policy" }

// Capturing implements common.Screen.
func (p *Policy) Capturing() bool { return true }

// Update implements common.Screen.
func (p *Policy) Update(msg tea.KeyPressMsg) (common.Screen, tea.Cmd) {
	km := p.ctx.Keys
	ks := knobs()
	switch {
	case key.Matches(msg, km.Cancel):
		return p, common.Send(common.BackMsg{})
	case key.Matches(msg, km.Apply):
		changes := p.changes()
		if len(changes) == 0 {
			return p, common.Send(common.BackMsg{Then: common.StatusMsg{Text: "policy unchanged"}})
		}
		return p, common.Send(common.BackMsg{Then: common.EditMsg{Edit: common.Edit{Kind: common.EditPolicy, Policy: p.pol,
			Label: "policy " + strings.Join(changes, ", ")}}})
	case key.Matches(msg, km.Up):
		p.row = (p.row + len(ks) - 1) % len(ks)
	case key.Matches(msg, km.Down):
		p.row = (p.row + 1) % len(ks)
	case key.Matches(msg, km.Left):
		ks[p.row].step(&p.pol, -1)
	case key.Matches(msg, km.Right):
		ks[p.row].step(&p.pol, 1)
	}
	return p, nil
}

// changes lists the knobs that differ from the current policy, "name old→new".
func (p *Policy) changes() []string {
	var out []string
	cur := p.ctx.Policy
	for _, k := range knobs() {
		if a, b := k.show(&cur), k.show(&p.pol); a != b {
			out = append(out, fmt.Sprintf("%s %s→%s", k.name, a, b))
		}
	}
	return out
}

// Help implements common.Screen.
func (p *Policy) Help() keymap.Help {
	km := p.ctx.Keys
	short := []key.Binding{km.Up, km.Down, km.Left, km.Right, km.Apply, km.Cancel}
	return keymap.Help{Short: short, Full: [][]key.Binding{short}}
}

// View implements common.Screen.
func (p *Policy) View(width, height int) string {
	st := p.ctx.Styles
	cur := p.ctx.Policy
	var b strings.Builder
	b.WriteString(st.Heading.Render("Policy knobs: ←/→ change, enter re-plans with all changes as one edit") + "\n\n")
	for i, k := range knobs() {
		now, was := k.show(&p.pol), k.show(&cur)
		line := fmt.Sprintf("%-22s %8s", k.name, now)
		if now != was {
			line += st.Warn.Render(" (was " + was + ")")
		}
		if i == p.row {
			b.WriteString("› " + st.Cursor.Render(line) + "\n")
		} else {
			b.WriteString("  " + line + "\n")
		}
	}
	return common.Fit(b.String(), width, height)
}
