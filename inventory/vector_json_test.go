package inventory

import (
	"encoding/json"
	"math"
	"testing"
)

// Amounts write integral dimensions as rounded integers and CPU as a
// decimal, Ratios every dimension as a decimal, never with an exponent;
// both read back; what no int64 holds is an error, not a wrong number.
func TestAmountsAndRatiosJSON(t *testing.T) {
	v := Vector{CPU: 26.78, Memory: 37795712204.8, IOPS: 170.4, Net: 2.25e10}
	b, err := json.Marshal(Amounts(v))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"cpu":26.78,"memory":37795712205,"iops":170,"net":22500000000}`; string(b) != want {
		t.Errorf("amounts %s, want %s", b, want)
	}
	var back Amounts
	if err := json.Unmarshal(b, &back); err != nil || back[Memory] != 37795712205 || back[CPU] != 26.78 {
		t.Errorf("read back %v, %v", back, err)
	}
	r, err := json.Marshal(Ratios(Vector{CPU: 4, Memory: 0.9, IOPS: 1e-7, Net: math.Copysign(0, -1)}))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"cpu":4,"memory":0.9,"iops":0.0000001,"net":0}`; string(r) != want {
		t.Errorf("ratios %s, want %s", r, want)
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), 1e300} {
		if _, err := json.Marshal(Amounts(Vector{Memory: bad})); err == nil {
			t.Errorf("memory %v: no error", bad)
		}
	}
}
