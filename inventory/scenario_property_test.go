package inventory

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// randomScenario draws a valid scenario whose strings are hard on a YAML
// writer: names starting with YAML indicators, words YAML reads as other
// types, any Unicode in labels and descriptions; and amounts that are not
// round numbers.
func randomScenario(t *rapid.T) *Scenario {
	name := func(label string, i int) string {
		prefix := rapid.SampledFrom([]string{"", "#", "&", "*", "!", "-", "?", ":", "'", "\"", "%", "@", "`", "|", ">", "{", "[", "yes", "null", "~", "0x", "1e3", "true", ".inf"}).Draw(t, label+"-prefix")
		return fmt.Sprintf("%s%s%d", prefix, rapid.StringMatching(`[a-z]{0,4}`).Draw(t, label), i)
	}
	text := rapid.String()
	amount := func(d Dimension, label string, lo, hi float64) float64 {
		if rapid.Bool().Draw(t, label+"-round") {
			units := map[Dimension][]float64{CPU: {1}, Memory: {1 << 20, 1 << 30, 1e9}, IOPS: {1, 1000}, Net: {1e6, 1e9}}[d]
			u := rapid.SampledFrom(units).Draw(t, label+"-unit")
			return float64(rapid.IntRange(int(max(1, lo/u)), int(max(1, hi/u))).Draw(t, label+"-n")) * u
		}
		return rapid.Float64Range(lo, hi).Draw(t, label)
	}
	vector := func(label string, scale float64) Vector {
		return Vector{
			CPU:    amount(CPU, label+"-cpu", 0.001*scale, 4*scale),
			Memory: amount(Memory, label+"-mem", float64(1<<20)*scale, float64(1<<32)*scale),
			IOPS:   amount(IOPS, label+"-iops", 1*scale, 1000*scale),
			Net:    amount(Net, label+"-net", 1e6*scale, 1e8*scale),
		}
	}
	labels := func(label string) map[string]string {
		return rapid.MapOfN(rapid.StringMatching(`[a-z][a-z0-9./-]{0,6}`), text, 0, 3).Draw(t, label)
	}

	s := &Scenario{
		APIVersion:  APIVersion,
		Name:        rapid.StringMatching(`[a-z0-9-]{0,8}`).Draw(t, "name"),
		Description: text.Draw(t, "description"),
		Policy:      DefaultPolicy(),
		Profiles:    BuiltInProfiles(),
	}
	s.Policy.Overcommit[CPU] = rapid.Float64Range(0.5, 8).Draw(t, "overcommit")
	s.Policy.Headroom[Memory] = rapid.Float64Range(0.5, 1).Draw(t, "headroom")
	s.Policy.Seed = rapid.Uint64().Draw(t, "seed")
	s.Policy.Basis[IOPS] = rapid.SampledFrom([]Basis{BasisAllocation, BasisObserved, BasisMax}).Draw(t, "basis")
	s.Policy.Objective = rapid.SampledFrom([]Objective{ObjectivePack, ObjectiveSpread}).Draw(t, "objective")
	// Built-in profiles stay as they are so that demand and guests fit
	// the (large) hosts below; one user profile is added.
	s.Profiles = append(s.Profiles, Profile{Name: "p-" + name("profile", 0), Description: text.Draw(t, "pdesc"),
		Appetite: Dimension(rapid.IntRange(0, int(NumDims)-1).Draw(t, "appetite")), HasAppetite: rapid.Bool().Draw(t, "hasAppetite"),
		Request: vector("prequest", 1)})
	if !s.Profiles[3].HasAppetite {
		s.Profiles[3].Appetite = 0
	}
	profiles := []string{"web", "db", "cache", s.Profiles[3].Name}
	sortProfiles(s.Profiles)

	nHosts := rapid.IntRange(1, 4).Draw(t, "hosts")
	for i := range nHosts {
		h := Host{Name: name("host", i), URI: rapid.SampledFrom([]string{"", "qemu:///system", "test:///default"}).Draw(t, "uri"),
			Labels: labels("labels"), Capacity: Vector{CPU: 64, Memory: 512 << 30, IOPS: 1e5, Net: 1e11}.Add(vector("capacity", 1))}
		if rapid.Bool().Draw(t, "reserve") {
			h.Reserved = Vector{CPU: 1, Memory: 1 << 30}
		}
		for j := range rapid.IntRange(0, 3).Draw(t, "guests") {
			g := Guest{Name: fmt.Sprintf("%s-g%d", name("guest", i), j), Profile: rapid.SampledFrom(profiles).Draw(t, "gprofile"),
				Allocation: vector("alloc", 1), State: rapid.SampledFrom([]string{"", "running", "shut off"}).Draw(t, "state")}
			if rapid.Bool().Draw(t, "observed") {
				o := vector("observed", 0.5)
				g.Observed = &o
			}
			h.Guests = append(h.Guests, g)
		}
		s.Hosts = append(s.Hosts, h)
	}
	for i := range rapid.IntRange(0, 3).Draw(t, "demand") {
		s.Demand = append(s.Demand, Demand{Name: "new-" + name("demand", i), Profile: rapid.SampledFrom(profiles).Draw(t, "dprofile"),
			Count: rapid.IntRange(1, 5).Draw(t, "count"), Request: Vector{CPU: rapid.SampledFrom([]float64{0, 0.5, 2}).Draw(t, "dcpu")}})
	}
	return s
}

func sortProfiles(ps []Profile) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].Name < ps[j-1].Name; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// Any valid scenario survives WriteScenario → ParseScenario unchanged, and
// writing is deterministic.
func TestRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := randomScenario(t)
		if err := s.Validate(); err != nil {
			t.Fatalf("generator made an invalid scenario: %v", err)
		}
		var buf bytes.Buffer
		if err := WriteScenario(&buf, s); err != nil {
			t.Fatal(err)
		}
		back, err := ParseScenario("written.yaml", buf.Bytes())
		if err != nil {
			t.Fatalf("written scenario does not parse: %v\n%s", err, buf.String())
		}
		if diff := cmp.Diff(s, back, sameScenario); diff != "" {
			t.Fatalf("write → parse changed the scenario (-before +after):\n%s\n%s", diff, buf.String())
		}
		var again bytes.Buffer
		_ = WriteScenario(&again, back)
		if !bytes.Equal(buf.Bytes(), again.Bytes()) {
			t.Fatalf("not deterministic:\n%s\n---\n%s", buf.String(), again.String())
		}
	})
}
