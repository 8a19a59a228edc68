// Package web serves the server-rendered HTML pages: the dashboard, system
// pages, the dependency pages with their heartbeat, latency chart and uptime
// bars, analytics and SLA (compliance, breaches, printable reports), the
// change log, the admin forms, and sign-in, first-run setup, the
// user's account and the administration of users, API keys, webhooks and the audit log. Templates are parsed once at
// start-up into one set per page; every form works without JavaScript
// (post/redirect/get) and re-renders with 422 and the user's input on a
// validation error.
package web

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"time"

	"github.com/status-incident/status-incident/internal/application"
	"github.com/status-incident/status-incident/internal/domain"
	"github.com/status-incident/status-incident/static"
	"github.com/status-incident/status-incident/templates"
)

// Config holds what the pages need.
type Config struct {
	Systems  *application.SystemService
	Auth     *application.AuthService
	Monitors *application.MonitorService
	Limiter  *application.LoginLimiter
	// Incidents runs the incident pages (optional: without it they are 404).
	Incidents *application.IncidentService
	// Maintenances runs the maintenance pages (optional: without it they are 404).
	Maintenances *application.MaintenanceService
	// Analytics runs the analytics and SLA pages.
	Analytics *application.AnalyticsService
	// Webhooks runs the webhook admin pages (optional: without it they are 404).
	Webhooks *application.WebhookService
	// Settings runs /admin/settings (optional: without it the page is 404).
	Settings *application.SettingsService
	// Backup runs /admin/backup (optional: without it the page is 404).
	Backup  *application.BackupService
	Log     *slog.Logger
	Version string
	// SecureCookies marks cookies Secure even on plain HTTP.
	SecureCookies bool
	// BaseURL is the public URL for links such as push URLs; empty: the request's host.
	BaseURL string
	// LiveRefresh is how often the dashboard and system pages refresh their
	// live region in place (default 20 s).
	LiveRefresh time.Duration
	// Sleep delays the answer to a failed login (default time.Sleep).
	Sleep func(time.Duration)

	// Now is the clock for relative times (default time.Now).
	Now func() time.Time
	// Templates holds the page templates (default templates.FS()).
	Templates fs.FS
	// Static holds the files served under /static/ (default static.FS()).
	Static fs.FS
}

// Handler serves the pages. It is safe for concurrent use: it holds only
// what New computed.
type Handler struct {
	baseURL       string
	systems       *application.SystemService
	auth          *application.AuthService
	monitors      *application.MonitorService
	incidents     *application.IncidentService
	maintenances  *application.MaintenanceService
	analytics     *application.AnalyticsService
	webhooks      *application.WebhookService
	settings      *application.SettingsService
	backup        *application.BackupService
	limiter       *application.LoginLimiter
	log           *slog.Logger
	version       string
	secureCookies bool
	now           func() time.Time
	sleep         func(time.Duration)
	pages         map[string]*template.Template
	// partials are parsed once; each page set gets copies of those it calls.
	partials partials
	assets   map[string]asset
	// liveSeconds is LiveRefresh as the pages' data-refresh-seconds.
	liveSeconds string
}

// Layout is the data every page shares; each page's data struct embeds it.
type Layout struct {
	Title   string
	Version string
	// Flash is a one-time message from the previous request (after a redirect).
	Flash string
	// Nav names the active navigation item: dashboard, incidents,
	// maintenance, analytics, sla, logs or admin.
	Nav string
	// Sub names the active item of the admin sub-navigation: systems, users,
	// apikeys, webhooks, audit or settings.
	Sub string
	// CSRFToken is put in every form for a token-based CSRF check; empty
	// while cross-origin requests are refused by their Sec-Fetch-Site and
	// Origin headers instead.
	CSRFToken string
	// Principal is who is signed in (a user, an API key, or the anonymous
	// reader); nil for a visitor without access.
	Principal *application.Principal
	// SignInURL is the login page, coming back to this page afterwards.
	SignInURL string
	// Live, on the pages with a live region (dashboard, system page),
	// configures its in-place refresh; zero elsewhere.
	Live Live
}

// SignedIn reports whether a user (not a key or an anonymous reader) is
// signed in.
func (l Layout) SignedIn() bool { return l.Principal != nil && l.Principal.IsUser() }

// CanRead reports whether the visitor may see the internal pages.
func (l Layout) CanRead() bool { return l.Principal != nil && l.Principal.Level >= domain.LevelRead }

// CanWrite reports whether the visitor may change statuses.
func (l Layout) CanWrite() bool { return l.Principal != nil && l.Principal.Level >= domain.LevelWrite }

// IsAdmin reports whether the visitor may change the configuration.
func (l Layout) IsAdmin() bool { return l.Principal != nil && l.Principal.Level >= domain.LevelAdmin }

