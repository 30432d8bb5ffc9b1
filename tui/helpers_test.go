package tui

import (
	"bytes"
	"flag"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/berth-dev/berth/internal/goldenfile"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// embedded loads one of the scenarios built into berth.
func embedded(t testing.TB, name string) *inventory.Scenario {
	t.Helper()
	data, err := scenarios.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := inventory.ParseScenario("embedded:"+name, data)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// harness drives a Model the way bubbletea would: every command runs and
// its messages go back into Update, until nothing is left. Spinner ticks
// are dropped (they would tick forever).
type harness struct {
	t testing.TB
	m *Model
}

// start makes a model on scenario name at width × height and lets the
// first plan finish.
func start(t testing.TB, name string, width, height int) *harness {
	t.Helper()
	return startWith(t, Options{Planner: planner.New(embedded(t, name))}, width, height)
}

// startMoves is start in a move mode: the plan berth rebalance, drain,
// waves or plan --allow-moves makes.
func startMoves(t testing.TB, name string, mode MoveMode, width, height int) *harness {
	t.Helper()
	return startWith(t, Options{Planner: planner.New(embedded(t, name)), Moves: &mode}, width, height)
}

// startWith makes a model with opt at width × height and lets the first
// plan finish.
func startWith(t testing.TB, opt Options, width, height int) *harness {
	t.Helper()
	m, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, m: m}
	m.spin.Spinner.FPS = time.Microsecond
	h.run(m.Init())
	h.send(tea.WindowSizeMsg{Width: width, Height: height})
	if m.Plan() == nil {
		t.Fatal("no plan after Init")
	}
	return h
}

// send delivers msgs in order, running every command they cause.
func (h *harness) send(msgs ...tea.Msg) {
	h.t.Helper()
	for _, msg := range msgs {
		_, cmd := h.m.Update(msg)
		h.run(cmd)
	}
}

// keys sends key presses: named keys ("enter", "esc", "down", "tab",
// "ctrl+r", "backspace") or runes ("x", "/").
func (h *harness) keys(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

// typeText sends each rune of s as a key.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.send(keyMsg(string(r)))
	}
}

// keyMsg is the key press k as bubbletea's input decoder gives it: a named
// key ("enter", "ctrl+r"), or a character ("x", "G", "/").
func keyMsg(k string) tea.KeyPressMsg {
	named := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "up": tea.KeyUp, "down": tea.KeyDown,
		"left": tea.KeyLeft, "right": tea.KeyRight, "tab": tea.KeyTab, "backspace": tea.KeyBackspace,
		"delete": tea.KeyDelete, "pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp, "home": tea.KeyHome, "end": tea.KeyEnd,
	}
	if code, ok := named[k]; ok {
		return tea.KeyPressMsg{Code: code}
	}
	if c, ok := strings.CutPrefix(k, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: []rune(c)[0], Mod: tea.ModCtrl}
	}
	if r := []rune(k); len(r) != 1 {
		panic("keyMsg: not one key: " + k)
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	if cmd == nil {
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil, spinner.TickMsg, tea.QuitMsg:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
	default:
		// tea.Sequence's message is unexported: a slice of commands, run
		// in order.
		if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
			for i := range v.Len() {
				h.run(v.Index(i).Interface().(tea.Cmd))
			}
			return
		}
		h.send(msg)
	}
}

// screen is the current frame as a terminal without colour shows it,
// checked: exactly height lines, none wider than width.
func (h *harness) screen() string {
	h.t.Helper()
	v := ansi.Strip(h.m.View().Content)
	lines := strings.Split(v, "\n")
	if len(lines) != h.m.ctx.Height {
		h.t.Errorf("screen has %d lines, want %d (the terminal height)", len(lines), h.m.ctx.Height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > h.m.ctx.Width {
			h.t.Errorf("line %d is %d cells wide, terminal is %d: %q", i+1, w, h.m.ctx.Width, l)
		}
	}
	return v
}

// golden compares got with testdata/NAME.golden (rewritten with -update).
func golden(t testing.TB, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name+".golden"), []byte(got), *update)
}

// planJSON is a plan's bytes as `berth plan -o json` writes them.
func planJSON(t testing.TB, p *planner.Plan) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := planner.EncodeJSON(&buf, p); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func percentOf(x, offered float64) string { return planner.Percent(x, offered) }

func quantity(d inventory.Dimension, v float64) string { return inventory.FormatQuantity(d, v) }
