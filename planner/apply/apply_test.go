package apply

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/google/go-cmp/cmp"
)

var _ Hypervisor = (*hypervisor.Conn)(nil)

// TestApplyDefinesStartsAndTags applies two tiny guests to a test-driver
// host and reads them back: defined, running, their size, disk and NIC as
// the template says, berth's metadata on them, their volumes in the pool.
func TestApplyDefinesStartsAndTags(t *testing.T) {
	uris := map[string]string{"kvm-apply1": applyHostURI(t, "kvm-apply1")}
	p := planOn(t, uris, []inventory.Demand{{Name: "web", Profile: "tiny", Count: 2, Group: "front"}}, nil)
	conn := connectTest(t, uris["kvm-apply1"])
	journal := filepath.Join(t.TempDir(), "plan.json.journal")

	rep := mustApply(t, p, testOptions(t, map[string]*hypervisor.Conn{"kvm-apply1": conn}, journal))

	if diff := cmp.Diff(map[string]Outcome{"web-1": OutcomeDone, "web-2": OutcomeDone}, outcomes(rep)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if !rep.Complete() || !rep.Changed() || rep.Kept != 2 {
		t.Errorf("Complete %v Changed %v Kept %d, want true true 2", rep.Complete(), rep.Changed(), rep.Kept)
	}
	for _, name := range []string{"web-1", "web-2"} {
		d, err := conn.LookupDomain(context.Background(), name)
		if err != nil || d == nil {
			t.Fatalf("LookupDomain(%s) = %v, %v", name, d, err)
		}
		want := hypervisor.Domain{
			Name: name, UUID: d.UUID, ID: d.ID, State: "running", Persistent: true,
			VCPUs: 1, MaxVCPUs: 1, MemoryMax: 64 * mib, MemoryCurrent: 64 * mib,
			Disks:      []hypervisor.Disk{{Device: "disk", Type: "volume", Target: "vda", Bus: "virtio", Source: "berth-pool/" + name + ".qcow2", Format: "qcow2"}},
			Interfaces: []hypervisor.Interface{{Type: "network", Source: "default", MAC: d.Interfaces[0].MAC, Model: "virtio", Target: d.Interfaces[0].Target}},
			Metadata:   &hypervisor.GuestMetadata{PlanID: p.ID, Profile: "tiny", Group: "front"},
		}
		if diff := cmp.Diff(want, *d); diff != "" {
			t.Errorf("domain %s (-want +got):\n%s", name, diff)
		}
	}
	if diff := cmp.Diff([]string{"base-debian.qcow2", "squatter-1.qcow2", "web-1.qcow2", "web-2.qcow2"}, volumes(t, conn, "berth-pool")); diff != "" {
		t.Errorf("volumes (-want +got):\n%s", diff)
	}
	// Every step journaled started then finished, between begin and end.
	recs, err := ReadJournalFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		if r.Plan != p.ID || r.Run != 1 {
			t.Errorf("record %+v: want plan %s run 1", r, p.ID)
		}
		got = append(got, strings.TrimSpace(r.Guest+" "+string(r.Step)+" "+r.Event))
	}
	want := []string{"begin",
		"web-1 volume started", "web-1 volume finished", "web-1 define started", "web-1 define finished", "web-1 start started", "web-1 start finished",
		"web-2 volume started", "web-2 volume finished", "web-2 define started", "web-2 define finished", "web-2 start started", "web-2 start finished",
		"end"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}
}

