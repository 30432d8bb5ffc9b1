package hypervisor

import (
	"context"
	"slices"
	"testing"
)

// TestPresence reads what apply's checks read, from libvirt's built-in
// test host (one active pool, network and interface each), including what
// an inactive pool and network look like once destroyed on the connection.
func TestPresence(t *testing.T) {
	c := connect(t, "test:///default")
	ctx := context.Background()
	cases := []struct {
		name string
		read func(string) (Presence, error)
		have string
	}{
		{"pool", func(n string) (Presence, error) { return c.PoolPresence(ctx, n) }, "default-pool"},
		{"network", func(n string) (Presence, error) { return c.NetworkPresence(ctx, n) }, "default"},
		{"interface", func(n string) (Presence, error) { return c.InterfacePresence(ctx, n) }, "eth1"},
	}
	for _, tc := range cases {
		if p, err := tc.read(tc.have); err != nil || p != Active {
			t.Errorf("%s %s: %v, %v; want active", tc.name, tc.have, p, err)
		}
		if p, err := tc.read("no-such-" + tc.name); err != nil || p != Absent {
			t.Errorf("%s that does not exist: %v, %v; want absent", tc.name, p, err)
		}
	}
	pool, err := c.Raw().LookupStoragePoolByName("default-pool")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Free()
	if err := pool.Destroy(); err != nil {
		t.Fatal(err)
	}
	if p, err := c.PoolPresence(ctx, "default-pool"); err != nil || p != Inactive {
		t.Errorf("a stopped pool: %v, %v; want inactive", p, err)
	}
	net, err := c.Raw().LookupNetworkByName("default")
	if err != nil {
		t.Fatal(err)
	}
	defer net.Free()
	if err := net.Destroy(); err != nil {
		t.Fatal(err)
	}
	if p, err := c.NetworkPresence(ctx, "default"); err != nil || p != Inactive {
		t.Errorf("a stopped network: %v, %v; want inactive", p, err)
	}
	types, err := c.GuestTypes(ctx)
	if err != nil || !slices.Contains(types["i686"], "test") {
		t.Errorf("guest types %v, %v; want test for i686", types, err)
	}
}
