// Package application holds the use cases of the status service. It depends
// only on the domain; storage is reached through the small interfaces below,
// which the infrastructure layer implements.
package application

import (
	"context"
	"io"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// SystemStore persists systems, dependencies and the change log. Methods
// return domain errors (ErrNotFound, ErrConflict) as documented on the
// implementation.
type SystemStore interface {
	ListSystems(ctx context.Context) ([]domain.System, error)
	GetSystem(ctx context.Context, id int64) (domain.System, error)
	CreateSystem(ctx context.Context, s *domain.System, a domain.AuditEntry) error
	UpdateSystem(ctx context.Context, s *domain.System, a domain.AuditEntry) error
	DeleteSystem(ctx context.Context, id int64, a domain.AuditEntry) error

	ListDependencies(ctx context.Context, systemID int64) ([]domain.Dependency, error)
	ListAllDependencies(ctx context.Context) ([]domain.Dependency, error)
	ListDependencySummaries(ctx context.Context) ([]domain.Dependency, error)
	GetDependency(ctx context.Context, id int64) (domain.Dependency, error)
	CreateDependency(ctx context.Context, d *domain.Dependency, a domain.AuditEntry) error
	UpdateDependency(ctx context.Context, d *domain.Dependency, a domain.AuditEntry) error
	DeleteDependency(ctx context.Context, id int64, u domain.StatusUpdate, a domain.AuditEntry) error

	ApplyStatusUpdate(ctx context.Context, u domain.StatusUpdate) error
	ListChanges(ctx context.Context, f domain.LogFilter) ([]domain.StatusChange, error)
	LastChanges(ctx context.Context) (map[int64]domain.StatusChange, error)
}

// Pinger reports whether storage answers (for readiness).
type Pinger interface {
	Ping(ctx context.Context) error
}

// AuthStore persists users, sessions, API keys and the audit log. Methods
// return ErrNotFound and ErrConflict as documented on the implementation.
type AuthStore interface {
	CountUsers(ctx context.Context) (int, error)
	ListUsers(ctx context.Context) ([]domain.User, error)
	GetUser(ctx context.Context, id int64) (domain.User, error)
	GetUserByName(ctx context.Context, name string) (domain.User, error)
	CreateUser(ctx context.Context, u *domain.User, onlyIfNone bool, a domain.AuditEntry) error
	UpdateUser(ctx context.Context, u *domain.User, endSessions bool, a domain.AuditEntry) error
	DeleteUser(ctx context.Context, id int64, a domain.AuditEntry) error

	CreateSession(ctx context.Context, s domain.Session) error
	GetSession(ctx context.Context, idHash string) (domain.Session, domain.User, error)
	TouchSession(ctx context.Context, idHash string, at time.Time) error
	DeleteSession(ctx context.Context, idHash string) error
	DeleteSessionsBefore(ctx context.Context, expiredAt, idleSince time.Time) (int64, error)

	CreateAPIKey(ctx context.Context, k *domain.APIKey, a domain.AuditEntry) error
	ListAPIKeys(ctx context.Context) ([]domain.APIKey, error)
	GetAPIKey(ctx context.Context, id int64) (domain.APIKey, error)
	GetAPIKeyByHash(ctx context.Context, hash string) (domain.APIKey, error)
	SetAPIKeyEnabled(ctx context.Context, id int64, enabled bool, a domain.AuditEntry) error
	DeleteAPIKey(ctx context.Context, id int64, a domain.AuditEntry) error
	SetAPIKeysLastUsed(ctx context.Context, used map[int64]time.Time) error

	ListAudit(ctx context.Context, before int64, limit int) ([]domain.AuditEntry, error)
}

// MonitorStore persists heartbeat configurations, check results and rollups.
type MonitorStore interface {
	SaveHeartbeat(ctx context.Context, dependencyID int64, h domain.Heartbeat, a domain.AuditEntry) error
	DisableHeartbeat(ctx context.Context, dependencyID int64, a domain.AuditEntry) error
	GetMonitor(ctx context.Context, dependencyID int64) (domain.Monitor, error)
	GetMonitorByPushToken(ctx context.Context, token string) (domain.Monitor, error)
	ListMonitors(ctx context.Context, systemID int64, enabledOnly bool) ([]domain.Monitor, error)
	GetMonitors(ctx context.Context, ids []int64) (map[int64]domain.Monitor, error)
	RecordChecks(ctx context.Context, results []domain.CheckResult, states map[int64]domain.CheckState) error
	ListCheckResults(ctx context.Context, dependencyID int64, limit int) ([]domain.CheckResult, error)
	CheckResultsBetween(ctx context.Context, dependencyID int64, from, to time.Time) ([]domain.CheckResult, error)
	Rollups(ctx context.Context, dependencyID int64, res domain.Resolution, from, to time.Time) ([]domain.Rollup, error)
	DeleteCheckResultsBefore(ctx context.Context, t time.Time) (int64, error)
	DeleteRollupsBefore(ctx context.Context, res domain.Resolution, t time.Time) (int64, error)
}

// Prober runs one HTTP check.
type Prober interface {
	Check(ctx context.Context, p domain.Probe, at time.Time) domain.CheckResult
}

// IncidentStore persists incidents and their timelines.
type IncidentStore interface {
	CreateIncident(ctx context.Context, inc *domain.Incident, first domain.IncidentUpdate, a domain.AuditEntry) error
	SaveIncident(ctx context.Context, inc *domain.Incident, u *domain.IncidentUpdate, a domain.AuditEntry) error
	DeleteIncident(ctx context.Context, id int64, a domain.AuditEntry) error
	GetIncident(ctx context.Context, id int64) (domain.Incident, error)
	ListIncidents(ctx context.Context, f domain.IncidentFilter) ([]domain.Incident, error)
	SetAppliedChange(ctx context.Context, incidentID, systemID, changeID int64) error
	AppliedChanges(ctx context.Context, incidentID int64) (map[int64]int64, error)
	LastManualChangeID(ctx context.Context, systemID int64) (int64, error)
}

// MaintenanceStore persists maintenance windows and when their events were
// emitted.
type MaintenanceStore interface {
	CreateMaintenance(ctx context.Context, m *domain.Maintenance, a domain.AuditEntry) error
	UpdateMaintenance(ctx context.Context, m *domain.Maintenance, a domain.AuditEntry) error
	CancelMaintenance(ctx context.Context, id int64, at time.Time, a domain.AuditEntry) error
	DeleteMaintenance(ctx context.Context, id int64, a domain.AuditEntry) error
	GetMaintenance(ctx context.Context, id int64) (domain.Maintenance, error)
	ListMaintenances(ctx context.Context, f domain.MaintenanceFilter) ([]domain.Maintenance, error)
	ClaimMaintenanceEvents(ctx context.Context, now time.Time) ([]domain.MaintenanceEvent, error)
}

// BackupStore exports and imports the whole data set and copies the
// database file. The export format (domain.ExportVersion) belongs to the
// implementation, which streams it.
type BackupStore interface {
	// Export writes the export document to w from one consistent snapshot.
	Export(ctx context.Context, w io.Writer, exportedAt time.Time) error
	// ExportLogs writes a document holding only the change log.
	ExportLogs(ctx context.Context, w io.Writer, exportedAt time.Time) error
	// CheckImport reads the whole file and returns *domain.InvalidImportError
	// listing its problems, or its version.
	CheckImport(ctx context.Context, r io.ReadSeeker) (string, error)
	// Import writes a checked file in one transaction.
	Import(ctx context.Context, r io.ReadSeeker, mode domain.ImportMode, a domain.AuditEntry) (domain.ImportResult, error)
	// Backup writes a consistent copy of the database to dst.
	Backup(ctx context.Context, dst string) error
	// Path is the database file's path (backups are written next to it).
	Path() string
}

// WebhookStore persists webhooks, the event outbox and its deliveries.
// Methods return ErrNotFound and ErrConflict as documented on the
// implementation.
type WebhookStore interface {
	ListWebhooks(ctx context.Context) ([]domain.Webhook, error)
	GetWebhook(ctx context.Context, id int64) (domain.Webhook, error)
	CreateWebhook(ctx context.Context, w *domain.Webhook, a domain.AuditEntry) error
	UpdateWebhook(ctx context.Context, w *domain.Webhook, a domain.AuditEntry) error
	DeleteWebhook(ctx context.Context, id int64, a domain.AuditEntry) error

	ListDeliveries(ctx context.Context, webhookID, before int64, limit int) ([]domain.Delivery, error)
	GetDelivery(ctx context.Context, id int64) (domain.Delivery, error)
	ListAttempts(ctx context.Context, deliveryID int64, limit int) ([]domain.DeliveryAttempt, error)
	LoadAttempts(ctx context.Context, ds []domain.Delivery) error
	RetryDelivery(ctx context.Context, id int64, at time.Time, a domain.AuditEntry) error

	ClaimDueDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]domain.DeliveryJob, error)
	NextDeliveryDue(ctx context.Context) (time.Time, error)
	RecordAttempt(ctx context.Context, a *domain.DeliveryAttempt, state domain.DeliveryState, next time.Time) error
	DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error)
}

// WebhookSender sends one event to one webhook and reports the receiver's
// answer; deliveryID goes out as the stable id receivers de-duplicate on.
// It never returns an error: failures are described in the result.
type WebhookSender interface {
	Send(ctx context.Context, w domain.Webhook, e domain.Event, deliveryID string) domain.SendResult
}
