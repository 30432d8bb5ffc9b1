package apply

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/live"
	"github.com/berth-dev/berth/planner"
)

// Hypervisor is one host's libvirt as apply uses it. *hypervisor.Conn
// implements it; apply reaches libvirt through nothing else.
type Hypervisor interface {
	// LookupDomain returns nil and no error when there is no such domain.
	LookupDomain(ctx context.Context, name string) (*hypervisor.Domain, error)
	VolumeExists(ctx context.Context, pool, name string) (bool, error)
	CreateVolume(ctx context.Context, g hypervisor.GuestSpec) error
	DeleteVolume(ctx context.Context, pool, name string) error
	DefineGuest(ctx context.Context, g hypervisor.GuestSpec) error
	StartDomain(ctx context.Context, name string) error
	DestroyDomain(ctx context.Context, name string) error
	// ShutdownDomain asks the guest to shut down, without waiting.
	ShutdownDomain(ctx context.Context, name string) error
	UndefineDomain(ctx context.Context, name string) error
}

// Connector opens the hypervisor of one host of the plan; release is called
// when apply is done with it.
type Connector func(ctx context.Context, h planner.HostPlan) (hv Hypervisor, release func(), err error)

// FleetReader reads the current state of the given plan hosts (for the
// staleness check), as live.ReadFleet does: a host that cannot be
// read is left out of Fleet.Hosts and explained in Fleet.Status.
type FleetReader func(ctx context.Context, hosts []planner.HostPlan) (*live.Fleet, error)

// ConnectURIs is the Connector for real use: it connects to each host's
// URI as uri gives it (the plan's URI is masked, so a URI with a password
// must come from the configuration).
func ConnectURIs(uri func(planner.HostPlan) string) Connector {
	return func(ctx context.Context, h planner.HostPlan) (Hypervisor, func(), error) {
		c, err := hypervisor.Connect(ctx, uri(h))
		if err != nil {
			return nil, nil, err
		}
		return c, func() { c.Close() }, nil
	}
}

// ReadURIs is the FleetReader for real use: live.ReadFleet over one
// source per host, named as in the plan. opt must be the options the plan's
// inventory was read with (host classes, guest IOPS and bandwidth), or the
// fingerprints cannot match.
func ReadURIs(uri func(planner.HostPlan) string, source func(planner.HostPlan) live.Source, opt live.ReadOptions) FleetReader {
	return func(ctx context.Context, hosts []planner.HostPlan) (*live.Fleet, error) {
		var srcs []live.Source
		for _, h := range hosts {
			s := live.Source{}
			if source != nil {
				s = source(h)
			}
			s.Name, s.URI = h.Name, uri(h)
			srcs = append(srcs, s)
		}
		return live.ReadFleet(ctx, srcs, opt)
	}
}

// GuestTemplate is how guests of one profile are created.
type GuestTemplate struct {
	hypervisor.Template
	// Start the guest once it is defined.
	Start bool
}

// Templates maps a profile to its template; DefaultTemplateKey is the
// entry for profiles without their own.
type Templates map[string]GuestTemplate

// DefaultTemplateKey names the template of profiles without their own.
const DefaultTemplateKey = "default"

// DefaultGuestTemplate is the template of a profile nobody configured:
// a KVM guest with a 20 GiB qcow2 volume in the pool "default" and a NIC on
// the network "default", started once defined.
func DefaultGuestTemplate() GuestTemplate {
	return GuestTemplate{
		Template: hypervisor.Template{
			DomainType:   hypervisor.DefaultDomainType,
			Arch:         hypervisor.DefaultArch,
			Pool:         "default",
			VolumeSize:   20 << 30,
			VolumeFormat: hypervisor.DefaultVolumeFormat,
			Network:      "default",
			NICModel:     hypervisor.DefaultNICModel,
		},
		Start: true,
	}
}

// For returns the template of profile (matched as written, then in lower
// case: configuration keys are folded to lower case).
func (t Templates) For(profile string) GuestTemplate {
	if g, ok := t[profile]; ok {
		return g
	}
	if g, ok := t[strings.ToLower(profile)]; ok {
		return g
	}
	if g, ok := t[DefaultTemplateKey]; ok {
		return g
	}
	return DefaultGuestTemplate()
}

