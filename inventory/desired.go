package inventory

// MadeFrom reports whether berth created running guest g from demand entry
// d: its berth metadata names the entry's profile and group. Such a guest
// named NAME-i satisfies the entry (i ≤ count) or is a surplus the plan
// removes (i > count) rather than a clash: a demand file is a desired
// state, and planning it again after apply finds it met.
func MadeFrom(g *Guest, d *Demand) bool {
	return g.RoleSource == RoleMetadata && g.Profile == d.Profile && g.Group == d.Group
}

// withoutMadeFrom is guestNames less the guests berth made from d (a copy
// only when there are any).
func (s *Scenario) withoutMadeFrom(guestNames seenNames, d *Demand) seenNames {
	var mine []string
	for hi := range s.Hosts {
		for gi := range s.Hosts[hi].Guests {
			if g := &s.Hosts[hi].Guests[gi]; MadeFrom(g, d) {
				mine = append(mine, g.Name)
			}
		}
	}
	if len(mine) == 0 {
		return guestNames
	}
	out := make(seenNames, len(guestNames))
	for n, p := range guestNames {
		out[n] = p
	}
	for _, n := range mine {
		delete(out, n)
	}
	return out
}
