// Package extra reads the parts of a plan document that later plans carry
// and today's planner.Plan has no fields for yet: the moves of running
// guests by wave and the hosts they free (issue 14), and the load history of
// each host (observed use over time). The report draws them and berth check
// counts them; both read them here, so when planner.Plan gains the fields
// this file is the one place to switch to them.
//
// The fields are found on planner.Plan by their JSON names, the names the
// plan document will give them:
//
//	"moves": [{"guest", "from", "to", "wave", "bytes", "seconds", "reason"}]
//	"freed": ["kvm07", ...]             (also accepted: "hostsFreed")
//	"hosts": [{"name", "history": [{"time", "use": {cpu, memory, iops, net}}]}]
//
// and read through JSON, so their Go types need not be known here. A plan
// without them has no moves, frees no host and has no history.
package extra

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
)

// Move is one live migration of a running guest.
type Move struct {
	Guest string `json:"guest"`
	From  string `json:"from"`
	To    string `json:"to"`
	// Wave numbers the group of migrations that run together (1-based).
	Wave int `json:"wave"`
	// Bytes to copy (memory, plus local disk when storage is not shared);
	// Seconds the estimated duration at the configured bandwidth.
	Bytes   float64 `json:"bytes"`
	Seconds float64 `json:"seconds,omitempty"`
	// Reason says which rule or goal the move serves.
	Reason string `json:"reason,omitempty"`
}

// Sample is a host's observed use at one time, in base units.
type Sample struct {
	Time string           `json:"time,omitempty"`
	Use  inventory.Vector `json:"use"`
}

// Extras are the optional parts of one plan.
type Extras struct {
	Moves []Move
	Freed []string
	// History maps a host's name to its samples, oldest first.
	History map[string][]Sample
}

// Of returns the optional parts of p (none for today's plans). Only the
// fields that exist are encoded, so a plan without them costs nothing.
func Of(p *planner.Plan) (Extras, error) { return fromStruct(reflect.ValueOf(p).Elem()) }

// fromStruct reads the optional parts from a plan struct of any type.
func fromStruct(plan reflect.Value) (Extras, error) {
	var ex Extras
	if err := decodeField(plan, "moves", &ex.Moves); err != nil {
		return Extras{}, err
	}
	for _, name := range []string{"freed", "hostsFreed"} {
		if len(ex.Freed) == 0 {
			if err := decodeField(plan, name, &ex.Freed); err != nil {
				return Extras{}, err
			}
		}
	}
	hi, ok := fieldByJSON(plan.Type(), "hosts")
	if !ok || plan.Field(hi).Kind() != reflect.Slice || plan.Field(hi).Type().Elem().Kind() != reflect.Struct {
		sortMoves(ex.Moves)
		return ex, nil
	}
	hosts := plan.Field(hi)
	ni, hasName := fieldByJSON(hosts.Type().Elem(), "name")
	if _, hasHistory := fieldByJSON(hosts.Type().Elem(), "history"); hasName && hasHistory {
		for i := range hosts.Len() {
			h := hosts.Index(i)
			var samples []Sample
			if err := decodeField(h, "history", &samples); err != nil {
				return Extras{}, err
			}
			if len(samples) > 0 {
				if ex.History == nil {
					ex.History = map[string][]Sample{}
				}
				ex.History[h.Field(ni).String()] = samples
			}
		}
	}
	sortMoves(ex.Moves)
	return ex, nil
}

// FromJSON reads the optional parts of a plan document.
func FromJSON(data []byte) (Extras, error) {
	var doc struct {
		Moves      []Move   `json:"moves"`
		Freed      []string `json:"freed"`
		HostsFreed []string `json:"hostsFreed"`
		Hosts      []struct {
			Name    string   `json:"name"`
			History []Sample `json:"history"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return Extras{}, fmt.Errorf("reading the plan's moves and history: %w", err)
	}
	ex := Extras{Moves: doc.Moves, Freed: doc.Freed}
	if len(ex.Freed) == 0 {
		ex.Freed = doc.HostsFreed
	}
	for _, h := range doc.Hosts {
		if len(h.History) > 0 {
			if ex.History == nil {
				ex.History = map[string][]Sample{}
			}
			ex.History[h.Name] = h.History
		}
	}
	sortMoves(ex.Moves)
	return ex, nil
}

// sortMoves puts the waves in order, keeping the plan's order within one.
func sortMoves(moves []Move) {
	slices.SortStableFunc(moves, func(a, b Move) int { return a.Wave - b.Wave })
}

// decodeField copies the field of v whose JSON name is name into out,
// through JSON; it leaves out alone when there is no such field.
func decodeField(v reflect.Value, name string, out any) error {
	i, ok := fieldByJSON(v.Type(), name)
	if !ok {
		return nil
	}
	data, err := json.Marshal(v.Field(i).Interface())
	if err != nil {
		return fmt.Errorf("reading the plan's %s: %w", name, err)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("reading the plan's %s: %w", name, err)
	}
	return nil
}

// fieldByJSON finds the exported field of struct type t named name in JSON.
func fieldByJSON(t reflect.Type, name string) (int, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.IsExported() && tag == name {
			return i, true
		}
	}
	return 0, false
}

// BytesMoved is the total the moves copy.
func (e Extras) BytesMoved() float64 {
	total := 0.0
	for _, m := range e.Moves {
		total += m.Bytes
	}
	return total
}
