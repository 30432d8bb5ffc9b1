// Package live reads the fleet from live libvirt hosts: ReadFleet connects
// to each Source (through package hypervisor), reads its node facts, its
// domains and, over a sampling window, their observed use, and turns them
// into the hosts and guests of package inventory's model. Hosts are read
// in parallel, each within its own timeout; a host that fails is reported
// in Fleet.Status and the rest are still read.
//
// It is the only part of the inventory that links libvirt, so that the
// fleet model, the planner and everything that only reads scenario files
// build and run without it.
package live
