package tui

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/berth-dev/berth/tui/components"
)

// The explorer's small things a newcomer tripped over (issue 13, item 10).

// TestSavePromptCursor: the file name in the save prompt is edited where
// the cursor is: ← and → move it, home and end jump, delete takes the
// character under it, backspace the one before, and text goes in at it.
func TestSavePromptCursor(t *testing.T) {
	dir := t.TempDir()
	h := start(t, "default", 80, 24)
	h.keys("s", "ctrl+u")
	h.typeText("X" + dir + "/pln.jsn")
	h.keys("left", "left", "left", "left", "left") // before "n.jsn"
	h.typeText("a")                                // pl|an.jsn
	h.keys("end", "left")                          // before the last n
	h.typeText("o")                                // .json
	h.keys("home", "delete")                       // drops the X
	h.keys("end")
	h.typeText("~")
	h.keys("backspace")
	want := filepath.Join(dir, "plan.json")
	mustContain(t, h.screen(), "save plan to: "+want)
	h.keys("enter")
	if _, err := os.Stat(want); err != nil {
		t.Fatalf("the plan was not saved where the edited name says: %v\n%s", err, h.screen())
	}
}

// TestNamesInNaturalOrder: hosts and guests are listed as people count,
// kvm2 before kvm10 and web-api-2 before web-api-10, in the fleet view,
// the guests tab and a host's guests.
func TestNamesInNaturalOrder(t *testing.T) {
	sc := embedded(t, "default")
	for i := range sc.Hosts {
		sc.Hosts[i].Name = fmt.Sprintf("kvm%d", i+1) // kvm1 … kvm20, no padding
	}
	m, err := New(Options{Planner: planner.New(sc)})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, m: m}
	h.run(m.Init())
	h.send(tea.WindowSizeMsg{Width: 160, Height: 48})

	// rows are the names in column col of the screen's table rows, in
	// the order shown (a row starts with the cursor or two spaces and a
	// flag).
	rows := func(screen string, prefix *regexp.Regexp) []string {
		var out []string
		for _, l := range strings.Split(screen, "\n") {
			if m := prefix.FindStringSubmatch(l); m != nil {
				out = append(out, m[1])
			}
		}
		return out
	}
	hostRow := regexp.MustCompile(`^[› ] [ !x+] (kvm\d+) `)
	hosts := rows(h.screen(), hostRow)
	if len(hosts) < 12 || !slices.IsSortedFunc(hosts, components.CompareNames) || hosts[1] != "kvm2" {
		t.Errorf("fleet view rows %v, want kvm1, kvm2, … kvm10 …", hosts)
	}
	h.keys("R") // grouped by rack: still in order within each rack
	for _, rack := range strings.Split(h.screen(), "── rack")[1:] {
		if hs := rows(rack, hostRow); !slices.IsSortedFunc(hs, components.CompareNames) {
			t.Errorf("a rack's hosts are out of order: %v", hs)
		}
	}
	h.keys("R")

	h.keys("tab", "/")
	h.typeText("web-api")
	h.keys("enter")
	guests := rows(h.screen(), regexp.MustCompile(`^[› ] [ !p] (web-api-\d+) `))
	if len(guests) != 16 || !slices.IsSortedFunc(guests, components.CompareNames) {
		t.Errorf("guests tab rows %v, want web-api-1 … web-api-16 in order", guests)
	}
	h.keys("esc", "tab")

	for i := range h.m.Plan().Hosts {
		hp := h.m.Plan().Hosts[i]
		if len(hp.Existing) < 2 {
			continue
		}
		h.send(common.OpenHostMsg{Host: hp.Name})
		s := h.screen()
		keep := rows(s, regexp.MustCompile(`^[› ] [ !p] keep (\S+) `))
		fresh := rows(s, regexp.MustCompile(`^[› ] [ !p] new  (\S+) `))
		if !slices.IsSortedFunc(keep, components.CompareNames) || !slices.IsSortedFunc(fresh, components.CompareNames) {
			t.Errorf("host %s lists its guests out of order: keep %v, new %v", hp.Name, keep, fresh)
		}
		h.keys("esc")
	}
}

// TestHeaderCountsHostsToBuy: when the plan buys hosts, the header counts
// them in the fleet it says is used ("8 of 8 used (4 to buy; …)"), never
// more used than there are.
func TestHeaderCountsHostsToBuy(t *testing.T) {
	h := start(t, "growth", 120, 40)
	m := h.m.Plan().Metrics
	if m.NewHosts == 0 {
		t.Fatal("the growth scenario buys no host any more; the test needs one that does")
	}
	line := lineOf(h.screen(), "Hosts ")
	got := regexp.MustCompile(`(\d+) of (\d+) used`).FindStringSubmatch(line)
	if got == nil {
		t.Fatalf("no \"N of M used\" in the header: %q", line)
	}
	used, of := atoi(t, got[1]), atoi(t, got[2])
	if used != m.HostsUsed || of != len(h.m.Plan().Hosts) || used > of {
		t.Errorf("header %q: want %d of %d used (the fleet's %d hosts and %d to buy)", line, m.HostsUsed, len(h.m.Plan().Hosts), m.Hosts, m.NewHosts)
	}
	mustContain(t, line, fmt.Sprintf("(%d to buy; was %d, lower bound %d)", m.NewHosts, m.HostsBefore, m.LowerBound))
}

