package placement

// mix is SplitMix64's finaliser (Steele, Lea and Flood, "Fast splittable
// pseudorandom number generators", OOPSLA 2014) applied to seed⊕x. It turns a
// seed and an index into a well-spread 64-bit key, so ties between hosts or
// guests are broken in a seed-derived order without a shuffled copy and
// without map iteration.
func mix(seed uint64, x int) uint64 {
	z := seed ^ (uint64(x)+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
