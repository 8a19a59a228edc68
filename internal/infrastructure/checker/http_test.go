package checker_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/checker"
)

const depID = 42

var checkedAt = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// probe normalizes and compiles hb the way the application does.
func probe(t testing.TB, hb domain.Heartbeat) domain.Probe {
	t.Helper()
	if hb.Interval == 0 {
		hb.Interval = 30 * time.Second
	}
	if err := hb.Normalize(); err != nil {
		t.Fatalf("Normalize(%+v): %v", hb, err)
	}
	p, err := hb.Compile(depID)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return p
}

func newChecker(t testing.TB, opts checker.Options) *checker.HTTP {
	t.Helper()
	c := checker.New(opts)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// check runs one check of hb and verifies what every result carries.
func check(t *testing.T, c *checker.HTTP, hb domain.Heartbeat) domain.CheckResult {
	t.Helper()
	res := c.Check(context.Background(), probe(t, hb), checkedAt)
	if res.DependencyID != depID || !res.CheckedAt.Equal(checkedAt) {
		t.Errorf("DependencyID, CheckedAt = %d, %v; want %d, %v", res.DependencyID, res.CheckedAt, depID, checkedAt)
	}
	if res.OK != (res.Error == "") {
		t.Errorf("OK = %v with Error %q: an error must come with a failure and only then", res.OK, res.Error)
	}
	if len(res.Error) > 300 {
		t.Errorf("Error is %d bytes long, want at most 300", len(res.Error))
	}
	return res
}

func assertError(t *testing.T, res domain.CheckResult, want string) {
	t.Helper()
	if want == "" {
		if !res.OK {
			t.Errorf("OK = false (%q), want true", res.Error)
		}
		return
	}
	if res.OK || !strings.Contains(res.Error, want) {
		t.Errorf("OK, Error = %v, %q; want false with an error containing %q", res.OK, res.Error, want)
	}
}

// statusServer answers with the status in the query (?code=204).
func statusServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(r.URL.Query().Get("code"))
		if err != nil {
			code = http.StatusOK
		}
		w.WriteHeader(code)
		io.WriteString(w, "hello from the target")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCheckStatus(t *testing.T) {
	srv := statusServer(t)
	c := newChecker(t, checker.Options{})
	tests := []struct {
		name, expect string
		code         int
		wantErr      string
	}{
		{"200 with the default 2xx", "", 200, ""},
		{"500 with the default 2xx", "", 500, "unexpected status 500"},
		{"404 with the default 2xx", "", 404, "unexpected status 404"},
		{"204 in a list", "200,204", 204, ""},
		{"200 in a list", "200,204", 200, ""},
		{"201 not in a list", "200,204", 201, "unexpected status 201"},
		{"304 in the 3xx class", "3xx", 304, ""},
		{"302 without Location in the 3xx class", "3xx", 302, ""},
		{"200 outside the 3xx class", "3xx", 200, "unexpected status 200"},
		{"503 in a range", "500-599", 503, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := check(t, c, domain.Heartbeat{URL: srv.URL + "/?code=" + strconv.Itoa(tt.code), ExpectStatus: tt.expect})
			assertError(t, res, tt.wantErr)
			if res.StatusCode != tt.code {
				t.Errorf("StatusCode = %d, want %d", res.StatusCode, tt.code)
			}
			if res.Latency <= 0 {
				t.Errorf("Latency = %v, want > 0", res.Latency)
			}
		})
	}
}

func TestCheckBodyRegex(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/down" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		io.WriteString(w, `{"status":"ok","db":"up"}`)
	}))
	t.Cleanup(srv.Close)
	c := newChecker(t, checker.Options{})
	tests := []struct {
		name, path, expr, wantErr string
	}{
		{"hit", "/", `"status":\s*"ok"`, ""},
		{"hit anywhere in the body", "/", `db.{3}up`, ""},
		{"miss", "/", `"status":\s*"degraded"`, `body does not match "\"status\":\\s*\"degraded\""`},
		{"unexpected status wins over the body", "/down", `ok`, "unexpected status 503"},
		{"long expression quoted in part", "/", strings.Repeat("x", 400), "body does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := check(t, c, domain.Heartbeat{URL: srv.URL + tt.path, ExpectBody: tt.expr})
			assertError(t, res, tt.wantErr)
		})
	}
}

func TestCheckTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"no response", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}},
		{"body never ends", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			c := newChecker(t, checker.Options{})
			res := check(t, c, domain.Heartbeat{URL: srv.URL, Timeout: timeout, ExpectBody: "partial"})
			assertError(t, res, "timeout after 200ms")
			if res.Latency < timeout {
				t.Errorf("Latency = %v, want at least the timeout %v", res.Latency, timeout)
			}
		})
	}
}

func TestCheckCanceled(t *testing.T) {
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	c := newChecker(t, checker.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	res := c.Check(ctx, probe(t, domain.Heartbeat{URL: srv.URL}), checkedAt)
	assertError(t, res, "canceled")
}

// redirectServer redirects /r/N to /r/N-1 and answers /r/0 with 200;
// /loop redirects to itself.
func redirectServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/loop" {
			http.Redirect(w, r, "/loop", http.StatusFound)
			return
		}
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if n > 0 {
			http.Redirect(w, r, "/r/"+strconv.Itoa(n-1), http.StatusMovedPermanently)
			return
		}
		io.WriteString(w, "arrived")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCheckRedirects(t *testing.T) {
	srv := redirectServer(t)
	c := newChecker(t, checker.Options{})
	tests := []struct {
		name, path, wantErr string
		wantCode            int
	}{
		{"one redirect to a 200 is followed", "/r/1", "", 200},
		{"ten redirects are followed", "/r/10", "", 200},
		{"the eleventh is not", "/r/11", "too many redirects: stopped after 10 redirects", 301},
		{"a loop stops", "/loop", "stopped after 10 redirects", 302},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := check(t, c, domain.Heartbeat{URL: srv.URL + tt.path, ExpectBody: "^arrived$"})
			assertError(t, res, tt.wantErr)
			if res.StatusCode != tt.wantCode {
				t.Errorf("StatusCode = %d, want %d", res.StatusCode, tt.wantCode)
			}
		})
	}
}

func TestCheckLargeBody(t *testing.T) {
	// /big: 2 MiB, "HEAD-MARK" at the start and "TAIL-MARK" in the second
	// MiB. /endless: 64 MiB, far more than socket buffers hold, so the
	// handler learns whether the client stopped reading.
	const endless = 64 << 20
	written := make(chan int64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			body := bytes.Repeat([]byte("."), 2<<20)
			copy(body, "HEAD-MARK")
			copy(body[len(body)-100:], "TAIL-MARK")
			w.Write(body)
		case "/endless":
			chunk := bytes.Repeat([]byte("x"), 32<<10)
			var n int64
			for n < endless {
				m, err := w.Write(chunk)
				n += int64(m)
				if err != nil {
					break
				}
			}
			written <- n
		}
	}))
	t.Cleanup(srv.Close)
	c := newChecker(t, checker.Options{})

	tests := []struct {
		name, path, expr, wantErr string
	}{
		{"without a regex", "/big", "", ""},
		{"regex within the first MiB", "/big", "^HEAD-MARK", ""},
		{"regex only after the first MiB", "/big", "TAIL-MARK", `body does not match "TAIL-MARK" in the first 1 MiB`},
		{"endless body", "/endless", "^x+$", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := check(t, c, domain.Heartbeat{URL: srv.URL + tt.path, ExpectBody: tt.expr})
			assertError(t, res, tt.wantErr)
			if res.StatusCode != 200 {
				t.Errorf("StatusCode = %d, want 200", res.StatusCode)
			}
		})
	}

	select {
	case n := <-written:
		if n >= endless {
			t.Errorf("the target wrote the whole %d bytes: the client did not stop reading at the cap", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the /endless handler did not end: the client kept the connection open")
	}
}

func TestCheckTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secure")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	plain := statusServer(t)
	ssh := bannerServer(t, "SSH-2.0-OpenSSH_9.6\r\n")
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	trusting := &tls.Config{RootCAs: roots}
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	tests := []struct {
		name, url string
		tls       *tls.Config
		wantErr   string
	}{
		{"untrusted certificate", srv.URL, nil, "TLS error: certificate signed by unknown authority"},
		{"trusted certificate", srv.URL, trusting, ""},
		// The test certificate names example.com and the loopback IPs.
		{"certificate for another host", "https://localhost:" + port, trusting, "TLS error: certificate is valid for"},
		{"plain HTTP on an https URL", strings.Replace(plain.URL, "http:", "https:", 1), nil, "request failed: server gave HTTP response to HTTPS client"},
		{"another protocol on an https URL", "https://" + ssh, nil, "TLS error: the server did not answer with TLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChecker(t, checker.Options{TLSClientConfig: tt.tls})
			res := check(t, c, domain.Heartbeat{URL: tt.url, Timeout: 2 * time.Second})
			assertError(t, res, tt.wantErr)
		})
	}
}

