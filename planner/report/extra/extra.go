// Package extra gathers the parts of a plan that the report draws and
// berth check counts beyond the hosts and new guests: the migrations of
// running guests by wave and the hosts they free (read from the plan's move
// actions and move summary), and the load history of each host.
//
// The history is found on the plan's hosts by its JSON name, "history":
// [{"time", "use": {cpu, memory, iops, net}}], read through JSON so that
// its Go type need not be known here; a plan without it has no history.
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

// Of returns the migrations, freed hosts and history of p.
func Of(p *planner.Plan) (Extras, error) {
	var ex Extras
	for _, a := range p.Actions {
		if a.Op != planner.OpMove || a.Move == nil {
			continue
		}
		reason := a.Move.Reason.Text
		if reason == "" {
			reason = a.Move.Reason.Kind
		}
		ex.Moves = append(ex.Moves, Move{Guest: a.Guest, From: a.Move.From, To: a.Host, Wave: a.Move.Wave,
			Bytes: a.Move.Bytes, Seconds: a.Move.Seconds, Reason: reason})
	}
	sortMoves(ex.Moves)
	if p.Moves != nil && len(p.Moves.Freed) > 0 {
		ex.Freed = slices.Clone(p.Moves.Freed)
	}
	history, err := historyOf(reflect.ValueOf(p).Elem())
	if err != nil {
		return Extras{}, err
	}
	ex.History = history
	return ex, nil
}

// historyOf reads each host's samples from a plan struct whose hosts may
// carry a "history" field.
func historyOf(plan reflect.Value) (map[string][]Sample, error) {
	hi, ok := fieldByJSON(plan.Type(), "hosts")
	if !ok || plan.Field(hi).Kind() != reflect.Slice || plan.Field(hi).Type().Elem().Kind() != reflect.Struct {
		return nil, nil
	}
	hosts := plan.Field(hi)
	ni, hasName := fieldByJSON(hosts.Type().Elem(), "name")
	if _, hasHistory := fieldByJSON(hosts.Type().Elem(), "history"); !hasName || !hasHistory {
		return nil, nil
	}
	var out map[string][]Sample
	for i := range hosts.Len() {
		h := hosts.Index(i)
		var samples []Sample
		if err := decodeField(h, "history", &samples); err != nil {
			return nil, err
		}
		if len(samples) > 0 {
			if out == nil {
				out = map[string][]Sample{}
			}
			out[h.Field(ni).String()] = samples
		}
	}
	return out, nil
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
