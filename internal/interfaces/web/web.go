// Package web serves the server-rendered HTML pages: the dashboard, system
// pages, the change log and the admin forms. Templates are parsed once at
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
	"github.com/status-incident/status-incident/static"
	"github.com/status-incident/status-incident/templates"
)

// Config holds what the pages need.
type Config struct {
	Systems *application.SystemService
	Log     *slog.Logger
	Version string

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
	systems *application.SystemService
	log     *slog.Logger
	version string
	now     func() time.Time
	pages   map[string]*template.Template
	assets  map[string]asset
}

// Layout is the data every page shares; each page's data struct embeds it.
type Layout struct {
	Title   string
	Version string
	// Flash is a one-time message from the previous request (after a redirect).
	Flash string
	// Nav names the active navigation item: dashboard, logs or admin.
	Nav string
	// CSRFToken is put in every form once sessions exist; empty for now.
	CSRFToken string
}

// Page template names: one file <name>.html each, rendered inside layout.html
// with the partials of partials.html.
const (
	pageDashboard      = "dashboard"
	pageSystem         = "system"
	pageLogs           = "logs"
	pageAdmin          = "admin"
	pageSystemEdit     = "system_edit"
	pageDependencyEdit = "dependency_edit"
	pageConfirmDelete  = "confirm_delete"
	pageError          = "error"
)

var pageNames = []string{pageDashboard, pageSystem, pageLogs, pageAdmin, pageSystemEdit,
	pageDependencyEdit, pageConfirmDelete, pageError}

// New loads the static files and parses every page template. It fails when a
// template is missing, does not parse or cannot be escaped, so that a broken
// template stops start-up rather than a request.
func New(cfg Config) (*Handler, error) {
	if cfg.Systems == nil {
		return nil, errors.New("web: no system service")
	}
	h := &Handler{systems: cfg.Systems, log: cfg.Log, version: cfg.Version, now: cfg.Now}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
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
	t, err := template.New(name).Funcs(h.funcs()).ParseFS(fsys, "layout.html", "partials.html", name+".html")
	if err != nil {
		return nil, fmt.Errorf("web: parse page %s: %w", name, err)
	}
	for _, must := range []string{"layout", "content"} {
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
