package hypervisor

import (
	"context"
	"testing"
)

// TestShutdownDomain: the test driver's guest shuts down when asked; asking
// again, or for a domain that is not there, is not an error.
func TestShutdownDomain(t *testing.T) {
	c := connect(t, "test:///default")
	ctx := context.Background()
	if err := c.ShutdownDomain(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	d, err := c.LookupDomain(ctx, "test")
	if err != nil || d == nil {
		t.Fatalf("LookupDomain(test) = %v, %v", d, err)
	}
	if d.Running() {
		t.Errorf("after ShutdownDomain the domain is %s, want shut off", d.State)
	}
	if err := c.ShutdownDomain(ctx, "test"); err != nil {
		t.Errorf("shutting down a shut-off domain: %v", err)
	}
	if err := c.ShutdownDomain(ctx, "no-such-domain"); err != nil {
		t.Errorf("shutting down a missing domain: %v", err)
	}
}
