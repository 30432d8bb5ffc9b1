// Package history reads what guests used over days from Prometheus: per
// guest and dimension, a quantile (the 95th percentile, say) of the load
// over a window (a week, say), and a short downsampled series of it for
// sparklines. Its figures become a guest's observed use, and
// Classify turns them into an appetite (cpu, memory, iops or net).
//
// One PromQL query per dimension covers every guest at once: the
// per-step load is computed in a subquery and reduced by
// quantile_over_time inside Prometheus, so an answer holds one number
// per guest, not a week of points (query.go says why and what it costs).
// Guests are matched to series by UUID, by name where the UUID is not
// there (match.go).
//
// The metric names default to those of Debian 12's
// prometheus-libvirt-exporter (0.2.0); others are mapped in Config.
// docs/load-history.md is the user's side of this package.
//
// The package talks HTTP to Prometheus and nothing else: it knows the
// fleet model's vectors and dimensions, not libvirt.
package history
