package inventory

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