// bannerServer accepts connections on loopback, writes banner to each and
// closes it, like a non-HTTP service would. It returns its address.
func bannerServer(t *testing.T, banner string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			io.WriteString(conn, banner)
			conn.Close()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return ln.Addr().String()
}

func TestCheckConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := newChecker(t, checker.Options{})
	res := check(t, c, domain.Heartbeat{URL: "http://" + addr + "/health", Timeout: 2 * time.Second})
	if res.OK || res.Error != "connection refused" {
		t.Errorf("OK, Error = %v, %q; want false, %q", res.OK, res.Error, "connection refused")
	}
	if res.StatusCode != 0 {
		t.Errorf("StatusCode = %d, want 0", res.StatusCode)
	}
}

// TestCheckDNSFailure relies on the resolver failing at once for the
// reserved .invalid TLD (RFC 6761). A resolver that does not answer at all
// makes the check time out instead, which is accepted: the test must not
// depend on the network.
func TestCheckDNSFailure(t *testing.T) {
	c := newChecker(t, checker.Options{})
	res := check(t, c, domain.Heartbeat{URL: "http://no-such-host.invalid/health", Timeout: time.Second})
	if res.OK {
		t.Fatal("OK = true, want a failure")
	}
	switch {
	case strings.HasPrefix(res.Error, "DNS lookup failed: no-such-host.invalid"):
	case strings.HasPrefix(res.Error, "timeout after"):
		t.Logf("the resolver did not answer for .invalid; got %q", res.Error)
	default:
		t.Errorf("Error = %q, want a DNS failure (or a timeout)", res.Error)
	}
}