// helpBar is the screen's last line, the short help.
func helpBar(screen string) string {
	lines := strings.Split(screen, "\n")
	return lines[len(lines)-1]
}

// rowOf is the table row of name (cursor or blank, a flag, maybe keep or
// new, then the name).
func rowOf(screen, name string) string {
	row := regexp.MustCompile(`^[› ] [ !p+x] (keep |new  )?` + regexp.QuoteMeta(name) + ` `)
	for _, l := range strings.Split(screen, "\n") {
		if row.MatchString(l) {
			return l
		}
	}
	return ""
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestScoreSignAsBerthPlan: the explorer writes each score term with the
// sign berth plan's table gives it: the same-appetite penalty negative
// ("appetite −0.75"), the other terms as they are.
func TestScoreSignAsBerthPlan(t *testing.T) {
	p := reference(t, "default", nil)
	var a *planner.Action
	for i := range p.Actions {
		if s := p.Actions[i].Score; s != nil && s.Appetite > 0 && !s.Opens && a == nil {
			a = &p.Actions[i]
		}
	}
	if a == nil {
		t.Fatal("no new guest with a same-appetite penalty in the default plan")
	}
	var table bytes.Buffer
	if err := planner.RenderTable(&table, p); err != nil {
		t.Fatal(err)
	}
	cli := lineOf(table.String(), "  "+a.Guest+" ")
	app := regexp.MustCompile(`appetite (\S+)`).FindStringSubmatch(cli)
	if app == nil {
		t.Fatalf("berth plan's line of %s has no appetite: %q", a.Guest, cli)
	}

	h := start(t, "default", 160, 48)
	h.send(common.OpenHostMsg{Host: a.Host})
	row := rowOf(h.screen(), a.Guest)
	if !strings.HasSuffix(strings.TrimSpace(row), " "+app[1]) {
		t.Errorf("host screen: %s's appet column is not berth plan's %s: %q", a.Guest, app[1], row)
	}
	for range len(p.Actions) {
		if strings.Contains(lineOf(h.screen(), "›"), a.Guest) {
			break
		}
		h.keys("down")
	}
	mustContain(t, h.screen(), "appetite "+app[1], "stranded "+components.Num(a.Score.Stranded))
	h.keys("esc", "tab", "/")
	h.typeText(a.Guest)
	h.keys("enter")
	if row := rowOf(h.screen(), a.Guest); !strings.HasSuffix(strings.TrimSpace(row), " "+app[1]) {
		t.Errorf("guests tab: %s's appet column is not berth plan's %s: %q", a.Guest, app[1], row)
	}
}

// TestWhyNotFoldsReasons: a guest refused for more causes than the
// summary shows at first says how many more there are, and w shows them
// all (and folds them again).
func TestWhyNotFoldsReasons(t *testing.T) {
	sc := embedded(t, "tight")
	// One guest too large in every dimension: four causes on every host.
	sc.Demand = append(sc.Demand, inventory.Demand{Name: "huge", Profile: "web", Count: 1,
		Request: inventory.Vector{1000, 1 << 50, 1e9, 1e15}})
	m, err := New(Options{Planner: planner.New(sc)})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, m: m}
	h.run(m.Init())
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	var u planner.Unplaced
	for _, x := range h.m.Plan().Unplaced {
		if x.Guest == "huge-1" {
			u = x
		}
	}
	if len(u.Summary) <= summaryShown {
		t.Fatalf("huge-1 has %d why-not lines, the test wants more than %d: %v", len(u.Summary), summaryShown, u.Summary)
	}
	h.openGuest("huge-1")
	s := h.screen()
	more := len(u.Summary) - summaryShown
	mustContain(t, s, u.Summary[summaryShown-1], fmt.Sprintf("… %d more reason", more), "w shows all")
	if strings.Contains(s, u.Summary[summaryShown]) {
		t.Errorf("the summary shows more than %d lines before w:\n%s", summaryShown, s)
	}
	mustContain(t, helpBar(s), "w all reasons")
	h.keys("w")
	s = h.screen()
	for _, l := range u.Summary { // long reasons wrap: read the words
		mustContain(t, strings.Join(strings.Fields(s), " "), strings.Join(strings.Fields(l), " "))
	}
	if strings.Contains(s, "more reason") {
		t.Errorf("w still says more reasons exist:\n%s", s)
	}
	mustContain(t, helpBar(s), "w fewer reasons")
	h.keys("w")
	mustContain(t, h.screen(), fmt.Sprintf("… %d more reason", more))

	// A guest with few reasons shows them all and offers no w.
	h.keys("esc", "esc", "tab") // the fleet, no filter, the hosts tab
	h.openGuest("web-new-1")
	if s := h.screen(); strings.Contains(s, "more reason") || strings.Contains(s, "w all reasons") {
		t.Errorf("web-new-1 has few reasons, yet the screen folds them:\n%s", s)
	}
}

// summaryShown is how many why-not lines the guest screen shows before w.
const summaryShown = 3
