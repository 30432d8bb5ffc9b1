package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/internal/hosturi"
	"github.com/berth-dev/berth/inventory/live"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/planner/apply"
	"github.com/spf13/cobra"
)

// applyFlags are the flags of `berth apply`.
type applyFlags struct {
	source  sourceFlags // the scenario --refresh re-plans
	yes     bool
	dryRun  bool
	force   bool
	refresh bool
	noStart bool
	journal string
}

func newApplyCmd(a *app) *cobra.Command {
	var f applyFlags
	cmd := &cobra.Command{
		Use:   "apply PLAN",
		Short: "Create the plan's new guests and make its moves on its libvirt hosts (safe, idempotent, resumable)",
		Long: `apply makes a saved plan (berth plan --out PLAN) real: it re-reads the hosts
the plan changes and refuses if they changed since the plan was made, shows
what it will do per host and asks for "yes", then defines (and starts) each new
guest from its profile's template, with berth's metadata on it.

Hosts are worked on in parallel (--parallel), each host's guests in plan
order. Every step is journaled (PLAN.journal, or --journal); running the same
apply again resumes where it stopped and skips what is done. A create that
fails is rolled back. apply never touches a domain berth did not create for
this plan. A plan that removes guests (a demand count lowered) is refused
unless --allow-removals: each is shut down (powered off after
--shutdown-timeout), then undefined; its volumes are kept unless
--delete-volumes. See docs/apply.md.

A plan's moves (berth drain, rebalance, waves, plan --allow-moves) run first,
wave by wave within the plan's per-host limits: a running guest migrates live
(peer to peer), a shut-off one moves offline. Before each wave the hosts are
checked again (--dry-run checks them all); each guest is located by UUID
before it is moved, so a resumed apply never moves one twice. Ctrl-C aborts
the migrations in flight: the guests stay on their sources.

Exit codes: 0 every action done or already done; 1 error, refused or
cancelled, nothing changed; 4 partially applied (the report and the journal
say exactly what).`,
		Example: `  berth plan -f fleet.yaml --out plan.json
  berth apply plan.json                      # show, ask for "yes", apply
  berth apply plan.json --dry-run            # show what would be done
  berth apply plan.json --yes --parallel 8   # CI: no question
  berth apply plan.json --refresh -f fleet.yaml   # the hosts changed: re-plan, then apply
  berth apply plan.json --allow-removals     # also remove guests beyond a lowered count
  berth apply drain.json --bandwidth 2Gbps --migration-timeout 30m   # moves, capped`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runApply(a, cmd, &f, args[0])
		},
	}
	f.source.register(cmd)
	fl := cmd.Flags()
	fl.BoolVarP(&f.yes, "yes", "y", false, "apply without asking (the flag or BERTH_YES only, never the config file)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "check the plan against the hosts, show what would be done, change nothing")
	fl.BoolVar(&f.force, "force", false, "apply even if the hosts changed since the plan was made (command line only)")
	fl.BoolVar(&f.refresh, "refresh", false, "if the hosts changed, re-plan on them as they are now (needs -f or --scenario: what the plan was made from)")
	fl.BoolVar(&f.noStart, "no-start", false, "define the new guests but do not start them")
	fl.Bool("allow-removals", false, "remove the guests the plan removes (beyond their demand entry's count): shut down, then undefine (command line only)")
	fl.Bool("delete-volumes", false, "with --allow-removals, also delete the removed guests' pool volumes (command line only)")
	fl.Duration("shutdown-timeout", apply.DefaultShutdownTimeout, "how long a removal waits for a guest to shut down before it powers it off")
	fl.Int("parallel", 4, "how many hosts to work on at once")
	fl.StringVar(&f.journal, "journal", "", "journal file (default PLAN.journal)")
	fl.Duration("step-timeout", 10*time.Minute, "give up on one libvirt call after this long")
	fl.String("lock-dir", "", "where host locks go (default /run/berth, else $XDG_RUNTIME_DIR/berth, else the journal's directory)")
	registerMoveFlags(cmd)
	return cmd
}

