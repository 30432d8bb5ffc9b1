package pages

import (
	"fmt"
	"math"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/keymap"
)

// Policy edits the policy knobs (overcommit, headroom, same-appetite,
// failover k, objective) and, in a move mode, the move budget; enter
// re-plans with all changes as one edit.
type Policy struct {
	ctx *common.Context
	set knobSet
	row int
}

// knobSet is what the dialog changes: the policy, and the move mode's
// options (zero without a move mode).
type knobSet struct {
	pol inventory.Policy
	opt planner.MoveOptions
}

// NewPolicy returns the policy dialog, starting from the current policy
// (and move options).
func NewPolicy(ctx *common.Context) *Policy {
	p := &Policy{ctx: ctx, set: knobSet{pol: ctx.Policy}}
	if ctx.Moves != nil {
		p.set.opt = ctx.Moves.Options
	}
	return p
}

// current is the knob set in effect.
func (p *Policy) current() knobSet {
	k := knobSet{pol: p.ctx.Policy}
	if p.ctx.Moves != nil {
		k.opt = p.ctx.Moves.Options
	}
	return k
}

// knob is one adjustable line of the dialog: a policy knob (show, step)
// or a move budget's (moves).
type knob struct {
	name  string
	show  func(p *inventory.Policy) string
	step  func(p *inventory.Policy, dir int)
	moves *moveKnob
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

// knobs are the dialog's lines: the policy's, then the move budget's in a
// move mode.
func (p *Policy) knobs() []knob {
	ks := knobs()
	if p.ctx.Moves != nil {
		for _, m := range moveKnobs(p.ctx.Moves.Goal) {
			ks = append(ks, knob{name: m.name, moves: &m})
		}
	}
	return ks
}

// show and step read and change the knob's value in set.
func (k knob) showIn(set *knobSet) string {
	if k.moves != nil {
		return k.moves.show(&set.opt)
	}
	return k.show(&set.pol)
}

func (k knob) stepIn(set *knobSet, dir int) {
	if k.moves != nil {
		k.moves.step(&set.opt, dir)
		return
	}
	k.step(&set.pol, dir)
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
	ks := p.knobs()
	switch {
	case key.Matches(msg, km.Cancel):
		return p, common.Send(common.BackMsg{})
	case key.Matches(msg, km.Apply):
		changes := p.changes()
		if len(changes) == 0 {
			return p, common.Send(common.BackMsg{Then: common.StatusMsg{Text: "policy unchanged"}})
		}
		return p, common.Send(common.BackMsg{Then: common.EditMsg{Edit: common.Edit{Kind: common.EditPolicy, Policy: p.set.pol,
			MoveOptions: p.set.opt, Label: "policy " + strings.Join(changes, ", ")}}})
	case key.Matches(msg, km.Up):
		p.row = (p.row + len(ks) - 1) % len(ks)
	case key.Matches(msg, km.Down):
		p.row = (p.row + 1) % len(ks)
	case key.Matches(msg, km.Left):
		ks[p.row].stepIn(&p.set, -1)
	case key.Matches(msg, km.Right):
		ks[p.row].stepIn(&p.set, 1)
	case ks[p.row].moves != nil && ks[p.row].moves.typed != nil && (msg.Code == tea.KeyBackspace || len(msg.Text) == 1 && msg.Text >= "0" && msg.Text <= "9"):
		r := '\b'
		if msg.Code != tea.KeyBackspace {
			r = rune(msg.Text[0])
		}
		ks[p.row].moves.typed(&p.set.opt, r)
	}
	return p, nil
}

// changes lists the knobs that differ from the current policy, "name old→new".
func (p *Policy) changes() []string {
	var out []string
	cur := p.current()
	for _, k := range p.knobs() {
		if a, b := k.showIn(&cur), k.showIn(&p.set); a != b {
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
	cur := p.current()
	var b strings.Builder
	title := "Policy knobs: ←/→ change, enter re-plans with all changes as one edit"
	if p.ctx.Moves != nil {
		title = "Policy knobs and move budget: ←/→ change (digits type a count), enter re-plans with all changes as one edit"
	}
	b.WriteString(st.Heading.Render(common.Trunc(title, width)) + "\n\n")
	for i, k := range p.knobs() {
		now, was := k.showIn(&p.set), k.showIn(&cur)
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
