package apply

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
	"github.com/google/go-cmp/cmp"
)

// TestApplyChecksHosts: before anything is changed — in a dry run and in
// the real run alike — apply checks that each host has what the guests'
// templates need, and names what is missing with the commands that make
// it. Here, on a test-driver host: a pool, a base image, a network, a
// bridge and a domain type the host does not have.
func TestApplyChecksHosts(t *testing.T) {
	uri := applyHostURI(t, "kvm-apply1")
	demand := []inventory.Demand{{Name: "web", Profile: "tiny", Count: 1}}
	tmpl := testTemplates()
	for _, name := range []string{"nopool", "noimage", "nonet", "nobridge", "kvm"} {
		demand = append(demand, inventory.Demand{Name: name, Profile: name, Count: 1})
		tmpl[name] = tmpl["tiny"]
	}
	set := func(name string, f func(*hypervisor.Template)) {
		t := tmpl[name]
		f(&t.Template)
		tmpl[name] = t
	}
	set("nopool", func(t *hypervisor.Template) { t.Pool = "no-such-pool" })
	set("noimage", func(t *hypervisor.Template) { t.BaseImage = "golden.qcow2" })
	set("nonet", func(t *hypervisor.Template) { t.Network = "no-such-net" })
	set("nobridge", func(t *hypervisor.Template) { t.Network, t.Bridge = "", "br-missing" })
	set("kvm", func(t *hypervisor.Template) { t.DomainType = "kvm" })
	p := planOnProfiles(t, map[string]string{"kvm-apply1": uri}, demand, []string{"noimage", "nobridge", "kvm"})
	conn := connectTest(t, uri)
	domains, vols := domainNames(t, conn), volumes(t, conn, "berth-pool")

	for _, dry := range []bool{true, false} {
		journal := filepath.Join(t.TempDir(), "plan.json.journal")
		opt := testOptions(t, map[string]*hypervisor.Conn{"kvm-apply1": conn}, journal)
		opt.Templates, opt.DryRun, opt.TemplateSource = tmpl, dry, "templates: in berth.yaml, line 3"
		a, err := Prepare(context.Background(), p, opt)
		if err != nil {
			t.Fatal(err)
		}
		if a.Missing == nil {
			t.Fatalf("dry run %v: nothing missing", dry)
		}
		if len(a.Missing.Hosts) != 1 || a.Missing.Hosts[0].Host != "kvm-apply1" {
			t.Fatalf("hosts %+v", a.Missing.Hosts)
		}
		got := map[string]string{}
		for _, l := range a.Missing.Hosts[0].Lacks {
			got[strings.Join(l.Profiles, ",")] = l.What + " | " + l.Fix
		}
		v := "virsh -c " + uri + " "
		want := map[string]string{
			"kvm":      "domain type kvm is not available (the host offers test) | set domainType to one the host offers (qemu runs without hardware virtualisation), or give the host /dev/kvm (load the kvm module)",
			"nopool":   `storage pool "no-such-pool" does not exist | to create it: ` + v + "pool-define-as no-such-pool dir --target /var/lib/libvirt/images/no-such-pool && " + v + "pool-build no-such-pool && " + v + "pool-start no-such-pool && " + v + "pool-autostart no-such-pool",
			"noimage":  `base image "golden.qcow2" is not in storage pool "berth-pool" | copy the image into the pool's directory and run ` + v + "pool-refresh berth-pool, or set baseImage to a volume of the pool (" + v + "vol-list berth-pool)",
			"nonet":    `network "no-such-net" does not exist | to create it: write its definition (see /usr/share/libvirt/networks/default.xml) and run ` + v + "net-define no-such-net.xml && " + v + "net-start no-such-net && " + v + "net-autostart no-such-net, or set network to one the host has (" + v + "net-list --all)",
			"nobridge": `bridge "br-missing" does not exist | create it on the host (ip link add br-missing type bridge, or the host's network configuration), or set bridge to one the host has (` + v + "iface-list --all)",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("dry run %v: lacks (-want +got):\n%s", dry, diff)
		}
		msg := a.Missing.Error()
		for _, w := range []string{"plan " + p.ID + " cannot be applied as configured: 1 host lacks what the guests' templates (templates: in berth.yaml, line 3) need; nothing was changed:",
			"\n  kvm-apply1 (" + uri + "):\n", "or change templates: in berth.yaml, line 3 to name what the hosts have"} {
			if !strings.Contains(msg, w) {
				t.Errorf("the message lacks %q:\n%s", w, msg)
			}
		}
		rep, err := a.Run(context.Background())
		var mr *MissingResourcesError
		if rep != nil || !errors.As(err, &mr) {
			t.Errorf("Run with hosts lacking what the templates need: %v, %v", rep, err)
		}
		if _, err := os.Stat(journal); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a journal was left: %v", err)
		}
	}
	if d, v := domainNames(t, conn), volumes(t, conn, "berth-pool"); !cmp.Equal(d, domains) || !cmp.Equal(v, vols) {
		t.Errorf("the host changed: domains %v, volumes %v", d, v)
	}
}
