// Package tui is `berth explore`: a bubbletea program over a Plan and the
// Planner that made it. Operators browse the fleet, look into hosts and
// guests (why here, why not), and try what-if edits (move, pin, exclude,
// add demand, policy knobs) that go through the planner API — the same
// calls `berth plan` makes — with undo and redo, then save the plan for
// `berth apply`.
//
// The root Model routes messages: keys to the screen on top of a stack
// (package pages), intents from screens to the planner jobs. Re-planning
// and every other planner call run as tea.Cmds, one at a time, off the UI
// loop. View is a pure function of the state.
package tui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/keymap"
	"github.com/berth-dev/berth/tui/pages"
	"github.com/berth-dev/berth/tui/styles"
)

// Options configure the explorer.
type Options struct {
	// Planner edits and re-plans; nil explores Plan read-only.
	Planner *planner.Planner
	// Plan is the plan to start from; nil makes the first plan with
	// Planner (in the background, with a spinner).
	Plan *planner.Plan
	// Mouse takes the mouse (the wheel moves the cursor, a click selects
	// and opens); without it the terminal keeps the mouse for selecting
	// text.
	Mouse bool
	// SavePath and ExportPath are the file names offered by s and e.
	SavePath, ExportPath string
	// ExpectID, if set, is the ID the first plan should have (a saved plan
	// re-opened with its scenario); a different plan is pointed out.
	ExpectID string
	// Notice is shown on the status line at start (e.g. that a saved plan
	// no longer matches its scenario).
	Notice string
	// Moves, with a Planner, makes every plan with moves of running
	// guests (berth rebalance, drain, waves, plan --allow-moves); nil
	// places new guests only. MoveModeOf gives the mode of a saved plan.
	Moves *MoveMode
	// Load is the guests' load history (berth explore --usage): the host
	// and guest screens draw it as sparklines. nil draws none.
	Load *Load
}

// Load is the guests' load history for the sparklines (see common.Load).
type Load = common.Load

// LoadSeries is one guest's load history per dimension.
type LoadSeries = common.LoadSeries

// MoveMode is how the explorer moves running guests (see common.MoveMode).
type MoveMode = common.MoveMode

// MoveModeOf is the move mode that made p (nil if p moves nothing and was
// not asked to): opening a saved plan with moves with its scenario
// re-plans in that mode.
func MoveModeOf(p *planner.Plan) *MoveMode { return common.MoveModeOf(p) }

// Model is the explorer's root model.
type Model struct {
	ctx     *common.Context
	pl      *planner.Planner
	screens []common.Screen

	help     help.Model
	fullHelp bool
	spin     spinner.Model

	busy      bool
	busyLabel string
	// firstPending: the first plan on screen is a preview; the improved
	// one that follows is the first plan proper (firstPlan).
	firstPending bool
	// queued are the edits, undos and redos asked for while a planner job
	// ran, started in order as jobs end: keys typed ahead are never lost.
	queued    []queuedEdit
	status    string
	statusBad bool
	delta     *delta

	undo, redo []snapshot

	savePath, exportPath string
	expectID             string

	// savedID is the ID of the plan nothing is unsaved against: the last
	// plan saved with s, else the plan the explorer opened with.
	savedID string
	// mouse: View asks the terminal for mouse reports.
	takeMouse bool
	// quitAsk is the quit prompt on the status line while q waits for
	// its answer ("" when not asking).
	quitAsk string
}

