package inventory

import "fmt"

// Dimension is one kind of resource a host offers and a guest consumes.
type Dimension int

const (
	CPU    Dimension = iota // vCPUs (fractional allowed)
	Memory                  // bytes
	IOPS                    // disk operations per second
	Net                     // network bandwidth, bits per second
	NumDims
)

// Dimensions lists every dimension in order, for loops.
var Dimensions = [NumDims]Dimension{CPU, Memory, IOPS, Net}

var dimNames = [NumDims]string{"cpu", "memory", "iops", "net"}

// String is the dimension's name as written in scenario files.
func (d Dimension) String() string {
	if d >= 0 && d < NumDims {
		return dimNames[d]
	}
	return fmt.Sprintf("dim(%d)", int(d))
}

// DimensionNames returns the names of all dimensions in order.
func DimensionNames() []string { return append([]string(nil), dimNames[:]...) }

// ParseDimension maps a name from a scenario file to a Dimension.
func ParseDimension(s string) (Dimension, bool) {
	for d, n := range dimNames {
		if n == s {
			return Dimension(d), true
		}
	}
	return 0, false
}

// Vector is an amount of every resource, in each dimension's base unit
// (vCPUs, bytes, IOPS, bits/s).
type Vector [NumDims]float64

// Add returns v + w.
func (v Vector) Add(w Vector) Vector {
	for d := range v {
		v[d] += w[d]
	}
	return v
}

// Sub returns v − w.
func (v Vector) Sub(w Vector) Vector {
	for d := range v {
		v[d] -= w[d]
	}
	return v
}

// Mul returns v scaled per dimension by f.
func (v Vector) Mul(f Vector) Vector {
	for d := range v {
		v[d] *= f[d]
	}
	return v
}

// Scale returns v scaled by k.
func (v Vector) Scale(k float64) Vector {
	for d := range v {
		v[d] *= k
	}
	return v
}

// Max returns the per-dimension maximum of v and w.
func (v Vector) Max(w Vector) Vector {
	for d := range v {
		v[d] = max(v[d], w[d])
	}
	return v
}

// Fits reports whether v ≤ w in every dimension.
func (v Vector) Fits(w Vector) bool {
	for d := range v {
		if v[d] > w[d] {
			return false
		}
	}
	return true
}

// IsZero reports whether every dimension is zero.
func (v Vector) IsZero() bool { return v == Vector{} }

// Uniform returns a vector with x in every dimension.
func Uniform(x float64) Vector {
	var v Vector
	for d := range v {
		v[d] = x
	}
	return v
}
