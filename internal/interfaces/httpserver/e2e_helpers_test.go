package httpserver_test

import (
	"bytes"
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

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/infrastructure/sqlite/sqlitetest"
	"github.com/status-incident/status-incident/internal/interfaces/httpserver"
)

// newServer builds the handler exactly as main does, over a real SQLite file.
func newServer(t *testing.T) http.Handler {
	t.Helper()
	clock := sqlitetest.NewClock(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	db := sqlitetest.Open(t, clock.Now)
	h, err := httpserver.New(httpserver.Config{
		Systems:  application.NewSystemService(db, clock.Now),
		Ready:    db,
		Log:      slog.New(slog.DiscardHandler),
		Registry: prometheus.NewRegistry(),
		Version:  "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
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
