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

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
)

func newTestHandler(t *testing.T) (*Handler, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	h, err := New(Config{Systems: application.NewSystemService(nil, nil), Version: "v-test",
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
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
		{"unauthorized", domain.ErrUnauthorized, http.StatusUnauthorized, "authentication required", false},
		{"forbidden", domain.ErrForbidden, http.StatusForbidden, "you may not do this", false},
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