// runApply is berth apply: read the plan, check it against the hosts
// (re-planning with --refresh), show it and ask, then apply it.
func runApply(a *app, cmd *cobra.Command, f *applyFlags, planPath string) error {
	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()
	screen := &applyScreen{a: a}
	defer screen.watchInterrupts(cancel)()
	plan, err := a.readPlan(planPath)
	if err != nil {
		return err
	}
	if err := checkApplyFlags(a, cmd); err != nil {
		return err
	}
	opt, hosts, err := a.applyOptions(cmd, planPath)
	if err != nil {
		return err
	}
	if err := hosts.checkPasswords(plan); err != nil {
		return err
	}
	prep, err := a.prepareApply(ctx, cmd, f, plan, planPath, opt)
	if err != nil {
		return err
	}
	if proceed, err := a.confirmApply(cmd, f, prep); !proceed {
		return err
	}
	return a.runPrepared(ctx, screen, prep)
}

// checkApplyFlags refuses flag values apply cannot work with, before
// anything is read from the hosts.
func checkApplyFlags(a *app, cmd *cobra.Command) error {
	if v, ok := os.LookupEnv("BERTH_YES"); ok {
		if _, err := strconv.ParseBool(v); err != nil {
			return fmt.Errorf("BERTH_YES=%q: want true or false", v)
		}
	}
	if explicitFlag(cmd, "force") && explicitFlag(cmd, "refresh") {
		return fmt.Errorf("give either --force or --refresh, not both")
	}
	if explicitFlag(cmd, "delete-volumes") && !explicitFlag(cmd, "allow-removals") {
		return fmt.Errorf("--delete-volumes deletes the volumes of removed guests: give it with --allow-removals")
	}
	_, err := a.count(cmd, "parallel", 1)
	return err
}

// applyOptions builds apply's options from the flags and the config: how
// each host is reached (the config's hosts, else the plan's URIs), the
// guest templates, and the journal next to the plan unless --journal.
func (a *app) applyOptions(cmd *cobra.Command, planPath string) (apply.Options, hostResolver, error) {
	sources, readOpt, err := a.inventoryConfig(nil)
	if err != nil {
		return apply.Options{}, nil, err
	}
	hosts := hostResolver(sources)
	templates, err := a.applyTemplates()
	if err != nil {
		return apply.Options{}, nil, err
	}
	journal := a.v.GetString("journal")
	if journal == "" {
		journal = apply.JournalPath(planPath)
	}
	moves, err := a.moveOptions(hosts)
	if err != nil {
		return apply.Options{}, nil, err
	}
	stepTimeout, err := a.duration(cmd, "step-timeout")
	if err != nil {
		return apply.Options{}, nil, err
	}
	// The re-read of the hosts: within --timeout per host, and never
	// longer than one step may take.
	if readOpt.Timeout, err = a.duration(cmd, "timeout"); err != nil {
		return apply.Options{}, nil, err
	}
	if stepTimeout > 0 && (readOpt.Timeout == 0 || stepTimeout < readOpt.Timeout) {
		readOpt.Timeout = stepTimeout
	}
	if readOpt.Concurrency, err = a.count(cmd, "concurrency", 0); err != nil {
		return apply.Options{}, nil, err
	}
	shutdownTimeout, err := a.duration(cmd, "shutdown-timeout")
	if err != nil {
		return apply.Options{}, nil, err
	}
	return apply.Options{
		URI:            hosts.uri,
		Moves:          moves,
		Connect:        apply.ConnectURIs(hosts.uri),
		ReadFleet:      apply.ReadURIs(hosts.uri, hosts.source, readOpt),
		Force:          explicitFlag(cmd, "force"),
		Templates:      templates,
		NoStart:        a.v.GetBool("no-start"),
		Parallel:       a.v.GetInt("parallel"),
		Journal:        journal,
		TemplateSource: a.templateSource(),
		LockDir:        a.v.GetString("lock-dir"),
		StepTimeout:    stepTimeout,
		DryRun:         a.v.GetBool("dry-run"),
		// Removing guests, and their volumes, is asked for on the command
		// line each time, never by a config file or the environment.
		AllowRemovals:   explicitFlag(cmd, "allow-removals"),
		DeleteVolumes:   explicitFlag(cmd, "delete-volumes"),
		ShutdownTimeout: shutdownTimeout,
	}, hosts, nil
}

