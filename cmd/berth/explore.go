package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui"
)

// exploreFlags are explore's flags: the same source and policy flags as
// `berth plan`, the move modes of the move commands (explore_moves.go),
// and --plan to open a saved plan.
type exploreFlags struct {
	source sourceFlags
	policy policyFlags
	plan   string
}

func newExploreCmd(a *app) *cobra.Command {
	var f exploreFlags
	cmd := &cobra.Command{
		Use:   "explore",
		Short: "Explore and edit a plan in the terminal (fleet, hosts, why-not, what-if)",
		Long: `explore opens a terminal UI over a plan: the fleet with a bar per host and
dimension, each host's guests and why new guests landed there, each guest's
ranking of hosts or, for a guest that fits nowhere, the reasons per host and
the smallest fix. Edits (move, pin, exclude a host, add demand, policy knobs)
re-plan through the same planner as berth plan, show what they changed, and
can be undone; s saves the plan for berth apply, e exports the scenario.

Plans that move running guests are explored the same way: --goal
consolidate|repair|balance (as berth rebalance), --drain HOST (as berth
drain), --waves (as berth waves) or --allow-moves N (as berth plan
--allow-moves), with the move knobs of those commands (--max-moves,
--max-bytes, --keep, --bandwidth, …). A moves tab lists the migrations wave
by wave, the hosts freed and the guests that cannot move with why; p keeps a
guest where it is, x takes a host out as a destination, o changes the move
budget, and every edit re-plans with the same goal.

The fleet is chosen as for berth plan (the embedded default scenario,
--scenario NAME or -f FILE). With --plan FILE a saved plan is opened:
alone, read-only (browse, why-not, save a copy); together with -f or
--scenario, the planner is rebuilt from that scenario with the plan's policy
and edits, so editing goes on where it stopped. The scenario must be the
one the plan was made from (by name); if it no longer gives the same plan
(the fleet changed), berth says so and s saves to PLAN.edited.json rather
than over the saved plan. A saved plan with moves is re-made with the goal,
drained hosts and move options it records.

Keys: ? shows them all. The mouse works too: the wheel moves the cursor, a
click selects a row of the fleet view and a second click opens it (most
terminals still select text with shift held; --mouse=false leaves the mouse
to the terminal). docs/tui.md has screenshots.`,
		Example: `  berth explore                          # the embedded default scenario
  berth explore --scenario tight         # a fleet where some demand does not fit
  berth explore -f fleet.yaml --failover-hosts 1
  berth explore --plan plan.json         # a saved plan, read-only
  berth explore --plan plan.json -f fleet.yaml   # a saved plan, editable
  berth explore --scenario drifted --goal consolidate   # free hosts by moving guests
  berth explore --scenario drifted --drain kvm07 --keep db-main-1
  berth explore --scenario drifted --waves --max-hosts-per-wave 2
  berth explore --scenario drifted --allow-moves 2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExplore(a, cmd, &f)
		},
	}
	f.register(cmd)
	registerNameCompletions(a, cmd)
	return cmd
}

func (f *exploreFlags) register(cmd *cobra.Command) {
	f.source.register(cmd)
	f.policy.register(cmd)
	registerMoveModeFlags(cmd)
	cmd.Flags().StringVar(&f.plan, "plan", "", "open a saved plan (read-only, or editable with -f/--scenario)")
	cmd.Flags().Bool("mouse", true, "take the mouse: wheel moves the cursor, click selects and opens (--mouse=false leaves it to the terminal, for selecting text)")
}

func runExplore(a *app, cmd *cobra.Command, f *exploreFlags) error {
	opt, err := exploreOptions(a, cmd, f)
	if err != nil {
		return err
	}
	keys, closeKeys, err := keyboard(a)
	if err != nil {
		return err
	}
	defer closeKeys()
	if !isTerminal(keys) || !isTerminal(a.stdout) {
		return errors.New("explore needs a terminal (its input and output are not both one); for scripts use berth plan -o json, or berth plan -o table for people")
	}
	if opt.Mouse, err = a.boolean(cmd, "mouse"); err != nil {
		return err
	}
	m, err := tui.New(opt)
	if err != nil {
		return err
	}
	// Colour follows the terminal: bubbletea brings the styles down to
	// what the output supports, and to none when NO_COLOR is set.
	prog := tea.NewProgram(m, tea.WithInput(keys), tea.WithOutput(a.stdout))
	if _, err := prog.Run(); err != nil {
		if errors.Is(err, tea.ErrProgramKilled) {
			return nil
		}
		return fmt.Errorf("explore: %w", err)
	}
	return nil
}

// exploreOptions decides what explore opens:
//
//   - a scenario (the default, --scenario, -f): a planner, the first plan
//     made in the background;
//   - --plan alone: the saved plan, read-only;
//   - --plan with -f or --scenario: a planner for that scenario with the
//     plan's policy and edits; the scenario must have the name the plan
//     records (else an error), and the first re-plan is compared with the
//     saved plan's ID: if it differs (the scenario changed), the explorer
//     says so and s saves to PLAN.edited.json instead of over PLAN.
//
// Live inventory (-c URI, once berth plan has it) belongs in sourceFlags:
// whatever sourceFlags.load reads, explore explores.
func exploreOptions(a *app, cmd *cobra.Command, f *exploreFlags) (tui.Options, error) {
	planPath := a.v.GetString("plan")
	haveSource := a.v.GetString("file") != "" || a.v.GetString("scenario") != ""
	if planPath == "" {
		sc, err := f.source.load(a, cmd)
		if err != nil {
			return tui.Options{}, err
		}
		pl, err := newPlanner(a, cmd, sc, &f.policy)
		if err != nil {
			return tui.Options{}, err
		}
		mode, err := exploreMoveMode(a, cmd, sc)
		if err != nil {
			return tui.Options{}, err
		}
		applyMoveEdits(a, pl, mode)
		return tui.Options{Planner: pl, Moves: mode, Load: a.usage.load()}, nil
	}
	saved, err := a.readPlan(planPath)
	if err != nil {
		return tui.Options{}, err
	}
	if set := f.policy.Set(cmd); len(set) > 0 {
		return tui.Options{}, fmt.Errorf("--%s cannot be combined with --plan: the plan records its policy (change it in the explorer with o)", set[0])
	}
	if name := moveFlagsWithPlan(cmd); name != "" || cmd.Flags().Changed("exclude") {
		if name == "" {
			name = "exclude"
		}
		return tui.Options{}, fmt.Errorf("--%s cannot be combined with --plan: the plan records its edits and how it moves guests (edit them in the explorer: x, p, o)", name)
	}
	if !haveSource {
		return tui.Options{Plan: saved, SavePath: planPath,
			Notice: "read-only: " + planPath + " opened without its scenario; add -f FILE or --scenario NAME to edit"}, nil
	}
	sc, err := f.source.load(a, cmd)
	if err != nil {
		return tui.Options{}, err
	}
	if saved.Scenario != sc.Name {
		// The saved plan's edits and policy belong to another fleet:
		// re-planning them here would silently give a plan of sc instead,
		// and s would write it over the saved one.
		return tui.Options{}, fmt.Errorf("%s was made from scenario %q, but the scenario given is %q: open it with its own scenario (--scenario %s, or -f with the file it was planned from), or without -f/--scenario to browse it read-only",
			planPath, saved.Scenario, sc.Name, saved.Scenario)
	}
	pl := planner.New(sc)
	if err := pl.SetPolicy(planner.PolicyFromView(saved.Policy)); err != nil {
		return tui.Options{}, fmt.Errorf("%s: %w", planPath, err)
	}
	pl.SetEdits(saved.Edits)
	// A plan with moves is re-made as it was made: with its goal, drained
	// hosts and move options (not as a plan of new guests, which would
	// differ from it and be called a changed scenario).
	return tui.Options{Planner: pl, SavePath: planPath, ExpectID: saved.ID, Moves: tui.MoveModeOf(saved), Load: a.usage.load()}, nil
}

// keyboard is where explore reads keys: standard input, unless standard
// input held the scenario or demand (-f -, -d -); then the terminal itself
// (/dev/tty), as less and fzf do, so that `… | berth explore -f -` works.
// The second result closes what keyboard opened.
func keyboard(a *app) (io.Reader, func(), error) {
	if a.v.GetString("file") != "-" && a.v.GetString("demand") != "-" {
		return a.stdin, func() {}, nil
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return nil, nil, errors.New("explore: standard input held the scenario (-) and there is no terminal to read keys from (/dev/tty); give the scenario as a file")
	}
	return tty, func() { tty.Close() }, nil
}

// isTerminal reports whether f is a terminal (an *os.File on a tty).
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(file.Fd())
}