// New returns the explorer's model.
func New(opt Options) (*Model, error) {
	if opt.Planner == nil && opt.Plan == nil {
		return nil, fmt.Errorf("explore: need a planner or a plan")
	}
	// Dark until the terminal says otherwise (Init asks it).
	st := styles.New(true)
	ctx := &common.Context{
		Width: 80, Height: 24, Styles: st, Keys: keymap.Default(),
		Plan: opt.Plan, ReadOnly: opt.Planner == nil,
		Candidates: map[string][]planner.CandidateView{},
		Load:       opt.Load,
	}
	if opt.Planner != nil {
		ctx.Scenario = opt.Planner.Scenario()
		ctx.Policy, ctx.Edits = opt.Planner.Policy(), opt.Planner.Edits()
		if opt.Moves != nil {
			mode := *opt.Moves
			mode.Drain = slices.Clone(mode.Drain)
			ctx.Moves = &mode
			ctx.Keys.Policy.SetHelp(ctx.Keys.Policy.Help().Key, "policy, move budget")
		}
	} else {
		ctx.Policy, ctx.Edits = planner.PolicyFromView(opt.Plan.Policy), opt.Plan.Edits
	}
	m := &Model{
		ctx: ctx, pl: opt.Planner, takeMouse: opt.Mouse,
		help:     help.New(),
		spin:     spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(st.Input)),
		savePath: opt.SavePath, exportPath: opt.ExportPath, expectID: opt.ExpectID,
		status: opt.Notice, statusBad: opt.Notice != "",
	}
	if m.savePath == "" {
		m.savePath = "plan.json"
	}
	if m.exportPath == "" {
		m.exportPath = "scenario.yaml"
	}
	m.restyle(true)
	if opt.Plan != nil {
		m.savedID = opt.Plan.ID
	}
	// A plan reopened with its scenario is saved as ExpectID: if the
	// scenario re-plans differently, what is on screen is unsaved.
	if opt.ExpectID != "" {
		m.savedID = opt.ExpectID
	}
	m.screens = []common.Screen{pages.NewFleet(ctx)}
	m.resize()
	return m, nil
}

// Plan is the plan on screen.
func (m *Model) Plan() *planner.Plan { return m.ctx.Plan }

// Busy reports whether a planner job is running.
func (m *Model) Busy() bool { return m.busy }

// Init implements tea.Model: the first plan, if none was given, and the
// terminal's background colour, for the styles. The answer arrives as a
// tea.BackgroundColorMsg whenever the terminal sends it; a terminal that
// never answers leaves the dark styles and holds nothing up.
func (m *Model) Init() tea.Cmd {
	if m.ctx.Plan == nil {
		mode := m.mode()
		label := "planning " + m.ctx.Scenario.Name
		if mode != nil {
			label += " (" + mode.Name() + ")"
		}
		return tea.Batch(tea.RequestBackgroundColor, m.run(jobPlan, label, func(pl *planner.Planner) jobDoneMsg { return planJob(pl, mode) }))
	}
	return tea.RequestBackgroundColor
}

// restyle sets the styles for a dark or light background: the screens
// read them from the shared context, the help and the spinner hold their
// own.
func (m *Model) restyle(dark bool) {
	st := m.ctx.Styles
	*st = *styles.New(dark)
	m.help.Styles.ShortKey = st.Label
	m.help.Styles.FullKey = st.Label
	m.help.Styles.ShortDesc = st.Dim
	m.help.Styles.FullDesc = st.Dim
	m.help.Styles.ShortSeparator = st.Dim
	m.help.Styles.FullSeparator = st.Dim
	m.help.Styles.Ellipsis = st.Dim
	m.spin.Style = st.Input
}

func (m *Model) top() common.Screen { return m.screens[len(m.screens)-1] }

// run starts a planner job. Only one runs at a time: callers check busy.
func (m *Model) run(kind jobKind, label string, job func(*planner.Planner) jobDoneMsg) tea.Cmd {
	m.busy, m.busyLabel = true, label
	pl := m.pl
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		r := job(pl)
		r.kind, r.label = kind, label
		return r
	})
}

