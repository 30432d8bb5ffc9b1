package history

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/berth-dev/berth/inventory"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
)

// Kind is why a query got no answer.
type Kind string

const (
	// KindUnreachable: no connection (refused, no route, name unknown,
	// reset before an answer).
	KindUnreachable Kind = "unreachable"
	// KindTimeout: no answer within Config.Timeout, or Prometheus gave
	// up on the query at that limit.
	KindTimeout Kind = "timeout"
	// KindHTTP: an HTTP error that is not Prometheus's API speaking (a
	// proxy's 502, a 404 from a URL that is not Prometheus).
	KindHTTP Kind = "http"
	// KindQuery: Prometheus refused or failed the query (a mapping it
	// cannot parse, a query over its sample limit).
	KindQuery Kind = "query"
	// KindBadResponse: an answer that is not what the API returns.
	KindBadResponse Kind = "bad-response"
	// KindCanceled: the caller's context ended first.
	KindCanceled Kind = "canceled"
)

// Error is one query that got no answer.
type Error struct {
	Kind Kind
	// URL is the Prometheus URL, its password hidden.
	URL       string
	Dimension inventory.Dimension
	// Series is true for the downsampled-series query, false for the
	// quantile.
	Series bool
	// Query is the PromQL that was sent.
	Query string
	// Msg says what happened and what to do.
	Msg string
	Err error
}

func (e *Error) Error() string {
	part := "quantile"
	if e.Series {
		part = "series"
	}
	return fmt.Sprintf("prometheus %s: %s %s: %s: %s", e.URL, e.Dimension, part, e.Kind, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// ReadError is Read's error when some queries got no answer: Usage then
// holds what the others gave. Failed is in dimension order, quantiles
// before series.
type ReadError struct {
	Failed  []*Error
	Queries int // how many were sent
}

func (e *ReadError) Error() string {
	// Every query failing the same way (Prometheus down, too slow) is
	// one line: the first one's.
	first := e.Failed[0]
	same := true
	for _, f := range e.Failed[1:] {
		same = same && f.Kind == first.Kind
	}
	if same && len(e.Failed) == e.Queries {
		return fmt.Sprintf("prometheus %s: %s: %s: no load history was read", first.URL, first.Kind, first.Msg)
	}
	lines := []string{fmt.Sprintf("%d of %d load-history queries got no answer:", len(e.Failed), e.Queries)}
	for _, f := range e.Failed {
		lines = append(lines, "  "+f.Error())
	}
	return strings.Join(lines, "\n")
}

func (e *ReadError) Unwrap() []error {
	out := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		out[i] = f
	}
	return out
}

// queryError names why one query failed.
func queryError(err error, timeout time.Duration) (Kind, string) {
	var api *v1.Error
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout, fmt.Sprintf("no answer within %s (usage.timeout)", formatDuration(timeout))
	case errors.Is(err, context.Canceled):
		return KindCanceled, "the read was canceled"
	case errors.As(err, &api):
		return apiError(api, timeout)
	case errors.As(err, &ne) && ne.Timeout():
		return KindTimeout, fmt.Sprintf("no answer within %s (usage.timeout)", formatDuration(timeout))
	default:
		return KindUnreachable, fmt.Sprintf("%v: is Prometheus running there? (usage.url)", unwrapURLError(err))
	}
}

func apiError(e *v1.Error, timeout time.Duration) (Kind, string) {
	if e.Type == v1.ErrServer || e.Type == v1.ErrClient {
		// Prometheus answers a query that timed out or was canceled with
		// 503 and its own error in the body; the client reports only the
		// status. Read the body's error when it is Prometheus's.
		var body struct {
			Status    string       `json:"status"`
			ErrorType v1.ErrorType `json:"errorType"`
			Error     string       `json:"error"`
		}
		if json.Unmarshal([]byte(e.Detail), &body) == nil && body.Status == "error" && body.ErrorType != "" {
			e = &v1.Error{Type: body.ErrorType, Msg: body.Error}
		}
	}
	switch e.Type {
	case v1.ErrTimeout:
		return KindTimeout, fmt.Sprintf("Prometheus gave up on the query: %s (at usage.timeout, %s, or its own --query.timeout if shorter)",
			e.Msg, formatDuration(timeout))
	case v1.ErrExec, v1.ErrCanceled:
		if strings.Contains(e.Msg, context.DeadlineExceeded.Error()) {
			// Prometheus's --query.timeout, hit while it read the data.
			return KindTimeout, fmt.Sprintf("Prometheus gave up on the query: %s (at usage.timeout, %s, or its own --query.timeout if shorter)",
				e.Msg, formatDuration(timeout))
		}
		return KindQuery, fmt.Sprintf("Prometheus could not run the query: %s", e.Msg)
	case v1.ErrBadData:
		return KindQuery, fmt.Sprintf("Prometheus refused the query: %s: check usage.metrics, usage.labels and usage.match", e.Msg)
	case v1.ErrServer, v1.ErrClient:
		msg := e.Msg
		if d := firstLine(e.Detail); d != "" {
			msg += " (" + d + ")"
		}
		return KindHTTP, msg + ": is usage.url the Prometheus server's base URL, and is it up?"
	default:
		return KindBadResponse, fmt.Sprintf("%s: is usage.url a Prometheus server?", e.Msg)
	}
}

// unwrapURLError drops net/http's `Post "URL":` prefix, which repeats the
// URL with its password.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// firstLine is the first line of a response body, cut at 120 bytes.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
