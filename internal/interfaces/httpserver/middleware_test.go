package httpserver

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// newTestFrame is frame around a router with a few routes, logging at
// debug level into the returned buffer.
func newTestFrame(t *testing.T) (*frame, *prometheus.HistogramVec, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	hist := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "d"}, []string{"method", "route", "code"})
	mux := chi.NewRouter()
	mux.Get("/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		// The handler sees the request id and the route parameter.
		w.Write([]byte(middleware.GetReqID(r.Context()) + " " + chi.URLParam(r, "id")))
	})
	mux.Get("/panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	mux.Get("/deadline", func(w http.ResponseWriter, r *http.Request) {
		// http.ResponseController reaches the connection through the
		// frame's writer.
		err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Minute))
		if err != nil {
			t.Errorf("SetWriteDeadline through the frame: %v", err)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return newFrame(mux, log, hist), hist, &logs
}

func TestFrameRequestID(t *testing.T) {
	f, _, _ := newTestFrame(t)
	generated := regexp.MustCompile(`^[a-z2-7]{8}-\d{6,}$`)
	tests := []struct {
		name, incoming string
		keep           bool
	}{
		{"none sent", "", false},
		{"caller's id", "trace-4bf92f3577b34da6", true},
		{"too long", strings.Repeat("a", 129), false},
		{"with a line break", "abc\ndef", false},
		{"with a space", "abc def", false},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/things/7", nil)
			if tt.incoming != "" {
				req.Header["X-Request-Id"] = []string{tt.incoming}
			}
			rec := httptest.NewRecorder()
			f.ServeHTTP(rec, req)
			id := rec.Header().Get("X-Request-Id")
			if tt.keep && id != tt.incoming {
				t.Errorf("X-Request-Id = %q, want the caller's %q", id, tt.incoming)
			}
			if !tt.keep && !generated.MatchString(id) {
				t.Errorf("X-Request-Id = %q, want a generated id", id)
			}
			if want := id + " 7"; rec.Body.String() != want {
				t.Errorf("handler saw %q, want %q", rec.Body.String(), want)
			}
			if !tt.keep && seen[id] {
				t.Errorf("id %q given twice", id)
			}
			seen[id] = true
		})
	}
}

func TestFrameSecurityHeaders(t *testing.T) {
	f, _, _ := newTestFrame(t)
	for path, csp := range map[string]string{"/things/1": cspPages, "/swagger/index.html": cspSwagger} {
		rec := httptest.NewRecorder()
		f.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		want := map[string]string{"Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff",
			"X-Frame-Options": "DENY", "Referrer-Policy": "same-origin", "Cross-Origin-Opener-Policy": "same-origin"}
		for k, v := range want {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", path, k, got, v)
			}
		}
	}
	// The shared header values are not written through: Add copies.
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/things/1", nil))
	rec.Header().Add("Referrer-Policy", "no-referrer")
	if got := sameOriginValue; len(got) != 1 || got[0] != "same-origin" {
		t.Errorf("Header.Add changed the shared value: %q", got)
	}
}

// samples is how many requests the histogram observed with these labels.
func samples(t *testing.T, hist *prometheus.HistogramVec, method, route, code string) uint64 {
	t.Helper()
	var m dto.Metric
	if err := hist.WithLabelValues(method, route, code).(prometheus.Metric).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount()
}

func TestFrameObservesAndLogs(t *testing.T) {
	f, hist, logs := newTestFrame(t)
	for _, path := range []string{"/things/1", "/things/2", "/nowhere"} {
		f.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	if n := samples(t, hist, "GET", "/things/{id}", "200"); n != 2 {
		t.Errorf("/things/{id} 200: %d samples, want 2", n)
	}
	if n := samples(t, hist, "GET", "unmatched", "404"); n != 1 {
		t.Errorf("unmatched 404: %d samples, want 1", n)
	}
	for _, want := range []string{`path=/things/2 route=/things/{id} status=200 bytes=`, `path=/nowhere route=unmatched status=404`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestFramePanicIs500(t *testing.T) {
	f, hist, logs := newTestFrame(t)
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/panic", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", rec.Code)
	}
	id := rec.Header().Get("X-Request-Id")
	if !strings.Contains(logs.String(), "panic in handler") || !strings.Contains(logs.String(), "request_id="+id) {
		t.Errorf("no panic line with request_id=%s in the log:\n%s", id, logs.String())
	}
	if n := samples(t, hist, "GET", "/panic", "500"); n != 1 {
		t.Errorf("/panic 500: %d samples, want 1", n)
	}
	// The next request is served normally.
	rec = httptest.NewRecorder()
	f.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/things/3", nil))
	if rec.Code != http.StatusOK || !strings.HasSuffix(rec.Body.String(), " 3") {
		t.Errorf("after a panic: %d %q", rec.Code, rec.Body.String())
	}
}

// TestFrameOverTheNetwork: through a real server, http.ResponseController
// reaches the connection through the frame's writer, and keep-alive
// requests each get their own route parameters (the routing contexts are
// pooled).
func TestFrameOverTheNetwork(t *testing.T) {
	f, _, _ := newTestFrame(t)
	srv := httptest.NewServer(f)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/deadline")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("/deadline: %d, want 204", resp.StatusCode)
	}
	for _, id := range []string{"a", "b", "c"} {
		resp, err := srv.Client().Get(srv.URL + "/things/" + id)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.HasSuffix(string(body), " "+id) {
			t.Errorf("/things/%s answered %q", id, body)
		}
	}
}

func TestFrameAbortHandlerPanics(t *testing.T) {
	f, _, _ := newTestFrame(t)
	f.Mux.Get("/abort", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	defer func() {
		err, _ := recover().(error)
		if !errors.Is(err, http.ErrAbortHandler) {
			t.Errorf("recovered %v, want http.ErrAbortHandler", err)
		}
	}()
	f.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/abort", nil))
	t.Error("ErrAbortHandler did not reach the server")
}
