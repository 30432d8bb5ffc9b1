package hvtest

import (
	"encoding/binary"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Numbers of libvirt's RPC protocol (src/rpc/virnetprotocol.x and
// src/remote/remote_protocol.x) a relay's cut rule looks at.
const (
	// RemoteProgram is the program number of libvirt's remote driver;
	// only its packets are shown to a cut rule (keepalives pass as they
	// are).
	RemoteProgram = 0x20008086

	TypeCall  = 0 // VIR_NET_CALL: a call from the client
	TypeReply = 1 // VIR_NET_REPLY: the daemon's answer to a call

	ProcDomainCreate         = 9   // REMOTE_PROC_DOMAIN_CREATE (start a domain)
	ProcDomainDefineXML      = 11  // REMOTE_PROC_DOMAIN_DEFINE_XML
	ProcDomainGetXMLDesc     = 14  // REMOTE_PROC_DOMAIN_GET_XML_DESC
	ProcStorageVolCreateXML  = 93  // REMOTE_PROC_STORAGE_VOL_CREATE_XML
	ProcStorageVolDelete     = 94  // REMOTE_PROC_STORAGE_VOL_DELETE
	ProcNodeGetMemoryStats   = 228 // REMOTE_PROC_NODE_GET_MEMORY_STATS
	ProcDomainGetJobStats    = 298 // REMOTE_PROC_DOMAIN_GET_JOB_STATS
	ProcMigratePrepare3      = 303 // REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS (source daemon to destination)
	ProcGetAllDomainStats    = 344 // REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS
	ProcDomainDefineXMLFlags = 350 // REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS
)

// Packet is one packet of libvirt's remote program going through a relay,
// as its header says: a 4-byte length (of the whole packet), then program,
// version, procedure, type, serial and status, 4 bytes each.
type Packet struct {
	// FromClient is true for packets from berth to libvirtd.
	FromClient bool
	Proc, Type uint32
	// Size is the whole packet's length in bytes, header included.
	Size int
	// Calls is how many calls of Proc the client has made on this
	// connection so far, this one included (for a reply: the call it
	// answers, when calls are not overlapped).
	Calls int
}

// IsCall reports whether p is the n-th call of proc on its connection.
func (p Packet) IsCall(proc uint32, n int) bool {
	return p.FromClient && p.Type == TypeCall && p.Proc == proc && p.Calls == n
}

// IsReply reports whether p is libvirtd's reply to the n-th call of proc
// on its connection.
func (p Packet) IsReply(proc uint32, n int) bool {
	return !p.FromClient && p.Type == TypeReply && p.Proc == proc && p.Calls == n
}

// Cut is what a relay does with a packet.
type Cut int

const (
	Pass      Cut = iota // forward it
	CutBefore            // close the connection instead of forwarding the packet
	CutHalf              // forward the first half of the packet, then close
	CutAfter             // forward the packet, then close
	Stall                // forward nothing more, but keep the connection open
)

// CutAt is a rule that does act at the first packet for which when is
// true and passes every other packet. With CutBefore on a reply, libvirtd
// has done the call and the client never learns it; with CutBefore on a
// call, libvirtd never sees it; with Stall, the call gets no answer at all.
func CutAt(when func(Packet) bool, act Cut) func(Packet) Cut {
	var once sync.Once
	return func(p Packet) Cut {
		out := Pass
		if when(p) {
			once.Do(func() { out = act })
		}
		return out
	}
}

// Relay forwards connections from a unix socket of its own to the local
// libvirtd's, packet by packet, and cuts a connection (both ways) where
// its rule says: the network between berth and a host going away, without
// touching the libvirtd other tests share. Connect to it with URI.
type Relay struct {
	path string
	rule func(Packet) Cut
	// target is the daemon's socket and uriBase its URI without the
	// socket parameter.
	target, uriBase string

	mu     sync.Mutex
	conns  []*relayConn
	cuts   []Packet // where connections were cut
	closed bool
}

// StartRelay listens on a socket of its own and forwards each connection
// to libvirtd until the test ends, asking rule about every packet of the
// remote program (nil: pass everything). The rule is called from the
// relay's goroutines, one packet at a time per direction of a connection.
func StartRelay(t testing.TB, rule func(Packet) Cut) *Relay {
	t.Helper()
	return StartRelayTo(t, libvirtdSocket, "qemu+unix:///system", rule)
}

// StartRelayTo is StartRelay for the daemon listening on socket, reached
// with uriBase (qemu+unix:///session for a session daemon).
func StartRelayTo(t testing.TB, socket, uriBase string, rule func(Packet) Cut) *Relay {
	t.Helper()
	if rule == nil {
		rule = func(Packet) Cut { return Pass }
	}
	// Not t.TempDir(): a unix socket's path must stay under 108 bytes.
	dir, err := os.MkdirTemp("", "berth-relay-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	r := &Relay{path: filepath.Join(dir, "libvirt.sock"), rule: rule, target: socket, uriBase: uriBase}
	ln, err := net.Listen("unix", r.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ln.Close()
		r.mu.Lock()
		r.closed = true
		conns := r.conns
		r.mu.Unlock()
		for _, c := range conns {
			c.close()
		}
	})
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("unix", r.target)
			if err != nil {
				client.Close()
				continue
			}
			rc := &relayConn{r: r, calls: map[uint32]int{}}
			rc.close = sync.OnceFunc(func() { client.Close(); server.Close() })
			r.mu.Lock()
			closed := r.closed
			r.conns = append(r.conns, rc)
			r.mu.Unlock()
			if closed {
				rc.close()
				continue
			}
			go rc.pipe(client, server, true)
			go rc.pipe(server, client, false)
		}
	}()
	return r
}

// URI is the libvirt URI that reaches the daemon through the relay.
func (r *Relay) URI() string { return r.uriBase + "?socket=" + r.path }

// Cuts returns the packets at which connections were cut (CutNow's cuts
// are not packets and are not listed).
func (r *Relay) Cuts() []Packet {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Packet(nil), r.cuts...)
}

// CutNow closes every connection open through the relay, both ways, at
// once. New connections are still forwarded.
func (r *Relay) CutNow() {
	r.mu.Lock()
	conns := r.conns
	r.conns = nil
	r.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
}

// relayConn is one client connection through the relay.
type relayConn struct {
	r     *Relay
	close func() // closes both sides

	mu      sync.Mutex
	calls   map[uint32]int // calls made, by procedure
	stalled bool
}

// pipe copies packets from src to dst until either side closes or the
// rule says to cut the connection.
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
		act := Pass
		if binary.BigEndian.Uint32(hdr[4:8]) == RemoteProgram {
			p := Packet{FromClient: fromClient, Size: size,
				Proc: binary.BigEndian.Uint32(hdr[12:16]), Type: binary.BigEndian.Uint32(hdr[16:20])}
			rc.mu.Lock()
			if fromClient && p.Type == TypeCall {
				rc.calls[p.Proc]++
			}
			p.Calls = rc.calls[p.Proc]
			rc.mu.Unlock()
			if act = rc.r.rule(p); act != Pass {
				rc.r.mu.Lock()
				rc.r.cuts = append(rc.r.cuts, p)
				rc.r.mu.Unlock()
			}
		}
		rc.mu.Lock()
		rc.stalled = rc.stalled || act == Stall
		stalled := rc.stalled
		rc.mu.Unlock()
		switch {
		case stalled:
			continue // swallowed, until the test ends
		case act == CutBefore:
			return
		case act == CutHalf:
			buf = buf[:size/2]
		}
		if _, err := dst.Write(buf); err != nil || act != Pass {
			return
		}
	}
}
