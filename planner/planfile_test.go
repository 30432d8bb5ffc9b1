package planner_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

// resealed plans the embedded default scenario, lets mutate change the
// plan, and encodes it with a fresh checksum: what someone who edits a
// plan file and recomputes its checksum hands to validate or apply.
func resealed(t *testing.T, mutate func(p *planner.Plan)) []byte {
	t.Helper()
	p := mustPlan(t, embedded(t, "default"))
	mutate(p)
	var buf bytes.Buffer
	if err := planner.EncodeJSON(&buf, p); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// firstCreate is the index of the plan's first create action.
func firstCreate(p *planner.Plan) int {
	for i, a := range p.Actions {
		if a.Op == planner.OpCreate {
			return i
		}
	}
	return -1
}

// TestDecodeRefusesUncreatableNames: a resealed plan whose new guest has a
// name libvirt or the pool cannot take is refused when it is read (by
// validate and apply alike), naming the action and the rule.
func TestDecodeRefusesUncreatableNames(t *testing.T) {
	cases := []struct {
		name, guest, want string
	}{
		{"slash", "web/1", `guest name "web/1" cannot be created: it contains "/"`},
		{"too long", strings.Repeat("w", 255), "it is 255 bytes long, and a guest name has at most 249"},
		{"newline", "web\n1", "the character U+000A"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var at int
			data := resealed(t, func(p *planner.Plan) {
				at = firstCreate(p)
				p.Actions[at].Guest = tc.guest
			})
			_, err := planner.DecodePlan("plan.json", data)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "plan.json: the plan cannot be applied as it is:") {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "action "+itoa(at)+": ") {
				t.Errorf("the error does not name action %d: %v", at, err)
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestDecodeRefusesAbsurdNumbers: a plan edited by hand and re-checksummed
// passes the checksum, so its numbers are checked on their own: memory
// −1 (which showed as 8.0 EiB), −5 vCPUs (which became 1), amounts beyond
// any guest, negative capacities and counts.
func TestDecodeRefusesAbsurdNumbers(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(p *planner.Plan, create int)
		want   string
	}{
		{"memory -1", func(p *planner.Plan, i int) { p.Actions[i].Allocation[inventory.Memory] = -1 }, "of memory, want 1 MiB to 64 TiB"},
		{"-5 vCPUs", func(p *planner.Plan, i int) { p.Actions[i].Allocation[inventory.CPU] = -5 }, "-5 vCPUs, want more than 0 and at most 4096"},
		{"no vCPU", func(p *planner.Plan, i int) { p.Actions[i].Allocation[inventory.CPU] = 0 }, "0 vCPUs, want more than 0"},
		{"5000 vCPUs", func(p *planner.Plan, i int) { p.Actions[i].Allocation[inventory.CPU] = 5000 }, "5000 vCPUs"},
		{"128 TiB", func(p *planner.Plan, i int) { p.Actions[i].Allocation[inventory.Memory] = 128 << 40 }, "128 TiB of memory"},
		{"negative demand", func(p *planner.Plan, i int) { p.Actions[i].Demand[inventory.IOPS] = -3 }, "demand iops is -3, want a number of at least 0"},
		{"negative offer", func(p *planner.Plan, _ int) { p.Hosts[0].Offered[inventory.Net] = -1 }, "host kvm01 offered net is -1"},
		{"negative count", func(p *planner.Plan, _ int) { p.Policy.FailoverHosts = -2 }, "policy failoverHosts is -2, want 0 or more"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := resealed(t, func(p *planner.Plan) { tc.mutate(p, firstCreate(p)) })
			_, err := planner.DecodePlan("plan.json", data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// TestPlanSignature: with a key, plans are written signed and read only
// when signed with that key; an edit that recomputes the checksum (which
// anyone can) does not recompute the signature (which needs the key).
func TestPlanSignature(t *testing.T) {
	key := planner.PlanFiles{Key: []byte("0123456789abcdef-team-key")}
	other := planner.PlanFiles{Key: []byte("another-key-of-sixteen-or-more")}
	p := mustPlan(t, embedded(t, "default"))
	var signed, unsigned bytes.Buffer
	if err := key.EncodeJSON(&signed, p); err != nil {
		t.Fatal(err)
	}
	if err := planner.EncodeJSON(&unsigned, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(signed.String(), `"signature": "hmac-sha256:`) || strings.Contains(unsigned.String(), `"signature"`) {
		t.Fatalf("signed/unsigned documents: signature field wrong")
	}
	if got, err := key.Decode("plan.json", signed.Bytes()); err != nil || got.ID != p.ID {
		t.Errorf("the signed plan with its key: %v", err)
	}
	if _, err := planner.DecodePlan("plan.json", signed.Bytes()); err != nil {
		t.Errorf("a signed plan without a key configured: %v", err)
	}
	for name, tc := range map[string]struct {
		pf   planner.PlanFiles
		data []byte
		want string
	}{
		"unsigned":  {key, unsigned.Bytes(), "plan.json: the plan is not signed, and a plan signing key is configured"},
		"other key": {other, signed.Bytes(), "plan.json: the plan's signature does not match"},
		"edited and re-checksummed": {key, func() []byte {
			// The signature of the original, the content and checksum of an edit.
			sig := signed.String()[strings.Index(signed.String(), `"signature"`):]
			edited := resealed(t, func(p *planner.Plan) { p.Actions[firstCreate(p)].Allocation[inventory.CPU] = 64 })
			return []byte(strings.TrimSuffix(strings.TrimSpace(string(edited)), "}") + ",\n  " + strings.TrimSpace(sig))
		}(), "the plan's signature does not match"},
	} {
		if _, err := tc.pf.Decode("plan.json", tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", name, err, tc.want)
		}
	}
}
