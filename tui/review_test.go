package tui

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/components"
)

// TestKeysArrivingTogether: keys that reach the program in one read are
// handled one by one, in order, and a key that opens a screen is acted on
// before the keys after it: "jjj" + enter + "j" opens the fourth host and
// moves to its second guest (were the enter's screen opened after the last
// j, the j would move the fleet's cursor instead). An edit among them
// runs in the background while the keys after it move the cursor.
func TestKeysArrivingTogether(t *testing.T) {
	m, err := New(Options{Planner: planner.New(embedded(t, "default"))})
	if err != nil {
		t.Fatal(err)
	}
	l := startLive(t, m, 80, 24)
	ready := func(m *Model) bool { return m.Plan() != nil && !m.Busy() }
	var fleet []planner.HostPlan // kvm01 … kvm20, the fleet view's order
	l.waitFor("the first plan", func(m *Model) bool {
		if !ready(m) {
			return false
		}
		fleet = m.Plan().Hosts // read in the program's loop
		return true
	})
	second := slices.SortedFunc(slices.Values(fleet[3].Existing), components.CompareNames)[1]

	l.write("jjj\rj")
	l.waitFor("jjj, enter, j: host "+fleet[3].Name+", cursor on "+second, func(m *Model) bool {
		return m.top().Title() == "host "+fleet[3].Name && strings.Contains(lineOf(ansi.Strip(m.Frame()), "›"), second)
	})

	// Back to the fleet, its cursor still on kvm04 (backspace is back too;
	// esc alone waits for a timeout), then an edit among moves: x excludes
	// kvm04 and runs in the background, j moves to kvm05 at once.
	l.write("\x7fxj")
	l.waitFor("back, x, j", func(m *Model) bool {
		ex := m.ctx.Edits.Excluded
		return ready(m) && len(ex) == 1 && ex[0] == fleet[3].Name &&
			strings.Contains(lineOf(ansi.Strip(m.Frame()), "›"), " "+fleet[4].Name+" ")
	})

	// A dialog: a opens it, j goes to the count, backspace and 3 make it
	// 3, enter adds the demand.
	l.write("aj\x7f3\r")
	l.waitFor("add 3 guests", func(m *Model) bool {
		d := m.ctx.Edits.Demand
		return ready(m) && len(d) == 1 && d[0].Count == 3
	})
	// Two escapes in one read (tmux send-keys Escape Escape) come as
	// alt+esc: both screens close, the save prompt and the host.
	l.write("\rs")
	l.waitFor("enter, s: the save prompt over the host", func(m *Model) bool { return len(m.screens) == 3 })
	l.write("\x1b\x1b")
	l.waitFor("esc esc in one read", func(m *Model) bool { return len(m.screens) == 1 })
	if final := l.quit(); final.top().Title() != "fleet" {
		t.Errorf("ended on %q, want the fleet view", final.top().Title())
	}
}

// TestPasteIsText: a paste is never taken as keys; in the filter it is
// text, inserted where the cursor is.
func TestPasteIsText(t *testing.T) {
	h := start(t, "default", 80, 24)
	h.send(tea.PasteMsg{Content: "jjx"})
	if row := lineOf(h.screen(), "›"); !strings.Contains(row, "kvm01") || len(h.m.ctx.Edits.Excluded) != 0 {
		t.Errorf("a paste was taken as keys: cursor row %q, excluded %v", row, h.m.ctx.Edits.Excluded)
	}
	h.keys("/")
	h.typeText("km1")
	h.keys("left", "left")
	h.send(tea.PasteMsg{Content: "v"})
	mustContain(t, h.screen(), "filter: kvm1", "kvm10", "kvm19")
	if strings.Contains(h.screen(), " kvm02 ") {
		t.Errorf("the filter kvm1 was not applied:\n%s", h.screen())
	}
	h.typeText("9x") // text inside the filter, not an exclusion
	if len(h.m.ctx.Edits.Excluded) != 0 {
		t.Fatal("keys typed into the filter were taken as edits")
	}
}

