package history

import (
	"context"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/google/go-cmp/cmp"
)

// cpuTable is one dimension's answers, from "uuid/name" keys.
func cpuTable(vals map[seriesKey]float64) [inventory.NumDims]*table {
	var t [inventory.NumDims]*table
	t[inventory.CPU] = &table{quantile: vals}
	return t
}

func TestMatchGuests(t *testing.T) {
	unit := [inventory.NumDims]float64{1, 1, 1, 1}
	cases := []struct {
		name     string
		tables   [inventory.NumDims]*table
		guest    GuestRef
		wantCPU  float64
		wantBy   MatchedBy
		wantMiss *Missing
		wantNote string
	}{
		{
			name:   "by uuid, whatever the name",
			tables: cpuTable(map[seriesKey]float64{{"u1", "web-1"}: 2, {"u2", "web-2"}: 3}),
			guest:  GuestRef{Name: "web-1-new", UUID: "U1"},
			wantBy: MatchedUUID, wantCPU: 2,
		},
		{
			name:   "by name where the exporter has no uuid",
			tables: cpuTable(map[seriesKey]float64{{"", "web-1"}: 2, {"", "web-2"}: 3}),
			guest:  GuestRef{Name: "web-2", UUID: "u2"},
			wantBy: MatchedName, wantCPU: 3,
		},
		{
			name:   "by name for a guest without uuid",
			tables: cpuTable(map[seriesKey]float64{{"u1", "web-1"}: 2}),
			guest:  GuestRef{Name: "web-1"},
			wantBy: MatchedName, wantCPU: 2,
		},
		{
			// Renamed during the window: two series share the UUID; the
			// current name's is taken even though the other is higher.
			name:   "renamed: current name",
			tables: cpuTable(map[seriesKey]float64{{"u1", "old"}: 5, {"u1", "new"}: 1}),
			guest:  GuestRef{Name: "new", UUID: "u1"},
			wantBy: MatchedUUID, wantCPU: 1,
			wantNote: "several series (renamed during the window?): new, old; the current name's is used, else the highest",
		},
		{
			name:   "renamed twice: highest",
			tables: cpuTable(map[seriesKey]float64{{"u1", "a"}: 5, {"u1", "b"}: 1}),
			guest:  GuestRef{Name: "c", UUID: "u1"},
			wantBy: MatchedUUID, wantCPU: 5,
			wantNote: "several series (renamed during the window?): a, b; the current name's is used, else the highest",
		},
		{
			name:     "same name, other uuid",
			tables:   cpuTable(map[seriesKey]float64{{"u9", "db-1"}: 2}),
			guest:    GuestRef{Name: "db-1", UUID: "u1"},
			wantMiss: &Missing{Guest: GuestRef{Name: "db-1", UUID: "u1"}, Reason: MissOtherUUID, UUIDs: []string{"u9"}},
		},
		{
			name:     "same name on two hosts, guest without uuid",
			tables:   cpuTable(map[seriesKey]float64{{"u1", "db-1"}: 2, {"u2", "db-1"}: 3}),
			guest:    GuestRef{Name: "db-1"},
			wantMiss: &Missing{Guest: GuestRef{Name: "db-1"}, Reason: MissAmbiguous, UUIDs: []string{"u1", "u2"}},
		},
		{
			name:     "nothing",
			tables:   cpuTable(map[seriesKey]float64{{"u1", "db-1"}: 2}),
			guest:    GuestRef{Name: "db-2", UUID: "u2"},
			wantMiss: &Missing{Guest: GuestRef{Name: "db-2", UUID: "u2"}, Reason: MissNoSeries},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gu, miss := guestUsage(c.guest, newIndex(c.tables[:]), c.tables, unit)
			if diff := cmp.Diff(c.wantMiss, miss); diff != "" {
				t.Fatalf("missing (-want +got):\n%s", diff)
			}
			if miss != nil {
				return
			}
			if gu.MatchedBy != c.wantBy || gu.Quantile[inventory.CPU] != c.wantCPU || !gu.Has[inventory.CPU] || gu.Note != c.wantNote {
				t.Errorf("got by %q cpu %v (has %v) note %q; want by %q cpu %v note %q",
					gu.MatchedBy, gu.Quantile[inventory.CPU], gu.Has[inventory.CPU], gu.Note, c.wantBy, c.wantCPU, c.wantNote)
			}
			if gu.Has[inventory.Memory] {
				t.Error("memory was not read but the guest has a figure")
			}
		})
	}
}

func TestAssembleUnanswered(t *testing.T) {
	guests := []GuestRef{{Name: "a", UUID: "u1"}, {Name: "b"}}
	out, missing := assemble(guests, [inventory.NumDims]*table{}, [inventory.NumDims]float64{})
	want := []Missing{{Guest: guests[0], Reason: MissUnanswered}, {Guest: guests[1], Reason: MissUnanswered}}
	if diff := cmp.Diff(want, missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	if len(out) != 2 || out[0].Guest != guests[0] || out[1].MatchedBy != MatchedNone {
		t.Errorf("guests = %+v", out)
	}
}

func TestObserved(t *testing.T) {
	g := GuestUsage{Quantile: inventory.Vector{1.5, 0, 300, 0}, Has: [inventory.NumDims]bool{true, false, true, false}}
	alloc := inventory.Vector{4, 8 * gi, 1000, 1e9}
	use, known := g.Observed(alloc)
	if want := (inventory.Vector{1.5, 8 * gi, 300, 1e9}); use != want || !known {
		t.Errorf("Observed = %v, %v; want %v, true", use, known, want)
	}
	if _, known := (&GuestUsage{}).Observed(alloc); known {
		t.Error("a guest with no history is known")
	}
}

func TestReadNoGuests(t *testing.T) {
	// Nothing to ask: no query is sent, so a Prometheus that is not there
	// is no error.
	u, err := Read(context.Background(), DefaultConfig("http://127.0.0.1:1"), nil)
	if err != nil || u == nil || len(u.Guests) != 0 || u.Read != ([inventory.NumDims]bool{}) {
		t.Errorf("Read(no guests) = %+v, %v; want an empty usage, no error", u, err)
	}
}
