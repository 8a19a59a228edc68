package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
	"github.com/status-incident/status-incident/migrations"
)

// env is the real handler, as main builds it, over a fresh SQLite file.
type env struct {
	t       *testing.T
	srv     *httptest.Server
	systems *application.SystemService
	client  *http.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, migrations.FS(), slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	systems := application.NewSystemService(db, time.Now)
	h, err := httpserver.New(httpserver.Config{Systems: systems, Ready: db, Log: slog.New(slog.DiscardHandler),
		Registry: prometheus.NewRegistry(), Version: "test"})
	if err != nil {
		t.Fatalf("httpserver.New: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &env{t: t, srv: srv, systems: systems, client: client}
}

// response is a read response.
type response struct {
	status int
	header http.Header
	body   string
}

func (e *env) do(req *http.Request) response {
	e.t.Helper()
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("read %s: %v", req.URL, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (e *env) get(path string) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(req)
}

func (e *env) post(path string, form url.Values) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req)
}

// mustSystem creates a system through the service.
func (e *env) mustSystem(name string) domain.System {
	e.t.Helper()
	s, err := e.systems.CreateSystem(context.Background(), domain.SystemInput{Name: name})
	if err != nil {
		e.t.Fatalf("create system %q: %v", name, err)
	}
	return s
}

// mustDependency creates a dependency through the service.
func (e *env) mustDependency(systemID int64, name string) domain.Dependency {
	e.t.Helper()
	d, err := e.systems.CreateDependency(context.Background(), systemID, domain.DependencyInput{Name: name})
	if err != nil {
		e.t.Fatalf("create dependency %q: %v", name, err)
	}
	return d
}

func wantStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d; body:\n%s", what, r.status, want, r.body)
	}
}

func wantContains(t *testing.T, what string, r response, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(r.body, w) {
			t.Errorf("%s: body does not contain %q", what, w)
		}
	}
}
