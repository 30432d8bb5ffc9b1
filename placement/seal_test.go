package placement

import (
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// TestSeal: a sealed problem gets the same answers from every entry point
// as an unsealed one (sealing only skips validating it again); Seal refuses
// what Validate refuses; and a copy of a sealed problem is not sealed, so
// a copy broken after the fact is refused, not trusted.
func TestSeal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genProblem(t)
		opt := drawOptions(t)
		plain, err := Solve(p, opt)
		if err != nil {
			t.Fatal(err)
		}
		sealed := *p
		if err := sealed.Seal(); err != nil {
			t.Fatalf("Seal refuses a problem Solve accepts: %v", err)
		}
		s, err := Solve(&sealed, opt)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "Solve", plain, s)
		same(t, "Check", Check(p, plain), Check(&sealed, s))
		same(t, "Evaluate", Evaluate(p, plain), Evaluate(&sealed, s))
		same(t, "FailoverCheck", FailoverCheck(p, plain, 1), FailoverCheck(&sealed, s, 1))
		for g := range p.G() {
			same(t, "Explain", Explain(p, plain, g), Explain(&sealed, s, g))
		}

		broken := sealed // a copy: not sealed
		broken.Demand = broken.Demand[:len(broken.Demand)/2]
		if len(p.Demand) > 0 && (Check(&broken, s) != nil || Explain(&broken, s, 0) != nil) {
			t.Fatal("a broken copy of a sealed problem was trusted")
		}
	})
	bad := fleet(seedFleet())
	bad.Offered[0] = -1
	if bad.Seal() == nil || bad.validated() == nil {
		t.Error("Seal accepted a negative offer")
	}
}

func same[T any](t *rapid.T, what string, a, b T) {
	t.Helper()
	if diff := gocmp.Diff(a, b, cmpopts.EquateEmpty(), cmpopts.EquateNaNs()); diff != "" {
		t.Fatalf("%s differs once the problem is sealed:\n%s", what, diff)
	}
}
