package history

import (
	"fmt"
	"time"

	"github.com/berth-dev/berth/inventory"
)

// GuestRef names a guest whose history is wanted: its libvirt UUID and
// name (either may be "").
type GuestRef struct {
	Name, UUID string
}

func (g GuestRef) String() string {
	switch {
	case g.UUID == "":
		return g.Name
	case g.Name == "":
		return "uuid " + g.UUID
	}
	return fmt.Sprintf("%s (uuid %s)", g.Name, g.UUID)
}

// MatchedBy says how a guest was found among the series.
type MatchedBy string

const (
	MatchedNone MatchedBy = ""
	MatchedUUID MatchedBy = "uuid"
	MatchedName MatchedBy = "name" // no series had its UUID
)

// Point is one point of a downsampled series: the quantile of the load
// over the bucket that ends at T.
type Point struct {
	T time.Time
	V float64
}

// GuestUsage is what one guest used over the window.
type GuestUsage struct {
	Guest     GuestRef
	MatchedBy MatchedBy
	// Quantile is the config's quantile of the load per dimension, in the
	// dimension's base unit (cores, bytes, ops/s, bits/s); Has says which
	// dimensions have a figure.
	Quantile inventory.Vector
	Has      [inventory.NumDims]bool
	// Series are the downsampled series per dimension (oldest first; nil
	// without Config.SeriesPoints or without data). A bucket without data
	// has no point.
	Series [inventory.NumDims][]Point
	// Note says something worth knowing about the match ("" if nothing):
	// a guest renamed during the window has several series for its UUID.
	Note string
}

// Complete reports whether the guest has a figure in every dimension that
// was read.
func (g *GuestUsage) Complete(read [inventory.NumDims]bool) bool {
	for d := range read {
		if read[d] && !g.Has[d] {
			return false
		}
	}
	return true
}

// Observed is the guest's use as the inventory records it: the quantile
// where known, else what the guest was given (allocation), so that a
// dimension without history is planned on its allocation. known is false
// when no dimension had history.
func (g *GuestUsage) Observed(allocation inventory.Vector) (use inventory.Vector, known bool) {
	for d := range use {
		if g.Has[d] {
			use[d], known = g.Quantile[d], true
		} else {
			use[d] = allocation[d]
		}
	}
	return use, known
}

// MissReason is why a guest has no history at all.
type MissReason string

const (
	// MissNoSeries: no series carries the guest's UUID or name.
	MissNoSeries MissReason = "no-series"
	// MissOtherUUID: series carry the guest's name but another UUID (a
	// different domain of the same name, on another host or re-created);
	// they are not taken for this guest's.
	MissOtherUUID MissReason = "other-uuid"
	// MissAmbiguous: the guest has no UUID and several domains of its name
	// have series.
	MissAmbiguous MissReason = "ambiguous-name"
	// MissUnanswered: no query was answered (Prometheus down or slow; see
	// the ReadError).
	MissUnanswered MissReason = "unanswered"
)

// Missing is a guest with no history at all.
type Missing struct {
	Guest  GuestRef
	Reason MissReason
	// UUIDs are the other domains' UUIDs for MissOtherUUID and
	// MissAmbiguous.
	UUIDs []string
}

func (m Missing) String() string {
	switch m.Reason {
	case MissOtherUUID:
		return fmt.Sprintf("%s: no series with its uuid; series named %s carry uuid %v (another domain of the same name?)",
			m.Guest, m.Guest.Name, m.UUIDs)
	case MissAmbiguous:
		return fmt.Sprintf("%s: several domains named %s have series (uuids %v) and the guest has no uuid to tell them apart",
			m.Guest, m.Guest.Name, m.UUIDs)
	case MissUnanswered:
		return fmt.Sprintf("%s: Prometheus answered no query", m.Guest)
	}
	return fmt.Sprintf("%s: no series with its uuid or name in the window", m.Guest)
}

// Usage is the load history of the guests asked for.
type Usage struct {
	// Source is the Prometheus URL, its password hidden.
	Source string
	// Quantile, Window and Step are the config's; End is the end of the
	// window (the queries' evaluation time) and ReadAt when the read
	// started; Elapsed how long it took.
	Quantile     float64
	Window, Step time.Duration
	End, ReadAt  time.Time
	Elapsed      time.Duration
	// Read says which dimensions were asked for (have a metric) and
	// answered; Occupancy which of them measure what a guest holds, not
	// what it uses (Metric.Occupancy).
	Read      [inventory.NumDims]bool
	Occupancy [inventory.NumDims]bool
	// Guests has one entry per GuestRef given to Read, in that order.
	Guests []GuestUsage
	// Missing lists the guests with no figure in any dimension, in the
	// same order.
	Missing []Missing
	// Warnings are Prometheus's own (e.g. a query over its lookback).
	Warnings []string
}

// Partial lists the guests that have history in some dimensions read but
// not all (a guest without a network interface has no net series).
func (u *Usage) Partial() []*GuestUsage {
	var out []*GuestUsage
	for i := range u.Guests {
		g := &u.Guests[i]
		if g.MatchedBy != MatchedNone && !g.Complete(u.Read) {
			out = append(out, g)
		}
	}
	return out
}
