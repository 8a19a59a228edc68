package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

// liveEnv is an env with a system "Payments API" whose dependency
// "Postgres" is red with the message "disk full".
func liveEnv(t *testing.T, configure ...func(*httpserver.Config)) *env {
	t.Helper()
	e := newEnv(t, configure...)
	sys := e.mustSystem("Payments API")
	dep := e.mustDependency(sys.ID, "Postgres")
	if _, _, err := e.systems.SetDependencyStatus(context.Background(), dep.ID,
		application.StatusInput{Status: "red", Message: "disk full"}); err != nil {
		t.Fatal(err)
	}
	return e
}

// The fragment endpoints render the live region of their page, and nothing
// else: the page holds the very same markup, so it exists once.
func TestFragmentsRenderTheLiveRegionOfTheirPage(t *testing.T) {
	e := liveEnv(t)
	tests := []struct {
		name, page, fragment string
		want                 []string
	}{
		{"dashboard", "/", "/fragments/dashboard", []string{`href="/systems/1"`, "Payments API", "Postgres",
			"✕</span> Outage", "disk full", `<span class="count-number">`, "Some systems have an outage"}},
		{"system page", "/systems/1", "/fragments/systems/1", []string{"<h1>Payments API</h1>", "Effective status",
			`action="/systems/1/status"`, `action="/dependencies/1/status"`, "disk full", "propagation"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frag := e.get(tt.fragment)
			wantStatus(t, tt.fragment, frag, http.StatusOK)
			if got, want := frag.header.Get("Content-Type"), "text/html; charset=utf-8"; got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			if got, want := frag.header.Get("Cache-Control"), "no-store"; got != want {
				t.Errorf("Cache-Control = %q, want %q", got, want)
			}
			wantContains(t, tt.fragment, frag, tt.want...)
			for _, not := range []string{"<html", "<head", "site-header", "<main", "data-live-url", "data-live-note", "<script"} {
				if strings.Contains(frag.body, not) {
					t.Errorf("%s contains %q: it must be the region alone", tt.fragment, not)
				}
			}
			page := e.get(tt.page)
			wantStatus(t, tt.page, page, http.StatusOK)
			if !strings.Contains(page.body, "<div data-live-region>\n"+frag.body+"\n</div>") {
				t.Errorf("the live region of %s is not the fragment %s verbatim;\nfragment:\n%s", tt.page, tt.fragment, frag.body)
			}
		})
	}
}

// The pages tell static/live.js where their fragment is and how often to
// fetch it; pages without a live region do not load the script.
func TestLivePagesCarryTheirRefreshSettings(t *testing.T) {
	tests := []struct {
		name    string
		refresh time.Duration
		seconds string
	}{
		{"default", 0, "20"},
		{"configured", 1500 * time.Millisecond, "1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := liveEnv(t, func(c *httpserver.Config) { c.LiveRefresh = tt.refresh })
			for path, fragment := range map[string]string{"/": "/fragments/dashboard", "/systems/1": "/fragments/systems/1"} {
				r := e.get(path)
				wantStatus(t, path, r, http.StatusOK)
				wantContains(t, path, r, `<div class="live" data-live-url="`+fragment+`" data-refresh-seconds="`+tt.seconds+`">`,
					`<script src="/static/live.js?v=`, `data-live-note`, `data-sign-in="/login?next=`+url.QueryEscape(path)+`"`,
					`aria-live="polite" hidden>`)
			}
			r := e.get("/logs")
			if strings.Contains(r.body, "live.js") || strings.Contains(r.body, "data-live-url") {
				t.Error("/logs loads the live refresh, but has no live region")
			}
		})
	}
}

// A form re-rendered with the user's input and its problem is not replaced
// by a refresh: the page turns the refresh off.
func TestFailedFormTurnsTheRefreshOff(t *testing.T) {
	e := liveEnv(t)
	r := e.post("/systems/1/status", url.Values{"status": {"purple"}, "message": {"half-written"}})
	wantStatus(t, "invalid status", r, http.StatusUnprocessableEntity)
	wantContains(t, "invalid status", r, "half-written", "<div data-live-region>")
	if strings.Contains(r.body, "data-live-url") || strings.Contains(r.body, "live.js") {
		t.Error("the re-rendered form would be refreshed away: the page has data-live-url")
	}
}

// A fragment shows the current state: a change made after the page was
// rendered is in the next fragment.
func TestFragmentsFollowChanges(t *testing.T) {
	e := liveEnv(t)
	before := e.get("/fragments/systems/1")
	wantContains(t, "before", before, `<p class="page-status"><span class="status status-outage">`)
	if _, _, err := e.systems.SetDependencyStatus(context.Background(), 1,
		application.StatusInput{Status: "green", Message: "disk replaced"}); err != nil {
		t.Fatal(err)
	}
	for path, now := range map[string]string{
		"/fragments/systems/1": `<p class="page-status"><span class="status status-ok">`,
		"/fragments/dashboard": "All systems operational",
	} {
		r := e.get(path)
		wantStatus(t, path, r, http.StatusOK)
		wantContains(t, path, r, "disk replaced", now)
	}
}

