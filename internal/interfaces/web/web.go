// Package web serves the server-rendered HTML pages.
package web

import (
	"log/slog"
	"net/http"

	"github.com/status-incident/status-incident/internal/application"
)

// Config holds what the pages need.
type Config struct {
	Systems *application.SystemService
	Log     *slog.Logger
	Version string
}

// Handler serves the pages. (Stub: being written.)
type Handler struct{ cfg Config }

// New parses the templates.
func New(cfg Config) (*Handler, error) { return &Handler{cfg: cfg}, nil }

func notImplemented(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not implemented", http.StatusNotImplemented)
}

// Deny renders an access error.
func (h *Handler) Deny(w http.ResponseWriter, r *http.Request, err error) { notImplemented(w, r) }

// NotFound renders the 404 page.
func (h *Handler) NotFound(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }

func (h *Handler) Static(w http.ResponseWriter, r *http.Request)               { notImplemented(w, r) }
func (h *Handler) Dashboard(w http.ResponseWriter, r *http.Request)            { notImplemented(w, r) }
func (h *Handler) SystemPage(w http.ResponseWriter, r *http.Request)           { notImplemented(w, r) }
func (h *Handler) PostSystemStatus(w http.ResponseWriter, r *http.Request)     { notImplemented(w, r) }
func (h *Handler) PostDependencyStatus(w http.ResponseWriter, r *http.Request) { notImplemented(w, r) }
func (h *Handler) LogsPage(w http.ResponseWriter, r *http.Request)             { notImplemented(w, r) }
func (h *Handler) AdminPage(w http.ResponseWriter, r *http.Request)            { notImplemented(w, r) }
func (h *Handler) AdminCreateSystem(w http.ResponseWriter, r *http.Request)    { notImplemented(w, r) }
func (h *Handler) AdminEditSystem(w http.ResponseWriter, r *http.Request)      { notImplemented(w, r) }
func (h *Handler) AdminUpdateSystem(w http.ResponseWriter, r *http.Request)    { notImplemented(w, r) }
func (h *Handler) AdminConfirmDeleteSystem(w http.ResponseWriter, r *http.Request) {
	notImplemented(w, r)
}
func (h *Handler) AdminDeleteSystem(w http.ResponseWriter, r *http.Request)     { notImplemented(w, r) }
func (h *Handler) AdminCreateDependency(w http.ResponseWriter, r *http.Request) { notImplemented(w, r) }
func (h *Handler) AdminEditDependency(w http.ResponseWriter, r *http.Request)   { notImplemented(w, r) }
func (h *Handler) AdminUpdateDependency(w http.ResponseWriter, r *http.Request) { notImplemented(w, r) }
func (h *Handler) AdminConfirmDeleteDependency(w http.ResponseWriter, r *http.Request) {
	notImplemented(w, r)
}
func (h *Handler) AdminDeleteDependency(w http.ResponseWriter, r *http.Request) { notImplemented(w, r) }