// Update implements tea.Model. It routes: keys to the global bindings or
// the top screen, intents to planner jobs, job answers into the state.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	return m, m.update(msg)
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.ctx.Width, m.ctx.Height = msg.Width, msg.Height
		m.resize()
		return nil
	case tea.BackgroundColorMsg:
		m.restyle(msg.IsDark())
		return nil
	case spinner.TickMsg:
		if !m.busy {
			return nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return cmd
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.PasteMsg:
		// A paste is text: it goes into a filter or a file name, and is
		// never taken as keys.
		if p, ok := m.top().(interface{ Paste(tea.PasteMsg) }); ok && m.ctx.Plan != nil {
			p.Paste(msg)
		}
		return nil
	case tea.MouseMsg:
		return m.mouse(msg)
	case jobDoneMsg:
		return m.jobDone(msg)
	case fileDoneMsg:
		// The last edit's delta is old news once the plan is saved: it
		// would come back on the status line after the next key.
		m.delta = nil
		if msg.err == nil && msg.planID != "" {
			m.savedID = msg.planID
		}
		if msg.err != nil {
			m.setStatus(msg.what+": "+msg.err.Error(), true)
		} else {
			m.setStatus(fmt.Sprintf("%s to %s; %s", msg.what, msg.path, msg.detail), false)
		}
		return nil
	}
	return m.intent(msg)
}

// now handles a screen's command at once: it only sends an intent (see
// common.Screen), and the key that asked for it must be acted on before
// the next key, which bubbletea may already hold (keys that arrive
// together — tmux send-keys, a fast typist, a key repeating — come as one
// message each, one after the other, while a command's answer would come
// after them).
func (m *Model) now(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return m.update(cmd())
}

// mouse handles the mouse: the wheel moves the cursor as the arrow keys
// do, on every screen; a left click goes to the top screen if it takes
// clicks (the fleet view: select a row, click it again to open it).
func (m *Model) mouse(msg tea.MouseMsg) tea.Cmd {
	if m.ctx.Plan == nil || m.quitAsk != "" {
		return nil
	}
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			return m.key(tea.KeyPressMsg{Code: tea.KeyUp})
		case tea.MouseWheelDown:
			return m.key(tea.KeyPressMsg{Code: tea.KeyDown})
		}
	case tea.MouseClickMsg:
		c, ok := m.top().(interface{ Click(x, y int) tea.Cmd })
		_, bh := m.bodySize()
		y := msg.Y - 1 // under the title bar
		if msg.Button != tea.MouseLeft || !ok || y < 0 || y >= bh {
			return nil
		}
		return m.now(c.Click(msg.X, y))
	}
	return nil
}

// key handles a key press: global keys first (unless the screen takes
// text), then the top screen.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	km := m.ctx.Keys
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	if msg.Code == tea.KeyEscape && msg.Mod == tea.ModAlt {
		// Two escapes read together come as alt+esc (a terminal sends
		// alt+key as ESC and the key). The explorer binds no alt+esc:
		// it is esc twice, as typed.
		esc := tea.KeyPressMsg{Code: tea.KeyEscape}
		first := m.key(esc)
		return tea.Batch(first, m.key(esc))
	}
	if m.ctx.Plan == nil {
		if key.Matches(msg, km.Quit) {
			return tea.Quit
		}
		return nil
	}
	if m.quitAsk != "" {
		return m.answerQuit(msg)
	}
	if !m.top().Capturing() {
		m.status = ""
		switch {
		case key.Matches(msg, km.Quit):
			if n := m.unsaved(); n > 0 {
				m.quitAsk = fmt.Sprintf("unsaved edits (%d): q again quits without saving, s saves, esc stays", n)
				return nil
			}
			return tea.Quit
		case key.Matches(msg, km.Help):
			m.fullHelp = !m.fullHelp
			if m.fullHelp {
				km.Help.SetHelp("?", "close help")
			} else {
				km.Help.SetHelp("?", "more keys")
			}
			m.resize()
			return nil
		case key.Matches(msg, km.Undo):
			return m.undoRedo(false)
		case key.Matches(msg, km.Redo):
			return m.undoRedo(true)
		case key.Matches(msg, km.Save):
			m.push(pages.NewSavePrompt(m.ctx, m.savePath))
			return nil
		case key.Matches(msg, km.Export):
			if m.ctx.Scenario == nil {
				m.setStatus("read-only: no scenario to export (open the plan with -f or --scenario too)", true)
				return nil
			}
			m.push(pages.NewExportPrompt(m.ctx, m.exportPath))
			return nil
		case key.Matches(msg, km.AddDemand), key.Matches(msg, km.Policy):
			if m.refuseEdit() {
				return nil
			}
			if key.Matches(msg, km.AddDemand) {
				m.push(pages.NewDemand(m.ctx))
			} else {
				m.push(pages.NewPolicy(m.ctx))
			}
			return nil
		}
	}
	s, cmd := m.top().Update(msg)
	m.screens[len(m.screens)-1] = s
	return m.now(cmd)
}

