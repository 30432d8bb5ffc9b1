package promtest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
)

// Fault is what a FaultyProxy does to the requests it picks.
type Fault int

const (
	// StallHeaders: the request is taken and nothing is ever answered.
	StallHeaders Fault = iota
	// StallBody: Prometheus's status, headers and the first half of its
	// body are passed on, then nothing more.
	StallBody
	// BadGateway: 502 with an HTML page, as a proxy whose upstream is gone.
	BadGateway
)

// FaultyProxy is an HTTP proxy in front of a Prometheus that misbehaves
// on the requests it picks, as an overloaded network or a broken proxy
// would, and forwards the others. A stalled request is released when its
// client gives up or the test ends.
type FaultyProxy struct {
	URL string
	// Requests and Faulted count the requests that reached the proxy and
	// those it misbehaved on.
	Requests, Faulted atomic.Int64
}

// StartFaultyProxy starts a FaultyProxy on a loopback port in front of
// target (a base URL). pick says which requests to fault, from their
// PromQL (nil: every request).
func StartFaultyProxy(t testing.TB, target string, fault Fault, pick func(promql string) bool) *FaultyProxy {
	t.Helper()
	to, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &FaultyProxy{}
	release := make(chan struct{})
	forward := httputil.NewSingleHostReverseProxy(to)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.Requests.Add(1)
		if pick != nil && !pick(promQL(r)) {
			forward.ServeHTTP(w, r)
			return
		}
		p.Faulted.Add(1)
		switch fault {
		case BadGateway:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>\n")
			return
		case StallBody:
			rec := httptest.NewRecorder()
			forward.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				if k != "Content-Length" {
					w.Header()[k] = v
				}
			}
			w.WriteHeader(rec.Code)
			body := rec.Body.Bytes()
			w.Write(body[:len(body)/2])
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	p.URL = srv.URL
	return p
}

// promQL is a query request's PromQL (from the URL or a POSTed form),
// leaving the body readable for forwarding.
func promQL(r *http.Request) string {
	if q := r.URL.Query().Get("query"); q != "" {
		return q
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return ""
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return ""
	}
	return form.Get("query")
}
