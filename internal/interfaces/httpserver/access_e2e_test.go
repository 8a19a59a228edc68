package httpserver_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/access"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

// caller is one kind of client in the permission matrix.
type caller struct {
	name  string
	level domain.Level
	auth  func(*http.Request)
}

func (e *testEnv) callers(t *testing.T) []caller {
	t.Helper()
	ctx := application.WithActor(context.Background(), "test")
	session := func(role domain.Role) func(*http.Request) {
		name := "user-" + string(role)
		if _, err := e.auth.CreateUser(ctx, application.UserInput{Username: name, Password: "password-" + name, Role: string(role)}); err != nil {
			t.Fatal(err)
		}
		token, _, err := e.auth.Login(ctx, name, "password-"+name)
		if err != nil {
			t.Fatal(err)
		}
		return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: token}) }
	}
	apiKey := func(scope string) func(*http.Request) {
		k := e.key(t, "key-"+scope, scope)
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+k) }
	}
	return []caller{
		{"anonymous", domain.LevelNone, func(*http.Request) {}},
		{"viewer", domain.LevelRead, session(domain.RoleViewer)},
		{"editor", domain.LevelWrite, session(domain.RoleEditor)},
		{"admin", domain.LevelAdmin, session(domain.RoleAdmin)},
		{"read key", domain.LevelRead, apiKey("read")},
		{"write key", domain.LevelWrite, apiKey("write")},
		{"admin key", domain.LevelAdmin, apiKey("admin")},
	}
}

// fixtures creates what a route needs and returns the concrete path and body.
type fixtures struct {
	t      *testing.T
	e      *testEnv
	sys    *application.SystemService
	target string // a loopback health endpoint
	n      int
}

func (f *fixtures) uniq(prefix string) string {
	f.n++
	return fmt.Sprintf("%s-%d", prefix, f.n)
}

