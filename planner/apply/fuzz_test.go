package apply

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"libvirt.org/go/libvirtxml"
)

// FuzzApplyPlanFile damages a saved plan — cut short, a byte changed, a
// byte added — and reads it back the way berth apply does (ReadPlanFile).
// A damaged plan must be refused with an error that names the file and
// says what is wrong, before any host is contacted; the only plans that
// may pass are those whose content is still exactly the original (a
// change in insignificant whitespace, say).
func FuzzApplyPlanFile(f *testing.F) {
	uri := applyHostURI(f, "kvm-apply1")
	p := planOn(f, map[string]string{"kvm-apply1": uri}, []inventory.Demand{{Name: "web", Profile: "tiny", Count: 2}}, nil)
	var good bytes.Buffer
	if err := planner.EncodeJSON(&good, p); err != nil {
		f.Fatal(err)
	}
	orig := good.Bytes()
	n := uint32(len(orig))
	f.Add(n, uint32(0), byte(0), false)         // unchanged
	f.Add(n/2, uint32(0), byte(0), false)       // cut in half
	f.Add(n-2, uint32(0), byte(0), false)       // last brace missing
	f.Add(n, uint32(n/3), byte(1), false)       // one bit flipped
	f.Add(n, uint32(n/2), byte(' '), true)      // a space inserted
	f.Add(n, uint32(n/4), byte('7'^'1'), false) // a digit changed
	f.Fuzz(func(t *testing.T, cut, pos uint32, x byte, insert bool) {
		data := append([]byte(nil), orig[:min(int(cut), len(orig))]...)
		if len(data) > 0 {
			i := int(pos) % len(data)
			if insert {
				data = append(data[:i], append([]byte{x}, data[i:]...)...)
			} else {
				data[i] ^= x
			}
		}
		path := filepath.Join(t.TempDir(), "plan.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := planner.ReadPlanFile(path)
		if err != nil {
			if !strings.HasPrefix(err.Error(), path+": ") || len(err.Error()) < len(path)+12 {
				t.Errorf("refusal does not name the file and the problem: %q", err)
			}
			return
		}
		var again bytes.Buffer
		if err := planner.EncodeJSON(&again, got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Bytes(), orig) {
			t.Fatalf("a changed plan was accepted:\n%s", data)
		}
	})
}

// FuzzJournal reads arbitrary bytes as the journal of a plan of five create
// actions. It must never panic; what it accepts must be records of this
// plan only, with known events and steps and actions of the plan (a
// damaged record is refused, never resumed from), and replaying them must
// only describe the plan's actions.
func FuzzJournal(f *testing.F) {
	p := planID("abc")
	f.Add([]byte(`{"plan":"abc","run":1,"event":"begin"}` + "\n"))
	f.Add([]byte(`{"plan":"abc","run":1,"event":"started","action":1,"host":"h","guest":"g-1","step":"volume"}` + "\n"))
	f.Add([]byte(`{"plan":"abc","run":2,"event":"finished","action":9,"host":"h","guest":"g-9","step":"volume"}` + "\n"))
	f.Add([]byte(`{"plan":"abc","run":1,"event":"lost","action":4,"host":"h","guest":"g-4","step":"delete-volume"}` + "\n{\"plan\""))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "plan.json.journal")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		j, err := PeekJournal(path, p, 0)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "journal "+path) {
				t.Errorf("refusal does not name the journal: %q", err)
			}
			return
		}
		for _, r := range j.History() {
			if err := checkRecord(r, p); err != nil || r.Plan != "abc" {
				t.Fatalf("accepted a record it should refuse (%v): %+v", err, r)
			}
		}
		for i := range replay(j.History()) {
			if i < 0 || i >= len(p.Actions) {
				t.Fatalf("replay describes action %d of a plan of %d", i, len(p.Actions))
			}
		}
	})
}

// FuzzGuestName: every name inventory.CheckGuestName accepts makes a
// guest spec hypervisor accepts, whose domain XML parses back to the same
// name and whose volume is a file name (no "/", at most 255 bytes).
func FuzzGuestName(f *testing.F) {
	for _, s := range []string{"web-1", "a/b", "キャッシュ", " x", "x\ny", "x\ufffe", strings.Repeat("a", 249), "<&'\">"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if inventory.CheckGuestName(name) != nil {
			return
		}
		spec := hypervisor.GuestSpec{Name: name, VCPUs: 1, Memory: 64 << 20, Template: DefaultGuestTemplate().Template}
		if err := spec.Check(); err != nil {
			t.Fatalf("%q passes CheckGuestName but not the spec's check: %v", name, err)
		}
		doc, err := spec.DomainXML()
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		var d libvirtxml.Domain
		if err := d.Unmarshal(doc); err != nil || d.Name != name {
			t.Fatalf("%q: the domain XML does not carry the name back (%q, %v)", name, d.Name, err)
		}
		if v := spec.VolumeName(); strings.Contains(v, "/") || len(v) > 255 {
			t.Fatalf("%q: volume name %q is no file name", name, v)
		}
	})
}
