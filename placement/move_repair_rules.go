package placement

// fleetViolations counts what repair fixes in f: hosts over their offer or
// the appetite limit, anti-affinity domains with several members, affinity
// members away from home (the exact search's goal test).
func fleetViolations(f *moveFleet) int {
	p, d := f.p, f.d
	n := 0
	rule := p.Policy.SameAppetite
	for h := range f.h {
		for k := range d {
			if !within(f.used[h*d+k], p.Offered[h*d+k]) {
				n++
			}
			if rule.Hard && rule.MaxPerHost > 0 && f.app[h*d+k] > int32(rule.MaxPerHost) {
				n++
			}
		}
	}
	for e, k := range p.ExistingGroup {
		if k < 0 {
			continue
		}
		if p.Groups[k].Together {
			if f.dom(k, int(f.at[e])) != f.home[k] {
				n++
			}
		} else if f.grp[f.key(k, int(f.at[e]))] > 1 {
			n++
		}
	}
	return n
}

// repairBound is a lower bound on the migrations any full repair needs. A
// guest's move relieves one host (its source) and one group (its own), so
// the hosts' needs add up, and so do the groups'. A host over its offer
// needs, in each dimension, at least as many guests to leave as its
// largest guests there that cover the excess; over the appetite limit, the
// excess of each appetite. An anti-affinity domain with m members needs
// m−1 to leave; an affinity group all members outside its largest domain.
func repairBound(f *moveFleet) int {
	p, d := f.p, f.d
	hosts := 0
	rule := p.Policy.SameAppetite
	for h := range f.h {
		need := 0
		for k := range d {
			excess := f.used[h*d+k] - p.Offered[h*d+k]*(1+capEps)
			if excess <= 0 {
				continue
			}
			need = max(need, fewestToShed(f, h, k, excess))
		}
		app := 0
		if rule.Hard && rule.MaxPerHost > 0 {
			for k := range d {
				app += max(0, int(f.app[h*d+k])-rule.MaxPerHost)
			}
		}
		hosts += max(need, app)
	}
	groups := 0
	for k := range p.Groups {
		count := map[int32]int{}
		most, n := 0, 0
		for _, e := range groupMembers(p, int32(k)) {
			dm := f.dom(int32(k), int(f.at[e]))
			count[dm]++
			most = max(most, count[dm])
			n++
		}
		if p.Groups[k].Together {
			groups += n - most
			continue
		}
		for _, c := range count {
			groups += c - 1
		}
	}
	return max(hosts, groups)
}

// goalReason is why guest e moves when the exact search chose its move:
// what was wrong with it at the start (repair), or the host it leaves.
func goalReason(start *moveFleet, goal Goal) func(e int) Reason {
	return func(e int) Reason {
		s := start.at[e]
		why := Reason{Host: s, Group: NoHost, Guest: NoHost}
		switch goal {
		case GoalConsolidate:
			why.Kind = MoveConsolidate
		case GoalDrain:
			why.Kind = MoveDrain
		case GoalBalance:
			why.Kind = MoveBalance
		default:
			why = repairReasonAt(start, e)
		}
		return why
	}
}

// repairReasonAt names the first rule broken at guest e's start: its host
// over its offer or the appetite limit, its group broken, else the
// failover reserve.
func repairReasonAt(f *moveFleet, e int) Reason {
	p, d := f.p, f.d
	s := int(f.at[e])
	r := repairer{f: f}
	if k := r.worstDim(s); k >= 0 {
		return Reason{Kind: MoveRepair, Rule: RuleCapacity, Host: int32(s), Dim: k, Group: NoHost, Guest: NoHost}
	}
	rule := p.Policy.SameAppetite
	if a := p.ExistingAppetite[e]; a >= 0 && rule.Hard && rule.MaxPerHost > 0 && f.app[s*d+int(a)] > int32(rule.MaxPerHost) {
		return Reason{Kind: MoveRepair, Rule: RuleAppetite, Host: int32(s), Dim: int(a), Group: NoHost, Guest: NoHost}
	}
	if k := p.ExistingGroup[e]; k >= 0 {
		if p.Groups[k].Together && f.dom(k, s) != f.home[k] {
			return Reason{Kind: MoveRepair, Rule: RuleAffinity, Host: int32(s), Group: k, Guest: NoHost}
		}
		if !p.Groups[k].Together && f.grp[f.key(k, s)] > 1 {
			return Reason{Kind: MoveRepair, Rule: RuleAntiAffinity, Host: int32(s), Group: k, Guest: NoHost}
		}
	}
	return Reason{Kind: MoveFailover, Host: int32(s), Group: NoHost, Guest: NoHost}
}
