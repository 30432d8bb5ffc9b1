package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ParseScenario reads a scenario file (format: docs/scenario.md). source
// names the input in messages (a file name, or "embedded:NAME"). Every
// problem found — YAML syntax, unknown fields, malformed amounts and all the
// checks of Validate — is returned at once as Problems; warnings that do not
// stop the scenario from being used are kept in Scenario.Warnings.
//
// Profiles hold the built-ins merged with the file's overrides; guests whose
// allocation (or some dimension of it) is not written get their profile's
// request; policy keys not written keep DefaultPolicy's values.
func ParseScenario(source string, data []byte) (*Scenario, error) {
	return parseScenario(source, data, modeFull)
}

// ParseDemand reads a file in the scenario format that may have no hosts:
// the demand (and policy, profiles, groups, host models) for a live fleet,
// as in `berth plan -c URI -d demand.yaml`. Checks that need the fleet
// (a request larger than every host, selectors, replicas per rack, names
// clashing with running guests) wait until Merge adds the hosts.
func ParseDemand(source string, data []byte) (*Scenario, error) {
	return parseScenario(source, data, modeDemand)
}

// LoadScenario reads and parses the scenario file at path.
func LoadScenario(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseScenario(path, data)
}

// LoadDemand reads and parses the demand file at path (see ParseDemand).
func LoadDemand(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseDemand(path, data)
}

// maxScenarioBytes bounds the input; a fleet of 100k hosts fits easily.
const maxScenarioBytes = 256 << 20

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func parseScenario(source string, data []byte, mode validateMode) (s *Scenario, err error) {
	defer func() {
		// The YAML library is not ours; a panic in it must not take berth
		// down on a bad file.
		if r := recover(); r != nil {
			s, err = nil, Problems{{Source: source, Message: fmt.Sprintf("cannot read this file as YAML (%v)", r)}}
		}
	}()
	if len(data) > maxScenarioBytes {
		return nil, Problems{{Source: source, Message: fmt.Sprintf("file too large (%d bytes; at most %d)", len(data), maxScenarioBytes)}}
	}
	root, probs := readDocument(source, data)
	if probs != nil {
		return nil, probs
	}
	d := newDecoder(source)
	d.maxWork = workBudget(countNodes(root))
	s, meta := d.scenario(root)
	probs = d.probs
	if !d.aborted && !meta.rootBad {
		meta.pos, meta.bad, meta.liveFrom = d.pos, d.bad, len(s.Hosts)
		probs = append(probs, validate(s, meta, mode)...)
	}
	sortProblems(probs)
	s.Warnings = probs.Warnings()
	if err := probs.Err(); err != nil {
		return nil, err
	}
	s.Positions.pos = map[string]Pos{}
	for path, p := range d.pos {
		if within(path, "policy") {
			s.Positions.pos[path] = p
		}
	}
	return s, nil
}

// readDocument parses the YAML text into the one document's root node.
func readDocument(source string, data []byte) (*yaml.Node, Problems) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Problems{{Source: source, Message: "the file is empty: a scenario starts with \"apiVersion: " + APIVersion + "\""}}
		}
		return nil, Problems{yamlProblem(source, data, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, Problems{{Source: source, Line: extra.Line, Column: extra.Column,
			Message: "a second YAML document (after ---): a scenario file holds exactly one"}}
	} else if !errors.Is(err, io.EOF) {
		return nil, Problems{yamlProblem(source, data, err)}
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0], nil
	}
	return &doc, nil
}

