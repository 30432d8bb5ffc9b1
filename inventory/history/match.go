package history

import (
	"slices"
	"strings"

	"github.com/berth-dev/berth/inventory"
)

// seriesKey is the label values one guest's series is summed by (UUID
// lower-cased; "" for a label the mapping does not have or the series
// lacks).
type seriesKey struct {
	uuid, name string
}

// table is one dimension's answers by series.
type table struct {
	quantile map[seriesKey]float64
	series   map[seriesKey][]Point
}

// index finds series by UUID and by name over every dimension's answers.
type index struct {
	byUUID, byName map[string][]seriesKey
}

func newIndex(tables []*table) *index {
	ix := &index{byUUID: map[string][]seriesKey{}, byName: map[string][]seriesKey{}}
	seen := map[seriesKey]bool{}
	add := func(k seriesKey) {
		if seen[k] {
			return
		}
		seen[k] = true
		if k.uuid != "" {
			ix.byUUID[k.uuid] = append(ix.byUUID[k.uuid], k)
		}
		if k.name != "" {
			ix.byName[k.name] = append(ix.byName[k.name], k)
		}
	}
	for _, t := range tables {
		if t == nil {
			continue
		}
		for _, k := range sortedKeys(t.quantile) {
			add(k)
		}
		for _, k := range sortedKeys(t.series) {
			add(k)
		}
	}
	return ix
}

// resolve finds the series of guest g: those carrying its UUID, else
// those carrying its name and no other UUID. miss is set when there are
// none.
func (ix *index) resolve(g GuestRef) (keys []seriesKey, by MatchedBy, miss *Missing) {
	uuid := strings.ToLower(g.UUID)
	if uuid != "" {
		if keys := ix.byUUID[uuid]; len(keys) > 0 {
			return keys, MatchedUUID, nil
		}
	}
	if g.Name == "" {
		return nil, MatchedNone, &Missing{Guest: g, Reason: MissNoSeries}
	}
	var same []seriesKey
	var others []string // UUIDs of other domains with the name
	for _, k := range ix.byName[g.Name] {
		switch {
		case k.uuid == "":
			same = append(same, k)
		case uuid != "": // k.uuid differs, or byUUID would have found it
			others = appendNew(others, k.uuid)
		default:
			same = append(same, k)
		}
	}
	var uuids []string
	for _, k := range same {
		if k.uuid != "" {
			uuids = appendNew(uuids, k.uuid)
		}
	}
	switch {
	case len(uuids) > 1:
		return nil, MatchedNone, &Missing{Guest: g, Reason: MissAmbiguous, UUIDs: uuids}
	case len(same) > 0:
		return same, MatchedName, nil
	case len(others) > 0:
		return nil, MatchedNone, &Missing{Guest: g, Reason: MissOtherUUID, UUIDs: others}
	}
	return nil, MatchedNone, &Missing{Guest: g, Reason: MissNoSeries}
}

// pick chooses among a guest's series in one dimension: the only one, or
// (for a guest renamed within the window) the one under its current name,
// else the one with the highest figure, which plans on the safe side.
// ok is false when the dimension has none of them.
func (t *table) pick(keys []seriesKey, name string) (k seriesKey, ok bool) {
	best := -1.0
	for _, c := range keys {
		v, has := t.quantile[c]
		if !has {
			continue
		}
		if c.name == name {
			return c, true
		}
		if !ok || v > best {
			k, best, ok = c, v, true
		}
	}
	return k, ok
}

// guestUsage assembles guest g's figures from every dimension's table
// (nil for a dimension not read or not answered).
func guestUsage(g GuestRef, ix *index, tables [inventory.NumDims]*table, scale [inventory.NumDims]float64) (GuestUsage, *Missing) {
	gu := GuestUsage{Guest: g}
	keys, by, miss := ix.resolve(g)
	if miss != nil {
		return gu, miss
	}
	gu.MatchedBy = by
	var names []string
	for _, k := range keys {
		names = appendNew(names, k.name)
	}
	if len(names) > 1 {
		gu.Note = "several series (renamed during the window?): " + strings.Join(names, ", ") + "; the current name's is used, else the highest"
	}
	for d, t := range tables {
		if t == nil {
			continue
		}
		k, ok := t.pick(keys, g.Name)
		if !ok {
			continue
		}
		gu.Quantile[d], gu.Has[d] = t.quantile[k]*scale[d], true
		for _, p := range t.series[k] {
			gu.Series[d] = append(gu.Series[d], Point{T: p.T, V: p.V * scale[d]})
		}
	}
	return gu, nil
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// sortedKeys makes the index's order, and so every choice made from it,
// independent of map iteration.
func sortedKeys[V any](m map[seriesKey]V) []seriesKey {
	keys := make([]seriesKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b seriesKey) int {
		if c := strings.Compare(a.uuid, b.uuid); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	return keys
}