// Options say how a plan is applied.
type Options struct {
	// URI is the libvirt URI apply uses for a host of the plan (nil = the
	// URI the plan recorded). Connect and ReadFleet must reach hosts
	// through the same rule (ConnectURIs(URI), ReadURIs(URI, …)); Prepare
	// checks the URIs it gives and Summary shows them.
	URI func(planner.HostPlan) string
	// Connect opens a host; required.
	Connect Connector
	// ReadFleet re-reads the hosts for the staleness check; required
	// unless Force.
	ReadFleet FleetReader
	// Force applies a stale plan anyway (the check still runs and its
	// findings are reported as warnings).
	Force bool
	// Templates per profile (nil = DefaultGuestTemplate for all).
	Templates Templates
	// NoStart defines guests without starting them, whatever the templates say.
	NoStart bool
	// Parallel is how many hosts are worked on at once (0 = 4). Actions on
	// one host always run one after the other, in plan order.
	Parallel int
	// Journal is the journal file (required; see JournalPath).
	Journal string
	// StepTimeout bounds one libvirt call (0 = 10 minutes: cloning a base
	// image can take a while).
	StepTimeout time.Duration
	// Progress receives a line per step as it happens (nil = none).
	Progress io.Writer
	// Watch receives each change of a host's progress, for a live display
	// (nil = none). It is called from the hosts' goroutines, one call at a
	// time; it must not block for long.
	Watch func(ProgressEvent)

	// AllowRemovals lets apply carry out the plan's removals (remove.go);
	// without it a plan that removes guests is refused before anything
	// changes. DeleteVolumes deletes the pool volumes of removed guests
	// (else they are kept); ShutdownTimeout is how long a removal waits for
	// a guest to shut down before it powers it off (0 =
	// DefaultShutdownTimeout).
	AllowRemovals   bool
	DeleteVolumes   bool
	ShutdownTimeout time.Duration

	// Moves say how the plan's moves are carried out (move_options.go).
	Moves MoveOptions

	// DryRun prepares without creating or locking the journal (an existing
	// one is read for the summary); Run then refuses.
	DryRun bool
	// MaxInput caps the journal's size in bytes (0 =
	// safefile.DefaultMaxInput).
	MaxInput int64
	// TemplateSource says where Templates come from, for messages that
	// ask to change them ("templates: in /etc/berth.yaml").
	TemplateSource string
	// LockDir is where host locks go ("" = the first of
	// DefaultLockDirs that can be written, else the journal's directory).
	LockDir string

	// skipHostChecks leaves out the check that the hosts have what the
	// templates need (tests of failures at run time).
	skipHostChecks bool

	// crashAt injects a crash before the crashAt-th journal record (tests).
	crashAt int
}

// Apply is a plan checked and ready to be applied: the hosts were re-read
// and match the plan (or Force), every host has a URI, and the journal is
// open and locked. Summary shows what Run will do. Close releases the
// journal when Run is not called.
type Apply struct {
	plan     *planner.Plan
	opt      Options
	journal  *Journal
	logs     map[int]*actionLog
	hosts    []hostWork
	moves    moveSet // the plan's moves, by wave (move.go)
	kept     int
	Warnings []string
	// Missing is what the hosts lack that the templates need (nil when
	// they have it all). Run refuses to start while it is set; Summary
	// lists it.
	Missing *MissingResourcesError
	// Refused is set in a dry run of a plan whose removals are not allowed
	// (a real run is refused by Prepare): Summary shows the plan, removals
	// included, and the caller then reports Refused, as the real run would.
	Refused *RemovalsNotAllowedError

	// hostKeys name each host (by plan name) for its lock: its UUID, as
	// the checks read it.
	hostKeys map[string]string
	locks    *hostLocks
}

// hostWork is the create and remove actions of one host, in plan order.
type hostWork struct {
	host    planner.HostPlan
	actions []int // creates: indexes into plan.Actions
	removes []int // removals (run before the creates, which may need their room)
}

// Prepare checks plan against the hosts and opens its journal. Nothing
// on any host is changed. Its errors are *ForReviewError (no URIs, example
// URIs), *NotApplicableError (hosts still to be bought, bad templates),
// *StaleError, or the journal's and the reader's. What the hosts lack for
// the templates is not an error of Prepare but Apply.Missing, so that a
// dry run can show the plan and what is missing together.
func Prepare(ctx context.Context, plan *planner.Plan, opt Options) (*Apply, error) {
	if opt.Connect == nil {
		return nil, fmt.Errorf("apply: no connector")
	}
	if opt.Journal == "" {
		return nil, fmt.Errorf("apply: no journal file")
	}
	hosts, kept, err := hostWorks(plan)
	if err != nil {
		return nil, err
	}
	a := &Apply{plan: plan, opt: opt, hosts: hosts, kept: kept}
	if err := a.prepareMoves(); err != nil {
		return nil, err
	}
	if err := Applicable(plan, opt.URI); err != nil {
		return nil, err
	}
	if err := a.checkRemovals(); err != nil {
		if !opt.DryRun {
			return nil, err
		}
		a.Refused = err
	}
	if err := a.checkTemplates(); err != nil {
		return nil, err
	}
	if err := a.checkStale(ctx); err != nil {
		return nil, err
	}
	a.checkHosts(ctx)
	open := OpenJournal
	if opt.DryRun || a.Missing != nil {
		open = PeekJournal // nothing will be written: leave no journal behind
	} else if a.locks, err = a.lockHosts(); err != nil {
		return nil, err
	}
	j, err := open(opt.Journal, plan, opt.MaxInput)
	if err != nil {
		a.locks.release()
		return nil, err
	}
	j.crashAt = opt.crashAt
	a.journal = j
	a.logs = replay(j.History())
	return a, nil
}