// Page template names: one file <name>.html each, rendered inside layout.html
// with the partials of partials.html.
const (
	pageDashboard       = "dashboard"
	pageSystem          = "system"
	pageLogs            = "logs"
	pageAdmin           = "admin"
	pageSystemEdit      = "system_edit"
	pageDependencyEdit  = "dependency_edit"
	pageDependency      = "dependency"
	pageConfirmDelete   = "confirm_delete"
	pageError           = "error"
	pageLogin           = "login"
	pageSetup           = "setup"
	pageAccount         = "account"
	pageUsers           = "users"
	pageUserEdit        = "user_edit"
	pageAPIKeys         = "apikeys"
	pageAPIKeyCreated   = "apikey_created"
	pageAudit           = "audit"
	pageIncidents       = "incidents"
	pageIncident        = "incident"
	pageMaintenance     = "maintenance"
	pageMaintenanceEdit = "maintenance_edit"
	pageAnalytics       = "analytics"
	pageSLA             = "sla"
	pageReport          = "sla_report"
	// The webhook admin pages.
	pageWebhooks          = "webhooks"
	pageWebhookEdit       = "webhook_edit"
	pageWebhookDeliveries = "webhook_deliveries"
	pageSettings          = "admin_settings"
	pageBackup            = "backup"
)

var pageNames = []string{pageDashboard, pageSystem, pageLogs, pageAdmin, pageSystemEdit,
	pageDependencyEdit, pageConfirmDelete, pageError, pageLogin, pageSetup, pageAccount, pageUsers,
	pageUserEdit, pageAPIKeys, pageAPIKeyCreated, pageAudit, pageDependency, pageIncidents, pageIncident, pageMaintenance, pageMaintenanceEdit,
	pageAnalytics, pageSLA, pageReport, pageWebhooks, pageWebhookEdit, pageWebhookDeliveries, pageSettings, pageBackup}

// New loads the static files and parses every page template. It fails when a
// template is missing, does not parse or cannot be escaped, so that a broken
// template stops start-up rather than a request.
func New(cfg Config) (*Handler, error) {
	if cfg.Systems == nil || cfg.Auth == nil || cfg.Monitors == nil {
		return nil, errors.New("web: the system, auth and monitor services are required")
	}
	h := &Handler{baseURL: cfg.BaseURL, systems: cfg.Systems, auth: cfg.Auth, monitors: cfg.Monitors, incidents: cfg.Incidents, maintenances: cfg.Maintenances, analytics: cfg.Analytics, webhooks: cfg.Webhooks, settings: cfg.Settings, backup: cfg.Backup, limiter: cfg.Limiter, log: cfg.Log,
		version: cfg.Version, secureCookies: cfg.SecureCookies, now: cfg.Now, sleep: cfg.Sleep}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.limiter == nil {
		h.limiter = application.NewLoginLimiter(h.now)
	}
	if h.sleep == nil {
		h.sleep = time.Sleep
	}
	h.liveSeconds = liveSeconds(cfg.LiveRefresh)
	if cfg.Templates == nil {
		cfg.Templates = templates.FS()
	}
	if cfg.Static == nil {
		cfg.Static = static.FS()
	}
	var err error
	if h.assets, err = loadAssets(cfg.Static); err != nil {
		return nil, err
	}
	if h.partials, err = loadPartials(cfg.Templates, h.funcs()); err != nil {
		return nil, err
	}
	h.pages = make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := h.parsePage(cfg.Templates, name)
		if err != nil {
			return nil, err
		}
		h.pages[name] = t
	}
	return h, nil
}

func (h *Handler) parsePage(fsys fs.FS, name string) (*template.Template, error) {
	t, err := template.New(name).Funcs(h.funcs()).ParseFS(fsys, "layout.html", name+".html")
	if err != nil {
		return nil, fmt.Errorf("web: parse page %s: %w", name, err)
	}
	if err := h.partials.addTo(t); err != nil {
		return nil, fmt.Errorf("web: page %s: %w", name, err)
	}
	must := []string{"layout", "content"}
	if livePages[name] {
		must = append(must, liveTemplate)
	}
	for _, must := range must {
		if t.Lookup(must) == nil {
			return nil, fmt.Errorf("web: page %s: template %q is not defined", name, must)
		}
	}
	// html/template escapes on first execution; run it now so that an
	// escaping error surfaces here. Errors from the missing data are expected.
	var escErr *template.Error
	if err := t.ExecuteTemplate(io.Discard, "layout", nil); errors.As(err, &escErr) {
		return nil, fmt.Errorf("web: page %s: %w", name, err)
	}
	return t, nil
}
