// Package checker runs the HTTP health checks of dependencies (DESIGN.md §5):
// one shared client for every check, redirects followed up to ten, bodies
// read up to domain.MaxCheckBody, and failures described in short, stable
// messages fit for the dependency page.
package checker

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// Options tunes the shared client of an HTTP checker. The zero value is the
// production setting.
type Options struct {
	// MaxIdleConns bounds the keep-alive connections kept idle over all
	// targets (default 1024).
	MaxIdleConns int
	// MaxIdleConnsPerHost bounds the idle connections kept per target
	// (default 64). Keep it near the check concurrency when many
	// dependencies share one host: every connection closed for lack of an
	// idle slot is reopened on the next round and leaves a socket in
	// TIME_WAIT, and at a thousand checks a second the ephemeral ports run
	// out within a minute.
	MaxIdleConnsPerHost int
	// IdleConnTimeout closes connections idle for longer (default 90 s, so
	// a connection survives between the checks of a 60 s interval).
	IdleConnTimeout time.Duration
	// DialTimeout bounds the TCP connect (default 30 s; the check's own
	// timeout usually ends it first).
	DialTimeout time.Duration
	// TLSHandshakeTimeout bounds the TLS handshake (default 10 s).
	TLSHandshakeTimeout time.Duration
	// TLSClientConfig replaces the default TLS configuration, for example to
	// trust a private CA. Nil verifies against the system roots.
	TLSClientConfig *tls.Config
	// Proxy chooses a proxy per request. Nil connects directly: a health
	// check measures the target, not the proxy, and does not depend on the
	// environment of the process.
	Proxy func(*http.Request) (*url.URL, error)
}

// Defaults of Options.
const (
	DefaultMaxIdleConns        = 1024
	DefaultMaxIdleConnsPerHost = 64
	DefaultIdleConnTimeout     = 90 * time.Second
	DefaultDialTimeout         = 30 * time.Second
	DefaultTLSHandshakeTimeout = 10 * time.Second
)

// maxHeaderBytes caps the response headers a target may send.
const maxHeaderBytes = 64 << 10

// drainLimit is how far past domain.MaxCheckBody a check reads to reach the
// end of a body that is only slightly longer, so its connection is reused.
// A longer body is abandoned and its connection closed.
const drainLimit = 4 << 10

// pooledBufMax is the largest body buffer returned to the pool; a rare big
// body must not pin a megabyte per concurrent check.
const pooledBufMax = 64 << 10

// HTTP runs HTTP checks over one shared client. It is safe for concurrent
// use by any number of goroutines.
type HTTP struct {
	transport *http.Transport
	client    *http.Client
	bufs      sync.Pool // *[]byte, body buffers for checks with a body regex
}

// New returns a checker whose client is tuned for many concurrent checks
// against many hosts.
func New(opts Options) *HTTP {
	if opts.MaxIdleConns <= 0 {
		opts.MaxIdleConns = DefaultMaxIdleConns
	}
	if opts.MaxIdleConnsPerHost <= 0 {
		opts.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	}
	if opts.IdleConnTimeout <= 0 {
		opts.IdleConnTimeout = DefaultIdleConnTimeout
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = DefaultDialTimeout
	}
	if opts.TLSHandshakeTimeout <= 0 {
		opts.TLSHandshakeTimeout = DefaultTLSHandshakeTimeout
	}
	var tlsConfig *tls.Config
	if opts.TLSClientConfig != nil {
		tlsConfig = opts.TLSClientConfig.Clone()
	}
	dialer := &net.Dialer{Timeout: opts.DialTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                  opts.Proxy,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           opts.MaxIdleConns,
		MaxIdleConnsPerHost:    opts.MaxIdleConnsPerHost,
		MaxConnsPerHost:        0, // unlimited: the scheduler's pool bounds concurrency
		IdleConnTimeout:        opts.IdleConnTimeout,
		TLSHandshakeTimeout:    opts.TLSHandshakeTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: maxHeaderBytes,
		TLSClientConfig:        tlsConfig,
	}
	return &HTTP{
		transport: tr,
		// No client timeout: each check has its own, through its context.
		client: &http.Client{Transport: tr, CheckRedirect: checkRedirect},
	}
}

// checkRedirect follows up to MaxRedirects redirects. via holds the original
// request and the redirects followed so far, so a chain of exactly ten
// redirects succeeds and the eleventh fails.
func checkRedirect(_ *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return ErrTooManyRedirects
	}
	return nil
}

// CloseIdleConnections closes the keep-alive connections not in use, for
// shutdown and tests.
func (c *HTTP) CloseIdleConnections() {
	c.transport.CloseIdleConnections()
}