// hostWorks groups the plan's create and remove actions by host, hosts in
// plan order, leaving out hosts with nothing to create or remove, and
// counts the guests the plan keeps. Moves are moves.go's; other actions
// are refused.
func hostWorks(plan *planner.Plan) (works []hostWork, kept int, err error) {
	byHost := map[string]*hostWork{}
	for _, h := range plan.Hosts {
		byHost[h.Name] = &hostWork{host: h}
	}
	for i, act := range plan.Actions {
		switch act.Op {
		case planner.OpKeep:
			kept++
		case planner.OpMove: // moves.go
		case planner.OpRemove:
			w := byHost[act.Host]
			if w == nil {
				return nil, 0, fmt.Errorf("plan %s: action %d removes %s from host %s, which the plan does not list", plan.ID, i+1, act.Guest, act.Host)
			}
			w.removes = append(w.removes, i)
		case planner.OpCreate:
			w := byHost[act.Host]
			if w == nil {
				return nil, 0, fmt.Errorf("plan %s: action %d places %s on host %s, which the plan does not list", plan.ID, i+1, act.Guest, act.Host)
			}
			w.actions = append(w.actions, i)
		default:
			return nil, 0, fmt.Errorf("plan %s: action %d: this berth cannot apply %q actions", plan.ID, i+1, act.Op)
		}
	}
	for _, h := range plan.Hosts {
		if w := byHost[h.Name]; len(w.actions)+len(w.removes) > 0 {
			works = append(works, *w)
		}
	}
	return works, kept, nil
}

// checkTemplates builds every guest's spec once, so a bad template or
// allocation is refused before anything changes.
func (a *Apply) checkTemplates() error {
	for _, w := range a.hosts {
		for _, i := range w.actions {
			if err := a.spec(i).Check(); err != nil {
				return &NotApplicableError{Plan: a.plan.ID, Reason: err.Error()}
			}
		}
	}
	return nil
}

// template is the template of action i, with NoStart applied.
func (a *Apply) template(i int) GuestTemplate {
	t := a.opt.Templates.For(a.plan.Actions[i].Profile)
	if a.opt.NoStart {
		t.Start = false
	}
	return t
}

// spec is what action i creates.
func (a *Apply) spec(i int) hypervisor.GuestSpec {
	act := a.plan.Actions[i]
	return hypervisor.GuestSpec{
		Name:     act.Guest,
		VCPUs:    inventory.WholeVCPUs(act.Allocation[inventory.CPU]),
		Memory:   uint64(math.Ceil(act.Allocation[inventory.Memory])),
		Metadata: hypervisor.GuestMetadata{PlanID: a.plan.ID, Profile: act.Profile, Group: act.Group},
		Template: a.template(i).Template,
	}
}

// Plan is the plan being applied.
func (a *Apply) Plan() *planner.Plan { return a.plan }

// Journal is the journal's path.
func (a *Apply) Journal() string { return a.journal.Path() }

// Close releases the journal and the host locks (Run does it itself).
func (a *Apply) Close() error {
	a.locks.release()
	return a.journal.Close()
}

