package httpserver

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
)

// frame is the handler every request enters first, around the router. It
// gives the request an id (an incoming X-Request-Id, or a new one) and sends
// it back, sets the security headers, turns a panic into a logged 500,
// observes the duration by route pattern and logs one line per request.
//
// It is one handler rather than a chain of middleware because a cached
// public page is served in a few microseconds, and under load the chain's
// closures, context and request copies, formatted ids and boxed log
// arguments cost more than that, mostly through the garbage collector
// (docs/PERFORMANCE.md). So frame allocates one value per request, which is
// both the response writer and the context holding the request id and
// chi's routing context (taken from a pool, so the router adds no context
// of its own); headers are preset slices; the log line is built only when
// its level is enabled.
//
// frame embeds the router, so it is still a chi.Routes to walk.
type frame struct {
	*chi.Mux
	log    *slog.Logger
	hist   *prometheus.HistogramVec
	ids    *requestIDs
	routes sync.Pool // *chi.Context
}

func newFrame(mux *chi.Mux, log *slog.Logger, hist *prometheus.HistogramVec) *frame {
	f := &frame{Mux: mux, log: log, hist: hist, ids: newRequestIDs()}
	f.routes.New = func() any { return chi.NewRouteContext() }
	return f
}

// exchange is one request's response writer and context.
type exchange struct {
	statusWriter
	ctx requestContext
}

// requestContext answers the request id and chi's routing context, and
// the rest from the connection's context.
type requestContext struct {
	context.Context
	id    string
	route *chi.Context
}

func (c *requestContext) Value(key any) any {
	switch key {
	case middleware.RequestIDKey:
		return c.id
	case chi.RouteCtxKey:
		return c.route
	}
	return c.Context.Value(key)
}

func (f *frame) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get(middleware.RequestIDHeader)
	if !validRequestID(id) {
		id = f.ids.next()
	}
	route := f.routes.Get().(*chi.Context)
	route.Reset()
	route.Routes = f.Mux
	x := &exchange{statusWriter: statusWriter{ResponseWriter: w, conn: r.Context()}, ctx: requestContext{Context: r.Context(), id: id, route: route}}
	r = r.WithContext(&x.ctx)

	h := w.Header()
	h["X-Request-Id"] = []string{id}
	if strings.HasPrefix(r.URL.Path, "/swagger/") {
		h["Content-Security-Policy"] = cspSwaggerValue
	} else {
		h["Content-Security-Policy"] = cspPagesValue
	}
	h["X-Content-Type-Options"] = nosniffValue
	h["X-Frame-Options"] = denyValue
	h["Referrer-Policy"] = sameOriginValue
	h["Cross-Origin-Opener-Policy"] = sameOriginValue

	defer func() {
		rec := recover()
		if rec == http.ErrAbortHandler {
			panic(rec)
		}
		if rec != nil {
			f.log.ErrorContext(r.Context(), "panic in handler", "panic", rec, "method", r.Method, "path", r.URL.Path,
				"request_id", id, "stack", string(debug.Stack()))
			if !x.wroteHeader {
				http.Error(&x.statusWriter, "internal server error", http.StatusInternalServerError)
			}
		}
		f.done(r, x, time.Since(start))
		route.Reset()
		f.routes.Put(route)
	}()
	f.Mux.ServeHTTP(&x.statusWriter, r)
}

// done observes and logs a finished request.
func (f *frame) done(r *http.Request, x *exchange, elapsed time.Duration) {
	pattern := x.ctx.route.RoutePattern()
	if pattern == "" {
		pattern = "unmatched"
	}
	status := x.status
	if status == 0 {
		status = http.StatusOK
	}
	f.hist.WithLabelValues(methodLabel(r.Method), pattern, statusText(status)).Observe(elapsed.Seconds())
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelWarn
	}
	if f.log.Enabled(r.Context(), level) {
		f.log.LogAttrs(r.Context(), level, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("route", pattern), slog.Int("status", status), slog.Int64("bytes", x.bytes),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000), slog.String("request_id", x.ctx.id))
	}
}

// statusWriter records the status code and the body bytes written. Unwrap
// lets http.ResponseController reach the connection (deadlines); a flush
// goes on to the connection itself (see CoalesceWrites).
type statusWriter struct {
	http.ResponseWriter
	conn        context.Context // the request's, which knows its connection
	status      int
	bytes       int64
	wroteHeader bool
}

// FlushError sends what the response has buffered, then what the
// connection holds of it.
func (w *statusWriter) FlushError() error {
	if !w.wroteHeader {
		w.status, w.wroteHeader = http.StatusOK, true
	}
	if err := http.NewResponseController(w.ResponseWriter).Flush(); err != nil {
		return err
	}
	return flushConn(w.conn)
}

// Flush is FlushError for callers that want an http.Flusher.
func (w *statusWriter) Flush() { _ = w.FlushError() }

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader && code >= 200 {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = http.StatusOK, true
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestIDs makes request ids: a random prefix for this process and a
// counter, e.g. "k3x9q2mf-000042".
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return &requestIDs{prefix: strings.ToLower(base32.StdEncoding.EncodeToString(b[:])) + "-"}
}

func (g *requestIDs) next() string {
	n := g.n.Add(1)
	buf := make([]byte, 0, len(g.prefix)+20)
	buf = append(buf, g.prefix...)
	for d := uint64(100000); d > 1 && n < d; d /= 10 {
		buf = append(buf, '0')
	}
	return string(strconv.AppendUint(buf, n, 10))
}

// validRequestID accepts an incoming id of up to 128 printable ASCII
// characters without spaces, so that a caller's id can be followed through
// the logs but cannot forge log lines or bloat them.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

// statusText is the code label without an allocation for the usual codes.
func statusText(code int) string {
	if code >= 100 && code < 600 {
		return statusLabels[code]
	}
	return strconv.Itoa(code)
}

var statusLabels = func() (l [600]string) {
	for i := range l {
		l[i] = strconv.Itoa(i)
	}
	return l
}()

// methodLabel keeps the method label's values bounded: a client may send
// any token as its method.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// Content security policies: the pages load only their own scripts and
// styles; Swagger UI needs inline ones.
const (
	cspPages   = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	cspSwagger = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)

// The security headers' values as header map entries, shared by every
// response: each slice has cap 1, so Header.Add copies rather than writes
// into it, and Header.Set replaces it.
var (
	cspPagesValue   = []string{cspPages}
	cspSwaggerValue = []string{cspSwagger}
	nosniffValue    = []string{"nosniff"}
	denyValue       = []string{"DENY"}
	sameOriginValue = []string{"same-origin"}
)

// crossOriginProtection rejects unsafe requests that a browser sent from
// another origin (CSRF), using Go's Sec-Fetch-Site/Origin checks. Requests
// from non-browser clients (no such headers) pass.
func crossOriginProtection(log *slog.Logger) func(http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.WarnContext(r.Context(), "cross-origin request rejected", "method", r.Method, "path", r.URL.Path,
			"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"),
			"request_id", middleware.GetReqID(r.Context()))
		if strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error":"cross-origin request rejected","code":"forbidden"}` + "\n"))
			return
		}
		http.Error(w, "Cross-origin request rejected: submit the form from this site's own pages.", http.StatusForbidden)
	}))
	return cop.Handler
}
