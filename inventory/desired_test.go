package inventory

import (
	"strings"
	"testing"
)

// TestDemandMetByBerthGuests (issue 11.6): a running guest berth made from
// a demand entry (its metadata names the entry's profile and group) is that
// demand met, not a name clash; the same name without berth's metadata
// still is one.
func TestDemandMetByBerthGuests(t *testing.T) {
	demand := "demand:\n  - {name: web, profile: web, count: 2}\n"
	berthMade := strings.Replace(fleet, "{name: web-1, profile: web}", "{name: web-1, profile: web, roleSource: metadata, planID: 0123456789ab}", 1)
	if berthMade == fleet {
		t.Fatal("fixture changed: no guest web-1 to mark as berth's")
	}
	if _, err := ParseScenario("t.yaml", []byte(berthMade+demand)); err != nil {
		t.Errorf("web-1 was made by berth from demand web: want no clash, got %v", err)
	}
	otherProfile := strings.Replace(berthMade, "profile: web, roleSource", "profile: db, roleSource", 1)
	_, err := ParseScenario("t.yaml", []byte(otherProfile+demand))
	if err == nil || !strings.Contains(err.Error(), `demand "web" would create guest "web-1", which already exists`) {
		t.Errorf("web-1 was made by berth as a db guest: want the clash, got %v", err)
	}
}