// TestApplyTwiceIsANoOp applies the same plan again, with its journal and
// without it: berth recognises its guests by their metadata and skips them.
func TestApplyTwiceIsANoOp(t *testing.T) {
	uris := map[string]string{"kvm-apply1": applyHostURI(t, "kvm-apply1"), "kvm-apply2": applyHostURI(t, "kvm-apply2")}
	p := planOn(t, uris, []inventory.Demand{{Name: "web", Profile: "tiny", Count: 2}}, map[string]string{"web-1": "kvm-apply1", "web-2": "kvm-apply2"})
	conns := map[string]*hypervisor.Conn{"kvm-apply1": connectTest(t, uris["kvm-apply1"]), "kvm-apply2": connectTest(t, uris["kvm-apply2"])}
	dir := t.TempDir()
	journal := filepath.Join(dir, "plan.json.journal")
	mustApply(t, p, testOptions(t, conns, journal))
	before := map[string][]string{}
	for h, c := range conns {
		before[h] = append(domainNames(t, c), volumes(t, c, "berth-pool")...)
	}
	for _, j := range []string{journal, filepath.Join(dir, "fresh.journal")} {
		rep := mustApply(t, p, testOptions(t, conns, j))
		if diff := cmp.Diff(map[string]Outcome{"web-1": OutcomeSkipped, "web-2": OutcomeSkipped}, outcomes(rep)); diff != "" {
			t.Errorf("journal %s: outcomes (-want +got):\n%s", filepath.Base(j), diff)
		}
		if rep.Changed() || !rep.Complete() {
			t.Errorf("journal %s: Changed %v Complete %v, want false true", filepath.Base(j), rep.Changed(), rep.Complete())
		}
		for _, r := range rep.Results {
			if r.Detail != "already exists (created by this plan)" {
				t.Errorf("%s: detail %q", r.Action.Guest, r.Detail)
			}
		}
	}
	for h, c := range conns {
		if diff := cmp.Diff(before[h], append(domainNames(t, c), volumes(t, c, "berth-pool")...)); diff != "" {
			t.Errorf("%s changed on the second apply (-before +after):\n%s", h, diff)
		}
	}
	recs, _ := ReadJournalFile(journal)
	for _, r := range recs {
		if r.Run == 2 && r.Event == EventStarted {
			t.Errorf("second run started a step: %+v", r)
		}
	}
}

// addDomain appends a domain to a test-driver host file, as if someone
// defined it after the plan was made.
func addDomain(t *testing.T, path, domainXML string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("</node>"), []byte(domainXML+"\n</node>"), 1)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

const foreignWeb1 = `<domain type='test'><name>web-1</name><memory unit='MiB'>512</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>`

// TestApplyRefusesStalePlan: a domain defined after planning makes the plan
// stale; apply names the host and the change, and changes nothing.
func TestApplyRefusesStalePlan(t *testing.T) {
	path, uri := copyHostFile(t, "kvm-apply1")
	uris := map[string]string{"kvm-apply1": uri}
	p := planOn(t, uris, []inventory.Demand{{Name: "web", Profile: "tiny", Count: 2}}, nil)
	addDomain(t, path, foreignWeb1)
	conn := connectTest(t, uri) // sees the file as it is now
	journal := filepath.Join(t.TempDir(), "plan.json.journal")

	_, err := applyPlan(t, p, testOptions(t, map[string]*hypervisor.Conn{"kvm-apply1": conn}, journal))
	var stale *StaleError
	if !errors.As(err, &stale) {
		t.Fatalf("err = %v, want a StaleError", err)
	}
	want := []StaleHost{{Host: "kvm-apply1", Changes: []string{"guest web-1 was added (a guest the plan means to create has that name, and this plan did not create it)"}}}
	if diff := cmp.Diff(want, stale.Hosts); diff != "" {
		t.Errorf("stale hosts (-want +got):\n%s", diff)
	}
	for _, s := range []string{"plan " + p.ID + " is stale", "kvm-apply1: guest web-1 was added", "--refresh", "--force"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
	if _, err := os.Stat(journal); !os.IsNotExist(err) {
		t.Errorf("a refused apply wrote a journal (%v)", err)
	}
	if diff := cmp.Diff([]string{"legacy", "other-plan-1", "web-1"}, domainNames(t, conn)); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
}

// TestApplyHostChanges table-tests the findings of the staleness check.
func TestApplyHostChanges(t *testing.T) {
	uri := applyHostURI(t, "kvm-apply1")
	p := planOn(t, map[string]string{"kvm-apply1": uri}, []inventory.Demand{{Name: "web", Profile: "tiny", Count: 1}}, nil)
	base := readFleet(t, map[string]string{"kvm-apply1": uri}).Hosts[0]
	hp := p.Hosts[0]
	const gi = 1 << 30
	tests := []struct {
		name   string
		change func(h *inventory.Host)
		want   []string
	}{
		{"unchanged", func(h *inventory.Host) {}, nil},
		{"own guest of this plan", func(h *inventory.Host) {
			h.Guests = append(h.Guests, inventory.Guest{Name: "web-1", PlanID: p.ID, Allocation: inventory.Vector{1, 64 * mib}})
		}, nil},
		{"same name, other plan", func(h *inventory.Host) {
			h.Guests = append(h.Guests, inventory.Guest{Name: "web-1", PlanID: "0123456789ab", Allocation: inventory.Vector{1, 64 * mib}})
		}, []string{"guest web-1 was added (a guest the plan means to create has that name, and this plan did not create it)"}},
		{"guest removed", func(h *inventory.Host) { h.Guests = h.Guests[1:] }, []string{"guest legacy was removed"}},
		{"allocation changed", func(h *inventory.Host) { h.Guests[0].Allocation[inventory.Memory] = 6 * gi }, []string{
			"guest legacy's allocation changed from cpu 2 · memory 4.0 GiB · iops 0 · net 0 bps to cpu 2 · memory 6.0 GiB · iops 0 · net 0 bps"}},
		{"capacity changed", func(h *inventory.Host) { h.Capacity[inventory.CPU] = 8 }, []string{
			"its CPUs or memory changed (now 8 CPUs, 64 GiB)"}},
		// IOPS, network and reservations come from configuration, not from
		// libvirt, so a snapshot and a live read may differ there.
		{"reservation differs", func(h *inventory.Host) { h.Reserved[inventory.Memory] = 8 * gi }, nil},
		{"iops capacity differs", func(h *inventory.Host) { h.Capacity[inventory.IOPS] = 1 }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := base
			h.Guests = append([]inventory.Guest(nil), base.Guests...)
			tt.change(&h)
			if diff := cmp.Diff(tt.want, HostChanges(p, hp, &h)); diff != "" {
				t.Errorf("HostChanges (-want +got):\n%s", diff)
			}
		})
	}
}