// answerQuit takes the key pressed at the quit prompt: q quits without
// saving, s opens the save dialog, anything else stays.
func (m *Model) answerQuit(msg tea.KeyPressMsg) tea.Cmd {
	m.quitAsk, m.status = "", ""
	km := m.ctx.Keys
	switch {
	case key.Matches(msg, km.Quit):
		return tea.Quit
	case key.Matches(msg, km.Save):
		m.push(pages.NewSavePrompt(m.ctx, m.savePath))
	}
	return nil
}

// unsaved counts the edits between the plan on screen and the last plan
// saved (or, before any save, the plan the explorer opened with), going
// along the undo and redo history: 0 when they are the same plan, so
// undoing back to the start leaves nothing unsaved. A read-only plan has
// no edits.
func (m *Model) unsaved() int {
	p := m.ctx.Plan
	if m.pl == nil || p == nil || p.ID == m.savedID || (m.firstPending && len(m.undo) == 0) {
		// Nothing edited yet: the first plan is still being improved.
		return 0
	}
	for i := len(m.undo) - 1; i >= 0; i-- {
		if m.undo[i].plan != nil && m.undo[i].plan.ID == m.savedID {
			return len(m.undo) - i
		}
	}
	for i := len(m.redo) - 1; i >= 0; i-- {
		if m.redo[i].plan != nil && m.redo[i].plan.ID == m.savedID {
			return len(m.redo) - i
		}
	}
	// The saved plan is off the history (saved, undone past, then edited
	// on another branch): count every edit on the way here.
	return max(len(m.undo), 1)
}

// intent handles a screen's request.
func (m *Model) intent(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.OpenHostMsg:
		m.push(pages.NewHost(m.ctx, msg.Host))
	case common.OpenGuestMsg:
		m.push(pages.NewGuest(m.ctx, msg.Guest))
		return m.wantCandidates()
	case common.BackMsg:
		if len(m.screens) > 1 {
			m.screens = m.screens[:len(m.screens)-1]
			m.resize()
		}
		if msg.Then != nil {
			return m.intent(msg.Then)
		}
		return m.wantCandidates()
	case common.StatusMsg:
		m.setStatus(msg.Text, msg.Bad)
	case common.EditMsg:
		if m.refuseEdit() {
			return nil
		}
		e := msg.Edit
		if m.busy {
			m.enqueue(e.Label, func() tea.Cmd { return m.startEdit(e) })
			return nil
		}
		return m.startEdit(e)
	case common.SaveMsg:
		if m.busy {
			m.setStatus("wait for the re-plan to finish, then save", true)
			return nil
		}
		m.savePath = msg.Path
		return saveCmd(msg.Path, m.ctx.Plan)
	case common.ExportMsg:
		if m.busy {
			m.setStatus("wait for the re-plan to finish, then export", true)
			return nil
		}
		m.exportPath = msg.Path
		return exportCmd(msg.Path, m.ctx.Scenario, m.ctx.Policy, m.ctx.Edits, m.mode())
	}
	return nil
}

// refuseEdit says why no edit can be made, if none can.
func (m *Model) refuseEdit() bool {
	if m.pl == nil {
		m.setStatus("read-only: this saved plan was opened without its scenario; run berth explore --plan FILE -f SCENARIO to edit", true)
		return true
	}
	return false
}

