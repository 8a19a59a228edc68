package api

import (
	"log/slog"

	"github.com/status-incident/status-incident/internal/application"
)

// Handler serves the JSON API.
type Handler struct {
	systems *application.SystemService
	log     *slog.Logger
}

// New returns the API handler.
func New(systems *application.SystemService, log *slog.Logger) *Handler {
	return &Handler{systems: systems, log: log}
}
