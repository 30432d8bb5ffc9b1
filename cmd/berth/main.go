// Command berth plans, explores and applies guest placements on libvirt/KVM
// fleets. See README.md for a tour.
package main

import "os"

func main() {
	os.Exit(superviseCrashes(os.Args[1:]))
}