func TestCheckRequest(t *testing.T) {
	type seen struct {
		method, body, ua, custom, host string
		contentLength                  int64
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, string(body), r.UserAgent(), r.Header.Get("X-Check"), r.Host, r.ContentLength}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	c := newChecker(t, checker.Options{})
	host := strings.TrimPrefix(srv.URL, "http://")

	tests := []struct {
		name    string
		hb      domain.Heartbeat
		want    seen
		wantErr string
	}{
		{"GET by default", domain.Heartbeat{},
			seen{method: "GET", ua: domain.CheckUserAgent, host: host}, ""},
		{"HEAD with a header", domain.Heartbeat{Method: "head", Headers: map[string]string{"X-Check": "1"}},
			seen{method: "HEAD", ua: domain.CheckUserAgent, custom: "1", host: host}, ""},
		{"POST with a body", domain.Heartbeat{Method: "POST", Body: `{"ping":true}`, Headers: map[string]string{"x-check": "post"}},
			seen{method: "POST", body: `{"ping":true}`, ua: domain.CheckUserAgent, custom: "post", host: host, contentLength: 13}, ""},
		{"PUT with a body", domain.Heartbeat{Method: "PUT", Body: "state=up"},
			seen{method: "PUT", body: "state=up", ua: domain.CheckUserAgent, host: host, contentLength: 8}, ""},
		{"User-Agent overridden", domain.Heartbeat{Headers: map[string]string{"user-agent": "probe/2"}},
			seen{method: "GET", ua: "probe/2", host: host}, ""},
		{"Host header sets the virtual host", domain.Heartbeat{Headers: map[string]string{"Host": "api.example.com"}},
			seen{method: "GET", ua: domain.CheckUserAgent, host: "api.example.com"}, ""},
		{"204 fails a 200 expectation", domain.Heartbeat{ExpectStatus: "200"},
			seen{method: "GET", ua: domain.CheckUserAgent, host: host}, "unexpected status 204"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.hb.URL = srv.URL + "/health"
			res := check(t, c, tt.hb)
			assertError(t, res, tt.wantErr)
			select {
			case s := <-got:
				if s != tt.want {
					t.Errorf("the target saw %+v, want %+v", s, tt.want)
				}
			default:
				t.Fatal("the request never reached the target")
			}
		})
	}
}

func TestCheckInvalidRequest(t *testing.T) {
	// Normalize rejects such a URL; a probe built without it must not panic.
	c := newChecker(t, checker.Options{})
	res := c.Check(context.Background(), domain.Probe{Heartbeat: domain.Heartbeat{URL: "http://[::1", Timeout: time.Second}}, checkedAt)
	if res.OK || !strings.HasPrefix(res.Error, "invalid request:") {
		t.Errorf("OK, Error = %v, %q; want false, invalid request", res.OK, res.Error)
	}
}

// TestCheckReusesConnections checks that bodies are read to their end (or
// just past the cap) and closed, so one keep-alive connection serves every
// check of a target.
func TestCheckReusesConnections(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("size"))
		if r.URL.Query().Has("fail") {
			w.WriteHeader(http.StatusInternalServerError)
		}
		w.Write(bytes.Repeat([]byte("a"), n))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)

	tests := []struct {
		name, query, expr string
	}{
		{"small body", "size=100", ""},
		{"small body with a regex", "size=100", "a+"},
		{"empty body", "size=0", "^$"},
		{"body at the cap", "size=" + strconv.Itoa(domain.MaxCheckBody), "a"},
		{"body just past the cap", "size=" + strconv.Itoa(domain.MaxCheckBody+1000), "a"},
		{"unexpected status", "size=5000&fail", "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChecker(t, checker.Options{})
			before := conns.Load()
			p := probe(t, domain.Heartbeat{URL: srv.URL + "/?" + tt.query, ExpectBody: tt.expr, ExpectStatus: "2xx,500"})
			for i := range 5 {
				if res := c.Check(context.Background(), p, checkedAt); !res.OK {
					t.Fatalf("check %d: %q", i, res.Error)
				}
			}
			if got := conns.Load() - before; got != 1 {
				t.Errorf("5 checks opened %d connections, want 1", got)
			}
		})
	}
}

// TestCheckConcurrent shares one checker between goroutines (run with -race).
func TestCheckConcurrent(t *testing.T) {
	srv := statusServer(t)
	c := newChecker(t, checker.Options{})
	probes := []domain.Probe{
		probe(t, domain.Heartbeat{URL: srv.URL, ExpectBody: "hello"}),
		probe(t, domain.Heartbeat{URL: srv.URL + "/?code=503"}),
		probe(t, domain.Heartbeat{URL: srv.URL, ExpectBody: "absent"}),
	}
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for i := range 60 {
		wg.Go(func() {
			p := probes[i%len(probes)]
			res := c.Check(context.Background(), p, checkedAt)
			if want := i%len(probes) == 0; res.OK != want {
				errs <- fmt.Errorf("check %d: OK = %v (%q), want %v", i, res.OK, res.Error, want)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
