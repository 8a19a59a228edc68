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

const incidentColumns = `id, title, impact, status, system_status, started_at, coalesce(acknowledged_at, ''), acknowledged_by,
	coalesce(resolved_at, ''), postmortem, created_by, created_at, updated_at`

func scanIncident(r rowScanner) (domain.Incident, error) {
	var i domain.Incident
	err := r.Scan(&i.ID, &i.Title, &i.Impact, &i.Status, &i.SystemStatus, scanTime{&i.StartedAt}, scanOptTime{&i.AcknowledgedAt},
		&i.AcknowledgedBy, scanOptTime{&i.ResolvedAt}, &i.Postmortem, &i.CreatedBy, scanTime{&i.CreatedAt}, scanTime{&i.UpdatedAt})
	return i, err
}

// writeIncidentSystems replaces the affected systems of an incident, keeping
// the applied change of systems that stay. ErrNotFound for an unknown system.
func writeIncidentSystems(ctx context.Context, tx *sql.Tx, id int64, systemIDs []int64) error {
	if len(systemIDs) == 0 {
		_, err := tx.ExecContext(ctx, `DELETE FROM incident_systems WHERE incident_id = ?`, id)
		return err
	}
	args := []any{id}
	for _, s := range systemIDs {
		args = append(args, s)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM incident_systems WHERE incident_id = ? AND system_id NOT IN (?`+
		strings.Repeat(",?", len(systemIDs)-1)+`)`, args...); err != nil {
		return err
	}
	for _, s := range systemIDs {
		_, err := tx.ExecContext(ctx, `INSERT INTO incident_systems (incident_id, system_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, s)
		if isForeignKeyViolation(err) {
			return domain.NotFoundf("system %d not found", s)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func insertIncidentUpdate(ctx context.Context, tx *sql.Tx, u *domain.IncidentUpdate) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO incident_updates (incident_id, status, message, author, created_at)
		VALUES (?, ?, ?, ?, ?)`, u.IncidentID, u.Status, u.Message, u.Author, formatTime(u.CreatedAt))
	if err != nil {
		return fmt.Errorf("add incident update: %w", err)
	}
	u.ID, _ = res.LastInsertId()
	u.CreatedAt = u.CreatedAt.UTC().Truncate(time.Millisecond)
	return nil
}

// CreateIncident stores inc with its systems and its first timeline entry,
// and records a. ErrNotFound for an unknown system.
func (db *DB) CreateIncident(ctx context.Context, inc *domain.Incident, first domain.IncidentUpdate, a domain.AuditEntry) error {
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO incidents (title, impact, status, system_status, started_at, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, inc.Title, inc.Impact, inc.Status, inc.SystemStatus, formatTime(inc.StartedAt),
		inc.CreatedBy, formatTime(now), formatTime(now))
	if err != nil {
		return fmt.Errorf("create incident: %w", err)
	}
	inc.ID, _ = res.LastInsertId()
	if err := writeIncidentSystems(ctx, tx, inc.ID, inc.SystemIDs); err != nil {
		return err
	}
	first.IncidentID = inc.ID
	if err := insertIncidentUpdate(ctx, tx, &first); err != nil {
		return err
	}
	if err := insertIncidentEvent(ctx, tx, domain.EventIncidentCreated, inc, &first, now); err != nil {
		return err
	}
	a.TargetID = inc.ID
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	if err := db.commit(tx); err != nil {
		return fmt.Errorf("create incident: commit: %w", err)
	}
	inc.CreatedAt, inc.UpdatedAt = now.Truncate(time.Millisecond), now.Truncate(time.Millisecond)
	inc.Updates = []domain.IncidentUpdate{first}
	return nil
}

// SaveIncident writes the incident's fields and systems, adds the timeline
// entry u when it has a message, and records a. ErrNotFound.
func (db *DB) SaveIncident(ctx context.Context, inc *domain.Incident, u *domain.IncidentUpdate, a domain.AuditEntry) error {
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var oldStatus domain.IncidentStatus
	err = tx.QueryRowContext(ctx, `SELECT status FROM incidents WHERE id = ?`, inc.ID).Scan(&oldStatus)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.NotFoundf("incident %d not found", inc.ID)
	}
	if err != nil {
		return fmt.Errorf("update incident %d: %w", inc.ID, err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE incidents SET title = ?, impact = ?, status = ?, system_status = ?, started_at = ?,
			acknowledged_at = ?, acknowledged_by = ?, resolved_at = ?, postmortem = ?, updated_at = ? WHERE id = ?`,
		inc.Title, inc.Impact, inc.Status, inc.SystemStatus, formatTime(inc.StartedAt), optTime(inc.AcknowledgedAt),
		inc.AcknowledgedBy, optTime(inc.ResolvedAt), inc.Postmortem, formatTime(now), inc.ID)
	if err != nil {
		return fmt.Errorf("update incident %d: %w", inc.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("incident %d not found", inc.ID)
	}
	if err := writeIncidentSystems(ctx, tx, inc.ID, inc.SystemIDs); err != nil {
		return err
	}
	if u != nil {
		u.IncidentID = inc.ID
		if err := insertIncidentUpdate(ctx, tx, u); err != nil {
			return err
		}
	}
	typ := domain.EventIncidentUpdated
	if inc.Status == domain.IncidentResolved && oldStatus != domain.IncidentResolved {
		typ = domain.EventIncidentResolved
	}
	if err := insertIncidentEvent(ctx, tx, typ, inc, u, now); err != nil {
		return err
	}
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	if err := db.commit(tx); err != nil {
		return fmt.Errorf("update incident %d: commit: %w", inc.ID, err)
	}
	inc.UpdatedAt = now.Truncate(time.Millisecond)
	return nil
}

// DeleteIncident removes an incident with its timeline, and records a. ErrNotFound.
func (db *DB) DeleteIncident(ctx context.Context, id int64, a domain.AuditEntry) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM incidents WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete incident %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("incident %d not found", id)
	}
	if err := insertAudit(ctx, tx, a, db.now()); err != nil {
		return err
	}
	return db.commit(tx)
}