// startEdit starts an edit's re-plan. An edit that no longer makes sense
// (resolve) is reported and the queue goes on.
func (m *Model) startEdit(e common.Edit) tea.Cmd {
	e, err := resolve(e, m.ctx.Plan)
	if err != nil {
		m.setStatus(err.Error(), true)
		return nil
	}
	m.redo = nil
	before, mode := m.snapshot(), m.mode()
	return m.run(jobEdit, e.Label, func(pl *planner.Planner) jobDoneMsg { return editJob(pl, e, before, mode) })
}

// queuedEdit is an edit, undo or redo waiting for the running job.
type queuedEdit struct {
	label string
	start func() tea.Cmd
}

// enqueue keeps an edit asked for while a job runs (the planner is not
// safe for concurrent use, so jobs run one at a time).
func (m *Model) enqueue(label string, start func() tea.Cmd) {
	after := m.busyLabel
	if n := len(m.queued); n > 0 {
		after = m.queued[n-1].label
	}
	m.queued = append(m.queued, queuedEdit{label, start})
	m.setStatus(fmt.Sprintf("queued: %s (runs after %s)", label, after), false)
}

// next starts the queued edits in order until one starts a job (an undo
// with nothing to undo, or an edit that no longer applies, starts none and
// says so on the status line).
func (m *Model) next() tea.Cmd {
	for len(m.queued) > 0 {
		q := m.queued[0]
		m.queued = m.queued[1:]
		if strings.HasPrefix(m.status, "queued: ") {
			m.setStatus("", false)
		}
		if cmd := q.start(); cmd != nil {
			return cmd
		}
	}
	return nil
}

func (m *Model) snapshot() snapshot {
	s := snapshot{edits: m.ctx.Edits, policy: m.ctx.Policy, plan: m.ctx.Plan}
	if m.ctx.Moves != nil {
		s.moves = m.ctx.Moves.Options
	}
	return s
}

// mode is a copy of the move mode for a planner job (nil without one):
// the job runs off the UI loop, which alone writes the context.
func (m *Model) mode() *common.MoveMode {
	if m.ctx.Moves == nil {
		return nil
	}
	c := *m.ctx.Moves
	c.Drain = slices.Clone(c.Drain)
	return &c
}

// undoRedo restores the previous (or next) snapshot.
func (m *Model) undoRedo(redo bool) tea.Cmd {
	from, name := &m.undo, "undo"
	if redo {
		from, name = &m.redo, "redo"
	}
	if m.refuseEdit() {
		return nil
	}
	if m.busy {
		// Checked before the stack: the running edit will be there to undo.
		m.enqueue(name, func() tea.Cmd { return m.undoRedo(redo) })
		return nil
	}
	if len(*from) == 0 {
		m.setStatus("nothing to "+name, false)
		return nil
	}
	target := (*from)[len(*from)-1]
	*from = (*from)[:len(*from)-1]
	cur := m.snapshot()
	return m.run(jobRestore, name, func(pl *planner.Planner) jobDoneMsg {
		r := restoreJob(pl, target)
		r.before, r.redo = cur, redo
		return r
	})
}

