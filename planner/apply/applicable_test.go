package apply

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/berth-dev/berth/planner"
)

// TestApplicable: plans apply can never carry out are told apart from the
// rest without contacting any host.
func TestApplicable(t *testing.T) {
	plan := func(uris ...string) *planner.Plan {
		p := &planner.Plan{ID: "abc"}
		for i, u := range uris {
			name := fmt.Sprintf("kvm%02d", i+1)
			p.Hosts = append(p.Hosts, planner.HostPlan{Name: name, URI: u})
			p.Actions = append(p.Actions, planner.Action{Op: planner.OpCreate, Guest: "g" + name, Host: name})
		}
		return p
	}
	many := make([]string, 20)
	for i := range many {
		many[i] = fmt.Sprintf("qemu+ssh://kvm%02d.example.net/system", i+1)
	}
	cases := []struct {
		name   string
		p      *planner.Plan
		uri    func(planner.HostPlan) string
		review bool
		want   string
	}{
		{"real URIs", plan("qemu+ssh://kvm01/system", "qemu:///system"), nil, false, ""},
		{"no URIs", plan("", ""), nil, true, "plan abc is for review: its hosts have no libvirt URI; plan on live hosts with -c"},
		{"one without", plan("qemu:///system", ""), nil, true, "1 of the 2 hosts it changes has no libvirt URI (host kvm02)"},
		{"example domains, counted", plan(many...), nil, true,
			"20 of the 20 hosts it changes have URIs in a domain reserved for examples, which never resolves (hosts kvm01, kvm02, kvm03 and 17 more, e.g. qemu+ssh://kvm01.example.net/system)"},
		{"the config gives the URI", plan("", "qemu+ssh://kvm02.example.net/system"),
			func(h planner.HostPlan) string { return "qemu+ssh://" + h.Name + ".lan/system" }, false, ""},
		{"nothing changes", &planner.Plan{ID: "abc", Hosts: []planner.HostPlan{{Name: "kvm01"}}}, nil, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Applicable(tc.p, tc.uri)
			var fr *ForReviewError
			if tc.review != errors.As(err, &fr) || tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("got %v, want %q (for review: %v)", err, tc.want, tc.review)
			}
		})
	}
	bought := plan("")
	bought.Hosts[0].New = true
	var na *NotApplicableError
	if err := Applicable(bought, nil); !errors.As(err, &na) || !strings.Contains(err.Error(), "must be bought first") {
		t.Errorf("a host to buy: %v", err)
	}
}
