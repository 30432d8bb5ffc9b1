package placement

import "testing"

func TestDbg(t *testing.T) {
	p := appetiteFleet(AppetiteRule{})
	s, _ := Solve(p, Options{})
	t.Logf("%v %+v", s.Host, s.Terms)
	for g := range 2 {
		for _, c := range Explain(p, s, g) {
			t.Logf("g%d %+v", g, c)
		}
	}
}
