package httpserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/checker"
	"github.com/status-incident/status-incident/internal/infrastructure/notify"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

// testEnv is the real handler over a real SQLite file, with its services.
type testEnv struct {
	h         http.Handler
	auth      *application.AuthService
	monitors  *application.MonitorService
	incidents *application.IncidentService
	systems   *application.SystemService
	clock     *sqlitetest.Clock
	dbPath    string

	maintenances *application.MaintenanceService
	analytics    *application.AnalyticsService
	webhooks     *application.WebhookService
	settingsSvc  *application.SettingsService
}

func newEnv(t *testing.T, configure ...func(*httpserver.Config)) *testEnv {
	t.Helper()
	clock := sqlitetest.NewClock(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	db := sqlitetest.Open(t, clock.Now)
	auth := application.NewAuthService(db, application.AuthConfig{Now: clock.Now, BcryptCost: bcrypt.MinCost})
	systems := application.NewSystemService(db, clock.Now)
	cfg := httpserver.Config{
		Systems:   systems,
		Auth:      auth,
		Monitors:  application.NewMonitorService(db, systems, checker.New(checker.Options{}), auth, application.MonitorConfig{Now: clock.Now}),
		Incidents: application.NewIncidentService(db, systems, clock.Now),
		Ready:     db,
		Log:       slog.New(slog.DiscardHandler),
		Registry:  prometheus.NewRegistry(),
		Version:   "test",
		Now:       clock.Now,
	}
	cfg.Maintenances = application.NewMaintenanceService(db, systems, application.MaintenanceConfig{Now: clock.Now})
	cfg.Analytics = application.NewAnalyticsService(db, systems, clock.Now)
	cfg.Webhooks = application.NewWebhookService(db, notify.New(notify.Options{BaseURL: "https://status.example.com", Now: clock.Now}),
		systems, application.WebhookConfig{Now: clock.Now})
	cfg.Settings = application.NewSettingsService(db, domain.PageSettings{})
	cfg.Generation = db.ChangeGeneration
	cfg.Backup = application.NewBackupService(db, clock.Now)
	for _, f := range configure {
		f(&cfg)
	}
	h, err := httpserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{h: h, auth: auth, monitors: cfg.Monitors, maintenances: cfg.Maintenances, analytics: cfg.Analytics, webhooks: cfg.Webhooks, incidents: cfg.Incidents, systems: cfg.Systems, clock: clock, dbPath: db.Path(), settingsSvc: cfg.Settings}
}

// key creates an API key with the given scopes and returns it.
func (e *testEnv) key(t *testing.T, name string, scopes ...string) string {
	t.Helper()
	_, plain, err := e.auth.CreateAPIKey(application.WithActor(context.Background(), "test"),
		application.APIKeyInput{Name: name, Scopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

// newServer builds the handler exactly as main does and returns it wrapped
// so that requests without credentials carry an admin API key.
func newServer(t *testing.T) http.Handler {
	t.Helper()
	e := newEnv(t)
	return withKey{e.h, e.key(t, "test-admin", "admin")}
}

type withKey struct {
	h   http.Handler
	key string
}

func (w withKey) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-API-Key") == "" && r.Header.Get("Authorization") == "" {
		r.Header.Set("X-API-Key", w.key)
	}
	w.h.ServeHTTP(rw, r)
}

type response struct {
	Code   int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r response) errorBody(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.json(t, &m)
	return m
}

func do(t *testing.T, h http.Handler, method, path string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// must asserts the status code and returns the response.
func must(t *testing.T, want int, r response) response {
	t.Helper()
	if r.Code != want {
		t.Fatalf("status %d, want %d; body: %s", r.Code, want, r.Body)
	}
	return r
}

func createSystem(t *testing.T, h http.Handler, name string) map[string]any {
	t.Helper()
	var s map[string]any
	must(t, 201, do(t, h, "POST", "/api/systems", map[string]any{"name": name})).json(t, &s)
	return s
}

func createDependency(t *testing.T, h http.Handler, systemID any, name string) map[string]any {
	t.Helper()
	var d map[string]any
	must(t, 201, do(t, h, "POST", "/api/systems/"+idStr(systemID)+"/dependencies", map[string]any{"name": name})).json(t, &d)
	return d
}

func idStr(v any) string {
	if f, ok := v.(float64); ok {
		return fmt.Sprint(int64(f))
	}
	return fmt.Sprint(v)
}

// mustStore reopens the env's database file.
func mustStore(t *testing.T, e *testEnv) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), e.dbPath, sqlite.Options{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// ctx is a context acting as the test's own actor.
func (e *testEnv) ctx() context.Context { return application.WithActor(context.Background(), "test") }
