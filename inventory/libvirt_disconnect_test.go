package inventory

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/hypervisor"
	"github.com/berth-dev/berth/hypervisor/hvtest"
)

// libvirtdSocket is where the local libvirtd (the one hvtest.Daemon makes
// sure of) listens for qemu:///system.
const libvirtdSocket = "/run/libvirt/libvirt-sock"

// Numbers of libvirt's RPC protocol (src/rpc/virnetprotocol.x and
// src/remote/remote_protocol.x) that the relay watches for.
const (
	rpcRemoteProgram = 0x20008086
	rpcCall          = 0 // VIR_NET_CALL
	rpcReply         = 1 // VIR_NET_REPLY

	procDomainGetXMLDesc   = 14  // REMOTE_PROC_DOMAIN_GET_XML_DESC
	procNodeGetMemoryStats = 228 // REMOTE_PROC_NODE_GET_MEMORY_STATS
	procGetAllDomainStats  = 344 // REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS
)

// rpcPacket is one packet of libvirt's remote program going through the
// relay: a 4-byte length (of the whole packet), then program, version,
// procedure, type, serial and status, 4 bytes each.
type rpcPacket struct {
	FromClient bool
	Proc, Type uint32
	Size       int
	// Calls is how many calls of Proc the client has made on this
	// connection so far, this one included.
	Calls int
}

// cutAction is what the relay does with a packet.
type cutAction int

const (
	pass      cutAction = iota
	cutBefore           // close the connection instead of forwarding the packet
	cutHalf             // forward the first half of the packet, then close
	cutAfter            // forward the packet, then close
	stall               // forward nothing more, but keep the connection open
)

// relay forwards connections from a unix socket of its own to libvirtd's,
// packet by packet, and cuts a connection (both ways) where cut says: the
// network between berth and a host going away, without touching the
// libvirtd that other tests share.
type relay struct {
	path string
	cut  func(rpcPacket) cutAction

	mu    sync.Mutex
	conns []net.Conn
	cuts  []rpcPacket // where connections were cut
}

// startRelay listens on a socket of its own and forwards to libvirtd until
// the test ends.
func startRelay(t *testing.T, cut func(rpcPacket) cutAction) *relay {
	t.Helper()
	// Not t.TempDir(): a unix socket's path must stay under 108 bytes.
	dir, err := os.MkdirTemp("", "berth-relay-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	r := &relay{path: filepath.Join(dir, "libvirt.sock"), cut: cut}
	ln, err := net.Listen("unix", r.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ln.Close()
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, c := range r.conns {
			c.Close()
		}
	})
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("unix", libvirtdSocket)
			if err != nil {
				client.Close()
				continue
			}
			r.mu.Lock()
			r.conns = append(r.conns, client, server)
			r.mu.Unlock()
			rc := &relayConn{r: r, calls: map[uint32]int{}}
			rc.close = sync.OnceFunc(func() { client.Close(); server.Close() })
			go rc.pipe(client, server, true)
			go rc.pipe(server, client, false)
		}
	}()
	return r
}

// URI is the libvirt URI that reaches libvirtd through the relay.
func (r *relay) URI() string { return "qemu+unix:///system?socket=" + r.path }

// Cuts returns the packets at which connections were cut.
func (r *relay) Cuts() []rpcPacket {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]rpcPacket(nil), r.cuts...)
}

// relayConn is one client connection through the relay.
type relayConn struct {
	r     *relay
	close func() // closes both sides

	mu      sync.Mutex
	calls   map[uint32]int // calls made, by procedure
	stalled bool
}

// pipe copies packets from src to dst until either side closes or cut
// says to cut the connection.
func (rc *relayConn) pipe(src, dst net.Conn, fromClient bool) {
	defer rc.close()
	var hdr [28]byte
	for {
		if _, err := io.ReadFull(src, hdr[:]); err != nil {
			return
		}
		size := int(binary.BigEndian.Uint32(hdr[0:4]))
		if size < len(hdr) || size > 64<<20 {
			return
		}
		buf := make([]byte, size)
		copy(buf, hdr[:])
		if _, err := io.ReadFull(src, buf[len(hdr):]); err != nil {
			return
		}
		act := pass
		if binary.BigEndian.Uint32(hdr[4:8]) == rpcRemoteProgram {
			p := rpcPacket{FromClient: fromClient, Size: size,
				Proc: binary.BigEndian.Uint32(hdr[12:16]), Type: binary.BigEndian.Uint32(hdr[16:20])}
			rc.mu.Lock()
			if fromClient && p.Type == rpcCall {
				rc.calls[p.Proc]++
			}
			p.Calls = rc.calls[p.Proc]
			rc.mu.Unlock()
			if act = rc.r.cut(p); act != pass {
				rc.r.mu.Lock()
				rc.r.cuts = append(rc.r.cuts, p)
				rc.r.mu.Unlock()
			}
		}
		rc.mu.Lock()
		rc.stalled = rc.stalled || act == stall
		stalled := rc.stalled
		rc.mu.Unlock()
		switch {
		case stalled:
			continue // swallowed, until the test ends
		case act == cutBefore:
			return
		case act == cutHalf:
			buf = buf[:size/2]
		}
		if _, err := dst.Write(buf); err != nil || act != pass {
			return
		}
	}
}

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
	firstXMLReply := func(p rpcPacket) bool {
		return !p.FromClient && p.Type == rpcReply && p.Proc == procDomainGetXMLDesc && p.Calls == 1
	}
	// A reading is one bulk-stats call, then the node's CPU and memory
	// stats, each asked twice (for the number of parameters, then the
	// values): the second memory-stats answer ends it.
	endOfFirstReading := func(p rpcPacket) bool {
		return !p.FromClient && p.Type == rpcReply && p.Proc == procNodeGetMemoryStats && p.Calls == 2
	}
	secondCall := func(p rpcPacket) bool {
		return p.FromClient && p.Proc == procGetAllDomainStats && p.Calls == 2
	}
	secondReply := func(p rpcPacket) bool {
		return !p.FromClient && p.Type == rpcReply && p.Proc == procGetAllDomainStats && p.Calls == 2
	}
	cuts := []struct {
		name   string
		when   func(rpcPacket) bool
		act    cutAction
		after  time.Duration // the least time the host can take to fail
		reason hypervisor.Kind
		error  string // how the error starts
	}{
		{"domain-xml", firstXMLReply, cutHalf, 0, hypervisor.KindUnreachable, "connection lost during list domains: "},
		{"in-window", endOfFirstReading, cutAfter, window, hypervisor.KindUnreachable, "connection lost during read domain stats: "},
		{"second-call", secondCall, cutBefore, window, hypervisor.KindUnreachable, "connection lost during read domain stats: "},
		{"second-reply", secondReply, cutHalf, window, hypervisor.KindUnreachable, "connection lost during read domain stats: "},
		{"silent", secondCall, stall, limit, hypervisor.KindTimeout, "read domain stats: no answer in time"},
	}
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprintf("strict=%v", strict), func(t *testing.T) {
			t.Parallel()
			sources := []Source{{URI: testURI(t, "kvm-a1")}}
			relays := make([]*relay, len(cuts))
			for i, cut := range cuts {
				relays[i] = startRelay(t, func(p rpcPacket) cutAction {
					if cut.when(p) {
						return cut.act
					}
					return pass
				})
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
