package tui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/components"
)

// runes is several characters delivered as one key message, as a terminal
// read (tmux send-keys jjj, fast typing) gives them to bubbletea.
func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// TestKeysArrivingTogether: "jjj" in one message moves three rows, and
// enter then opens the host under the cursor; "/kvm1" opens the filter and
// types kvm1 into it; a paste is never taken as keys.
func TestKeysArrivingTogether(t *testing.T) {
	h := start(t, "default", 80, 24)
	h.send(runes("jjj"))
	if row := lineOf(h.screen(), "›"); !strings.Contains(row, "kvm04") {
		t.Fatalf("after jjj the cursor is not on kvm04: %q", row)
	}
	h.keys("enter")
	mustContain(t, h.screen(), "Host kvm04 ")
	h.keys("esc")

	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jj"), Paste: true})
	if row := lineOf(h.screen(), "›"); !strings.Contains(row, "kvm04") {
		t.Errorf("a paste moved the cursor: %q", row)
	}

	h.send(runes("/kvm1"))
	mustContain(t, h.screen(), "kvm10", "kvm19")
	if strings.Contains(h.screen(), "kvm02") {
		t.Errorf("the filter kvm1 was not typed as text:\n%s", h.screen())
	}
	h.send(runes("9x")) // text inside the filter, not an exclusion
	if len(h.m.ctx.Edits.Excluded) != 0 {
		t.Fatal("runes typed into the filter were taken as keys")
	}
	h.keys("esc")

	// An edit key among others: the rest wait for the edit.
	h.send(runes("jjjxj"))
	if ex := h.m.ctx.Edits.Excluded; len(ex) != 1 || ex[0] != "kvm04" {
		t.Errorf("x of \"jjjxj\" excluded %v, want kvm04", ex)
	}
	if row := lineOf(h.screen(), "›"); !strings.Contains(row, "kvm05") {
		t.Errorf("the last j of \"jjjxj\" did not move after the edit: %q", row)
	}
}

// TestChangedScenarioSavesAside: a saved plan re-opened with a scenario
// that no longer gives it says so in a line that fits 80 columns, and s
// offers PLAN.edited.json rather than the saved file.
func TestChangedScenarioSavesAside(t *testing.T) {
	dir := t.TempDir()
	orig := filepath.Join(dir, "plan.json")
	m, err := New(Options{Planner: planner.New(embedded(t, "tight")), Renderer: asciiRenderer(),
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
	m, err := New(Options{Plan: reference(t, "tight", nil), Renderer: asciiRenderer()})
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
	m, err := New(Options{Planner: planner.New(sc), Renderer: asciiRenderer()})
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

// TestKeysTogetherInDialogs: the policy dialog and the demand dialog's
// rows other than the count take runes as keys, so keys that arrive
// together are split there too; the count row takes them as digits.
func TestKeysTogetherInDialogs(t *testing.T) {
	one, together := start(t, "default", 80, 24), start(t, "default", 80, 24)
	one.keys("o", "j", "j", "l")
	together.keys("o")
	together.send(runes("jjl"))
	if a, b := one.screen(), together.screen(); a != b {
		t.Errorf("policy dialog: \"jjl\" at once differs from j, j, l:\n%s\n---\n%s", b, a)
	}
	one.keys("esc", "a", "j")
	one.typeText("12")
	together.keys("esc", "a", "j")
	together.send(runes("12"))
	mustContain(t, together.screen(), "‹ 112 ›")
	if a, b := one.screen(), together.screen(); a != b {
		t.Errorf("demand dialog: \"12\" at once differs from 1, 2:\n%s\n---\n%s", b, a)
	}
}
