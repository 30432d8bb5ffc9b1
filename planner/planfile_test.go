package planner_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

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