// TestApplyForceNameClash: applied anyway, the guest whose name a foreign
// domain took fails (the domain is not touched), the other is created.
func TestApplyForceNameClash(t *testing.T) {
	path, uri := copyHostFile(t, "kvm-apply1")
	uris := map[string]string{"kvm-apply1": uri}
	p := planOn(t, uris, []inventory.Demand{{Name: "web", Profile: "tiny", Count: 2}}, nil)
	addDomain(t, path, foreignWeb1)
	conn := connectTest(t, uri)
	opt := testOptions(t, map[string]*hypervisor.Conn{"kvm-apply1": conn}, filepath.Join(t.TempDir(), "j"))
	opt.Force = true
	before, _ := conn.LookupDomain(context.Background(), "web-1")

	rep := mustApply(t, p, opt)

	if diff := cmp.Diff(map[string]Outcome{"web-1": OutcomeFailed, "web-2": OutcomeDone}, outcomes(rep)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if got := rep.Results[0].Error; got != "a domain named web-1 already exists on kvm-apply1 and was not created by berth: berth leaves it alone" {
		t.Errorf("error = %q", got)
	}
	after, _ := conn.LookupDomain(context.Background(), "web-1")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("the foreign web-1 changed (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"base-debian.qcow2", "squatter-1.qcow2", "web-2.qcow2"}, volumes(t, conn, "berth-pool")); diff != "" {
		t.Errorf("volumes (-want +got):\n%s", diff)
	}
	if !rep.Changed() || rep.Complete() {
		t.Errorf("Changed %v Complete %v, want true false (partially applied)", rep.Changed(), rep.Complete())
	}
}

// TestApplyClashWithOtherPlan: a domain another berth plan created is just
// as foreign to this plan.
func TestApplyClashWithOtherPlan(t *testing.T) {
	uri := applyHostURI(t, "kvm-apply1")
	// "other-plan-1" exists on the host (an existing guest of the plan). The
	// planner refuses to demand a guest of that name, so the clash is made
	// by renaming the planned guest, as a plan from another tool might.
	p := planOn(t, map[string]string{"kvm-apply1": uri}, []inventory.Demand{{Name: "clash", Profile: "tiny", Count: 1}}, nil)
	for i := range p.Actions {
		if p.Actions[i].Guest == "clash-1" {
			p.Actions[i].Guest = "other-plan-1"
		}
	}
	for i := range p.Hosts {
		for j, g := range p.Hosts[i].Placed {
			if g == "clash-1" {
				p.Hosts[i].Placed[j] = "other-plan-1"
			}
		}
	}
	conn := connectTest(t, uri)
	rep := mustApply(t, p, testOptions(t, map[string]*hypervisor.Conn{"kvm-apply1": conn}, filepath.Join(t.TempDir(), "j")))
	if len(rep.Results) != 1 || rep.Results[0].Outcome != OutcomeFailed ||
		rep.Results[0].Error != "a domain named other-plan-1 already exists on kvm-apply1 and was created by berth plan 0123456789ab, not this one: berth leaves it alone" {
		t.Fatalf("results = %+v", rep.Results)
	}
	if rep.Changed() {
		t.Error("Changed, want nothing changed")
	}
}

// TestApplyRollsBackFailedCreate: a guest whose definition libvirt refuses
// has its volume removed again; a guest whose pool does not exist fails
// before anything is made; a guest whose volume name is taken by a volume
// berth did not create fails and the volume stays. The other is created.
func TestApplyRollsBackFailedCreate(t *testing.T) {
	uri := applyHostURI(t, "kvm-apply1")
	p := planOn(t, map[string]string{"kvm-apply1": uri}, []inventory.Demand{
		{Name: "bad", Profile: "broken", Count: 1},
		{Name: "nopool", Profile: "nopool", Count: 1},
		{Name: "squatter", Profile: "squat", Count: 1},
		{Name: "web", Profile: "tiny", Count: 1},
	}, nil)
	conn := connectTest(t, uri)
	journal := filepath.Join(t.TempDir(), "j")
	// The failures at run time are the point: the checks before the run
	// (TestApplyChecksHosts) would refuse broken's and nopool's templates.
	opt := testOptions(t, map[string]*hypervisor.Conn{"kvm-apply1": conn}, journal)
	opt.skipHostChecks = true
	rep := mustApply(t, p, opt)

	got := map[string]string{}
	for _, r := range rep.Results {
		got[r.Action.Guest] = string(r.Outcome) + ": " + r.Error + " | " + r.Detail
	}
	want := map[string]string{
		"bad-1":      "failed: define domain bad-1 test:///…: … | rolled back: volume berth-pool/bad-1.qcow2 deleted",
		"nopool-1":   "failed: look up volume no-such-pool/nopool-1.qcow2 …: … | ",
		"squatter-1": "failed: volume squatter-1.qcow2 already exists in pool berth-pool on kvm-apply1 and berth did not create it: berth leaves it alone (remove it, or rename the guest and re-plan) | ",
		"web-1":      "done:  | volume berth-pool/web-1.qcow2 created, defined, started",
	}
	// libvirt's own words vary between versions: compare up to them.
	for g, s := range got {
		if w := want[g]; !matchEllipsis(w, s) {
			t.Errorf("%s:\n got %s\nwant %s", g, s, w)
		}
	}
	if !strings.Contains(got["nopool-1"], "no-such-pool") {
		t.Errorf("nopool-1's error does not name the pool: %s", got["nopool-1"])
	}
	if diff := cmp.Diff([]string{"base-debian.qcow2", "squatter-1.qcow2", "web-1.qcow2"}, volumes(t, conn, "berth-pool")); diff != "" {
		t.Errorf("volumes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"legacy", "other-plan-1", "web-1"}, domainNames(t, conn)); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
	// Run again: the failures are retried (and fail again), nothing else moves.
	rep = mustApply(t, p, opt)
	if diff := cmp.Diff(map[string]Outcome{"bad-1": OutcomeFailed, "nopool-1": OutcomeFailed, "squatter-1": OutcomeFailed, "web-1": OutcomeSkipped}, outcomes(rep)); diff != "" {
		t.Errorf("second run (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"base-debian.qcow2", "squatter-1.qcow2", "web-1.qcow2"}, volumes(t, conn, "berth-pool")); diff != "" {
		t.Errorf("volumes after the second run (-want +got):\n%s", diff)
	}
}

// matchEllipsis matches s against pattern, where "…" stands for any text.
func matchEllipsis(pattern, s string) bool {
	parts := strings.Split(pattern, "…")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		last := i == len(parts)-2
		if last {
			return strings.HasSuffix(s, p)
		}
		j := strings.Index(s, p)
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return s == ""
}

// TestApplyRefusesPlanWithoutURIs: a plan over scenario hosts that name no
// libvirt URI is for review, and refused in one sentence.
func TestApplyRefusesPlanWithoutURIs(t *testing.T) {
	uri := applyHostURI(t, "kvm-apply1")
	p := planOn(t, map[string]string{"kvm-apply1": uri}, []inventory.Demand{{Name: "web", Profile: "tiny", Count: 1}}, nil)
	p.Hosts[0].URI = ""
	_, err := Prepare(context.Background(), p, Options{Connect: sharedConns(nil), Journal: filepath.Join(t.TempDir(), "j")})
	var fr *ForReviewError
	if !errors.As(err, &fr) {
		t.Fatalf("err = %v, want ForReviewError", err)
	}
	want := "plan " + p.ID + " is for review: its hosts have no libvirt URI; plan on live hosts with -c (or the config's hosts) or give hosts a uri: in the scenario"
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
}

// TestApplyParallelAndUnreachable: with --parallel 1 the hosts are worked
// on one after the other; a host that cannot be reached fails its own
// actions and the other host's are still done.
func TestApplyParallelAndUnreachable(t *testing.T) {
	uris := map[string]string{"kvm-apply1": applyHostURI(t, "kvm-apply1"), "kvm-apply2": applyHostURI(t, "kvm-apply2")}
	p := planOn(t, uris, []inventory.Demand{{Name: "web", Profile: "tiny", Count: 4}},
		map[string]string{"web-1": "kvm-apply1", "web-2": "kvm-apply1", "web-3": "kvm-apply2", "web-4": "kvm-apply2"})
	conns := fresh(t, uris)
	journal := filepath.Join(t.TempDir(), "j")
	opt := testOptions(t, conns, journal)
	opt.Parallel = 1
	rep := mustApply(t, p, opt)
	if !rep.Complete() {
		t.Fatalf("results %+v", rep.Results)
	}
	recs, _ := ReadJournalFile(journal)
	var hosts []string
	for _, r := range recs {
		if r.Host != "" && (len(hosts) == 0 || hosts[len(hosts)-1] != r.Host) {
			hosts = append(hosts, r.Host)
		}
	}
	if len(hosts) != 2 {
		t.Errorf("with Parallel 1 the journal switches hosts %d times: %v", len(hosts)-1, hosts)
	}

	// kvm-apply2 is unreachable this time, by the time the run gets to it
	// (the checks before the run would refuse it: TestApplyChecksHosts).
	conns = fresh(t, uris)
	opt = testOptions(t, conns, filepath.Join(t.TempDir(), "j"))
	opt.skipHostChecks = true
	missing := "test://" + filepath.Join(t.TempDir(), "gone.xml")
	opt.Connect = func(ctx context.Context, h planner.HostPlan) (Hypervisor, func(), error) {
		if h.Name == "kvm-apply2" {
			return ConnectURIs(func(planner.HostPlan) string { return missing })(ctx, h)
		}
		return sharedConns(conns)(ctx, h)
	}
	rep = mustApply(t, p, opt)
	want := map[string]Outcome{"web-1": OutcomeDone, "web-2": OutcomeDone, "web-3": OutcomeFailed, "web-4": OutcomeFailed}
	if diff := cmp.Diff(want, outcomes(rep)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if e := rep.Results[2].Error; !strings.HasPrefix(e, "cannot connect: ") || !strings.Contains(e, "gone.xml does not exist") {
		t.Errorf("web-3: %q", e)
	}
}
