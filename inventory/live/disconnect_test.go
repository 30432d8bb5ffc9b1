package live

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/hypervisor/hvtest"
)

// TestReadFleetDisconnectMidRead reads a fleet in which several hosts are
// the real libvirtd, each through a relay that cuts the connection at its
// own moment of the read: half-way through a domain's XML, and in the
// --sample window after the first reading of the bulk stats: while berth
// waits out the window, when it asks for the second reading, half-way
// through libvirtd's answer to it, and, as a network that drops packets
// without closing anything, by no longer forwarding from the second reading
// on. Each such host must be reported with its reason (unreachable; timeout
// for the silent network, after the per-host limit and no later) and the
// failing call in its error, and be left out of the hosts and so of
// planning, while the test-driver hosts of the same read are read as usual;
// under Strict the error names every failed host.
func TestReadFleetDisconnectMidRead(t *testing.T) {
	c := hvtest.Daemon(t)
	// A running guest, so that there is a domain to list and the bulk
	// stats are not empty.
	hvtest.TinyGuest(t, c, "disconnect")
	const (
		window = 2 * time.Second
		// The silent host is given up on after this (plus the window);
		// the others fail long before it.
		timeout = 8 * time.Second
		limit   = window + timeout
	)
	firstXMLReply := func(p hvtest.Packet) bool { return p.IsReply(hvtest.ProcDomainGetXMLDesc, 1) }
	// A reading is one bulk-stats call, then the node's CPU and memory
	// stats, each asked twice (for the number of parameters, then the
	// values): the second memory-stats answer ends it.
	endOfFirstReading := func(p hvtest.Packet) bool { return p.IsReply(hvtest.ProcNodeGetMemoryStats, 2) }
	secondCall := func(p hvtest.Packet) bool { return p.IsCall(hvtest.ProcGetAllDomainStats, 2) }
	secondReply := func(p hvtest.Packet) bool { return p.IsReply(hvtest.ProcGetAllDomainStats, 2) }
	cuts := []struct {
		name   string
		when   func(hvtest.Packet) bool
		act    hvtest.Cut
		after  time.Duration // the least time the host can take to fail
		reason hypervisor.Kind
		error  string // how the error starts
	}{
		{"domain-xml", firstXMLReply, hvtest.CutHalf, 0, hypervisor.KindUnreachable, "connection lost during list domains: "},
		{"in-window", endOfFirstReading, hvtest.CutAfter, window, hypervisor.KindUnreachable, "connection lost during read domain stats: "},
		{"second-call", secondCall, hvtest.CutBefore, window, hypervisor.KindUnreachable, "connection lost during read domain stats: "},
		{"second-reply", secondReply, hvtest.CutHalf, window, hypervisor.KindUnreachable, "connection lost during read domain stats: "},
		{"silent", secondCall, hvtest.Stall, limit, hypervisor.KindTimeout, "read domain stats: no answer within " + (window + timeout).String()},
	}
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprintf("strict=%v", strict), func(t *testing.T) {
			t.Parallel()
			sources := []Source{{URI: testURI(t, "kvm-a1")}}
			relays := make([]*hvtest.Relay, len(cuts))
			for i, cut := range cuts {
				relays[i] = hvtest.StartRelay(t, hvtest.CutAt(cut.when, cut.act))
				sources = append(sources, Source{Name: "kvm-cut-" + cut.name, URI: relays[i].URI()})
			}
			sources = append(sources, Source{URI: testURI(t, "kvm-b1")})

			type result struct {
				fleet *Fleet
				err   error
			}
			done := make(chan result, 1)
			go func() {
				f, err := ReadFleet(context.Background(), sources, ReadOptions{Sample: window, Timeout: timeout, Strict: strict})
				done <- result{f, err}
			}()
			var res result
			select {
			case res = <-done:
			case <-time.After(limit + 5*time.Second):
				t.Fatalf("ReadFleet still running 5s after the per-host limit of %v", limit)
			}
			fleet, err := res.fleet, res.err

			var fe *FailedHostsError
			switch {
			case !strict && err != nil:
				t.Fatalf("non-strict read: %v", err)
			case strict && !errors.As(err, &fe):
				t.Fatalf("strict read: err = %v, want *FailedHostsError", err)
			case strict && len(fe.Failed) != len(cuts):
				t.Errorf("strict read: %d failed, want %d: %v", len(fe.Failed), len(cuts), err)
			}
			if fleet == nil {
				t.Fatalf("no fleet (err %v)", err)
			}
			var read []string
			for _, h := range fleet.Hosts {
				read = append(read, h.Name)
			}
			if len(read) != 2 || read[0] != "kvm-a1" || read[1] != "kvm-b1" {
				t.Errorf("hosts read: %v, want [kvm-a1 kvm-b1]", read)
			}
			for j, i := range []int{0, len(sources) - 1} {
				if st := fleet.Status[i]; !st.OK() || j < len(fleet.Hosts) && st.Guests != len(fleet.Hosts[j].Guests) {
					t.Errorf("test-driver host %d: %+v", i, st)
				}
			}
			if sc := fleet.Scenario("cut"); len(sc.Hosts) != 2 {
				t.Errorf("snapshot has %d hosts, want kvm-a1 and kvm-b1", len(sc.Hosts))
			}

			for i, cut := range cuts {
				st := fleet.Status[i+1]
				t.Logf("%s: %s: %s (after %v)", st.Name, st.Reason, st.Error, st.Elapsed.Round(time.Millisecond))
				if n := len(relays[i].Cuts()); n != 1 {
					t.Errorf("%s: connection cut %d times, want once", st.Name, n)
				}
				if st.OK() || st.Name != "kvm-cut-"+cut.name || st.URI != relays[i].URI() || st.Guests != 0 ||
					st.Reason != cut.reason || !strings.HasPrefix(st.Error, cut.error) {
					t.Errorf("status %+v; want kvm-cut-%s %s, error starting %q", st, cut.name, cut.reason, cut.error)
				}
				// The reading before the cut went through, and the host
				// is given up on within its limit.
				if st.Elapsed < cut.after || st.Elapsed > limit+time.Second {
					t.Errorf("%s failed after %v, want between %v and %v", st.Name, st.Elapsed, cut.after, limit+time.Second)
				}
				if want := fmt.Sprintf("\n  %s: %s: %s", st.Name, st.Reason, st.Error); strict && !strings.Contains(err.Error(), want) {
					t.Errorf("strict error does not say %q:\n%v", want, err)
				}
			}
		})
	}
}
