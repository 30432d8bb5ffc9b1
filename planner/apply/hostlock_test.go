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
	"github.com/berth-dev/berth/planner"
)

// TestApplyLocksHosts: while one apply may change a host, another of the
// same plan with another journal (a copy of the plan, --journal B), or of
// another plan, is refused before it changes anything, and told who holds
// the host. A dry run is not held up. Closing the first frees the host.
func TestApplyLocksHosts(t *testing.T) {
	uri := applyHostURI(t, "kvm-apply1")
	p := planOn(t, map[string]string{"kvm-apply1": uri}, []inventory.Demand{{Name: "web", Profile: "tiny", Count: 1}}, nil)
	other := planOn(t, map[string]string{"kvm-apply1": uri}, []inventory.Demand{{Name: "db", Profile: "tiny", Count: 1}}, nil)
	conn := connectTest(t, uri)
	locks := t.TempDir()
	options := func(journal string) Options {
		opt := testOptions(t, map[string]*hypervisor.Conn{"kvm-apply1": conn}, filepath.Join(t.TempDir(), journal))
		opt.LockDir = locks
		return opt
	}
	first, err := Prepare(context.Background(), p, options("a.journal"))
	if err != nil {
		t.Fatal(err)
	}
	for name, plan := range map[string]*planner.Plan{"same plan, another journal": p, "another plan": other} {
		_, err := Prepare(context.Background(), plan, options("b.journal"))
		var locked *HostLockedError
		if !errors.As(err, &locked) {
			t.Fatalf("%s: err = %v, want HostLockedError", name, err)
		}
		h := locked.Holder
		if locked.Host != "kvm-apply1" || h.PID != os.Getpid() || h.Plan != p.ID || !strings.HasSuffix(h.Journal, "a.journal") || h.Since.IsZero() {
			t.Errorf("%s: %+v", name, locked)
		}
		for _, w := range []string{"host kvm-apply1 is being changed by another berth apply: pid ", "plan " + p.ID + " (journal ", "a.journal), since ", "; lock " + locks + "/host-"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: the message lacks %q: %v", name, w, err)
			}
		}
	}
	dry := options("c.journal")
	dry.DryRun = true
	if _, err := Prepare(context.Background(), p, dry); err != nil {
		t.Errorf("a dry run while the host is held: %v", err)
	}
	first.Close()
	second, err := Prepare(context.Background(), p, options("b.journal"))
	if err != nil {
		t.Fatalf("after the first apply closed: %v", err)
	}
	second.Close()
}
