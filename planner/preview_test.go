package planner_test

import (
	"bytes"
	"testing"

	"github.com/berth-dev/berth/planner"
)

// TestPreview: the preview is the plan of the construction alone (what
// Plan gives with iterations 0, ID included), and a Plan after a Preview
// is byte for byte the Plan of a planner that never previewed: sharing the
// construction changes nothing.
func TestPreview(t *testing.T) {
	for _, name := range []string{"growth", "default", "tight"} {
		t.Run(name, func(t *testing.T) {
			pl := planner.New(embedded(t, name))
			preview, err := pl.Preview()
			if err != nil {
				t.Fatal(err)
			}
			full, err := pl.Plan()
			if err != nil {
				t.Fatal(err)
			}

			construction := planner.New(embedded(t, name))
			pol := construction.Policy()
			pol.Iterations = 0
			if err := construction.SetPolicy(pol); err != nil {
				t.Fatal(err)
			}
			want, err := construction.Plan()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(encode(t, preview), encode(t, want)) {
				t.Error("Preview differs from Plan with iterations 0")
			}
			fresh, err := planner.New(embedded(t, name)).Plan()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(encode(t, full), encode(t, fresh)) {
				t.Error("Plan after Preview differs from a fresh planner's Plan")
			}
			if pl.Improves() != (pl.Policy().Iterations > 0) {
				t.Errorf("Improves %v with iterations %d", pl.Improves(), pl.Policy().Iterations)
			}
		})
	}
	// growth's construction already buys 4 hosts, as many as the lower
	// bound allows (8 in use): the improvement keeps it.
	pl := planner.New(embedded(t, "growth"))
	p0, _ := pl.Preview()
	p1, _ := pl.Plan()
	if p0.Metrics.NewHosts != 4 || p1.Metrics.NewHosts != 4 {
		t.Errorf("growth: preview buys %d, plan %d; want 4 and 4", p0.Metrics.NewHosts, p1.Metrics.NewHosts)
	}
}

func encode(t *testing.T, p *planner.Plan) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := planner.EncodeJSON(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
