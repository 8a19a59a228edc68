// Package httpserver assembles the whole HTTP handler that main serves and the
// end-to-end tests drive: middleware, the route table with permissions, the
// JSON API, the web pages, health, metrics and Swagger.
package httpserver

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/interfaces/access"
	"github.com/status-incident/status-incident/internal/interfaces/api"
	"github.com/status-incident/status-incident/internal/interfaces/public"
	"github.com/status-incident/status-incident/internal/interfaces/web"
)

// Config holds what the handler needs.
type Config struct {
	Systems  *application.SystemService
	Auth     *application.AuthService
	Monitors *application.MonitorService
	// Incidents runs incidents and their timelines.
	Incidents *application.IncidentService
	Ready     application.Pinger
	Log       *slog.Logger
	Registry  *prometheus.Registry
	Version   string
	// AnonymousRead lets visitors without login read the internal pages and API.
	AnonymousRead bool
	// SecureCookies marks cookies Secure even on plain HTTP (behind a TLS proxy).
	SecureCookies bool
	// MetricsToken, when set, is required as "Authorization: Bearer <token>" on /metrics.
	MetricsToken string
	// Limiter slows down password guessing (default: 5 failures per 15 min).
	Limiter *application.LoginLimiter
	// BaseURL is the service's public URL, for links (push URLs); empty: the request's host.
	BaseURL string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Sleep delays answers to failed logins (default time.Sleep; tests record).
	Sleep func(time.Duration)
	// Maintenances schedules maintenance windows.
	Maintenances *application.MaintenanceService
	// Analytics computes figures and keeps SLA breaches and reports.
	Analytics *application.AnalyticsService
	// Webhooks manages webhooks and their delivery log.
	Webhooks *application.WebhookService
	// Backup exports and imports the whole data set (optional: without it
	// /api/export, /api/import and /admin/backup answer 404).
	Backup *application.BackupService
	// LiveRefresh is how often the dashboard and system pages refresh in
	// place (default 20 s; tests set it short).
	LiveRefresh time.Duration
	// Settings brands the public status page (optional: without it, or
	// without Incidents, Maintenances and Analytics, the public status page,
	// its JSON, feeds and badges are 404).
	Settings *application.SettingsService
	// Generation counts committed changes to what the public page shows
	// (the store's ChangeGeneration); the public cache compares it.
	Generation func() uint64
	// StatusRefresh is how often /status refreshes in place (default 30 s;
	// tests set it short).
	StatusRefresh time.Duration
	// StatusCacheTTL bounds how long public responses are cached (default
	// and maximum 10 s).
	StatusCacheTTL time.Duration

	// pub serves the public routes; New builds it.
	pub *public.Handler
}

// New builds the handler. It fails when a template does not parse.
func New(cfg Config) (http.Handler, error) {
	if cfg.Systems == nil || cfg.Auth == nil || cfg.Monitors == nil {
		return nil, errors.New("httpserver: Systems, Auth and Monitors are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Limiter == nil {
		cfg.Limiter = application.NewLoginLimiter(cfg.Now)
	}
	policy := &access.AuthPolicy{Auth: cfg.Auth, AnonymousRead: cfg.AnonymousRead}
	pages, err := web.New(web.Config{BaseURL: strings.TrimRight(cfg.BaseURL, "/"), Systems: cfg.Systems, Auth: cfg.Auth, Monitors: cfg.Monitors, Incidents: cfg.Incidents, Maintenances: cfg.Maintenances, Analytics: cfg.Analytics, Webhooks: cfg.Webhooks, Backup: cfg.Backup, Limiter: cfg.Limiter,
		Log: cfg.Log, Version: cfg.Version, Now: cfg.Now, SecureCookies: cfg.SecureCookies, Sleep: cfg.Sleep,
		LiveRefresh: cfg.LiveRefresh, Settings: cfg.Settings})
	if err != nil {
		return nil, err
	}
	if cfg.Settings != nil && cfg.Incidents != nil && cfg.Maintenances != nil && cfg.Analytics != nil {
		cfg.pub, err = public.New(public.Config{Systems: cfg.Systems, Incidents: cfg.Incidents, Maintenances: cfg.Maintenances,
			Analytics: cfg.Analytics, Settings: cfg.Settings, Generation: cfg.Generation, TTL: cfg.StatusCacheTTL,
			Refresh: cfg.StatusRefresh, BaseURL: strings.TrimRight(cfg.BaseURL, "/"), Log: cfg.Log, Now: cfg.Now})
		if err != nil {
			return nil, err
		}
	}
	hist := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "status_incident_http_request_duration_seconds",
		Help:    "HTTP request duration by method, route pattern and status code.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"method", "route", "code"})
	if err := cfg.Registry.Register(hist); err != nil {
		return nil, err
	}

	r := chi.NewRouter()
	r.Use(crossOriginProtection(cfg.Log))

	apiHandler := api.New(cfg.Systems, cfg.Auth, cfg.Monitors, cfg.BaseURL, cfg.Log)
	apiHandler.WithIncidents(cfg.Incidents)
	apiHandler.WithMaintenances(cfg.Maintenances)
	apiHandler.WithAnalytics(cfg.Analytics)
	apiHandler.WithWebhooks(cfg.Webhooks)
	apiHandler.WithBackup(cfg.Backup)
	for _, rt := range Routes(apiHandler, pages, cfg) {
		deny := pages.Deny
		if isAPI(rt.Pattern) {
			deny = func(w http.ResponseWriter, r *http.Request, err error) { api.WriteError(w, r, cfg.Log, err) }
		}
		r.Method(rt.Method, rt.Pattern, access.Require(policy, rt.Perm, rt.Handler, deny))
	}
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		if isAPI(r.URL.Path) {
			api.NotFound(w, r)
			return
		}
		pages.NotFound(w, r)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		if isAPI(r.URL.Path) {
			api.MethodNotAllowed(w, r)
			return
		}
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	})
	return newFrame(r, cfg.Log, hist), nil
}

func isAPI(path string) bool { return path == "/api" || len(path) >= 5 && path[:5] == "/api/" }

func healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

func readyz(p application.Pinger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := p.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("database unavailable\n"))
			return
		}
		w.Write([]byte("ready\n"))
	}
}

// metrics serves the registry, behind a bearer token when one is configured.
func metrics(reg *prometheus.Registry, token string) http.HandlerFunc {
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	return func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			if subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				http.Error(w, "metrics token required", http.StatusUnauthorized)
				return
			}
		}
		h.ServeHTTP(w, r)
	}
}
