package planner

import (
	"encoding/json"
	"math"

	"github.com/berth-dev/berth/inventory"
)

// A plan document writes amounts as typed readers expect them (issue 13.3):
// bytes, IOPS and bits per second as integers, vCPUs as decimals, ratios
// (overcommit, headroom, overhead, utilisation) as decimals, and never a
// number in exponent form. The plan's types keep inventory.Vector in
// memory; these methods write their vectors as inventory.Amounts or
// inventory.Ratios. Each shadows only its vector fields, so a field added
// to a type is written without a change here. Reading needs nothing:
// Vector reads integers and decimals alike.
//
// Amounts round the integral dimensions to whole units, so a plan read
// back holds loads up to half a unit per guest off what was planned:
// berth validate's sums allow for that (verify.go, nearWhole), and the
// plan read back writes the same bytes, as its checksum needs.

// MarshalJSON writes the host with its amounts as integers (see above).
func (h HostPlan) MarshalJSON() ([]byte, error) {
	type plain HostPlan
	return json.Marshal(struct {
		plain
		Offered inventory.Amounts `json:"offered"`
		Before  inventory.Amounts `json:"before"`
		After   inventory.Amounts `json:"after"`
	}{plain(h), inventory.Amounts(h.Offered), inventory.Amounts(h.Before), inventory.Amounts(h.After)})
}

// MarshalJSON writes the action with its amounts as integers.
func (a Action) MarshalJSON() ([]byte, error) {
	type plain Action
	return json.Marshal(struct {
		plain
		Allocation inventory.Amounts `json:"allocation"`
		Demand     inventory.Amounts `json:"demand"`
	}{plain(a), inventory.Amounts(a.Allocation), inventory.Amounts(a.Demand)})
}

// MarshalJSON writes the unplaced guest with its demand as integers.
func (u Unplaced) MarshalJSON() ([]byte, error) {
	type plain Unplaced
	return json.Marshal(struct {
		plain
		Demand inventory.Amounts `json:"demand"`
	}{plain(u), inventory.Amounts(u.Demand)})
}

// MarshalJSON writes the shortfall as integers.
func (n Nearest) MarshalJSON() ([]byte, error) {
	type plain Nearest
	return json.Marshal(struct {
		plain
		Short inventory.Amounts `json:"short"`
	}{plain(n), inventory.Amounts(n.Short)})
}

// MarshalJSON writes the amounts a host lacks or has as integers for the
// integral dimensions.
func (r Refusal) MarshalJSON() ([]byte, error) {
	type plain Refusal
	if d, ok := inventory.ParseDimension(r.Dimension); ok && d.Integral() {
		r.Requested, r.Free = math.Round(r.Requested), math.Round(r.Free)
	}
	return json.Marshal(plain(r))
}

// MarshalJSON writes the metrics: utilisation as ratios, stranded
// capacity as amounts.
func (m Metrics) MarshalJSON() ([]byte, error) {
	type plain Metrics
	return json.Marshal(struct {
		plain
		UtilisationBefore inventory.Ratios  `json:"utilisationBefore"`
		Utilisation       inventory.Ratios  `json:"utilisation"`
		Stranded          inventory.Amounts `json:"stranded"`
	}{plain(m), inventory.Ratios(m.UtilisationBefore), inventory.Ratios(m.Utilisation), inventory.Amounts(m.Stranded)})
}

// MarshalJSON writes the policy's per-dimension knobs as ratios.
func (p PolicyView) MarshalJSON() ([]byte, error) {
	type plain PolicyView
	return json.Marshal(struct {
		plain
		Overcommit inventory.Ratios `json:"overcommit"`
		Headroom   inventory.Ratios `json:"headroom"`
		Overhead   inventory.Ratios `json:"overhead"`
	}{plain(p), inventory.Ratios(p.Overcommit), inventory.Ratios(p.Headroom), inventory.Ratios(p.Overhead)})
}