func (f *fixtures) request(method, pattern string) (string, string) {
	t := f.t
	ctx := application.WithActor(context.Background(), "fixture")
	path := pattern
	if strings.Contains(pattern, "{id}") {
		var id int64
		switch {
		case strings.HasPrefix(pattern, "/api/systems/"):
			s, err := f.sys.CreateSystem(ctx, domain.SystemInput{Name: f.uniq("sys")})
			if err != nil {
				t.Fatal(err)
			}
			id = s.ID
		case strings.HasPrefix(pattern, "/api/dependencies/"):
			s, _ := f.sys.CreateSystem(ctx, domain.SystemInput{Name: f.uniq("sys")})
			d, err := f.sys.CreateDependency(ctx, s.ID, domain.DependencyInput{Name: "dep"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.e.monitors.Configure(ctx, d.ID, domain.Heartbeat{URL: f.target}); err != nil {
				t.Fatal(err)
			}
			id = d.ID
		case strings.HasPrefix(pattern, "/api/apikeys/"):
			k, _, err := f.e.auth.CreateAPIKey(ctx, application.APIKeyInput{Name: f.uniq("k"), Scopes: []string{"read"}})
			if err != nil {
				t.Fatal(err)
			}
			id = k.ID
		case strings.HasPrefix(pattern, "/api/users/"):
			u, err := f.e.auth.CreateUser(ctx, application.UserInput{Username: f.uniq("u"), Password: "long enough", Role: "viewer"})
			if err != nil {
				t.Fatal(err)
			}
			id = u.ID
		case strings.HasPrefix(pattern, "/api/incidents/"):
			inc, err := f.e.incidents.Create(ctx, application.IncidentInput{Title: ptrTo(f.uniq("incident"))})
			if err != nil {
				t.Fatal(err)
			}
			id = inc.ID
		case strings.HasPrefix(pattern, "/api/maintenances/"):
			start := f.e.clock.Now().AddDate(0, 0, 1)
			title, end := f.uniq("window"), start.AddDate(0, 0, 1)
			m, err := f.e.maintenances.Create(ctx, application.MaintenanceInput{Title: &title, StartsAt: &start, EndsAt: &end})
			if err != nil {
				t.Fatal(err)
			}
			id = m.ID
		case strings.HasPrefix(pattern, "/api/sla/reports/"):
			r, err := f.e.analytics.CreateReport(ctx, application.ReportInput{Title: f.uniq("report"), Period: "daily"})
			if err != nil {
				t.Fatal(err)
			}
			id = r.ID
		case strings.HasPrefix(pattern, "/api/sla/breaches/"):
			s, _ := f.sys.CreateSystem(ctx, domain.SystemInput{Name: f.uniq("sys")})
			if _, err := f.sys.SetSLATarget(ctx, s.ID, 100); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.sys.SetSystemStatus(ctx, s.ID, application.StatusInput{Status: "red"}); err != nil {
				t.Fatal(err)
			}
			f.e.clock.Advance(time.Second)
			bs, err := f.e.analytics.CheckBreaches(ctx)
			if err != nil || len(bs) == 0 {
				t.Fatalf("no breach to acknowledge: %v", err)
			}
			id = bs[len(bs)-1].ID
		case strings.HasPrefix(pattern, "/api/webhooks/"):
			id = f.webhook().ID
		case strings.HasPrefix(pattern, "/api/deliveries/"):
			// A delivered delivery: an incident fanned out to a webhook, sent once.
			hook := f.webhook()
			if _, err := f.e.incidents.Create(ctx, application.IncidentInput{Title: ptrTo(f.uniq("incident"))}); err != nil {
				t.Fatal(err)
			}
			jobs, err := f.e.webhooks.Claim(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range jobs {
				if _, err := f.e.webhooks.Deliver(ctx, j); err != nil {
					t.Fatal(err)
				}
				if j.Webhook.ID == hook.ID {
					id = j.Delivery.ID
				}
			}
			if id == 0 {
				t.Fatal("no delivery for the new webhook")
			}
		default:
			t.Fatalf("no fixture for %s", pattern)
		}
		path = strings.Replace(pattern, "{id}", fmt.Sprint(id), 1)
	}
	if strings.Contains(pattern, "{token}") {
		s, _ := f.sys.CreateSystem(ctx, domain.SystemInput{Name: f.uniq("sys")})
		d, _ := f.sys.CreateDependency(ctx, s.ID, domain.DependencyInput{Name: "job"})
		m, err := f.e.monitors.Configure(ctx, d.ID, domain.Heartbeat{Type: domain.HeartbeatPush})
		if err != nil {
			t.Fatal(err)
		}
		path = strings.Replace(pattern, "{token}", m.PushToken, 1)
	}
	body := map[string]string{
		"POST /api/systems":                     fmt.Sprintf(`{"name":%q}`, f.uniq("new")),
		"PUT /api/systems/{id}":                 fmt.Sprintf(`{"name":%q}`, f.uniq("renamed")),
		"POST /api/systems/{id}/status":         `{"status":"yellow","message":"m"}`,
		"POST /api/systems/{id}/dependencies":   `{"name":"db"}`,
		"PUT /api/dependencies/{id}":            `{"name":"db2"}`,
		"POST /api/dependencies/{id}/status":    `{"status":"red"}`,
		"POST /api/apikeys":                     fmt.Sprintf(`{"name":%q,"scopes":["read"]}`, f.uniq("newkey")),
		"PUT /api/apikeys/{id}/toggle":          `{"enabled":false}`,
		"POST /api/users":                       fmt.Sprintf(`{"username":%q,"password":"long enough","role":"viewer"}`, f.uniq("newuser")),
		"PUT /api/users/{id}":                   `{"role":"editor"}`,
		"POST /api/incidents":                   `{"title":"Outage","impact":"major"}`,
		"PUT /api/incidents/{id}":               `{"impact":"critical"}`,
		"POST /api/incidents/{id}/updates":      `{"status":"identified","message":"found it"}`,
		"POST /api/incidents/{id}/resolve":      `{"message":"fixed"}`,
		"POST /api/dependencies/{id}/heartbeat": fmt.Sprintf(`{"url":%q,"interval":30}`, f.target),
		"POST /api/maintenances":                fmt.Sprintf(`{"title":%q,"starts_at":"2026-07-01T10:00:00Z","ends_at":"2026-07-01T11:00:00Z"}`, f.uniq("window")),
		"PUT /api/maintenances/{id}":            `{"title":"moved","ends_at":"2026-07-02T11:00:00Z"}`,
		"POST /api/webhooks":                    fmt.Sprintf(`{"name":%q,"type":"generic","url":%q,"events":["status_change"]}`, f.uniq("hook"), f.target),
		"PUT /api/webhooks/{id}":                `{"enabled":false}`,
		"PUT /api/systems/{id}/sla-target":      `{"sla_target":99.5}`,
		"POST /api/sla/reports":                 fmt.Sprintf(`{"title":%q,"period":"daily"}`, f.uniq("report")),
		"POST /api/import":                      `{"version":"2.0"}`,
	}[method+" "+pattern]
	return path, body
}

// The permission matrix: every API route, every kind of caller.
func TestPermissionMatrix(t *testing.T) {
	e := newEnv(t)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer target.Close()
	f := &fixtures{t: t, e: e, sys: e.systems, target: target.URL + "/health"}
	table := httpserver.Routes(nil, nil, httpserver.Config{Registry: prometheus.NewRegistry()})
	callers := e.callers(t)
	checked := 0
	for _, rt := range table {
		if !strings.HasPrefix(rt.Pattern, "/api/") {
			continue
		}
		for _, c := range callers {
			t.Run(c.name+" "+rt.Method+" "+rt.Pattern, func(t *testing.T) {
				f.t = t
				path, body := f.request(rt.Method, rt.Pattern)
				req := httptest.NewRequest(rt.Method, path, strings.NewReader(body))
				c.auth(req)
				rec := httptest.NewRecorder()
				e.h.ServeHTTP(rec, req)
				want := "2xx"
				switch {
				case rt.Perm == access.Public:
				case c.level == domain.LevelNone:
					want = "401"
				case c.level < rt.Perm.Level():
					want = "403"
				}
				got := fmt.Sprint(rec.Code)
				if want == "2xx" && rec.Code >= 200 && rec.Code < 300 {
					got = "2xx"
				}
				if got != want {
					t.Errorf("%s %s as %s: %d, want %s; body %.200s", rt.Method, path, c.name, rec.Code, want, rec.Body)
				}
			})
			checked++
		}
	}
	if checked < 7*25 {
		t.Errorf("only %d route × caller combinations checked", checked)
	}
}

func ptrTo[T any](v T) *T { return &v }

// webhook creates a generic webhook for incidents that posts to the
// fixtures' loopback target.
func (f *fixtures) webhook() domain.Webhook {
	ctx := application.WithActor(context.Background(), "fixture")
	w, err := f.e.webhooks.Create(ctx, application.WebhookInput{Name: ptrTo(f.uniq("hook")), Type: ptrTo("generic"),
		URL: ptrTo(f.target), Events: &[]string{"incident_created"}})
	if err != nil {
		f.t.Fatal(err)
	}
	return w
}