// prepareApply checks plan against the hosts and opens its journal. A
// stale plan is refused, or with --refresh re-planned on the hosts as they
// are now: the difference from the reviewed plan is shown, and the new
// plan (saved next to the old one, except in a dry run) is prepared
// instead, to be shown and asked about again.
func (a *app) prepareApply(ctx context.Context, cmd *cobra.Command, f *applyFlags, plan *planner.Plan, planPath string, opt apply.Options) (*apply.Apply, error) {
	prep, err := apply.Prepare(ctx, plan, opt)
	var stale *apply.StaleError
	if !errors.As(err, &stale) || !explicitFlag(cmd, "refresh") {
		return prep, err
	}
	fmt.Fprintf(a.stderr, "%s\n\nRe-planning on the hosts as they are now (--refresh).\n", stale.Error())
	fresh, err := a.refreshPlan(ctx, cmd, f, plan, opt.ReadFleet)
	if err != nil {
		return nil, err
	}
	path := refreshedPath(planPath)
	a.showRefresh(plan, fresh, path)
	if a.v.GetString("journal") == "" {
		opt.Journal = apply.JournalPath(path)
	}
	prep, err = apply.Prepare(ctx, fresh, opt)
	if err != nil || opt.DryRun {
		return prep, err
	}
	if err := a.savePlan(path, fresh); err != nil {
		prep.Close()
		return nil, fmt.Errorf("saving the refreshed plan: %w", err)
	}
	fmt.Fprintf(a.stderr, "saved the refreshed plan %s to %s; it is shown below and needs your yes (or --yes) like any plan\n\n", fresh.ID, path)
	return prep, nil
}

// confirmApply shows what apply will do and asks for "yes" (unless --yes).
// It returns false when apply stops here: a dry run, nothing to do, or a
// cancel (then with the error to report); prep is then closed.
func (a *app) confirmApply(cmd *cobra.Command, f *applyFlags, prep *apply.Apply) (bool, error) {
	prep.Summary(a.stdout)
	if prep.Missing != nil {
		// The real run would refuse here too, before changing anything.
		prep.Close()
		return false, prep.Missing
	}
	if a.v.GetBool("dry-run") {
		err := a.dryRunMoves(cmd.Context(), prep)
		prep.Close()
		fmt.Fprintln(a.stdout, "\nDry run: nothing was changed.")
		if err == nil && prep.Refused != nil {
			err = prep.Refused // what the real run would say, and its exit code
		}
		return false, err
	}
	if prep.Plan().Changes() == 0 {
		prep.Close()
		fmt.Fprintln(a.stdout, "\nNothing to do: the plan changes nothing on the hosts.")
		return false, nil
	}
	if approved(cmd, f) {
		return true, nil
	}
	fmt.Fprint(a.stdout, "\nDo you want to apply these changes? Only 'yes' will be accepted: ")
	answer, err := bufio.NewReader(a.stdin).ReadString('\n')
	if strings.TrimSpace(answer) == "yes" {
		return true, nil
	}
	prep.Close()
	fmt.Fprintln(a.stdout)
	if err != nil && strings.TrimSpace(answer) == "" {
		// Nothing to read: a script, CI, a closed or empty standard input.
		where := "standard input gave no answer"
		if !isTerminal(a.stdin) {
			where = "standard input is not a terminal and gave no answer"
		}
		return false, fmt.Errorf("apply needs your yes, and %s: to apply without the question, run berth apply with --yes (or BERTH_YES=1); nothing was changed", where)
	}
	return false, fmt.Errorf("apply cancelled: nothing was changed")
}

