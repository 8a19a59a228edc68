package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/status-incident/status-incident/internal/application"
)

func TestPagesRender(t *testing.T) {
	e := newEnv(t)
	sys := e.mustSystem("Payments API")
	dep := e.mustDependency(sys.ID, "Postgres")
	ctx := context.Background()
	if _, _, err := e.systems.SetDependencyStatus(ctx, dep.ID, application.StatusInput{Status: "red", Message: "disk full"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       []string
	}{
		{"dashboard", "/", []string{"<h1>Dashboard</h1>", `href="/systems/1"`, "Payments API", "Postgres",
			"✕</span> Outage", "disk full", `<time datetime="`, `title="`, "just now", `aria-current="page">Dashboard`}},
		{"system", "/systems/1", []string{"Payments API", "Manual status", "Effective status",
			`action="/systems/1/status"`, `action="/dependencies/1/status"`, "disk full", "propagation", "99.9%"}},
		{"logs", "/logs", []string{"Change log", "Payments API", "Postgres", "disk full", `name="source"`,
			`<option value="propagation">`}},
		{"admin", "/admin", []string{"Add a system", `action="/admin/systems"`, "/admin/systems/1/edit",
			"/admin/systems/1/delete", "/admin/dependencies/1/edit", `action="/admin/systems/1/dependencies"`}},
		{"edit system", "/admin/systems/1/edit", []string{"Edit system Payments API", `value="Payments API"`, `action="/admin/systems/1"`}},
		{"edit dependency", "/admin/dependencies/1/edit", []string{"Edit dependency Postgres", `value="Postgres"`}},
		{"delete system", "/admin/systems/1/delete", []string{"Delete system <strong>Payments API</strong>?",
			"This removes its 1 dependency and its change history.", `action="/admin/systems/1/delete"`}},
		{"delete dependency", "/admin/dependencies/1/delete", []string{"Delete dependency <strong>Postgres</strong>?",
			`action="/admin/dependencies/1/delete"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(tt.path)
			wantStatus(t, tt.path, r, http.StatusOK)
			if got, want := r.header.Get("Content-Type"), "text/html; charset=utf-8"; got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			wantContains(t, tt.path, r, tt.want...)
			wantContains(t, tt.path, r, `<script src="/static/app.js?v=`, `defer></script>`)
			if regexp.MustCompile(`<script>|\son[a-z]+=`).MatchString(r.body) {
				t.Errorf("%s has an inline script or event handler", tt.path)
			}
		})
	}
}

func TestDashboardEmptyState(t *testing.T) {
	e := newEnv(t)
	r := e.get("/")
	wantStatus(t, "/", r, http.StatusOK)
	wantContains(t, "/", r, "No systems yet — add one in Admin", `href="/admin"`)
}

func TestDashboardCounts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i, st := range []string{"green", "yellow", "yellow", "red"} {
		s := e.mustSystem(fmt.Sprintf("sys %d", i))
		if _, _, err := e.systems.SetSystemStatus(ctx, s.ID, application.StatusInput{Status: st}); err != nil {
			t.Fatal(err)
		}
	}
	r := e.get("/")
	for _, want := range []string{
		`<span class="count-number">1</span>` + "\n    " + `<span class="count-label"><span class="status-icon" aria-hidden="true">✓</span> Operational`,
		`<span class="count-number">2</span>` + "\n    " + `<span class="count-label"><span class="status-icon" aria-hidden="true">!</span> Degraded`,
		`<span class="count-number">1</span>` + "\n    " + `<span class="count-label"><span class="status-icon" aria-hidden="true">✕</span> Outage`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("dashboard lacks count %q", want)
		}
	}
}

func TestErrorPages(t *testing.T) {
	e := newEnv(t)
	e.mustSystem("A")
	tests := []struct {
		name, method, path string
		want               int
		text               string
	}{
		{"unknown page", "GET", "/no/such/page", http.StatusNotFound, "There is no page at this address."},
		{"unknown system", "GET", "/systems/99", http.StatusNotFound, "system 99 not found"},
		{"non-numeric id", "GET", "/systems/abc", http.StatusBadRequest, "id must be a positive integer"},
		{"unknown system edit", "GET", "/admin/systems/99/edit", http.StatusNotFound, "not found"},
		{"unknown dependency delete", "GET", "/admin/dependencies/99/delete", http.StatusNotFound, "not found"},
		{"status of unknown system", "POST", "/systems/99/status", http.StatusNotFound, "not found"},
		{"delete unknown system", "POST", "/admin/systems/99/delete", http.StatusNotFound, "not found"},
		{"bad log source", "GET", "/logs?source=bogus", http.StatusUnprocessableEntity, "unknown source"},
		{"bad log status", "GET", "/logs?status=purple", http.StatusUnprocessableEntity, "must be one of green, yellow, red"},
		{"bad log cursor", "GET", "/logs?before=x", http.StatusBadRequest, "before must be a positive integer"},
		{"unknown log system", "GET", "/logs?system=42", http.StatusNotFound, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r response
			if tt.method == "POST" {
				r = e.post(tt.path, map[string][]string{"status": {"red"}})
			} else {
				r = e.get(tt.path)
			}
			wantStatus(t, tt.path, r, tt.want)
			wantContains(t, tt.path, r, tt.text, `href="/"`, "<html")
		})
	}
}

func TestStatic(t *testing.T) {
	e := newEnv(t)
	page := e.get("/")
	m := regexp.MustCompile(`href="(/static/style\.css\?v=([0-9a-f]+))"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("dashboard does not link a versioned style.css")
	}
	tests := []struct {
		name, path, contentType, cache string
	}{
		{"versioned css", m[1], "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{"unversioned css", "/static/style.css", "text/css; charset=utf-8", "no-cache"},
		{"stale version", "/static/style.css?v=0000", "text/css; charset=utf-8", "no-cache"},
		{"js", "/static/app.js", "text/javascript; charset=utf-8", "no-cache"},
		{"svg", "/static/favicon.svg", "image/svg+xml", "no-cache"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(tt.path)
			wantStatus(t, tt.path, r, http.StatusOK)
			if got := r.header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
			if got := r.header.Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.cache)
			}
			etag := r.header.Get("ETag")
			if etag == "" || len(r.body) == 0 {
				t.Fatalf("ETag %q, body %d bytes", etag, len(r.body))
			}
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+tt.path, nil)
			req.Header.Set("If-None-Match", etag)
			r2 := e.do(req)
			if got, want := r2.status, http.StatusNotModified; got != want {
				t.Errorf("If-None-Match: status %d, want %d", got, want)
			}
			if r2.body != "" {
				t.Errorf("304 with a body of %d bytes", len(r2.body))
			}
		})
	}
	if got, want := `"`+m[2]+`"`, e.get(m[1]).header.Get("ETag"); got != want {
		t.Errorf("?v= is %s, ETag %s: want the same hash", got, want)
	}
	wantStatus(t, "missing static file", e.get("/static/nope.css"), http.StatusNotFound)
}
