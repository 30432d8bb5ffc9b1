package tui

import (
	"testing"

	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/tui/common"
	"github.com/google/go-cmp/cmp"
)

// TestResolve: a toggle is decided against the plan on screen when it
// runs, whatever the plan was when its key was pressed.
func TestResolve(t *testing.T) {
	plain := reference(t, "default", nil)
	var guest, host string
	for _, a := range plain.Actions {
		if a.Op == planner.OpCreate && a.Host != "" {
			guest, host = a.Guest, a.Host
			break
		}
	}
	excluded := reference(t, "default", func(pl *planner.Planner) { pl.Exclude("kvm01", true) })
	pinned := reference(t, "default", func(pl *planner.Planner) { pl.Pin(guest, host) })
	// With host excluded, the guest lands elsewhere.
	moved := reference(t, "default", func(pl *planner.Planner) { pl.Exclude(host, true) })
	var movedTo string
	for _, a := range moved.Actions {
		if a.Guest == guest {
			movedTo = a.Host
		}
	}
	if movedTo == "" || movedTo == host {
		t.Fatalf("excluding %s should move %s elsewhere, it is on %q", host, guest, movedTo)
	}

	kept := referenceMoves(t, "drifted", consolidate, func(pl *planner.Planner) { pl.Keep("web-8", true) })
	moving := referenceMoves(t, "drifted", consolidate, nil)

	tests := []struct {
		name    string
		edit    common.Edit // as the key made it, from the plan then
		plan    *planner.Plan
		want    common.Edit
		wantErr bool
	}{
		{"exclude, still included", common.ExcludeToggle("kvm01", false), plain,
			common.ExcludeToggle("kvm01", false), false},
		{"exclude typed twice: the second includes", common.ExcludeToggle("kvm01", false), excluded,
			common.ExcludeToggle("kvm01", true), false},
		{"pin typed twice: the second unpins", common.PinToggle(guest, host, false), pinned,
			common.PinToggle(guest, "", true), false},
		{"pin after its host was excluded: pinned where it is now", common.PinToggle(guest, host, false), moved,
			common.PinToggle(guest, movedTo, false), false},
		{"no such host", common.ExcludeToggle("kvm99", false), plain, common.Edit{}, true},
		{"keep, not kept yet", common.KeepToggle("web-8", false), moving, common.KeepToggle("web-8", false), false},
		{"keep typed twice: the second lets it move", common.KeepToggle("web-8", false), kept, common.KeepToggle("web-8", true), false},
		{"keep a guest that runs nowhere", common.KeepToggle("web-99", false), moving, common.Edit{}, true},
		{"a move is not a toggle: kept as typed", common.Edit{Kind: common.EditMove, Guest: guest, Host: "kvm02", Label: "move"}, moved,
			common.Edit{Kind: common.EditMove, Guest: guest, Host: "kvm02", Label: "move"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolve(tt.edit, tt.plan)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("resolved edit (-want +got):\n%s", diff)
			}
		})
	}
}
