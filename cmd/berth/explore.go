package main

import (
	"errors"
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui"
)

// exploreFlags are explore's flags: the same source and policy flags as
// `berth plan`, and --plan to open a saved plan.
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

The fleet is chosen as for berth plan (the embedded default scenario,
--scenario NAME or -f FILE). With --plan FILE a saved plan is opened:
alone, read-only (browse, why-not, save a copy); together with -f or
--scenario, the planner is rebuilt from that scenario with the plan's policy
and edits, so editing goes on where it stopped. The scenario must be the
one the plan was made from (by name); if it no longer gives the same plan
(the fleet changed), berth says so and s saves to PLAN.edited.json rather
than over the saved plan.

Keys: ? shows them all. The mouse works too: the wheel moves the cursor, a
click selects a row of the fleet view and a second click opens it (most
terminals still select text with shift held; --mouse=false leaves the mouse
to the terminal). docs/tui.md has screenshots.`,
		Example: `  berth explore                          # the embedded default scenario
  berth explore --scenario tight         # a fleet where some demand does not fit
  berth explore -f fleet.yaml --failover-hosts 1
  berth explore --plan plan.json         # a saved plan, read-only
  berth explore --plan plan.json -f fleet.yaml   # a saved plan, editable`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExplore(a, cmd, &f)
		},
	}
	f.register(cmd)
	return cmd
}

func (f *exploreFlags) register(cmd *cobra.Command) {
	f.source.register(cmd)
	f.policy.register(cmd)
	cmd.Flags().StringVar(&f.plan, "plan", "", "open a saved plan (read-only, or editable with -f/--scenario)")
	cmd.Flags().Bool("mouse", true, "take the mouse: wheel moves the cursor, click selects and opens (--mouse=false leaves it to the terminal, for selecting text)")
}

func runExplore(a *app, cmd *cobra.Command, f *exploreFlags) error {
	opt, err := exploreOptions(a, cmd, f)
	if err != nil {
		return err
	}
	if !isTerminal(a.stdin) || !isTerminal(a.stdout) {
		return errors.New("explore needs a terminal (its input and output are not both one); for scripts use berth plan -o json, or berth plan -o table for people")
	}
	opt.Mouse = a.v.GetBool("mouse")
	m, err := tui.New(opt)
	if err != nil {
		return err
	}
	// Colour follows the terminal: bubbletea brings the styles down to
	// what the output supports, and to none when NO_COLOR is set.
	prog := tea.NewProgram(m, tea.WithInput(a.stdin), tea.WithOutput(a.stdout))
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
		return tui.Options{Planner: pl}, nil
	}
	saved, err := planner.ReadPlanFile(planPath)
	if err != nil {
		return tui.Options{}, err
	}
	if set := f.policy.Set(cmd); len(set) > 0 {
		return tui.Options{}, fmt.Errorf("--%s cannot be combined with --plan: the plan records its policy (change it in the explorer with o)", set[0])
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
	return tui.Options{Planner: pl, SavePath: planPath, ExpectID: saved.ID}, nil
}

// isTerminal reports whether f is a terminal (an *os.File on a tty).
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(file.Fd())
}
