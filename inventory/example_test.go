package inventory_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/berth-dev/berth/inventory"
)

func ExampleParseQuantity() {
	for _, in := range []string{"256Gi", "64G", "16GB"} {
		v, err := inventory.ParseQuantity(inventory.Memory, in)
		fmt.Println(v, err)
	}
	v, _ := inventory.ParseQuantity(inventory.Net, "10Gbps")
	fmt.Println(inventory.FormatQuantity(inventory.Net, v), inventory.FormatQuantityExact(inventory.Net, v))
	// Output:
	// 2.74877906944e+11 <nil>
	// 6.4e+10 <nil>
	// 0 "16GB" is ambiguous: write 16Gi (2^30 bytes) or 16G (10^9 bytes)
	// 10 Gbps 10Gbps
}

func ExampleParseScenario() {
	_, err := inventory.ParseScenario("fleet.yaml", []byte(`apiVersion: berth/v1
hosts:
  - name: kvm01
    capacity: {cpu: 32, memory: 16GB, iops: 20k, net: 10Gbps}
    guests:
      - {name: web-1, profile: wbe}
`))
	var ps inventory.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			fmt.Printf("line %d, %s: %s\n", p.Line, p.Field, p.Message)
		}
	}
	// Output:
	// line 4, hosts[0].capacity.memory: "16GB" is ambiguous: write 16Gi (2^30 bytes) or 16G (10^9 bytes)
	// line 6, hosts[0].guests[0].profile: unknown profile "wbe" (known: cache, db, web); did you mean "web"?
}

func ExampleWriteScenario() {
	s, err := inventory.ParseScenario("fleet.yaml", []byte(`apiVersion: berth/v1
policy: {headroom: 85%}
hosts:
  - name: kvm01
    labels: {zone: z1, rack: r1}
    capacity: {cpu: 32, memory: 274877906944, iops: 20000, net: 10000Mbps}
    guests:
      - {name: web-1, profile: web, allocation: {cpu: 4}}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = inventory.WriteScenario(os.Stdout, s)
	// Output:
	// # Scenario for berth (format: docs/scenario.md).
	// apiVersion: berth/v1
	// policy:
	//   headroom: 0.85
	// hosts:
	//   - name: kvm01
	//     labels: {rack: r1, zone: z1}
	//     capacity: {cpu: 32, memory: 256Gi, iops: 20k, net: 10Gbps}
	//     guests:
	//       - {name: web-1, profile: web, allocation: {cpu: 4}}
}
