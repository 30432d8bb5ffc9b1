package extra

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/berth-dev/berth/inventory"
	"github.com/google/go-cmp/cmp"
)

// futurePlan has the fields a plan with moves and history will have
// (issue 14), in types of its own: Extras must read them by their JSON
// names whatever their Go types.
type futurePlan struct {
	ID    string       `json:"id"`
	Hosts []futureHost `json:"hosts"`
	Moves []futureMove `json:"moves"`
	Freed []string     `json:"freed"`
}

type futureHost struct {
	Name    string         `json:"name"`
	History []futureSample `json:"history,omitempty"`
}

type futureSample struct {
	Time string           `json:"time"`
	Use  inventory.Vector `json:"use"`
}

type futureMove struct {
	Guest  string  `json:"guest"`
	From   string  `json:"from"`
	To     string  `json:"to"`
	Wave   int     `json:"wave"`
	Bytes  float64 `json:"bytes"`
	Reason string  `json:"reason"`
}

func TestReadsTheFieldsOfAPlanWithMoves(t *testing.T) {
	gib := float64(1 << 30)
	p := futurePlan{
		ID: "p1",
		Hosts: []futureHost{
			{Name: "kvm01", History: []futureSample{{"t0", inventory.Vector{1, 2, 3, 4}}, {"t1", inventory.Vector{2, 3, 4, 5}}}},
			{Name: "kvm02"},
		},
		Moves: []futureMove{
			{Guest: "db-2", From: "kvm01", To: "kvm03", Wave: 2, Bytes: 16 * gib, Reason: "consolidate"},
			{Guest: "web-1", From: "kvm01", To: "kvm02", Wave: 1, Bytes: 8 * gib, Reason: "consolidate"},
			{Guest: "web-2", From: "kvm02", To: "kvm03", Wave: 1, Bytes: 8 * gib},
		},
		Freed: []string{"kvm01"},
	}
	want := Extras{
		Moves: []Move{ // by wave, in the plan's order within a wave
			{Guest: "web-1", From: "kvm01", To: "kvm02", Wave: 1, Bytes: 8 * gib, Reason: "consolidate"},
			{Guest: "web-2", From: "kvm02", To: "kvm03", Wave: 1, Bytes: 8 * gib},
			{Guest: "db-2", From: "kvm01", To: "kvm03", Wave: 2, Bytes: 16 * gib, Reason: "consolidate"},
		},
		Freed:   []string{"kvm01"},
		History: map[string][]Sample{"kvm01": {{"t0", inventory.Vector{1, 2, 3, 4}}, {"t1", inventory.Vector{2, 3, 4, 5}}}},
	}

	got, err := fromStruct(reflect.ValueOf(p))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("from the struct (-want +got):\n%s", diff)
	}
	doc, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	got, err = FromJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("from the document (-want +got):\n%s", diff)
	}
	if b := got.BytesMoved(); b != 32*gib {
		t.Errorf("BytesMoved = %v, want 32 GiB", b)
	}
}

func TestTodaysPlanHasNoExtras(t *testing.T) {
	type todaysPlan struct {
		Hosts []struct {
			Name string `json:"name"`
		} `json:"hosts"`
	}
	got, err := fromStruct(reflect.ValueOf(todaysPlan{}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Extras{}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
