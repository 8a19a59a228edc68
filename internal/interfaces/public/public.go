// Package public serves what anyone may read without signing in: the public
// status page (/status, its history and incident pages), the
// Statuspage-compatible JSON under /api/v2, the Atom and RSS feeds and the
// SVG badges. Everything it shows comes from one snapshot filtered to public
// systems, so owners, URLs, heartbeat configuration, error texts and private
// systems never reach it. Rendered responses are cached in memory, gzipped
// once, and served with ETags; the cache is invalidated by the store's
// change generation and expires after a short TTL.
package public

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"time"

	"github.com/status-incident/status-incident/internal/application"
)

//go:embed templates/*.html assets/*
var files embed.FS

// Config holds what the public handlers need.
type Config struct {
	Systems      *application.SystemService
	Incidents    *application.IncidentService
	Maintenances *application.MaintenanceService
	Analytics    *application.AnalyticsService
	Settings     *application.SettingsService
	// Generation counts changes to the shown data (the store's change
	// generation); a cached response built at an older one is stale.
	Generation func() uint64
	// TTL bounds how long a response is cached whatever the generation
	// (default and maximum 10 s).
	TTL time.Duration
	// Refresh is how often the page refreshes in place (default 30 s).
	Refresh time.Duration
	// BaseURL is the service's public URL for absolute links (feeds,
	// shortlinks, the JSON's page url); empty: the request's host.
	BaseURL string
	Log     *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Handler serves the public routes. It is safe for concurrent use.
type Handler struct {
	systems      *application.SystemService
	incidents    *application.IncidentService
	maintenances *application.MaintenanceService
	analytics    *application.AnalyticsService
	settings     *application.SettingsService
	baseURL      string
	refresh      int
	log          *slog.Logger
	now          func() time.Time
	cache        *cache
	pages        map[string]*template.Template
	assets       map[string]*rendered
}

// Page templates, each rendered inside layout.html.
const (
	pageStatus   = "status"
	pageHistory  = "history"
	pageIncident = "incident"
	pageNotFound = "notfound"
)

// MaxTTL is the longest a public response is cached.
const MaxTTL = 10 * time.Second

// New parses the templates and loads the assets; a broken template stops
// start-up.
func New(cfg Config) (*Handler, error) {
	if cfg.Systems == nil || cfg.Incidents == nil || cfg.Maintenances == nil || cfg.Analytics == nil || cfg.Settings == nil {
		return nil, errors.New("public: the system, incident, maintenance, analytics and settings services are required")
	}
	h := &Handler{systems: cfg.Systems, incidents: cfg.Incidents, maintenances: cfg.Maintenances, analytics: cfg.Analytics,
		settings: cfg.Settings, baseURL: cfg.BaseURL, log: cfg.Log, now: cfg.Now}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	gen := cfg.Generation
	if gen == nil {
		gen = func() uint64 { return 0 }
	}
	ttl := cfg.TTL
	if ttl <= 0 || ttl > MaxTTL {
		ttl = MaxTTL
	}
	h.cache = newCache(gen, h.now, ttl)
	refresh := cfg.Refresh
	if refresh <= 0 {
		refresh = 30 * time.Second
	}
	// Whole seconds for the page, at least one; tests use fractions.
	h.refresh = int(refresh.Milliseconds())
	h.pages = map[string]*template.Template{}
	for _, name := range []string{pageStatus, pageHistory, pageIncident, pageNotFound} {
		t, err := template.New(name).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("public: parse page %s: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("public: page %s: template \"content\" is not defined", name)
		}
		var escErr *template.Error
		if err := t.ExecuteTemplate(io.Discard, "layout", nil); errors.As(err, &escErr) {
			return nil, fmt.Errorf("public: page %s: %w", name, err)
		}
		h.pages[name] = t
	}
	h.assets = map[string]*rendered{}
	for name, ctype := range map[string]string{"status.css": "text/css; charset=utf-8", "status.js": "text/javascript; charset=utf-8"} {
		b, err := fs.ReadFile(files, "assets/"+name)
		if err != nil {
			return nil, fmt.Errorf("public: asset %s: %w", name, err)
		}
		h.assets[name] = newRendered(b, ctype)
	}
	return h, nil
}
