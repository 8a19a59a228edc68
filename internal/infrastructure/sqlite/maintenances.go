package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

const maintenanceColumns = `id, title, description, starts_at, ends_at, cancelled_at, started_event_at, completed_event_at,
	created_by, created_at, updated_at`

func scanMaintenance(r rowScanner) (domain.Maintenance, error) {
	var m domain.Maintenance
	err := r.Scan(&m.ID, &m.Title, &m.Description, scanTime{&m.StartsAt}, scanTime{&m.EndsAt}, scanOptTime{&m.CancelledAt},
		scanOptTime{&m.StartedEventAt}, scanOptTime{&m.CompletedEventAt}, &m.CreatedBy, scanTime{&m.CreatedAt}, scanTime{&m.UpdatedAt})
	return m, err
}

// maintenanceQueryer is what both the read pool and a transaction offer.
type maintenanceQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// listMaintenances runs a query over maintenanceColumns and loads the
// windows' systems.
func listMaintenances(ctx context.Context, q maintenanceQueryer, query string, args ...any) ([]domain.Maintenance, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Maintenance{}
	for rows.Next() {
		m, err := scanMaintenance(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, loadMaintenanceSystems(ctx, q, out)
}

// loadMaintenanceSystems fills SystemIDs of ms (a bounded list).
func loadMaintenanceSystems(ctx context.Context, q maintenanceQueryer, ms []domain.Maintenance) error {
	if len(ms) == 0 {
		return nil
	}
	idx := make(map[int64]int, len(ms))
	args := make([]any, len(ms))
	for i, m := range ms {
		idx[m.ID] = i
		args[i] = m.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT maintenance_id, system_id FROM maintenance_systems
		WHERE maintenance_id IN (?`+strings.Repeat(",?", len(ms)-1)+`) ORDER BY maintenance_id, system_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var mid, sid int64
		if err := rows.Scan(&mid, &sid); err != nil {
			return err
		}
		i := idx[mid]
		ms[i].SystemIDs = append(ms[i].SystemIDs, sid)
	}
	return rows.Err()
}

// setMaintenanceSystems replaces the systems of window id. An unknown
// system gives ErrNotFound naming it.
func setMaintenanceSystems(ctx context.Context, tx *sql.Tx, id int64, systemIDs []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM maintenance_systems WHERE maintenance_id = ?`, id); err != nil {
		return err
	}
	for _, sid := range systemIDs {
		_, err := tx.ExecContext(ctx, `INSERT INTO maintenance_systems (maintenance_id, system_id) VALUES (?, ?)`, id, sid)
		if isForeignKeyViolation(err) {
			return domain.NotFoundf("system %d not found", sid)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// GetMaintenance returns one maintenance window with its systems, or ErrNotFound.
func (db *DB) GetMaintenance(ctx context.Context, id int64) (domain.Maintenance, error) {
	ms, err := listMaintenances(ctx, db.read, `SELECT `+maintenanceColumns+` FROM maintenances WHERE id = ?`, id)
	if err != nil {
		return domain.Maintenance{}, fmt.Errorf("get maintenance %d: %w", id, err)
	}
	if len(ms) == 0 {
		return domain.Maintenance{}, domain.NotFoundf("maintenance %d not found", id)
	}
	return ms[0], nil
}

// ListMaintenances returns at most f.Limit windows. With a status, the
// status is turned into time bounds at f.Now; scheduled windows come
// soonest first, the others latest start first.
func (db *DB) ListMaintenances(ctx context.Context, f domain.MaintenanceFilter) ([]domain.Maintenance, error) {
	now := formatTime(f.Now)
	where, order, args := "", "starts_at DESC, id DESC", []any{}
	switch f.Status {
	case "":
	case domain.MaintenanceScheduled:
		where, order, args = `cancelled_at IS NULL AND starts_at > ?`, "starts_at, id", []any{now}
	case domain.MaintenanceInProgress:
		where, order, args = `cancelled_at IS NULL AND starts_at <= ? AND ends_at > ?`, "starts_at, id", []any{now, now}
	case domain.MaintenanceCompleted:
		where, args = `cancelled_at IS NULL AND ends_at <= ?`, []any{now}
	case domain.MaintenanceCancelled:
		where = `cancelled_at IS NOT NULL`
	default:
		return nil, domain.Invalid("status", "unknown maintenance status %q", f.Status)
	}
	q := `SELECT ` + maintenanceColumns + ` FROM maintenances`
	if where != "" {
		q += ` WHERE ` + where
	}
	q += ` ORDER BY ` + order + ` LIMIT ?`
	ms, err := listMaintenances(ctx, db.read, q, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list maintenances: %w", err)
	}
	return ms, nil
}

// CreateMaintenance inserts m with its systems, sets its ID and timestamps
// and records a. It returns ErrNotFound for an unknown system.
func (db *DB) CreateMaintenance(ctx context.Context, m *domain.Maintenance, a domain.AuditEntry) error {
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO maintenances (title, description, starts_at, ends_at, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m.Title, m.Description, formatTime(m.StartsAt), formatTime(m.EndsAt), m.CreatedBy,
		formatTime(now), formatTime(now))
	if err != nil {
		return fmt.Errorf("create maintenance: %w", err)
	}
	id, _ := res.LastInsertId()
	if err := setMaintenanceSystems(ctx, tx, id, m.SystemIDs); err != nil {
		return fmt.Errorf("create maintenance: %w", err)
	}
	if err := db.invalidateMaintenanceSpans(ctx, tx, id); err != nil {
		return err
	}
	m.ID = id
	if err := insertMaintenanceEvent(ctx, tx, domain.EventMaintenanceScheduled, *m, now); err != nil {
		return err
	}
	a.TargetID = id
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	if err := db.commit(tx); err != nil {
		m.ID = 0
		return fmt.Errorf("create maintenance: commit: %w", err)
	}
	m.CreatedAt, m.UpdatedAt = now.Truncate(time.Millisecond), now.Truncate(time.Millisecond)
	return nil
}

// UpdateMaintenance saves the title, description, times and systems of m,
// sets UpdatedAt and records a. It returns ErrNotFound for an unknown
// window or system.
func (db *DB) UpdateMaintenance(ctx context.Context, m *domain.Maintenance, a domain.AuditEntry) error {
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.invalidateMaintenanceSpans(ctx, tx, m.ID); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE maintenances SET title = ?, description = ?, starts_at = ?, ends_at = ?, updated_at = ?
		WHERE id = ?`, m.Title, m.Description, formatTime(m.StartsAt), formatTime(m.EndsAt), formatTime(now), m.ID)
	if err != nil {
		return fmt.Errorf("update maintenance %d: %w", m.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("maintenance %d not found", m.ID)
	}
	if err := setMaintenanceSystems(ctx, tx, m.ID, m.SystemIDs); err != nil {
		return fmt.Errorf("update maintenance %d: %w", m.ID, err)
	}
	if err := db.invalidateMaintenanceSpans(ctx, tx, m.ID); err != nil {
		return err
	}
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	if err := db.commit(tx); err != nil {
		return fmt.Errorf("update maintenance %d: commit: %w", m.ID, err)
	}
	m.UpdatedAt = now.Truncate(time.Millisecond)
	return nil
}

// CancelMaintenance marks window id cancelled at at and records a. It
// returns ErrNotFound, or ErrConflict when it is already cancelled.
func (db *DB) CancelMaintenance(ctx context.Context, id int64, at time.Time, a domain.AuditEntry) error {
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var cancelled sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT cancelled_at FROM maintenances WHERE id = ?`, id).Scan(&cancelled)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.NotFoundf("maintenance %d not found", id)
	}
	if err != nil {
		return fmt.Errorf("cancel maintenance %d: %w", id, err)
	}
	if cancelled.Valid {
		return domain.Conflictf("maintenance %d is already cancelled", id)
	}
	if err := db.invalidateMaintenanceSpans(ctx, tx, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE maintenances SET cancelled_at = ?, updated_at = ? WHERE id = ?`,
		formatTime(at), formatTime(now), id); err != nil {
		return fmt.Errorf("cancel maintenance %d: %w", id, err)
	}
	ms, err := listMaintenances(ctx, tx, `SELECT `+maintenanceColumns+` FROM maintenances WHERE id = ?`, id)
	if err != nil || len(ms) != 1 {
		return fmt.Errorf("cancel maintenance %d: reload: %w", id, err)
	}
	if err := insertMaintenanceEvent(ctx, tx, domain.EventMaintenanceCancelled, ms[0], now); err != nil {
		return err
	}
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	if err := db.commit(tx); err != nil {
		return fmt.Errorf("cancel maintenance %d: commit: %w", id, err)
	}
	return nil
}

// DeleteMaintenance removes window id with its systems and records a. It
// returns ErrNotFound.
func (db *DB) DeleteMaintenance(ctx context.Context, id int64, a domain.AuditEntry) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.invalidateMaintenanceSpans(ctx, tx, id); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM maintenances WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete maintenance %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("maintenance %d not found", id)
	}
	if err := insertAudit(ctx, tx, a, db.now()); err != nil {
		return err
	}
	if err := db.commit(tx); err != nil {
		return fmt.Errorf("delete maintenance %d: commit: %w", id, err)
	}
	return nil
}

