package checker

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// MaxRedirects is how many redirects a check follows before it fails.
const MaxRedirects = 10

// maxErrorLen caps the error text of a result: targets control much of it
// (host names, TLS alerts, URLs) and it is stored with every failed check.
const maxErrorLen = 300

// ErrTooManyRedirects is returned by the client's redirect policy once a
// check has followed MaxRedirects redirects.
var ErrTooManyRedirects = errors.New("stopped after 10 redirects")

// describe turns err, from a request or a body read, into a short,
// stable message for CheckResult.Error: a prefix word that says what failed,
// then the detail. checkCtx is the per-check context, so that a deadline is
// reported as a timeout whatever layer noticed it first; timeout is its
// length; fallback prefixes anything not recognised ("request failed",
// "read body failed").
func describe(checkCtx context.Context, err error, timeout time.Duration, fallback string) string {
	return truncate(classify(checkCtx, err, timeout, fallback))
}

func classify(checkCtx context.Context, err error, timeout time.Duration, fallback string) string {
	if errors.Is(err, ErrTooManyRedirects) {
		return "too many redirects: " + ErrTooManyRedirects.Error()
	}
	// The check's own deadline. A parent deadline (the scheduler's) that
	// fired first is a timeout too; a cancelled parent means shutdown.
	if errors.Is(checkCtx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return "timeout after " + timeout.String()
	}
	if errors.Is(err, context.Canceled) || errors.Is(checkCtx.Err(), context.Canceled) {
		return "canceled: the check was stopped"
	}

	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		detail := dnsErr.Err
		switch {
		case dnsErr.IsNotFound:
			detail = "no such host"
		case dnsErr.IsTimeout:
			detail = "resolver timeout"
		}
		return "DNS lookup failed: " + dnsErr.Name + ": " + detail
	}

	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by peer"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	}

	if msg, ok := tlsMessage(err); ok {
		return "TLS error: " + msg
	}

	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		// A transport timeout (TLS handshake, dial) shorter than the check's.
		return "timeout: " + innermost(err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "connection closed by the server"
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return "connection failed: " + innermost(err)
	}
	return fallback + ": " + innermost(err)
}

// tlsMessage describes certificate and handshake failures.
func tlsMessage(err error) (string, bool) {
	var (
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidErr  x509.CertificateInvalidError
		verifyErr   *tls.CertificateVerificationError
		headerErr   tls.RecordHeaderError
		alertErr    tls.AlertError
	)
	switch {
	// These read "x509: certificate signed by unknown authority", "x509:
	// certificate is valid for a, not b", "x509: certificate has expired…".
	case errors.As(err, &unknownAuth):
		return strings.TrimPrefix(unknownAuth.Error(), "x509: "), true
	case errors.As(err, &hostErr):
		return strings.TrimPrefix(hostErr.Error(), "x509: "), true
	case errors.As(err, &invalidErr):
		return strings.TrimPrefix(invalidErr.Error(), "x509: "), true
	case errors.As(err, &verifyErr) && verifyErr.Err != nil:
		return "certificate verification failed: " + strings.TrimPrefix(verifyErr.Err.Error(), "x509: "), true
	case errors.As(err, &headerErr):
		return "the server did not answer with TLS", true
	case errors.As(err, &alertErr):
		return "handshake failed: " + alertErr.Error(), true
	}
	return "", false
}

// innermost returns the message of err without the request prefix that
// *url.Error adds ("Get \"https://...\": "), which repeats the URL the
// operator already knows, nor the package prefix of net/http's own errors.
func innermost(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) && urlErr.Err != nil {
		err = urlErr.Err
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "net/http: ")
	return strings.TrimPrefix(msg, "http: ")
}

// truncate caps s at maxErrorLen bytes.
func truncate(s string) string { return truncateTo(s, maxErrorLen) }

// truncateTo cuts s to at most n bytes on a rune boundary, marking the cut.
func truncateTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := max(n-len("…"), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