// yamlProblem turns the YAML library's error into a Problem with a line.
// A tab in the indentation, which YAML forbids, is said as such (the
// library says "found character that cannot start any token"), at the
// first indented line with a tab up to the line after the one the library
// names.
func yamlProblem(source string, data []byte, err error) Problem {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		// The library's line is sometimes the one before the tab's.
		if l, col := tabIndent(data, line+1); l > 0 {
			return Problem{Source: source, Line: l, Column: col,
				Message: "invalid YAML: tabs are not allowed in YAML indentation; indent with spaces"}
		}
		return Problem{Source: source, Line: line, Message: "invalid YAML: " + m[2]}
	}
	return Problem{Source: source, Message: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// tabIndent finds the first line, up to line upTo (1-based), whose
// indentation holds a tab, and the tab's column; 0, 0 when none does.
func tabIndent(data []byte, upTo int) (line, col int) {
	for i, l := range bytes.SplitN(data, []byte("\n"), upTo+1) {
		if i >= upTo {
			break
		}
		for j, b := range l {
			if b == '\t' {
				return i + 1, j + 1
			}
			if b != ' ' {
				break
			}
		}
	}
	return 0, 0
}

func sortProblems(ps Problems) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if (a.Line == 0) != (b.Line == 0) {
			return a.Line != 0
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// Field names of each section, in the order docs/scenario.md lists them.
var (
	scenarioFields  = []string{"apiVersion", "name", "description", "policy", "profiles", "hostModels", "groups", "hosts", "demand"}
	policyFields    = []string{"overcommit", "headroom", "overhead", "basis", "safetyFactor", "shutoff", "sameAppetite", "failoverHosts", "failoverMode", "objective", "strategy", "seed", "iterations"}
	appetiteFields  = []string{"mode", "maxPerHost", "penalty"}
	profileFields   = []string{"name", "description", "appetite", "request"}
	hostModelFields = []string{"name", "capacity", "reserved", "labels", "max"}
	groupFields     = []string{"name", "scope", "together"}
	hostFields      = []string{"name", "uri", "labels", "capacity", "reserved", "overcommit", "facts", "guests"}
	guestFields     = []string{"name", "profile", "group", "allocation", "observed", "disk", "uuid", "state", "planID", "roleSource"}
	demandFields    = []string{"name", "profile", "count", "group", "request", "selector"}
)

// scenario decodes the root mapping.
func (d *decoder) scenario(n *yaml.Node) (*Scenario, *validateMeta) {
	s := &Scenario{Source: d.source, Policy: DefaultPolicy()}
	meta := &validateMeta{}
	f, ok := d.object(n, "", scenarioFields...)
	if !ok {
		meta.rootBad = true
		s.Profiles = BuiltInProfiles()
		meta.profilePath = make([]string, len(s.Profiles))
		return s, meta
	}
	if v, ok := f["apiVersion"]; ok {
		s.APIVersion = d.str(v, "apiVersion")
	}
	if v, ok := f["name"]; ok {
		s.Name = d.str(v, "name")
	}
	if v, ok := f["description"]; ok {
		s.Description = d.str(v, "description")
	}
	if v, ok := f["policy"]; ok {
		d.policy(v, "policy", &s.Policy)
	}
	s.Profiles, meta.profilePath = d.profiles(f["profiles"], "profiles")
	for i, item := range d.sequence(f["hostModels"], "hostModels") {
		s.HostModels = append(s.HostModels, d.hostModel(item, index("hostModels", i)))
	}
	for i, item := range d.sequence(f["groups"], "groups") {
		s.Groups = append(s.Groups, d.group(item, index("groups", i)))
	}
	for i, item := range d.sequence(f["hosts"], "hosts") {
		s.Hosts = append(s.Hosts, d.host(item, index("hosts", i), s))
	}
	for i, item := range d.sequence(f["demand"], "demand") {
		s.Demand = append(s.Demand, d.demand(item, index("demand", i)))
	}
	return s, meta
}

func (d *decoder) policy(n *yaml.Node, path string, p *Policy) {
	f, ok := d.object(n, path, policyFields...)
	if !ok {
		return
	}
	plain := func(n *yaml.Node, path string) float64 { return d.ratio(n, path, false) }
	percent := func(n *yaml.Node, path string) float64 { return d.ratio(n, path, true) }
	if v, ok := f["overcommit"]; ok {
		p.Overcommit = d.perDim(v, join(path, "overcommit"), p.Overcommit, plain)
	}
	if v, ok := f["headroom"]; ok {
		p.Headroom = d.perDim(v, join(path, "headroom"), p.Headroom, percent)
	}
	if v, ok := f["overhead"]; ok {
		p.Overhead = d.perDim(v, join(path, "overhead"), p.Overhead, percent)
	}
	if v, ok := f["basis"]; ok {
		var cur Vector // the enum is read through perDim by index
		bases := Bases.Names()
		idx := func(n *yaml.Node, path string) float64 {
			return float64(indexOf(bases, d.enum(n, path, bases...)))
		}
		for dim := range cur {
			cur[dim] = float64(indexOf(bases, string(p.Basis[dim])))
		}
		cur = d.perDim(v, join(path, "basis"), cur, idx)
		for dim := range cur {
			if i := int(cur[dim]); i >= 0 && i < len(bases) {
				p.Basis[dim] = Basis(bases[i])
			}
		}
	}
	if v, ok := f["safetyFactor"]; ok {
		p.SafetyFactor = d.ratio(v, join(path, "safetyFactor"), false)
	}
	if v, ok := f["shutoff"]; ok {
		p.Shutoff = ShutoffRule(d.enum(v, join(path, "shutoff"), ShutoffRules.Names()...))
	}
	if v, ok := f["sameAppetite"]; ok {
		sp := join(path, "sameAppetite")
		if sf, ok := d.object(v, sp, appetiteFields...); ok {
			if v, ok := sf["mode"]; ok {
				p.SameAppetite.Mode = AppetiteMode(d.enum(v, join(sp, "mode"), AppetiteModes.Names()...))
			}
			if v, ok := sf["maxPerHost"]; ok {
				p.SameAppetite.MaxPerHost = d.integer(v, join(sp, "maxPerHost"))
			}
			if v, ok := sf["penalty"]; ok {
				p.SameAppetite.Penalty = d.ratio(v, join(sp, "penalty"), false)
			}
		}
	}
	if v, ok := f["failoverHosts"]; ok {
		p.FailoverHosts = d.integer(v, join(path, "failoverHosts"))
	}
	if v, ok := f["failoverMode"]; ok {
		p.FailoverMode = FailoverMode(d.enum(v, join(path, "failoverMode"), FailoverModes.Names()...))
	}
	if v, ok := f["objective"]; ok {
		p.Objective = Objective(d.enum(v, join(path, "objective"), Objectives.Names()...))
	}
	if v, ok := f["strategy"]; ok {
		p.Strategy = d.str(v, join(path, "strategy"))
	}
	if v, ok := f["seed"]; ok {
		p.Seed = d.uint64(v, join(path, "seed"))
	}
	if v, ok := f["iterations"]; ok {
		p.Iterations = d.integer(v, join(path, "iterations"))
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// appetites are the values of a profile's appetite field.
func appetiteNames() []string { return append(DimensionNames(), "none") }

// profiles merges the file's profiles into the built-ins and sorts them by
// name; paths[i] is where Profiles[i] was written ("" for an untouched
// built-in).
func (d *decoder) profiles(n *yaml.Node, path string) ([]Profile, []string) {
	type entry struct {
		p    Profile
		path string
	}
	builtins := BuiltInProfiles()
	var entries []entry
	overridden := map[string]bool{}
	for i, item := range d.sequence(n, path) {
		ip := index(path, i)
		f, ok := d.object(item, ip, profileFields...)
		if !ok {
			continue
		}
		var p Profile
		if v, ok := f["name"]; ok {
			p.Name = d.str(v, join(ip, "name"))
		}
		for _, b := range builtins {
			if b.Name == p.Name {
				p = b
				overridden[b.Name] = true
			}
		}
		p.Pos = nodePos(d.resolveQuiet(item))
		if v, ok := f["description"]; ok {
			p.Description = d.str(v, join(ip, "description"))
		}
		if v, ok := f["appetite"]; ok {
			switch a := d.enum(v, join(ip, "appetite"), appetiteNames()...); a {
			case "none":
				p.Appetite, p.HasAppetite = 0, false
			case "":
			default:
				p.Appetite, _ = ParseDimension(a)
				p.HasAppetite = true
			}
		}
		if v, ok := f["request"]; ok {
			req, set := d.vector(v, join(ip, "request"))
			for dim := range req {
				if set[dim] {
					p.Request[dim] = req[dim]
				}
			}
		}
		entries = append(entries, entry{p, ip})
	}
	for _, b := range builtins {
		if !overridden[b.Name] {
			entries = append(entries, entry{b, ""})
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].p.Name < entries[j].p.Name })
	profiles := make([]Profile, len(entries))
	paths := make([]string, len(entries))
	for i, e := range entries {
		profiles[i], paths[i] = e.p, e.path
	}
	return profiles, paths
}

func (d *decoder) hostModel(n *yaml.Node, path string) HostModel {
	m := HostModel{Pos: nodePos(d.resolveQuiet(n))}
	f, ok := d.object(n, path, hostModelFields...)
	if !ok {
		return m
	}
	if v, ok := f["name"]; ok {
		m.Name = d.str(v, join(path, "name"))
	}
	if v, ok := f["capacity"]; ok {
		m.Capacity, _ = d.vector(v, join(path, "capacity"))
	}
	if v, ok := f["reserved"]; ok {
		m.Reserved, _ = d.vector(v, join(path, "reserved"))
	}
	if v, ok := f["labels"]; ok {
		m.Labels = d.labels(v, join(path, "labels"))
	}
	if v, ok := f["max"]; ok {
		m.Max = d.integer(v, join(path, "max"))
	}
	return m
}

func (d *decoder) group(n *yaml.Node, path string) Group {
	g := Group{Scope: ScopeHost, Pos: nodePos(d.resolveQuiet(n))}
	f, ok := d.object(n, path, groupFields...)
	if !ok {
		return g
	}
	if v, ok := f["name"]; ok {
		g.Name = d.str(v, join(path, "name"))
	}
	if v, ok := f["scope"]; ok {
		if sc := d.enum(v, join(path, "scope"), Scopes.Names()...); sc != "" {
			g.Scope = Scope(sc)
		}
	}
	if v, ok := f["together"]; ok {
		g.Together = d.boolean(v, join(path, "together"))
	}
	return g
}

func (d *decoder) host(n *yaml.Node, path string, s *Scenario) Host {
	h := Host{Pos: nodePos(d.resolveQuiet(n))}
	f, ok := d.object(n, path, hostFields...)
	if !ok {
		return h
	}
	if v, ok := f["name"]; ok {
		h.Name = d.str(v, join(path, "name"))
	}
	if v, ok := f["uri"]; ok {
		h.URI = d.str(v, join(path, "uri"))
	}
	if v, ok := f["labels"]; ok {
		h.Labels = d.labels(v, join(path, "labels"))
	}
	if v, ok := f["capacity"]; ok {
		h.Capacity, _ = d.vector(v, join(path, "capacity"))
	}
	if v, ok := f["reserved"]; ok {
		h.Reserved, _ = d.vector(v, join(path, "reserved"))
	}
	if v, ok := f["overcommit"]; ok {
		h.Overcommit = d.perDim(v, join(path, "overcommit"), Vector{}, func(n *yaml.Node, path string) float64 {
			return d.ratio(n, path, false)
		})
	}
	if v, ok := f["facts"]; ok {
		h.Facts = d.facts(v, join(path, "facts"))
	}
	for i, item := range d.sequence(f["guests"], join(path, "guests")) {
		h.Guests = append(h.Guests, d.guest(item, index(join(path, "guests"), i), s))
	}
	return h
}

func (d *decoder) guest(n *yaml.Node, path string, s *Scenario) Guest {
	g := Guest{Pos: nodePos(d.resolveQuiet(n))}
	f, ok := d.object(n, path, guestFields...)
	if !ok {
		return g
	}
	if v, ok := f["name"]; ok {
		g.Name = d.str(v, join(path, "name"))
	}
	if v, ok := f["profile"]; ok {
		g.Profile = d.str(v, join(path, "profile"))
	}
	if v, ok := f["group"]; ok {
		g.Group = d.str(v, join(path, "group"))
	}
	var set [NumDims]bool
	if v, ok := f["allocation"]; ok {
		g.Allocation, set = d.vector(v, join(path, "allocation"))
	}
	if p, ok := s.Profile(g.Profile); ok {
		for dim := range g.Allocation {
			if !set[dim] {
				g.Allocation[dim] = p.Request[dim]
			}
		}
	}
	if v, ok := f["observed"]; ok {
		obs, _ := d.vector(v, join(path, "observed"))
		g.Observed = &obs
	}
	if v, ok := f["disk"]; ok {
		if s, ok := d.scalar(v, join(path, "disk"), "an amount of bytes"); ok {
			var err error
			if g.Disk, err = ParseQuantity(Memory, s); err != nil {
				d.fail(d.resolveQuiet(v), join(path, "disk"), "%v", err)
			}
		}
	}
	if v, ok := f["uuid"]; ok {
		g.UUID = d.str(v, join(path, "uuid"))
	}
	if v, ok := f["state"]; ok {
		g.State = d.str(v, join(path, "state"))
	}
	if v, ok := f["planID"]; ok {
		g.PlanID = d.str(v, join(path, "planID"))
	}
	if v, ok := f["roleSource"]; ok {
		g.RoleSource = RoleSource(d.enum(v, join(path, "roleSource"), RoleSources.Names()...))
	}
	return g
}

func (d *decoder) demand(n *yaml.Node, path string) Demand {
	dm := Demand{Count: 1, Pos: nodePos(d.resolveQuiet(n))}
	f, ok := d.object(n, path, demandFields...)
	if !ok {
		return dm
	}
	if v, ok := f["name"]; ok {
		dm.Name = d.str(v, join(path, "name"))
	}
	if v, ok := f["profile"]; ok {
		dm.Profile = d.str(v, join(path, "profile"))
	}
	if v, ok := f["count"]; ok {
		dm.Count = d.integer(v, join(path, "count"))
	}
	if v, ok := f["group"]; ok {
		dm.Group = d.str(v, join(path, "group"))
	}
	if v, ok := f["request"]; ok {
		dm.Request, _ = d.vector(v, join(path, "request"))
	}
	if v, ok := f["selector"]; ok {
		dm.Selector = d.labels(v, join(path, "selector"))
	}
	return dm
}

// factFields maps the yaml names of HostFacts to their struct fields.
var factFields = func() map[string]int {
	m := map[string]int{}
	t := reflect.TypeOf(HostFacts{})
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		m[name] = i
	}
	return m
}()

// facts reads a host's libvirt facts (as `berth inventory` writes them).
func (d *decoder) facts(n *yaml.Node, path string) *HostFacts {
	f, ok := d.object(n, path, sortedKeys(factFields)...)
	if !ok {
		return nil
	}
	var hf HostFacts
	rv := reflect.ValueOf(&hf).Elem()
	for _, key := range sortedKeys(f) {
		fp := join(path, key)
		s, ok := d.scalar(f[key], fp, "a value")
		if !ok {
			continue
		}
		field := rv.Field(factFields[key])
		switch field.Kind() {
		case reflect.String:
			field.SetString(s)
		case reflect.Int:
			field.SetInt(int64(d.integer(f[key], fp)))
		case reflect.Uint64:
			field.SetUint(d.uint64(f[key], fp))
		case reflect.Float64:
			field.SetFloat(d.ratio(f[key], fp, false))
		}
	}
	return &hf
}