// jobDone takes a planner job's answer into the state.
func (m *Model) jobDone(r jobDoneMsg) tea.Cmd {
	m.busy = false
	if r.err != nil {
		text := r.err.Error()
		if r.kind == jobImprove && m.firstPending {
			// The preview stays on screen as the first plan. It is not
			// the plan a re-opened file holds (that one was improved),
			// so it is not compared with it.
			m.firstPending = false
			if m.savedID == "" {
				m.savedID = m.ctx.Plan.ID
			}
		}
		if r.kind == jobCandidates {
			m.ctx.Candidates[r.guest] = nil
		} else if n := len(m.queued); n > 0 {
			// The edits typed after a failed one were meant to follow it.
			m.queued = nil
			text += "; " + planner.CountOf(n, "queued edit", "queued edits") + " dropped"
		}
		m.setStatus(text, true)
		return m.next()
	}
	switch r.kind {
	case jobPlan:
		m.setPlan(r)
		if r.preview {
			m.firstPending = true
			return m.improve()
		}
		m.firstPlan(r.plan)
	case jobEdit:
		m.undo = append(m.undo, r.before)
		m.delta = &delta{label: r.label, before: r.before.plan, after: r.plan}
		m.setPlan(r)
		if r.preview {
			return m.improve()
		}
	case jobImprove:
		m.setPlan(r)
		if m.delta != nil {
			m.delta.after = r.plan
		}
		if m.firstPending {
			m.firstPending = false
			m.firstPlan(r.plan)
		}
	case jobRestore:
		if r.redo {
			m.undo = append(m.undo, r.before)
		} else {
			m.redo = append(m.redo, r.before)
		}
		m.delta = &delta{label: r.label, before: r.before.plan, after: r.plan}
		m.setPlan(r)
	case jobCandidates:
		m.ctx.Candidates[r.guest] = r.cands
		m.resize()
	}
	if cmd := m.next(); cmd != nil {
		return cmd
	}
	return m.wantCandidates()
}

// improve starts the improvement of the preview on screen: the plan that
// follows is the one `berth plan` prints. Edits typed meanwhile queue.
func (m *Model) improve() tea.Cmd {
	label := fmt.Sprintf("improving the plan (%d steps)", m.ctx.Policy.Iterations)
	if m.ctx.Policy.Budget > 0 {
		label = "improving the plan (" + m.ctx.Policy.Budget.String() + ")"
	}
	return m.run(jobImprove, label, improveJob)
}

// firstPlan takes note of the first plan (the improved one when there is
// a preview): what counts as saved, and whether a re-opened plan's
// scenario changed.
func (m *Model) firstPlan(p *planner.Plan) {
	if m.savedID == "" {
		m.savedID = p.ID
	}
	if m.expectID != "" && p.ID != m.expectID {
		// The scenario changed since the plan was saved: the plan on
		// screen is a new one, so s does not offer to overwrite the
		// saved file (the name can still be typed over).
		orig := m.savePath
		m.savePath = EditedPath(orig)
		m.setStatus(fmt.Sprintf("scenario changed: %s (%s) re-planned; s saves %s", filepath.Base(orig), m.expectID, filepath.Base(m.savePath)), true)
	}
}

func (m *Model) setPlan(r jobDoneMsg) {
	m.ctx.Plan, m.ctx.Edits, m.ctx.Policy = r.plan, r.edits, r.policy
	if m.ctx.Moves != nil {
		m.ctx.Moves.Options = r.moves
	}
	m.ctx.Candidates = map[string][]planner.CandidateView{}
	m.resize()
}

// wantCandidates fetches the ranking the top screen shows, if it needs one.
// A move mode fetches none: the planner ranks hosts for a new guest on the
// fleet as it stands, not as the moves leave it, which is the plan on
// screen.
func (m *Model) wantCandidates() tea.Cmd {
	w, ok := m.top().(interface{ Wants() string })
	if !ok || m.pl == nil || m.busy || m.ctx.Moves != nil {
		return nil
	}
	guest := w.Wants()
	if guest == "" {
		return nil
	}
	if _, have := m.ctx.Candidates[guest]; have {
		return nil
	}
	return m.run(jobCandidates, "ranking hosts for "+guest, func(pl *planner.Planner) jobDoneMsg { return candidatesJob(pl, guest) })
}

func (m *Model) push(s common.Screen) {
	m.screens = append(m.screens, s)
	m.resize()
}

func (m *Model) setStatus(text string, bad bool) {
	m.status, m.statusBad = text, bad
}

// resize tells every screen its body size.
func (m *Model) resize() {
	if m.ctx.Plan == nil {
		return
	}
	w, h := m.bodySize()
	for _, s := range m.screens {
		s.SetSize(w, h)
	}
}

// EditedPath is where a plan re-made from a changed scenario is saved by
// default, next to the original: plan.json → plan.edited.json.
func EditedPath(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + ".edited" + ext
}