// runPrepared applies the prepared plan with progress on the screen, then
// writes the report and maps it to the exit code.
func (a *app) runPrepared(ctx context.Context, screen *applyScreen, prep *apply.Apply) error {
	fmt.Fprintln(a.stdout)
	finish := screen.showProgress(prep)
	rep, err := func() (*apply.Report, error) {
		defer finish() // even on a panic: the terminal is given back
		return prep.Run(ctx)
	}()
	if rep != nil {
		rep.Render(a.stdout)
	}
	if err != nil {
		return withCode(exitPartially, fmt.Errorf("%w; the journal %s says what was done", err, prep.Journal()))
	}
	return applyExit(rep)
}

// applyExit maps a report to the exit codes: 0 every action done or
// already done, 4 some done (now or earlier) and some not, 1 nothing done.
func applyExit(rep *apply.Report) error {
	if rep.Complete() {
		return nil
	}
	if rep.Changed() || rep.Count(apply.OutcomeDone)+rep.Count(apply.OutcomeSkipped) > 0 {
		return silentExit(exitPartially)
	}
	return silentExit(exitError)
}

// explicitFlag is a boolean flag the operator gave on this command line.
// --force and --refresh change what apply does to a fleet, so like "yes"
// they are never taken from a config file or the environment.
func explicitFlag(cmd *cobra.Command, name string) bool {
	f := cmd.Flags().Lookup(name)
	if f == nil || !f.Changed {
		return false
	}
	b, err := strconv.ParseBool(f.Value.String())
	return err == nil && b
}

// approved reports whether --yes (or BERTH_YES) skips the question. A
// config file cannot say yes for the operator.
func approved(cmd *cobra.Command, f *applyFlags) bool {
	if cmd.Flags().Changed("yes") {
		return f.yes
	}
	v, ok := os.LookupEnv("BERTH_YES")
	if !ok {
		return false
	}
	b, err := strconv.ParseBool(v)
	return err == nil && b
}

// hostResolver resolves a plan host to how it is reached, by one rule that
// the staleness check, the preview, the checks and apply itself all use:
// the config's host of the same name (with its full URI, class and
// capacities) when there is one, else the URI the plan recorded.
type hostResolver []live.Source

// configuredURIs is the resolver's URI rule over the config's hosts, nil
// when the config's hosts cannot be read (the plan's URIs then).
func (a *app) configuredURIs() func(planner.HostPlan) string {
	sources, err := a.hostsConfig()
	if err != nil || len(sources) == 0 {
		return nil
	}
	return hostResolver(sources).uri
}

func (r hostResolver) find(h planner.HostPlan) (live.Source, bool) {
	for _, s := range r {
		if s.HostName() == h.Name {
			return s, true
		}
	}
	return live.Source{}, false
}

func (r hostResolver) uri(h planner.HostPlan) string {
	if s, ok := r.find(h); ok {
		return s.URI
	}
	return h.URI
}

func (r hostResolver) source(h planner.HostPlan) live.Source {
	s, _ := r.find(h)
	return s
}

// checkPasswords refuses hosts whose only URI is the plan's, with its
// password masked.
func (r hostResolver) checkPasswords(p *planner.Plan) error {
	for _, h := range p.Hosts {
		if len(h.Placed) == 0 || h.URI == "" {
			continue
		}
		if _, ok := r.find(h); ok {
			continue
		}
		if u, err := url.Parse(h.URI); err == nil && u.User != nil {
			if pw, ok := u.User.Password(); ok && pw == hosturi.Masked {
				return fmt.Errorf("host %s: the plan records its URI %s with the password masked; list the host with its full URI under hosts: in the config", h.Name, h.URI)
			}
		}
	}
	return nil
}
