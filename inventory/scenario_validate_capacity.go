package inventory

// wholeVCPUs warns when a demand asks for a fraction of a vCPU (its own
// request, or its profile's): apply creates whole vCPUs, so the plan gives
// and charges the guest the whole number above it (Created), and says so
// here rather than let 500m read as half a CPU.
func (c *checker) wholeVCPUs(path string, d *Demand) {
	cpu, where := d.Request[CPU], dimPath(join(path, "request"), CPU)
	if cpu <= 0 {
		p, ok := c.s.Profile(d.Profile)
		if !ok {
			return
		}
		cpu, where = p.Request[CPU], path
	}
	if whole := wholeCPU(cpu); cpu > 0 && whole != cpu && whole < 1e15 {
		c.warnf(where, "%s vCPU is created as %s whole vCPU (libvirt gives a guest whole vCPUs), and planned and charged as such",
			FormatQuantity(CPU, cpu), FormatQuantity(CPU, whole))
	}
}
