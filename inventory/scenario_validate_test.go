package inventory

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// base is a valid scenario built in code: two hosts in two racks, one
// running guest, host model, group and demand. Each case below breaks one
// thing.
func base() *Scenario {
	return &Scenario{
		APIVersion: APIVersion,
		Source:     "code",
		Policy:     DefaultPolicy(),
		Profiles:   BuiltInProfiles(),
		Groups:     []Group{{Name: "g", Scope: ScopeRack}},
		HostModels: []HostModel{{Name: "m", Capacity: Vector{CPU: 16, Memory: 64 * qGi, IOPS: 10000, Net: 10e9},
			Labels: map[string]string{"rack": "r3"}}},
		Hosts: []Host{
			{Name: "a", Labels: map[string]string{"rack": "r1", "zone": "z1"},
				Capacity: Vector{CPU: 32, Memory: 128 * qGi, IOPS: 20000, Net: 10e9},
				Guests:   []Guest{{Name: "w1", Profile: "web", Allocation: BuiltInProfiles()[2].Request}}},
			{Name: "b", Labels: map[string]string{"rack": "r2", "zone": "z1"},
				Capacity: Vector{CPU: 32, Memory: 128 * qGi, IOPS: 20000, Net: 10e9}},
		},
		Demand: []Demand{{Name: "d", Profile: "db", Count: 2, Group: "g"}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *Scenario)
		want   []string // Check(): errors and warnings, in order
	}{
		{"valid", func(s *Scenario) {}, nil},
		{"duplicate guest across hosts", func(s *Scenario) {
			s.Hosts[1].Guests = []Guest{{Name: "w1", Profile: "web"}}
		}, []string{`code: hosts[1].guests[0].name: duplicate guest name "w1": already used by hosts[0].guests[0]`}},
		{"duplicate profile, model, group", func(s *Scenario) {
			s.Profiles = append(s.Profiles, Profile{Name: "x", Request: Uniform(1)}, Profile{Name: "x", Request: Uniform(1)})
			s.HostModels = append(s.HostModels, s.HostModels[0])
			s.Groups = append(s.Groups, Group{Name: "g", Scope: ScopeHost})
		}, []string{
			`code: profiles[4].name: duplicate profile name "x": already used by profiles[3]`,
			`code: hostModels[1].name: duplicate host model name "m": already used by hostModels[0]`,
			`code: groups[1].name: duplicate group name "g": already used by groups[0]`,
		}},
		{"names", func(s *Scenario) {
			s.Hosts[0].Name = ""
			s.Hosts[1].Name = "has space"
		}, []string{
			`code: hosts[0].name: every host needs a name`,
			`code: hosts[1].name: name "has space" has a space or control character; use letters, digits, '-', '_' or '.'`,
		}},
		{"reserved equal to capacity is a warning", func(s *Scenario) {
			s.Hosts[1].Reserved[Net] = 10e9
		}, []string{`code: warning: hosts[1].reserved.net: reserved 10 Gbps is all of the capacity: nothing is left for guests`}},
		{"negative and infinite amounts", func(s *Scenario) {
			s.Hosts[0].Overcommit[CPU] = -1
			s.Demand[0].Request[IOPS] = -5
		}, []string{
			`code: hosts[0].overcommit.cpu: overcommit must be from 0.001 to 1000 (or left out for the policy's), found -1`,
			`code: demand[0].request.iops: amounts must be 0 or more, found -5`,
		}},
		{"policy, written as one number", func(s *Scenario) {
			s.Policy.Headroom = Uniform(0)
			s.Policy.SafetyFactor = 0
			s.Policy.SameAppetite = SameAppetite{Mode: AppetiteHard}
			s.Policy.FailoverHosts = -1
			s.Policy.Strategy = "best fit"
			s.Policy.Basis[IOPS] = "guess"
		}, []string{
			`code: policy.headroom: headroom is the share of a host to fill: from 0.01 to 1 (1% to 100%), found 0`,
			`code: policy.basis.iops: unknown basis "guess": expected allocation, observed or max`,
			`code: policy.safetyFactor: safetyFactor multiplies observed use and must be from 0.01 to 100 (e.g. 1.2), found 0`,
			`code: policy.sameAppetite.maxPerHost: hard mode needs maxPerHost of at least 1, found 0`,
			`code: policy.failoverHosts: must be 0 or more, found -1`,
			`code: policy.strategy: strategy must be a name such as align, firstfit, bestfit or spread, found "best fit"`,
		}},
		{"failover larger than the fleet", func(s *Scenario) {
			s.HostModels = nil
			s.Policy.FailoverHosts = 2
		}, []string{`code: policy.failoverHosts: 2 failed hosts cannot be survived by a fleet of 2`}},
		{"a profile requesting nothing", func(s *Scenario) {
			s.Profiles = append(s.Profiles, Profile{Name: "empty"})
		}, []string{`code: profiles[3].request: profile "empty" requests nothing: write e.g. request: {cpu: 2, memory: 4Gi, iops: 500, net: 100Mbps}`}},
		{"a guest with neither profile nor allocation", func(s *Scenario) {
			s.Hosts[1].Guests = []Guest{{Name: "bare"}}
		}, []string{`code: hosts[1].guests[0]: guest "bare" needs a profile or an allocation`}},
		{"each dimension fits somewhere, never all together", func(s *Scenario) {
			// a has 27 vCPUs and 115.2 GiB to offer (× 0.9); the demand
			// asks 20 vCPUs (20.6 with overhead) and 100 GiB (110):
			// a fits both... so make b the cpu host and a the memory host.
			s.Hosts[0].Capacity[CPU] = 8
			s.Hosts[1].Capacity[Memory] = 32 * qGi
			s.HostModels = nil
			s.Groups, s.Demand[0].Group = nil, ""
			s.Demand[0].Request = Vector{CPU: 20, Memory: 100 * qGi}
		}, []string{
			// A warning: the plan leaves its guests unplaced, with the
			// reason, and places the rest (issue 11.7).
			`code: warning: demand[0].request: no single host offers all of this request; the closest is host a, short of cpu by 13.4; its guests will be left unplaced`,
		}},
		{"running guest bigger than any host", func(s *Scenario) {
			s.Hosts[0].Guests[0].Allocation[Memory] = 200 * qGi
		}, []string{
			`code: hosts[0].guests[0].allocation.memory: allocation 200 GiB is more than any host offers: the largest is host a with 128 GiB (capacity − reserved, × overcommit)`,
			`code: warning: hosts[0].guests: the guests are allocated 200 GiB of memory, more than the host's 128 GiB (capacity − reserved, × overcommit)`,
		}},
		{"anti-affinity: a model with a fixed rack adds only that rack", func(s *Scenario) {
			s.Demand[0].Count = 4
		}, []string{
			`code: groups[0]: group "g" has 4 members that must each be on a different rack, but the fleet has only 3 racks (r1, r2, r3): lower the count, widen the scope, or add racks`,
		}},
		{"anti-affinity: a model without a rack may add racks, so only a warning", func(s *Scenario) {
			delete(s.HostModels[0].Labels, "rack")
			s.Demand[0].Count = 3
		}, []string{
			`code: warning: groups[0]: group "g" has 3 members that must each be on a different rack, but the fleet has only 2 racks (r1, r2); it can hold only if new hosts are bought in new racks`,
		}},
		{"anti-affinity: hosts without a rack label", func(s *Scenario) {
			s.HostModels = nil
			delete(s.Hosts[1].Labels, "rack")
			s.Demand[0].Count = 2
		}, []string{
			`code: warning: groups[0]: group "g" has 2 members that must each be on a different rack, but the fleet has only 1 racks (r1); 1 of the hosts have no rack label, so whether it can hold depends on where they are`,
		}},
		{"anti-affinity at host scope with nothing to buy", func(s *Scenario) {
			s.HostModels = nil
			s.Groups[0].Scope = ScopeHost
			s.Demand[0].Count = 3
		}, []string{
			`code: groups[0]: group "g" has 3 members that must each be on a different host, but the fleet has only 2 hosts: lower the count, widen the scope, or add hosts`,
		}},
		{"affinity group already split", func(s *Scenario) {
			s.Groups[0].Together = true
			s.Hosts[0].Guests[0].Group = "g"
			s.Hosts[1].Guests = []Guest{{Name: "w2", Profile: "web", Group: "g"}}
		}, []string{
			`code: warning: groups[0]: group "g" asks its members to share a rack, but its running guests are already on 2 different ones`,
		}},
		{"count too large", func(s *Scenario) {
			s.Demand[0].Count = 2_000_000
		}, []string{`code: demand[0].count: count 2000000 is more than 1000000`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.change(s)
			var got []string
			for _, p := range s.Check() {
				got = append(got, p.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Check() (-want +got):\n%s", diff)
			}
			err := s.Validate()
			var ps Problems
			hasErrors := false
			for _, w := range tt.want {
				hasErrors = hasErrors || !strings.Contains(w, "warning: ")
			}
			if hasErrors != errors.As(err, &ps) {
				t.Errorf("Validate() = %v; want errors: %v", err, hasErrors)
			}
		})
	}
}

// Hosts added by Merge are named by host (and URI, password hidden), not
// by a position in the demand file.
func TestMergeNamesLiveHosts(t *testing.T) {
	d, err := ParseDemand("demand.yaml", []byte("apiVersion: berth/v1\ndemand:\n  - {name: w, profile: web}\n"))
	if err != nil {
		t.Fatal(err)
	}
	live := base().Hosts
	live[1].URI = "qemu+ssh://root:secret@b/system"
	live[1].Reserved[CPU] = 64
	live[1].Guests = []Guest{{Name: "x", Profile: "custom", Allocation: Uniform(1)}}
	_, err = d.Merge(live)
	want := `host b (qemu+ssh://root:xxxxx@b/system): hosts[1].reserved.cpu: reserved 64 is more than the capacity 32`
	if err == nil || err.Error() != want {
		t.Errorf("Merge error:\n%v\nwant\n%s", err, want)
	}
	live[1].Reserved[CPU] = 0
	s, err := d.Merge(live)
	if err != nil {
		t.Fatal(err)
	}
	want = `host b (qemu+ssh://root:xxxxx@b/system): warning: hosts[1].guests[0].profile: unknown profile "custom" (known: cache, db, web): the running guest is planned around as it is, without its profile's rules`
	if got := s.Warnings.Error(); got != want {
		t.Errorf("warnings:\n%s\nwant\n%s", got, want)
	}
}

func TestSuggestion(t *testing.T) {
	known := []string{"capacity", "reserved", "overcommit", "guests", "labels"}
	for in, want := range map[string]string{
		"Capacity":   `; did you mean "capacity"?`,
		"capcity":    `; did you mean "capacity"?`,
		"reserverd":  `; did you mean "reserved"?`,
		"guest":      `; did you mean "guests"?`,
		"overcomit":  `; did you mean "overcommit"?`,
		"xyz":        "",
		"label_list": "",
	} {
		if got := suggestion(in, known); got != want {
			t.Errorf("suggestion(%q) = %q, want %q", in, got, want)
		}
	}
}
