package planner

import (
	"strings"
	"testing"
)

// TestForReview: a plan is for review when a host it changes must be
// bought, has no URI, or has an example URI; hosts it does not change do
// not count, and neither do test-driver or local URIs.
func TestForReview(t *testing.T) {
	host := func(name, uri string) HostPlan { return HostPlan{Name: name, URI: uri} }
	create := func(guest, host string) Action { return Action{Op: OpCreate, Guest: guest, Host: host} }
	move := func(guest, from, to string) Action {
		return Action{Op: OpMove, Guest: guest, Host: to, Move: &MoveStep{From: from, Wave: 1}}
	}
	tests := []struct {
		name    string
		hosts   []HostPlan
		actions []Action
		review  bool
		reason  string // a part of the reason
	}{
		{"live hosts", []HostPlan{host("a", "qemu+ssh://root@kvm-a.corp.lan/system"), host("b", "qemu:///system")},
			[]Action{create("w1", "a"), create("w2", "b")}, false, ""},
		{"test driver", []HostPlan{host("a", "test:///default")}, []Action{create("w1", "a")}, false, ""},
		{"nothing changes", []HostPlan{host("a", "")}, []Action{{Op: OpKeep, Guest: "x", Host: "a"}}, false, ""},
		{"a scenario's hosts", []HostPlan{host("t1", ""), host("t2", "")},
			[]Action{create("w1", "t1"), create("w2", "t2")}, true, "its hosts have no libvirt URI"},
		{"one host without a URI", []HostPlan{host("a", "qemu:///system"), host("b", "")},
			[]Action{create("w1", "a"), create("w2", "b")}, true, "b has no libvirt URI"},
		{"an untouched host without a URI does not count", []HostPlan{host("a", "qemu:///system"), host("b", "")},
			[]Action{create("w1", "a")}, false, ""},
		{"example domains", []HostPlan{host("kvm01", "qemu+ssh://kvm01.example.net/system"), host("kvm02", "qemu+ssh://kvm02.EXAMPLE.com./system")},
			[]Action{create("w1", "kvm01"), create("w2", "kvm02")}, true, "example hosts (kvm01.example.net and kvm02.example.com)"},
		{"reserved top-level names", []HostPlan{host("a", "qemu+tcp://a.test/system")}, []Action{create("w1", "a")}, true, "a.test"},
		{"not an example", []HostPlan{host("a", "qemu+ssh://myexample.net/system")}, []Action{create("w1", "a")}, false, ""},
		{"hosts to buy", []HostPlan{host("a", "qemu:///system"), {Name: "general-1", New: true}},
			[]Action{create("w1", "general-1")}, true, "the new host general-1 must be bought first"},
		{"a move's source counts", []HostPlan{host("a", ""), host("b", "qemu:///system")},
			[]Action{move("w1", "a", "b")}, true, "a has no libvirt URI"},
		{"many hosts listed in short", []HostPlan{host("a", "qemu:///system"), host("h1", ""), host("h2", ""), host("h3", ""), host("h4", "")},
			[]Action{create("w0", "a"), create("w1", "h1"), create("w2", "h2"), create("w3", "h3"), create("w4", "h4")}, true, "h1, h2, h3 and 1 more have no libvirt URI"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &Plan{Hosts: tc.hosts, Actions: tc.actions}
			review, reason := p.ForReview()
			if review != tc.review || !strings.Contains(reason, tc.reason) {
				t.Errorf("ForReview() = %v, %q; want %v, containing %q", review, reason, tc.review, tc.reason)
			}
			if !review && reason != "" {
				t.Errorf("an applicable plan has a reason: %q", reason)
			}
		})
	}
}