// GetIncident returns an incident with its systems and timeline. ErrNotFound.
func (db *DB) GetIncident(ctx context.Context, id int64) (domain.Incident, error) {
	inc, err := scanIncident(db.read.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return inc, domain.NotFoundf("incident %d not found", id)
	}
	if err != nil {
		return inc, fmt.Errorf("get incident %d: %w", id, err)
	}
	list := []domain.Incident{inc}
	if err := db.fillIncidents(ctx, list); err != nil {
		return inc, err
	}
	return list[0], nil
}

// ListIncidents returns incidents matching f, newest first, with their
// systems and timelines (f.Limit bounded by the caller).
func (db *DB) ListIncidents(ctx context.Context, f domain.IncidentFilter) ([]domain.Incident, error) {
	var where []string
	var args []any
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, f.Status)
	}
	if f.Active {
		where = append(where, "status <> 'resolved'")
	}
	if !f.Since.IsZero() {
		where = append(where, "(started_at >= ? OR resolved_at IS NULL OR resolved_at >= ?)")
		args = append(args, formatTime(f.Since), formatTime(f.Since))
	}
	if f.Before > 0 {
		where = append(where, "id < ?")
		args = append(args, f.Before)
	}
	q := `SELECT ` + incidentColumns + ` FROM incidents`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := db.read.QueryContext(ctx, q+" ORDER BY id DESC LIMIT ?", append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	out := []domain.Incident{}
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list incidents: %w", err)
		}
		out = append(out, inc)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	return out, db.fillIncidents(ctx, out)
}