// ClaimMaintenanceEvents finds the windows whose start or end has passed at
// now and whose event has not been emitted, marks those events emitted and
// returns them, all in one transaction: an event is returned once, also
// across restarts. A window cancelled before it started has no events; one
// cancelled while in progress completes. A window whose whole span passed
// unseen yields its started and then its completed event.
func (db *DB) ClaimMaintenanceEvents(ctx context.Context, now time.Time) ([]domain.MaintenanceEvent, error) {
	at := formatTime(now)
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	started, err := listMaintenances(ctx, tx, `SELECT `+maintenanceColumns+` FROM maintenances
		WHERE started_event_at IS NULL AND starts_at <= ? AND (cancelled_at IS NULL OR cancelled_at > starts_at)
		ORDER BY starts_at, id`, at)
	if err != nil {
		return nil, fmt.Errorf("claim maintenance events: %w", err)
	}
	var events []domain.MaintenanceEvent
	for _, m := range started {
		if _, err := tx.ExecContext(ctx, `UPDATE maintenances SET started_event_at = ? WHERE id = ?`, at, m.ID); err != nil {
			return nil, fmt.Errorf("claim maintenance events: %w", err)
		}
		m.StartedEventAt = now
		if err := insertMaintenanceEvent(ctx, tx, domain.EventMaintenanceStarted, m, now); err != nil {
			return nil, err
		}
		events = append(events, domain.MaintenanceEvent{Type: domain.MaintenanceStartedEvent, Maintenance: m, At: now})
	}
	completed, err := listMaintenances(ctx, tx, `SELECT `+maintenanceColumns+` FROM maintenances
		WHERE completed_event_at IS NULL AND started_event_at IS NOT NULL AND (ends_at <= ? OR cancelled_at IS NOT NULL)
		ORDER BY ends_at, id`, at)
	if err != nil {
		return nil, fmt.Errorf("claim maintenance events: %w", err)
	}
	for _, m := range completed {
		if _, err := tx.ExecContext(ctx, `UPDATE maintenances SET completed_event_at = ? WHERE id = ?`, at, m.ID); err != nil {
			return nil, fmt.Errorf("claim maintenance events: %w", err)
		}
		m.CompletedEventAt = now
		if err := insertMaintenanceEvent(ctx, tx, domain.EventMaintenanceCompleted, m, now); err != nil {
			return nil, err
		}
		events = append(events, domain.MaintenanceEvent{Type: domain.MaintenanceCompletedEvent, Maintenance: m, At: now})
	}
	if err := db.commit(tx); err != nil {
		return nil, fmt.Errorf("claim maintenance events: commit: %w", err)
	}
	return events, nil
}

// CountMaintenances counts the windows in progress and scheduled at now, in
// one query, with the same bounds as ListMaintenances' status filters.
func (db *DB) CountMaintenances(ctx context.Context, now time.Time) (domain.MaintenanceCounts, error) {
	var c domain.MaintenanceCounts
	at := formatTime(now)
	err := db.read.QueryRowContext(ctx, `SELECT coalesce(sum(starts_at <= ?), 0), coalesce(sum(starts_at > ?), 0)
		FROM maintenances WHERE cancelled_at IS NULL AND ends_at > ?`, at, at, at).Scan(&c.InProgress, &c.Scheduled)
	if err != nil {
		return c, fmt.Errorf("count maintenances: %w", err)
	}
	return c, nil
}
