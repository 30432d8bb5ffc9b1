package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// MarshalJSON writes a vector as an object keyed by dimension name, in
// dimension order, in base units: {"cpu":4,"memory":8589934592,...}.
// Zero dimensions are written too, so every plan document has the same shape.
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
