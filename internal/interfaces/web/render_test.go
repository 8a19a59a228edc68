package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5/middleware"
	"golang.org/x/crypto/bcrypt"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
)

// testAuth is an AuthService over a fresh database.
func testAuth(t *testing.T) *application.AuthService {
	t.Helper()
	return application.NewAuthService(sqlitetest.Open(t, nil), application.AuthConfig{BcryptCost: bcrypt.MinCost})
}

// testMonitors is a MonitorService for tests that never reach it.
func testMonitors() *application.MonitorService {
	return application.NewMonitorService(nil, nil, nil, nil, application.MonitorConfig{})
}

func newTestHandler(t *testing.T) (*Handler, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	h, err := New(Config{Systems: application.NewSystemService(nil, nil), Auth: testAuth(t), Monitors: testMonitors(),
		Version: "v-test", Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return h, &logs
}

func requestWithID(method, path, id string) *http.Request {
	r := httptest.NewRequest(method, path, nil)
	return r.WithContext(context.WithValue(r.Context(), middleware.RequestIDKey, id))
}

// TestRenderErrorIsClean500 renders a page with data that does not fit its
// template: the client gets the whole error page with a generic message, not
// half a page, and the log gets the real error with the request id.
func TestRenderErrorIsClean500(t *testing.T) {
	h, logs := newTestHandler(t)
	w := httptest.NewRecorder()
	h.render(w, requestWithID("GET", "/", "req-42"), http.StatusOK, pageDashboard, struct{ Layout }{})
	if got, want := w.Code, http.StatusInternalServerError; got != want {
		t.Fatalf("status %d, want %d", got, want)
	}
	body := w.Body.String()
	for _, want := range []string{"internal server error", "</html>", `href="/"`} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	if strings.Contains(body, "Dashboard</h1>") {
		t.Error("the 500 page contains part of the failed page")
	}
	if got := strings.Count(logs.String(), "level=ERROR"); got != 1 {
		t.Errorf("logged %d errors, want 1:\n%s", got, logs)
	}
	if !strings.Contains(logs.String(), "request_id=req-42") {
		t.Errorf("log lacks the request id:\n%s", logs)
	}
}

func TestDenyMapsErrors(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		status  int
		message string
		logged  bool
	}{
		{"forbidden", &domain.Error{Kind: domain.ErrForbidden, Message: "admin access is needed; bob has read access"},
			http.StatusForbidden, "admin access is needed; bob has read access", false},
		{"not found", domain.NotFoundf("system %d not found", 3), http.StatusNotFound, "system 3 not found", false},
		{"internal", fmt.Errorf("query: %w", errors.New("disk I/O error")), http.StatusInternalServerError, "internal server error", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, logs := newTestHandler(t)
			w := httptest.NewRecorder()
			h.Deny(w, requestWithID("GET", "/admin", "req-7"), tt.err)
			if got := w.Code; got != tt.status {
				t.Errorf("status %d, want %d", got, tt.status)
			}
			body := w.Body.String()
			if !strings.Contains(body, tt.message) {
				t.Errorf("body lacks %q", tt.message)
			}
			if strings.Contains(body, "disk I/O") {
				t.Error("the page leaks the internal error")
			}
			if got := strings.Contains(logs.String(), "disk I/O error"); got != tt.logged {
				t.Errorf("logged the error: %v, want %v", got, tt.logged)
			}
		})
	}
}

// TestDenyUnauthorizedRedirects sends a caller without credentials to
// /setup before the first user exists, and to the login page after, coming
// back to the page of a GET.
func TestDenyUnauthorizedRedirects(t *testing.T) {
	h, _ := newTestHandler(t)
	deny := func(method, target string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.Deny(w, httptest.NewRequest(method, target, nil), domain.ErrUnauthorized)
		return w
	}
	if w := deny("GET", "/admin"); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/setup" {
		t.Errorf("no users yet: %d to %q, want 303 to /setup", w.Code, w.Header().Get("Location"))
	}
	if _, err := h.auth.CreateUser(context.Background(), application.UserInput{Username: "a", Password: "long enough", Role: "admin"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ method, target, want string }{
		{"GET", "/admin", "/login?next=%2Fadmin"},
		{"GET", "/logs?system=1&status=red", "/login?next=%2Flogs%3Fsystem%3D1%26status%3Dred"},
		{"POST", "/systems/1/status", "/login"},
	}
	for _, tt := range tests {
		w := deny(tt.method, tt.target)
		if got := w.Header().Get("Location"); w.Code != http.StatusSeeOther || got != tt.want {
			t.Errorf("%s %s: %d to %q, want 303 to %q", tt.method, tt.target, w.Code, got, tt.want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/systems/1", "/systems/1"},
		{"/logs?system=1&status=red#top", "/logs?system=1&status=red#top"},
		{"//evil.example", "/"},
		{"//evil.example/path", "/"},
		{`/\evil.example`, "/"},
		{`/\\evil.example`, "/"},
		{"https://evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/%2F%2Fevil.example", "/%2F%2Fevil.example"}, // stays a path on this site
	}
	for _, tt := range tests {
		if got := localPath(tt.in); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
