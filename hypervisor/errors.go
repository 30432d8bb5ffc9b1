package hypervisor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"libvirt.org/go/libvirt"
)

// Kind is the category of a failure to read a host, for reports and for
// deciding what to tell the operator.
type Kind string

const (
	KindNoLibrary   Kind = "no-libvirt"  // libvirt.so.0 cannot be loaded
	KindBadURI      Kind = "bad-uri"     // the URI does not parse or names no driver
	KindAuth        Kind = "auth"        // authentication failed or is not possible without a prompt
	KindDNS         Kind = "dns"         // the host name does not resolve
	KindUnreachable Kind = "unreachable" // no route, connection refused, ssh failed, daemon not running
	KindTimeout     Kind = "timeout"     // the host did not answer in time
	KindHostFile    Kind = "host-file"   // a test-driver host file is missing or invalid
	KindLibvirt     Kind = "libvirt"     // any other libvirt error (text in the message)
)

// NoLibraryMessage is the whole text of a KindNoLibrary error.
const NoLibraryMessage = "libvirt.so.0 cannot be loaded: install the Debian package libvirt0 (apt-get install libvirt0)"

// Error is a failure talking to one host. Its text never contains a
// password: URI is masked and so is the libvirt message.
type Error struct {
	Kind Kind
	// URI is the host's URI, masked with MaskURI.
	URI string
	// Op is what was being done ("connect", "list domains", …).
	Op string
	// Msg is libvirt's (or the system's) own message, masked.
	Msg string
	// Err is the underlying error (a libvirt.Error, a context error, …).
	Err error
}

func (e *Error) Error() string {
	if e.Kind == KindNoLibrary {
		return NoLibraryMessage
	}
	return fmt.Sprintf("%s %s: %s", e.Op, e.URI, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of err if it is (or wraps) an *Error, else
// KindLibvirt.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return KindTimeout
	}
	return KindLibvirt
}

// wrap turns an error from the libvirt binding (or a context error) into an
// *Error with its kind; nil stays nil.
func wrap(err error, uri, op string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	kind, msg := classify(err)
	return &Error{Kind: kind, URI: MaskURI(uri), Op: op, Msg: maskText(msg, uri), Err: err}
}

// classify sorts an error into a Kind, by libvirt error code where libvirt
// has one and by the system message it quotes otherwise (libvirt reports a
// DNS failure and a refused connection with the same code).
func classify(err error) (Kind, string) {
	if errors.Is(err, context.DeadlineExceeded) {
		return KindTimeout, "no answer in time"
	}
	if errors.Is(err, context.Canceled) {
		return KindTimeout, "cancelled"
	}
	var lerr libvirt.Error
	if !errors.As(err, &lerr) {
		return KindLibvirt, err.Error()
	}
	// libxml2 parse errors append the offending line and a caret on
	// further lines; the first line says it all.
	msg, _, _ := strings.Cut(strings.TrimSpace(lerr.Message), "\n")
	low := strings.ToLower(msg)
	switch {
	case isNoLibrary(lerr):
		return KindNoLibrary, NoLibraryMessage
	case lerr.Code == libvirt.ERR_AUTH_FAILED || lerr.Code == libvirt.ERR_AUTH_CANCELLED ||
		lerr.Code == libvirt.ERR_AUTH_UNAVAILABLE || lerr.Code == libvirt.ERR_ACCESS_DENIED ||
		containsAny(low, "permission denied", "authentication failed", "auth failed", "host key verification failed"):
		return KindAuth, msg
	case lerr.Code == libvirt.ERR_OPERATION_TIMEOUT || containsAny(low, "timed out", "timeout"):
		return KindTimeout, msg
	case containsAny(low, "name or service not known", "could not resolve", "temporary failure in name resolution",
		"no address associated", "unknown host", "nodename nor servname"):
		return KindDNS, msg
	case containsAny(low, "unable to parse uri", "no connection driver available", "malformed uri", "invalid uri",
		"unsupported scheme", "only absolute path"):
		return KindBadURI, msg
	case lerr.Code == libvirt.ERR_XML_ERROR || lerr.Code == libvirt.ERR_XML_DETAIL:
		return KindHostFile, msg
	case containsAny(low, "connection refused", "no route to host", "network is unreachable", "connection reset",
		"failed to connect socket", "cannot recv data", "end of file while reading", "broken pipe",
		"no such file or directory", "host is down", "client socket is closed", "connection closed",
		"is not connected", "ssh: connect to host"):
		return KindUnreachable, msg
	case lerr.Code == libvirt.ERR_NO_CONNECT || lerr.Code == libvirt.ERR_RPC || lerr.Code == libvirt.ERR_SYSTEM_ERROR:
		return KindUnreachable, msg
	}
	if msg == "" {
		msg = fmt.Sprintf("libvirt error code %d", lerr.Code)
	}
	return KindLibvirt, msg
}

// isNoLibrary reports whether a binding error means libvirt.so.0 itself
// could not be loaded (the libvirt_dlopen build reports dlopen's message).
func isNoLibrary(e libvirt.Error) bool {
	// dlerror() says "libvirt.so.0: cannot open shared object file: …" (or
	// "…: file too short", "invalid ELF header"); later calls say
	// "Failed to open libvirt.so.0".
	m := e.Message
	return e.Domain == libvirt.FROM_NONE && (strings.HasPrefix(m, "libvirt.so.0:") || m == "Failed to open libvirt.so.0")
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// isNoSupport reports whether err says the driver does not implement a
// call (the test driver has no node memory stats, for example).
func isNoSupport(err error) bool {
	var lerr libvirt.Error
	return errors.As(err, &lerr) && (lerr.Code == libvirt.ERR_NO_SUPPORT || lerr.Code == libvirt.ERR_OPERATION_UNSUPPORTED)
}