// Summary writes what Run will do, per host: the guests to define (and
// start), with their size, disk and network, and what earlier runs already
// did according to the journal.
func (a *Apply) Summary(w io.Writer) {
	creates := 0
	var createHosts []string
	for _, h := range a.hosts {
		creates += len(h.actions)
		if len(h.actions) > 0 {
			createHosts = append(createHosts, h.host.Name)
		}
	}
	if creates == 0 {
		fmt.Fprintf(w, "Plan %s creates no guests", a.plan.ID)
	} else {
		fmt.Fprintf(w, "Plan %s: %s to create on %s", a.plan.ID, planner.CountOf(creates, "guest", "guests"), listWords(createHosts, "host", "hosts"))
	}
	if n := a.removals(); n > 0 {
		fmt.Fprintf(w, "; %s to remove", planner.CountOf(n, "guest", "guests"))
	}
	if a.kept > 0 {
		fmt.Fprintf(w, "; %s", planner.CountOf(a.kept, "existing guest stays as it is", "existing guests stay as they are"))
	}
	fmt.Fprintln(w, ".")
	if len(a.journal.History()) > 0 {
		if a.opt.DryRun {
			fmt.Fprintf(w, "Journal %s records %d earlier run(s); applying would resume from it, without repeating the steps it records as finished.\n", a.journal.Path(), a.journal.Run()-1)
		} else {
			fmt.Fprintf(w, "Resuming from journal %s (run %d); steps it records as finished are not repeated.\n", a.journal.Path(), a.journal.Run())
		}
	}
	for _, wk := range a.hosts {
		fmt.Fprintf(w, "\n  %s (%s):\n", wk.host.Name, a.uriText(wk.host))
		a.summaryRemovals(w, wk)
		for _, i := range wk.actions {
			s, t := a.spec(i), a.template(i)
			verb := "define"
			if t.Start {
				verb = "define and start"
			}
			fmt.Fprintf(w, "    + %-16s %s: %s, %d vCPU, %s memory, %s, %s", s.Name, verb, orDash(a.plan.Actions[i].Profile),
				s.VCPUs, inventory.FormatQuantity(inventory.Memory, float64(s.Memory)), diskText(s), nicText(s.Template))
			if note := a.resumeNote(i); note != "" {
				fmt.Fprintf(w, " [%s]", note)
			}
			fmt.Fprintln(w)
		}
	}
	a.summaryMoves(w)
	for _, warn := range a.Warnings {
		fmt.Fprintf(w, "\nWarning: %s\n", warn)
	}
}

// hostURI is the URI apply uses for h (Options.URI, else the plan's).
func (a *Apply) hostURI(h planner.HostPlan) string {
	if a.opt.URI != nil {
		return a.opt.URI(h)
	}
	return h.URI
}

// uriText is the URI apply uses for h, masked, and where it comes from
// when that is not the plan.
func (a *Apply) uriText(h planner.HostPlan) string {
	used := hypervisor.MaskURI(a.hostURI(h))
	switch {
	case used == h.URI:
		return used
	case h.URI == "":
		return used + ", from the config; the plan records no URI"
	}
	return used + ", from the config, which overrides the plan's " + h.URI
}

// resumeNote says what the journal records for create action i.
func (a *Apply) resumeNote(i int) string {
	return a.stepsNote(i, StepVolume, StepDefine, StepStart)
}

// stepsNote says which of steps the journal records as done or half-done
// for action i: "done earlier: volume, define; half-done, will be
// checked: start".
func (a *Apply) stepsNote(i int, steps ...Step) string {
	l := a.logs[i]
	if l == nil {
		return ""
	}
	var done, half []string
	for _, s := range steps {
		switch l.state(s) {
		case stepFinished:
			done = append(done, string(s))
		case stepStarted:
			half = append(half, string(s))
		}
	}
	var parts []string
	if len(done) > 0 {
		parts = append(parts, "done earlier: "+strings.Join(done, ", "))
	}
	if len(half) > 0 {
		parts = append(parts, "half-done, will be checked: "+strings.Join(half, ", "))
	}
	return strings.Join(parts, "; ")
}

func diskText(s hypervisor.GuestSpec) string {
	t := s.Template
	if !t.HasDisk() {
		return "no disk"
	}
	size := inventory.FormatQuantity(inventory.Memory, float64(t.VolumeSize))
	if t.BaseImage != "" {
		return fmt.Sprintf("disk %s/%s cloned from %s", t.Pool, s.VolumeName(), t.BaseImage)
	}
	return fmt.Sprintf("disk %s/%s %s", t.Pool, s.VolumeName(), size)
}

func nicText(t hypervisor.Template) string {
	switch {
	case t.Bridge != "":
		return "bridge " + t.Bridge
	case t.Network != "":
		return "network " + t.Network
	}
	return "no NIC"
}

func hostNames(ws []hostWork) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.host.Name)
	}
	return out
}

// listWords is "host kvm-a1" or "hosts kvm-a1, kvm-a2".
func listWords(names []string, one, many string) string {
	names = slices.Clone(names)
	if len(names) == 1 {
		return one + " " + names[0]
	}
	return many + " " + strings.Join(names, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
