package inventory

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckGuestName(t *testing.T) {
	cases := []struct {
		name string
		want string // "" = accepted; else a part of the rule
	}{
		{"web-1", ""},
		{"db_main.2", ""},
		{"キャッシュ-1", ""}, // UTF-8 is fine
		{strings.Repeat("a", MaxGuestNameBytes), ""},
		{"", "a name is needed"},
		{"web/1", `contains "/"`},
		{"../etc", `contains "/"`},
		{"web\n1", "the character U+000A"},
		{"web\x001", "the character U+0000"},
		{"web\uffff", "the character U+FFFF"},
		{" web", "begins or ends with a space"},
		{"web ", "begins or ends with a space"},
		{"web\xff", "not valid UTF-8"},
		{strings.Repeat("a", MaxGuestNameBytes+1), "it is 250 bytes long, and a guest name has at most 249"},
		{strings.Repeat("é", 125), "it is 250 bytes long"}, // bytes, not characters
	}
	for _, tc := range cases {
		err := CheckGuestName(tc.name)
		var ne *NameError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q refused: %v", tc.name, err)
		case tc.want != "" && (!errors.As(err, &ne) || !strings.Contains(ne.Rule, tc.want)):
			t.Errorf("%q: got %v, want a refusal saying %q", tc.name, err, tc.want)
		}
	}
}

// TestCheckDemandName: the longest guest of an entry is NAME-count.
func TestCheckDemandName(t *testing.T) {
	name := strings.Repeat("w", MaxGuestNameBytes-2) // NAME-9 fits, NAME-10 does not
	if err := CheckDemandName(name, 9); err != nil {
		t.Errorf("count 9: %v", err)
	}
	if err := CheckDemandName(name, 10); err == nil || !strings.Contains(err.Error(), "250 bytes long") {
		t.Errorf("count 10: %v, want NAME-10 refused as too long", err)
	}
	if err := CheckDemandName("a/b", 1); err == nil {
		t.Error(`"a/b" accepted`)
	}
}
