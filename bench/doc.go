// Package bench measures berth's packing quality so that anyone can check
// the claims: RunVBP packs public vector bin packing instances (the `.vbp`
// files of package vbp) with one of placement's strategies or with a
// textbook or peer baseline, checks every solution independently of the
// packer, and reports the hosts used against lower bounds and published
// optima. `berth bench` is its command line.
package bench
