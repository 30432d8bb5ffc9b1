// Package apply carries a saved Plan out on its libvirt hosts: Prepare
// checks the plan against the hosts as they are now (refusing a stale one)
// and opens the plan's journal; Run then creates the plan's new guests,
// host by host, journaling every step so that a later run resumes where an
// interrupted one stopped, and rolling back a create that fails.
//
// It is the one part of berth's planning that changes a fleet and the only
// one that talks to libvirt (through package hypervisor), so package planner
// links no libvirt. apply reads the plan through the planner's exported API
// (Plan, HostPlan, Action, HostFingerprint) and nothing else.
package apply