// TestChangedScenarioSavesAside: a saved plan re-opened with a scenario
// that no longer gives it says so in a line that fits 80 columns, and s
// offers PLAN.edited.json rather than the saved file.
func TestChangedScenarioSavesAside(t *testing.T) {
	dir := t.TempDir()
	orig := filepath.Join(dir, "plan.json")
	m, err := New(Options{Planner: planner.New(embedded(t, "tight")),
		SavePath: orig, ExpectID: "0123456789ab"})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, m: m}
	h.run(m.Init())
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	status := strings.Split(h.screen(), "\n")[22]
	mustContain(t, status, "scenario changed", "0123456789ab", "plan.edited.json")
	if strings.Contains(status, "…") {
		t.Errorf("the notice is cut at 80 columns: %q", status)
	}
	h.keys("s")
	mustContain(t, h.screen(), "save plan to: "+filepath.Join(dir, "plan.edited.json"))
	h.keys("enter")
	if _, err := os.Stat(orig); err == nil {
		t.Error("s overwrote the saved plan")
	}
	if _, err := os.Stat(filepath.Join(dir, "plan.edited.json")); err != nil {
		t.Error(err)
	}
}

// TestSaveDialogWords: the save prompt's enter says save, and after saving
// the last edit's delta does not come back on the status line.
func TestSaveDialogWords(t *testing.T) {
	h := start(t, "default", 80, 24)
	h.keys("x", "u", "ctrl+r")
	mustContain(t, h.screen(), "redo:")
	h.keys("s")
	s := h.screen()
	mustContain(t, lineOf(s, "esc cancel"), "enter save")
	h.keys("ctrl+u")
	h.typeText(filepath.Join(t.TempDir(), "p.json"))
	h.keys("enter")
	mustContain(t, h.screen(), "saved plan")
	h.keys("down")
	if s := h.screen(); strings.Contains(s, "redo:") {
		t.Errorf("a stale redo: line after saving:\n%s", s)
	}
	h.keys("e")
	mustContain(t, lineOf(h.screen(), "esc cancel"), "enter export")
}

// TestReadOnlyHelpHidesEdits: without the scenario the help offers no
// edit keys (they would only say they need it).
func TestReadOnlyHelpHidesEdits(t *testing.T) {
	m, err := New(Options{Plan: reference(t, "tight", nil)})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, m: m}
	h.send(tea.WindowSizeMsg{Width: 200, Height: 40})
	for _, path := range [][]string{{}, {"?"}, {"?", "enter"}, {"?", "esc", "tab"}, {"tab", "enter"}} {
		h.keys(path...)
		lines := strings.Split(h.screen(), "\n")
		s := strings.Join(lines[len(lines)-h.m.helpHeight()-1:], "\n") // status line and help
		for _, edit := range []string{"x exclude", "u undo", "m move", "p pin", "o policy", "a add demand", "ctrl+r redo", "e export", "F force"} {
			if strings.Contains(s, edit) {
				t.Errorf("after %v the read-only help offers %q:\n%s", path, edit, s)
			}
		}
		mustContain(t, s, "q quit")
	}
}

// TestMoveHint: m says what it does where it is pressed: on the host
// screen and the guests tab it opens the ranking to pick a host; on the
// ranking it moves to the selected host.
func TestMoveHint(t *testing.T) {
	h := start(t, "default", 120, 30)
	help := func() string { s := strings.Split(h.screen(), "\n"); return s[len(s)-1] }
	h.keys("enter")
	mustContain(t, help(), "m move (pick host)")
	h.keys("esc", "tab")
	mustContain(t, help(), "m move (pick host)")
	h.keys("enter")
	mustContain(t, help(), "m move here")
	h.keys("esc", "tab", "?")
	if s := h.screen(); strings.Contains(s, "m     move") {
		t.Errorf("the hosts tab's help offers m, which does nothing there:\n%s", s)
	}
}