// fillIncidents loads the systems and timelines of incs with two queries.
func (db *DB) fillIncidents(ctx context.Context, incs []domain.Incident) error {
	if len(incs) == 0 {
		return nil
	}
	idx := make(map[int64]int, len(incs))
	args := make([]any, len(incs))
	for i := range incs {
		idx[incs[i].ID] = i
		args[i] = incs[i].ID
		incs[i].SystemIDs = []int64{}
		incs[i].Updates = []domain.IncidentUpdate{}
	}
	in := `(?` + strings.Repeat(",?", len(incs)-1) + `)`
	rows, err := db.read.QueryContext(ctx, `SELECT incident_id, system_id FROM incident_systems WHERE incident_id IN `+in+
		` ORDER BY incident_id, system_id`, args...)
	if err != nil {
		return fmt.Errorf("list incident systems: %w", err)
	}
	for rows.Next() {
		var iid, sid int64
		if err := rows.Scan(&iid, &sid); err != nil {
			rows.Close()
			return fmt.Errorf("list incident systems: %w", err)
		}
		incs[idx[iid]].SystemIDs = append(incs[idx[iid]].SystemIDs, sid)
	}
	rows.Close()
	rows, err = db.read.QueryContext(ctx, `SELECT id, incident_id, status, message, author, created_at FROM incident_updates
		WHERE incident_id IN `+in+` ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("list incident updates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u domain.IncidentUpdate
		if err := rows.Scan(&u.ID, &u.IncidentID, &u.Status, &u.Message, &u.Author, scanTime{&u.CreatedAt}); err != nil {
			return fmt.Errorf("list incident updates: %w", err)
		}
		incs[idx[u.IncidentID]].Updates = append(incs[idx[u.IncidentID]].Updates, u)
	}
	return rows.Err()
}

// SetAppliedChange remembers the change-log entry with which an incident set
// a system's manual status (0 clears it).
func (db *DB) SetAppliedChange(ctx context.Context, incidentID, systemID, changeID int64) error {
	if _, err := db.write.ExecContext(ctx, `UPDATE incident_systems SET applied_change_id = ? WHERE incident_id = ? AND system_id = ?`,
		nullInt64(changeID), incidentID, systemID); err != nil {
		return fmt.Errorf("remember applied change: %w", err)
	}
	return nil
}

// AppliedChanges returns, per affected system, the change-log entry with
// which the incident set its manual status (systems without one are left out).
func (db *DB) AppliedChanges(ctx context.Context, incidentID int64) (map[int64]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT system_id, applied_change_id FROM incident_systems
		WHERE incident_id = ? AND applied_change_id IS NOT NULL`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("applied changes: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var s, c int64
		if err := rows.Scan(&s, &c); err != nil {
			return nil, fmt.Errorf("applied changes: %w", err)
		}
		out[s] = c
	}
	return out, rows.Err()
}

// LastManualChangeID returns the id of the newest system-level entry that set
// the system's manual status (anything but a propagation), or 0.
func (db *DB) LastManualChangeID(ctx context.Context, systemID int64) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM status_changes
		WHERE system_id = ? AND dependency_id IS NULL AND source <> 'propagation'`, systemID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("last manual change of system %d: %w", systemID, err)
	}
	return id, nil
}

// TallyIncidents counts every incident by impact and status, in one grouped
// query.
func (db *DB) TallyIncidents(ctx context.Context) (domain.IncidentTally, error) {
	t := domain.IncidentTally{ByImpact: map[domain.Impact]int{}, ByStatus: map[domain.IncidentStatus]int{}}
	rows, err := db.read.QueryContext(ctx, `SELECT impact, status, count(*) FROM incidents GROUP BY impact, status`)
	if err != nil {
		return t, fmt.Errorf("tally incidents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var impact domain.Impact
		var status domain.IncidentStatus
		var n int
		if err := rows.Scan(&impact, &status, &n); err != nil {
			return t, fmt.Errorf("tally incidents: %w", err)
		}
		t.Total += n
		t.ByImpact[impact] += n
		t.ByStatus[status] += n
		if status != domain.IncidentResolved {
			t.Active += n
		}
	}
	if err := rows.Err(); err != nil {
		return t, fmt.Errorf("tally incidents: %w", err)
	}
	return t, nil
}
