package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/checker"
	"github.com/status-incident/status-incident/internal/infrastructure/notify"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

// env is the real handler, as main builds it, over a fresh SQLite file, and
// a client with its own cookie jar.
type env struct {
	t        *testing.T
	srv      *httptest.Server
	systems  *application.SystemService
	auth     *application.AuthService
	monitors *application.MonitorService
	webhooks *application.WebhookService
	sleeps   *sleepRecorder
	client   *http.Client
}

// sleepRecorder stands in for time.Sleep and remembers what was asked.
type sleepRecorder struct {
	mu  sync.Mutex
	got []time.Duration
}

func (s *sleepRecorder) Sleep(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, d)
}

func (s *sleepRecorder) calls() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.got...)
}

// newEnv returns an env whose client is signed in as the administrator
// "admin".
func newEnv(t *testing.T, configure ...func(*httpserver.Config)) *env {
	t.Helper()
	e := newBareEnv(t, configure...)
	e.createUser("admin", domain.RoleAdmin)
	e.signIn("admin")
	return e
}

// newBareEnv returns an env where no user exists yet (first run) and the
// client has no cookie.
func newBareEnv(t *testing.T, configure ...func(*httpserver.Config)) *env {
	t.Helper()
	db := sqlitetest.Open(t, nil)
	systems := application.NewSystemService(db, time.Now)
	auth := application.NewAuthService(db, application.AuthConfig{Now: time.Now, BcryptCost: bcrypt.MinCost})
	sleeps := &sleepRecorder{}
	var cfg httpserver.Config
	// The monitors read the clock a configure function may set, so that
	// pages and recorded checks agree on what "now" is.
	now := func() time.Time {
		if cfg.Now != nil {
			return cfg.Now()
		}
		return time.Now()
	}
	monitors := application.NewMonitorService(db, systems, checker.New(checker.Options{}), auth, application.MonitorConfig{Now: now})
	cfg = httpserver.Config{Systems: systems, Auth: auth, Monitors: monitors, Maintenances: application.NewMaintenanceService(db, systems, application.MaintenanceConfig{Now: now}), Analytics: application.NewAnalyticsService(db, systems, now), Incidents: application.NewIncidentService(db, systems, nil), Backup: application.NewBackupService(db, now), Ready: db, Log: slog.New(slog.DiscardHandler),
		Registry: prometheus.NewRegistry(), Version: "test", Sleep: sleeps.Sleep,
		Settings: application.NewSettingsService(db, domain.PageSettings{}), Generation: db.ChangeGeneration}
	cfg.Webhooks = application.NewWebhookService(db, notify.New(notify.Options{Now: now}), systems, application.WebhookConfig{Now: now})
	for _, f := range configure {
		f(&cfg)
	}
	h, err := httpserver.New(cfg)
	if err != nil {
		t.Fatalf("httpserver.New: %v", err)
	}
	// Served as main.go serves it, through a coalescing listener, so the
	// browser tests run over it too.
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = httpserver.CoalesceWrites(srv.Config, srv.Listener)
	srv.Start()
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, systems: systems, auth: auth, monitors: monitors, webhooks: cfg.Webhooks, sleeps: sleeps}
	e.client = e.newClient()
	return e
}

func (e *env) newClient() *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// password is the password the test users get.
func password(name string) string { return name + "-secret-pw" }

// createUser adds a user through the service, with password(name).
func (e *env) createUser(name string, role domain.Role) domain.User {
	e.t.Helper()
	u, err := e.auth.CreateUser(application.WithActor(context.Background(), "test"),
		application.UserInput{Username: name, Password: password(name), Role: string(role)})
	if err != nil {
		e.t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// login posts the login form with the env's client.
func (e *env) login(name, pw, next string) response {
	e.t.Helper()
	form := url.Values{"username": {name}, "password": {pw}}
	if next != "" {
		form.Set("next", next)
	}
	return e.post("/login", form)
}

// signIn logs the env's client in as name, whose password is password(name).
func (e *env) signIn(name string) {
	e.t.Helper()
	if r := e.login(name, password(name), ""); r.status != http.StatusSeeOther {
		e.t.Fatalf("sign in as %s: status %d, want 303; body:\n%s", name, r.status, r.body)
	}
}

// as returns the same server with a new client signed in as a new user of
// role (named after it); role "" is an anonymous client without a cookie.
func (e *env) as(role domain.Role) *env {
	e.t.Helper()
	other := *e
	other.client = e.newClient()
	if role != "" {
		name := "the-" + string(role)
		if _, ok := e.userNamed(name); !ok {
			e.createUser(name, role)
		}
		other.signIn(name)
	}
	return &other
}

func (e *env) userNamed(name string) (domain.User, bool) {
	users, err := e.auth.ListUsers(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == name {
			return u, true
		}
	}
	return domain.User{}, false
}

// cookie returns the value of the client's cookie name, "" when it has none.
func (e *env) cookie(name string) string {
	u, _ := url.Parse(e.srv.URL)
	for _, c := range e.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
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

func wantLocation(t *testing.T, what string, r response, want string) {
	t.Helper()
	if got := r.header.Get("Location"); got != want {
		t.Errorf("%s: Location = %q, want %q", what, got, want)
	}
}