// Without access a fragment is a bare 401 (never the login page, which the
// script would swap in); a reader gets it; a system that does not exist is
// a 404.
func TestFragmentPermissions(t *testing.T) {
	e := liveEnv(t)
	anonymous := e.as("")
	viewer := e.as(domain.RoleViewer)
	tests := []struct {
		name   string
		client *env
		path   string
		want   int
	}{
		{"anonymous dashboard", anonymous, "/fragments/dashboard", http.StatusUnauthorized},
		{"anonymous system", anonymous, "/fragments/systems/1", http.StatusUnauthorized},
		{"viewer dashboard", viewer, "/fragments/dashboard", http.StatusOK},
		{"viewer system", viewer, "/fragments/systems/1", http.StatusOK},
		{"unknown system", e, "/fragments/systems/99", http.StatusNotFound},
		{"bad id", e, "/fragments/systems/x", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.client.get(tt.path)
			wantStatus(t, tt.path, r, tt.want)
			if tt.want == http.StatusUnauthorized {
				if loc := r.header.Get("Location"); loc != "" {
					t.Errorf("redirects to %q, want a bare 401", loc)
				}
				for _, not := range []string{"Payments API", "Postgres", "<form"} {
					if strings.Contains(r.body, not) {
						t.Errorf("the 401 shows %q", not)
					}
				}
			}
		})
	}
	// The pages themselves still send an anonymous visitor to sign in.
	r := anonymous.get("/systems/1")
	wantStatus(t, "anonymous page", r, http.StatusSeeOther)
	wantLocation(t, "anonymous page", r, "/login?next=%2Fsystems%2F1")
	// The viewer's fragment has no status forms: the role may not use them.
	r = viewer.get("/fragments/systems/1")
	if strings.Contains(r.body, `action="/systems/1/status"`) {
		t.Error("the viewer's fragment has the status form")
	}
}

// When anonymous reading is on, a visitor without a session gets the
// fragments like the pages.
func TestFragmentsWithAnonymousRead(t *testing.T) {
	e := liveEnv(t, func(c *httpserver.Config) { c.AnonymousRead = true })
	anonymous := e.as("")
	for _, path := range []string{"/fragments/dashboard", "/fragments/systems/1"} {
		r := anonymous.get(path)
		wantStatus(t, path, r, http.StatusOK)
		wantContains(t, path, r, "Payments API")
	}
}

// Before the first user exists, a fragment is a 401 too, not the
// redirect to /setup that the pages get.
func TestFragmentBeforeSetup(t *testing.T) {
	e := newBareEnv(t)
	r := e.get("/fragments/dashboard")
	wantStatus(t, "fragment before setup", r, http.StatusUnauthorized)
	r = e.get("/")
	wantStatus(t, "page before setup", r, http.StatusSeeOther)
	wantLocation(t, "page before setup", r, "/setup")
}

// A fragment carries an ETag of its body; asked again with it, the server
// answers 304 without a body until the region changes.
func TestFragmentETag(t *testing.T) {
	e := liveEnv(t)
	get := func(path, etag string) response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		return e.do(req)
	}
	for _, path := range []string{"/fragments/dashboard", "/fragments/systems/1"} {
		t.Run(path, func(t *testing.T) {
			first := get(path, "")
			wantStatus(t, path, first, http.StatusOK)
			etag := first.header.Get("ETag")
			if !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
				t.Fatalf("ETag = %q, want a quoted hash", etag)
			}
			same := get(path, etag)
			wantStatus(t, path+" unchanged", same, http.StatusNotModified)
			if same.body != "" {
				t.Errorf("304 has a body: %q", same.body)
			}
			other := get(path, `"something-else"`)
			wantStatus(t, path+" other ETag", other, http.StatusOK)
			if other.body != first.body {
				t.Error("the fragment changed without a change")
			}
		})
	}
	dash := get("/fragments/dashboard", "").header.Get("ETag")
	sys := get("/fragments/systems/1", "").header.Get("ETag")
	if _, _, err := e.systems.SetSystemStatus(context.Background(), 1, application.StatusInput{Status: "yellow"}); err != nil {
		t.Fatal(err)
	}
	for path, etag := range map[string]string{"/fragments/dashboard": dash, "/fragments/systems/1": sys} {
		r := get(path, etag)
		wantStatus(t, path+" after a change", r, http.StatusOK)
		if r.header.Get("ETag") == etag {
			t.Errorf("%s kept its ETag after a change", path)
		}
	}
}
