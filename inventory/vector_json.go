package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// MarshalJSON writes a vector as an object keyed by dimension name, in
// dimension order, in base units: {"cpu":4,"memory":8589934592,...}.
// Zero dimensions are written too, so every plan document has the same shape.
//
// This form is exact (the shortest text that reads back as the same
// float64, in exponent form when that is shorter): fingerprints hash it, so
// it never changes. Documents for people and programs write Amounts or
// Ratios instead, which never use an exponent.
func (v Vector) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for d, x := range v {
		if d > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(Dimension(d).String()))
		b.WriteByte(':')
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads the object MarshalJSON writes. Unknown dimension names
// are errors, so a typo in a hand-edited plan is not silently a zero.
func (v *Vector) UnmarshalJSON(data []byte) error {
	var m map[string]float64
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("resource vector: %w", err)
	}
	var out Vector
	for k, x := range m {
		d, ok := ParseDimension(k)
		if !ok {
			return fmt.Errorf("resource vector: unknown dimension %q (want one of %v)", k, DimensionNames())
		}
		out[d] = x
	}
	*v = out
	return nil
}

// Integral reports whether amounts of d are counted in whole base units
// (bytes, operations per second, bits per second), as every dimension but
// CPU is; CPU amounts are vCPUs and may be fractional (an observed 2.06).
func (d Dimension) Integral() bool { return d != CPU }

// Amounts is a vector of amounts as plan documents write it: integral
// dimensions (Integral) as integers, rounded to the nearest whole unit, and
// CPU as a decimal, never in exponent form:
// {"cpu":2.06,"memory":37795712205,"iops":220,"net":550000000}. A typed
// reader can decode the integral dimensions into int64.
type Amounts Vector

// MarshalJSON writes the amounts (see Amounts). Amounts no int64 can hold,
// and NaN or infinities, are errors: validation keeps them out.
func (a Amounts) MarshalJSON() ([]byte, error) {
	return appendVector(make([]byte, 0, 64), Vector(a), true)
}

// UnmarshalJSON reads amounts, integral or not.
func (a *Amounts) UnmarshalJSON(data []byte) error { return (*Vector)(a).UnmarshalJSON(data) }

// Ratios is a vector of ratios (overcommit, headroom, overhead,
// utilisation) as plan documents write it: every dimension a decimal, never
// in exponent form: {"cpu":4,"memory":0.9,"iops":1,"net":1}.
type Ratios Vector

// MarshalJSON writes the ratios (see Ratios).
func (r Ratios) MarshalJSON() ([]byte, error) {
	return appendVector(make([]byte, 0, 64), Vector(r), false)
}

// UnmarshalJSON reads ratios.
func (r *Ratios) UnmarshalJSON(data []byte) error { return (*Vector)(r).UnmarshalJSON(data) }

// maxWhole bounds an integral amount written as an integer: int64's range.
const maxWhole = 1 << 63

func appendVector(b []byte, v Vector, amounts bool) ([]byte, error) {
	b = append(b, '{')
	for d, x := range v {
		if d > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, Dimension(d).String()...)
		b = append(b, '"', ':')
		var err error
		if b, err = AppendAmount(b, Dimension(d), x, amounts); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// AppendAmount appends x as a plan document writes it: an integer when
// whole is true and d is Integral (rounded to the nearest unit), else a
// decimal without exponent (the shortest that reads back as x).
func AppendAmount(b []byte, d Dimension, x float64, whole bool) ([]byte, error) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil, fmt.Errorf("%s: %v is not an amount", d, x)
	}
	if whole && d.Integral() {
		r := math.Round(x)
		if r >= maxWhole || r < -maxWhole {
			return nil, fmt.Errorf("%s: %g is too large to write as a whole number", d, x)
		}
		return strconv.AppendInt(b, int64(r), 10), nil
	}
	if x == 0 {
		return append(b, '0'), nil // not "-0"
	}
	return strconv.AppendFloat(b, x, 'f', -1, 64), nil
}
