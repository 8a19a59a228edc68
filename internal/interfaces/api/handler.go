package api

import (
	"log/slog"
	"strings"

	"github.com/status-incident/status-incident/internal/application"
)

// Handler serves the JSON API.
type Handler struct {
	systems   *application.SystemService
	auth      *application.AuthService
	monitors  *application.MonitorService
	incidents *application.IncidentService
	// maintenances schedules maintenance windows.
	maintenances *application.MaintenanceService
	// analytics computes figures and keeps SLA breaches and reports.
	analytics *application.AnalyticsService
	// webhooks manages webhooks and their delivery log.
	webhooks *application.WebhookService
	// backup exports and imports the whole data set.
	backup *application.BackupService
	log    *slog.Logger
	// base is the service's public URL for links (push URLs); empty: the request's host.
	base string
}

// New returns the API handler. baseURL may be empty.
func New(systems *application.SystemService, auth *application.AuthService, monitors *application.MonitorService,
	baseURL string, log *slog.Logger) *Handler {
	return &Handler{systems: systems, auth: auth, monitors: monitors, base: strings.TrimRight(baseURL, "/"), log: log}
}

// WithMaintenances sets the maintenance service and returns h.
func (h *Handler) WithMaintenances(m *application.MaintenanceService) *Handler {
	h.maintenances = m
	return h
}
