package checker

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDescribe(t *testing.T) {
	wrap := func(err error) error { return &url.Error{Op: "Get", URL: "https://api.example.com/health", Err: err} }
	opErr := func(err error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: err}}
	}
	expired, cancelExpired := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancelExpired()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name string
		err  error
		ctx  context.Context
		want string
	}{
		{"too many redirects", wrap(ErrTooManyRedirects), nil, "too many redirects: stopped after 10 redirects"},
		{"check deadline", wrap(errors.New("net/http: request canceled")), expired, "timeout after 2s"},
		{"deadline error without the context", wrap(context.DeadlineExceeded), nil, "timeout after 2s"},
		{"shutdown", wrap(context.Canceled), cancelled, "canceled: the check was stopped"},
		{"DNS not found", wrap(opErr(&net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true})), nil,
			"DNS lookup failed: nope.invalid: no such host"},
		{"DNS server failure", wrap(&net.DNSError{Err: "server misbehaving", Name: "a.example"}), nil,
			"DNS lookup failed: a.example: server misbehaving"},
		{"DNS timeout is a DNS failure", wrap(&net.DNSError{Err: "i/o timeout", Name: "a.example", IsTimeout: true}), nil,
			"DNS lookup failed: a.example: resolver timeout"},
		{"connection refused", wrap(opErr(syscall.ECONNREFUSED)), nil, "connection refused"},
		{"connection reset", wrap(opErr(syscall.ECONNRESET)), nil, "connection reset by peer"},
		{"host unreachable", wrap(opErr(syscall.EHOSTUNREACH)), nil, "host unreachable"},
		{"unknown authority", wrap(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), nil,
			"TLS error: certificate signed by unknown authority"},
		{"expired certificate", wrap(&tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Reason: x509.Expired, Detail: "current time is after"}}), nil,
			"TLS error: certificate has expired or is not yet valid: current time is after"},
		{"other verification failure", wrap(&tls.CertificateVerificationError{Err: errors.New("x509: too many intermediates")}), nil,
			"TLS error: certificate verification failed: too many intermediates"},
		{"TLS alert", wrap(opErr(tls.AlertError(40))), nil, "TLS error: handshake failed: tls: handshake failure"},
		{"transport timeout", wrap(timeoutErr{}), nil, "timeout: TLS handshake timeout"},
		{"closed without a response", wrap(io.EOF), nil, "connection closed by the server"},
		{"other network error", wrap(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("boom")}), nil, "connection failed: read tcp: boom"},
		{"unknown", wrap(errors.New(`unsupported protocol scheme "ftp"`)), nil, `request failed: unsupported protocol scheme "ftp"`},
		{"net/http prefix dropped", wrap(errors.New("http: server gave HTTP response to HTTPS client")), nil,
			"request failed: server gave HTTP response to HTTPS client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			if got := describe(ctx, tt.err, 2*time.Second, "request failed"); got != tt.want {
				t.Errorf("describe(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

// timeoutErr is a net.Error that times out, like net/http's TLS handshake
// timeout.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "net/http: TLS handshake timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestDescribeCapsLength(t *testing.T) {
	long := &net.DNSError{Err: "no such host", Name: strings.Repeat("é", 400) + ".invalid"}
	got := describe(context.Background(), fmt.Errorf("get: %w", long), time.Second, "request failed")
	if len(got) > maxErrorLen || !utf8.ValidString(got) || !strings.HasPrefix(got, "DNS lookup failed: éé") || !strings.HasSuffix(got, "…") {
		t.Errorf("describe = %q (%d bytes), want a valid UTF-8 DNS message of at most %d bytes ending in …", got, len(got), maxErrorLen)
	}
}

func TestBodyMismatch(t *testing.T) {
	tests := []struct {
		expr      string
		truncated bool
		want      string
	}{
		{`"ok"`, false, `body does not match "\"ok\""`},
		{`tail$`, true, `body does not match "tail$" in the first 1 MiB`},
		{strings.Repeat("a", 200), false, `body does not match "` + strings.Repeat("a", 97) + `…"`},
	}
	for _, tt := range tests {
		if got := bodyMismatch(tt.expr, tt.truncated); got != tt.want {
			t.Errorf("bodyMismatch(%q, %v) = %q, want %q", tt.expr, tt.truncated, got, tt.want)
		}
	}
}