// Check runs one check of p and never fails: every problem is described in
// the result. The result is OK when the status matches p.Status and, if
// p.BodyRE is set, the first domain.MaxCheckBody bytes of the body match it;
// a longer body is not an error by itself.
//
// at is recorded as CheckedAt, so that results follow the caller's (possibly
// injected) clock. Latency is measured on the real monotonic clock, from
// before the request to the end of the body read (or the cap, or the
// failure), because it is a property of the network, not of the schedule.
// The check stops after p.Timeout (domain.DefaultHeartbeatTimeout if unset)
// or when ctx ends.
func (c *HTTP) Check(ctx context.Context, p domain.Probe, at time.Time) domain.CheckResult {
	res := domain.CheckResult{DependencyID: p.DependencyID, CheckedAt: at}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = domain.DefaultHeartbeatTimeout
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	req, err := newRequest(ctx, p)
	if err != nil {
		res.Error = truncate("invalid request: " + innermost(err))
		return res
	}
	resp, err := c.client.Do(req)
	if err != nil {
		res.Latency = time.Since(start)
		if resp != nil { // a refused redirect: its body is already closed
			res.StatusCode = resp.StatusCode
		}
		res.Error = describe(ctx, err, timeout, "request failed")
		return res
	}
	res.StatusCode = resp.StatusCode
	statusOK := p.Status.Match(resp.StatusCode)

	// The body is read even when it is not matched: the latency includes
	// the transfer, and a body read to its end lets the connection be
	// reused.
	var bufp *[]byte
	if statusOK && p.BodyRE != nil {
		bufp = c.getBuf()
		defer c.putBuf(bufp)
		if n := resp.ContentLength; n >= int64(cap(*bufp)) {
			// One allocation instead of doubling up to a large body; the
			// extra byte lets the last read see EOF without growing again.
			*bufp = make([]byte, 0, min(n+1, domain.MaxCheckBody))
		}
	}
	truncated, readErr := consume(resp.Body, bufp)
	res.Latency = time.Since(start)

	switch {
	case !statusOK:
		res.Error = "unexpected status " + strconv.Itoa(resp.StatusCode)
	case readErr != nil:
		res.Error = describe(ctx, readErr, timeout, "read body failed")
	case bufp != nil && !p.BodyRE.Match(*bufp):
		res.Error = bodyMismatch(p.BodyRE.String(), truncated)
	default:
		res.OK = true
	}
	return res
}

// newRequest builds the request of p. The User-Agent is the checker's unless
// p.Headers sets one; a Host header sets the request's host.
func newRequest(ctx context.Context, p domain.Probe) (*http.Request, error) {
	var body io.Reader
	if p.Body != "" {
		body = strings.NewReader(p.Body)
	}
	method := p.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, p.URL, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", domain.CheckUserAgent)
	for k, v := range p.Headers {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	return req, nil
}

// consume reads body up to domain.MaxCheckBody bytes, into *bufp when bufp
// is not nil, and closes it. truncated reports a body longer than the cap.
func consume(body io.ReadCloser, bufp *[]byte) (truncated bool, err error) {
	defer body.Close()
	lr := &io.LimitedReader{R: body, N: domain.MaxCheckBody}
	if bufp != nil {
		*bufp, err = readAll(lr, (*bufp)[:0])
	} else {
		_, err = io.Copy(io.Discard, lr)
	}
	if err != nil || lr.N > 0 {
		return false, err
	}
	// At the cap: see whether the body goes on, reaching its end if it is
	// only a little longer.
	n, _ := io.CopyN(io.Discard, body, drainLimit)
	return n > 0, nil
}

// readAll is io.ReadAll into buf, growing it at most to domain.MaxCheckBody
// (bytes.Buffer.ReadFrom would double a full 1 MiB buffer to look for EOF).
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			if len(buf) >= domain.MaxCheckBody {
				return buf, nil
			}
			grown := make([]byte, len(buf), min(max(2*cap(buf), 4<<10), domain.MaxCheckBody))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func (c *HTTP) getBuf() *[]byte {
	if b, ok := c.bufs.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 4<<10)
	return &b
}

func (c *HTTP) putBuf(b *[]byte) {
	if cap(*b) <= pooledBufMax {
		*b = (*b)[:0]
		c.bufs.Put(b)
	}
}

// bodyMismatch describes a body that does not match the expected regex,
// quoting a long expression only in part.
func bodyMismatch(expr string, truncated bool) string {
	const maxExpr = 100
	if len(expr) > maxExpr {
		expr = truncateTo(expr, maxExpr)
	}
	msg := "body does not match " + strconv.Quote(expr)
	if truncated {
		msg += " in the first 1 MiB"
	}
	return truncate(msg)
}
