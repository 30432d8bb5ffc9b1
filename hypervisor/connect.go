package hypervisor

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strings"
	"sync"

	"libvirt.org/go/libvirt"
)

// Conn is an open connection to one libvirt host. It is safe for use by
// several goroutines. Calls that take a context return a KindTimeout error
// when the context ends first; the libvirt call itself cannot be
// interrupted, so it finishes in the background and Close waits for it
// before closing.
type Conn struct {
	uri string
	raw *libvirt.Connect

	mu        sync.Mutex
	inflight  sync.WaitGroup
	abandoned bool
	closed    bool
}

// Connect opens a connection to uri (any libvirt URI: qemu:///system,
// qemu+ssh://root@kvm07/system, test:///default, test:///abs/host.xml),
// giving up when ctx ends.
//
// It never prompts: a password in the URI answers libvirt's password
// request, anything else libvirt asks for fails as KindAuth, and ssh
// transports get no_tty=1 unless the URI sets it, so ssh does not ask on
// the terminal either.
func Connect(ctx context.Context, uri string) (*Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, wrap(err, uri, "connect")
	}
	if f := TestDriverFile(uri); f != "" {
		// libvirt would say "failed to parse xml document" (and libxml2
		// would print a warning on stderr) for a file that is not there.
		if _, err := os.Stat(f); err != nil {
			return nil, &Error{Kind: KindHostFile, URI: MaskURI(uri), Op: "connect",
				Msg: "test-driver host file " + f + " does not exist", Err: err}
		}
	}
	openURI, auth := connectArgs(uri)
	type result struct {
		c   *libvirt.Connect
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := libvirt.NewConnectWithAuth(openURI, auth, 0)
		ch <- result{c, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			err := wrap(r.err, uri, "connect")
			var e *Error
			if TestDriverFile(uri) != "" && errors.As(err, &e) && e.Kind == KindLibvirt {
				// The test driver failed on what the host file says
				// (a malformed UUID, an unknown element).
				e.Kind = KindHostFile
			}
			return nil, err
		}
		return &Conn{uri: uri, raw: r.c}, nil
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.c != nil {
				r.c.Close()
			}
		}()
		return nil, wrap(ctx.Err(), uri, "connect")
	}
}

// connectArgs returns the URI to open (with no_tty=1 added for ssh) and the
// non-interactive auth callback.
func connectArgs(uri string) (string, *libvirt.ConnectAuth) {
	var user, pass string
	open := uri
	if u, err := url.Parse(uri); err == nil {
		if u.User != nil {
			user = u.User.Username()
			pass, _ = u.User.Password()
		}
		if strings.HasSuffix(u.Scheme, "+ssh") || strings.HasSuffix(u.Scheme, "+libssh") || strings.HasSuffix(u.Scheme, "+libssh2") {
			q := u.Query()
			if _, ok := q["no_tty"]; !ok {
				q.Set("no_tty", "1")
				u.RawQuery = q.Encode()
				open = u.String()
			}
		}
	}
	auth := &libvirt.ConnectAuth{
		CredType: []libvirt.ConnectCredentialType{
			libvirt.CRED_AUTHNAME, libvirt.CRED_PASSPHRASE, libvirt.CRED_NOECHOPROMPT,
		},
		Callback: func(creds []*libvirt.ConnectCredential) {
			for _, c := range creds {
				switch c.Type {
				case libvirt.CRED_AUTHNAME:
					if user != "" {
						c.Result, c.ResultLen = user, len(user)
					} else {
						c.Result, c.ResultLen = c.DefResult, len(c.DefResult)
					}
				case libvirt.CRED_PASSPHRASE, libvirt.CRED_NOECHOPROMPT:
					if pass != "" {
						c.Result, c.ResultLen = pass, len(pass)
					}
				}
			}
		},
	}
	return open, auth
}

// URI is the URI the connection was opened with, masked.
func (c *Conn) URI() string { return MaskURI(c.uri) }

// Raw is the underlying libvirt connection, for callers that need calls
// this package does not wrap (define, start, migrate). It must not be
// closed directly; use Close.
func (c *Conn) Raw() *libvirt.Connect { return c.raw }

// Close closes the connection. If a call was abandoned because its context
// ended, the connection is closed in the background once that call returns.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	abandoned := c.abandoned
	c.mu.Unlock()
	if abandoned {
		go func() {
			c.inflight.Wait()
			c.raw.Close()
		}()
		return nil
	}
	c.inflight.Wait()
	_, err := c.raw.Close()
	return wrap(err, c.uri, "close")
}

// do runs f (a sequence of libvirt calls) unless ctx ends first, in which
// case it returns a KindTimeout error for op and leaves f to finish in the
// background.
func (c *Conn) do(ctx context.Context, op string, f func() error) error {
	if err := ctx.Err(); err != nil {
		return wrap(err, c.uri, op)
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return &Error{Kind: KindLibvirt, URI: MaskURI(c.uri), Op: op, Msg: "connection is closed"}
	}
	c.inflight.Add(1)
	c.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		defer c.inflight.Done()
		done <- f()
	}()
	select {
	case err := <-done:
		return wrap(err, c.uri, op)
	case <-ctx.Done():
		c.mu.Lock()
		c.abandoned = true
		c.mu.Unlock()
		return wrap(ctx.Err(), c.uri, op)
	}
}

// Check loads libvirt.so.0 if it is not loaded yet and returns the
// KindNoLibrary error when it cannot be (nil when libvirt is usable). The
// library version it reports is libvirt's own, e.g. "9.0.0".
func Check() (version string, err error) {
	v, err := libvirt.GetVersion()
	if err != nil {
		return "", wrap(err, "", "load libvirt")
	}
	return versionString(v), nil
}