// TestHostColumnFits: the HOST heading keeps its sort arrow with short
// names (tight's t1…t6), and long names are shown whole when there is room.
func TestHostColumnFits(t *testing.T) {
	for _, w := range []int{80, 120} {
		h := start(t, "tight", w, 24)
		head := lineOf(h.screen(), "GUESTS")
		mustContain(t, head, "HOST▲ ", "RK/ZN ", "GUESTS ")
		if strings.Contains(head, "…") {
			t.Errorf("%d columns: heading cut: %q", w, head)
		}
	}
	sc := embedded(t, "tight")
	long := "hypervisor-r1-slot07"
	sc.Hosts[0].Name = long
	m, err := New(Options{Planner: planner.New(sc)})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, m: m}
	h.run(m.Init())
	for _, w := range []int{80, 120} {
		h.send(tea.WindowSizeMsg{Width: w, Height: 24})
		if row := lineOf(h.screen(), "hypervisor"); !strings.Contains(row, long+" ") {
			t.Errorf("%d columns: the host name is cut: %q", w, row)
		}
	}
}

// TestNearestFixWraps: at 80×24 the why-not nearest fix is shown whole,
// on two lines, not cut.
func TestNearestFixWraps(t *testing.T) {
	h := start(t, "tight", 80, 24)
	h.openGuest("web-new-1")
	s := h.screen()
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "nearest fix:") {
			both := l + " " + lines[i+1]
			if strings.Contains(both, "…") || !strings.Contains(both, "overcommit)") {
				t.Errorf("nearest fix cut:\n%s", both)
			}
			return
		}
	}
	t.Fatalf("no nearest fix:\n%s", s)
}

// negASCII finds a number written with an ASCII hyphen ("-0.25").
var negASCII = regexp.MustCompile(`(^|[\s(])-\d`)

// TestScoreTermsLabelled: the host screen labels the score terms and
// writes negative numbers with one minus sign, as the other screens do.
func TestScoreTermsLabelled(t *testing.T) {
	h := start(t, "default", 120, 40)
	h.keys("enter")
	hp := h.m.Plan().Hosts[0]
	for range hp.Existing {
		h.keys("down")
	}
	s := h.screen()
	mustContain(t, s, "SCORE align  fill strand appet", "align ", "fill ", "stranded ", "appetite ", "when placed")
	if l := negASCII.FindString(s); l != "" {
		t.Errorf("a number with an ASCII minus on the host screen:\n%s", s)
	}
	h.keys("esc", "tab")
	if l := negASCII.FindString(h.screen()); l != "" {
		t.Errorf("a number with an ASCII minus on the guests tab:\n%s", h.screen())
	}
}

// TestScoreNowAndWhenPlaced: the plan records a guest's score when it was
// placed (the guests placed after it not yet on the host); the ranking
// scores it now. The guest screen shows both, so the host screen's figure
// and the ranking's are explained.
func TestScoreNowAndWhenPlaced(t *testing.T) {
	pl := planner.New(embedded(t, "default"))
	p, err := pl.Plan()
	if err != nil {
		t.Fatal(err)
	}
	guest, then, now := "", "", ""
	for _, a := range p.Actions {
		if a.Op != planner.OpCreate || a.Score == nil || guest != "" {
			continue
		}
		cands, err := pl.Candidates(a.Guest)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cands {
			if c.Host == a.Host && components.Num(c.Score.Total) != components.Num(a.Score.Total) {
				guest, then, now = a.Guest, components.Num(a.Score.Total), components.Num(c.Score.Total)
			}
		}
	}
	if guest == "" {
		t.Skip("no guest whose score changed after it was placed")
	}
	h := start(t, "default", 80, 24)
	h.openGuest(guest)
	mustContain(t, h.screen(), now+" now", then+" when placed")
}
