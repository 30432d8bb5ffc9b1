package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// Bad rules files: every problem at once, each with file, line, column,
// field and what to do.
func TestParseRefusesBadRules(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"unknown rule, with the closest name", "hostUtilization:\n  max: {memory: 80%}\n",
			[]string{`rules.yaml:1:1: hostUtilization: unknown field "hostUtilization": expected one of apiVersion, kind, hostUtilisation, fleetUtilisation, maxStranded, minFailoverHosts, maxHostsBought, maxMoves, maxBytesMoved, spread, forbidTogether; did you mean "hostUtilisation"?`}},
		{"share above 100%", "hostUtilisation: {max: {memory: 120%}}",
			[]string{`rules.yaml:1:33: hostUtilisation.max.memory: "120%" is more than 100%: a share is from 0% to 100%`}},
		{"a bare 80 is not 8000%", "fleetUtilisation:\n  max:\n    cpu: 80\n",
			[]string{`rules.yaml:3:10: fleetUtilisation.max.cpu: "80" is more than 1: a share is from 0% to 100%; did you mean 80%?`}},
		{"negative share", "hostUtilisation: {min: -5%}",
			[]string{`rules.yaml:1:24: hostUtilisation.min: "-5%" is negative: a share is from 0% to 100%`}},
		{"not a share", "hostUtilisation: {max: {cpu: lots}}",
			[]string{`rules.yaml:1:30: hostUtilisation.max.cpu: "lots" is not a share: write a percentage such as 80% or a fraction such as 0.8`}},
		{"minimum above maximum", "hostUtilisation:\n  max: {cpu: 50%}\n  min: {cpu: 60%}\n",
			[]string{`rules.yaml:3:9: hostUtilisation.min.cpu: the minimum 60% is above the maximum 50% (hostUtilisation.max.cpu): no plan can keep both; lower the minimum or raise the maximum`}},
		{"unknown dimension", "maxStranded: {mem: 10Gi}",
			[]string{`rules.yaml:1:15: maxStranded.mem: unknown field "mem": expected one of cpu, memory, iops, net`}},
		{"negative count", "maxHostsBought: -1",
			[]string{`rules.yaml:1:17: maxHostsBought: -1 is too small: write 0 or more`}},
		{"count in words", "maxMoves: ten",
			[]string{`rules.yaml:1:11: maxMoves: "ten" is not a whole number`}},
		{"ambiguous bytes", "maxBytesMoved: 500GB",
			[]string{`rules.yaml:1:16: maxBytesMoved: "500GB" is ambiguous: write 500Gi (2^30 bytes) or 500G (10^9 bytes)`}},
		{"spread without atLeast, with a bad scope", "spread:\n  - {group: db-main, across: building}\n",
			[]string{
				`rules.yaml:2:5: spread[0]: missing atLeast: write e.g. {group: db-main, across: rack, atLeast: 2}`,
				`rules.yaml:2:30: spread[0].across: unknown scope "building": expected host, rack or zone`,
			}},
		{"spread over zero racks", "spread: [{group: g, atLeast: 0}]",
			[]string{`rules.yaml:1:30: spread[0].atLeast: 0 is too small: write 1 or more`}},
		{"one profile is not a pair", "forbidTogether:\n  - profiles: [db]\n",
			[]string{`rules.yaml:2:15: forbidTogether[0].profiles: list two or more profiles (write one twice, [db, db], to forbid two guests of it on one host)`}},
		{"a list where a mapping goes", "forbidTogether:\n  - [db, batch]\n",
			[]string{`rules.yaml:2:5: forbidTogether[0]: expected a mapping (key: value), found a list`}},
		{"the same rule twice", "maxMoves: 1\nmaxMoves: 2\n",
			[]string{`rules.yaml:2:1: maxMoves: "maxMoves" is written twice in this mapping: keep one`}},
		{"merge keys", "base: &b {maxMoves: 1}\n<<: *b\n",
			[]string{
				`rules.yaml:1:1: base: unknown field "base": expected one of apiVersion, kind, hostUtilisation, fleetUtilisation, maxStranded, minFailoverHosts, maxHostsBought, maxMoves, maxBytesMoved, spread, forbidTogether`,
				`rules.yaml:2:1: YAML merge keys (<<) are not read in rules files: write the fields out`,
			}},
		{"a plan given as rules", "apiVersion: berth/v1\nkind: Plan\n",
			[]string{`rules.yaml:2:7: kind: "Plan": a rules file has kind: Rules (or leave it out)`}},
		{"no rules", "kind: Rules\n", []string{`rules.yaml:1:1: no rules: write at least one, e.g. "hostUtilisation: {max: {memory: 80%}}" (docs/ci.md lists them)`}},
		{"empty file", "# nothing yet\n", []string{`rules.yaml: the file is empty: write at least one rule (docs/ci.md lists them)`}},
		{"not a mapping", "- maxMoves: 1\n", []string{`rules.yaml:1:1: expected a mapping (key: value), found a list`}},
		{"invalid YAML", "maxMoves: [1\n", []string{`rules.yaml:1: invalid YAML: did not find expected ',' or ']'`}},
		{"two documents", "maxMoves: 1\n---\nmaxMoves: 2\n", []string{`rules.yaml:2:1: a second YAML document (after ---): a rules file holds exactly one`}},
		{"several problems, in file order", "maxMoves: -3\nhostUtilisation: {max: {cpu: 2}}\nspread: {group: x}\n",
			[]string{
				`rules.yaml:1:11: maxMoves: -3 is too small: write 0 or more`,
				`rules.yaml:2:30: hostUtilisation.max.cpu: "2" is more than 1: a share is from 0% to 100%; did you mean 2%?`,
				`rules.yaml:3:9: spread: expected a list (items starting with "- "), found a mapping`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("rules.yaml", []byte(tt.text))
			if err == nil {
				t.Fatal("accepted")
			}
			var got []string
			for _, p := range problemsOf(t, err) {
				got = append(got, p.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// The rules section of a config file is read with the config's lines and
// the field names as written there (rules.…).
func TestParseNodeOfAConfigSection(t *testing.T) {
	config := "strategy: align\nrules:\n  maxMoves: 5\n  maxHostsBought: many\n"
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(config), &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	_, err := ParseNode("berth.yaml", root.Content[3], "rules")
	want := `berth.yaml:4:19: rules.maxHostsBought: "many" is not a whole number`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// Every example rules file under testdata parses, and each rule knows
// where it was written.
func TestExampleRulesParse(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.rules.yaml")
	if len(files) == 0 {
		t.Fatal("no example rules files")
	}
	for _, f := range files {
		rs, err := Load(f)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		for _, r := range rs.Rules {
			if r.Line == 0 || r.Field == "" || r.Text == "" {
				t.Errorf("%s: rule %+v has no place or text", f, r)
			}
		}
	}
}

// FuzzParse: any bytes give rules or located problems, never a panic, and
// a rule always says where it was written.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.rules.yaml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("hostUtilisation: {max: 80%}\nspread: [{group: a, atLeast: 2}]\n"))
	f.Add([]byte("a: &a [*a]\nmaxMoves: *a\n"))
	f.Add([]byte("forbidTogether: [{profiles: [x, x, &p y, *p]}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := Parse("fuzz.yaml", data)
		if err != nil {
			for _, p := range problemsOf(t, err) {
				if p.Source != "fuzz.yaml" || p.Message == "" || p.Line < 0 {
					t.Fatalf("problem without a place or a message: %+v", p)
				}
			}
			return
		}
		if len(rs.Rules) == 0 {
			t.Fatal("parsed with no rules")
		}
		for _, r := range rs.Rules {
			if r.Field == "" || r.Text == "" || r.eval == nil || strings.ContainsRune(r.Text, '\n') {
				t.Fatalf("rule without a field, text or check: %+v", r)
			}
		}
		// Rules are held to a plan without panicking.
		if _, err := rs.Check(handPlan()); err != nil && !strings.Contains(err.Error(), "fuzz.yaml") {
			t.Fatalf("check error without a place: %v", err)
		}
	})
}
