package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/status-incident/status-incident/internal/domain"
)

// ApplyStatusUpdate writes u atomically: the dependency's status, the
// system's manual and effective statuses, and the change-log entries. It
// returns ErrNotFound when the system or dependency is gone.
func (db *DB) ApplyStatusUpdate(ctx context.Context, u domain.StatusUpdate) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := applyStatusUpdate(ctx, tx, u); err != nil {
		return err
	}
	if err := db.commit(tx); err != nil {
		return fmt.Errorf("apply status update: commit: %w", err)
	}
	return nil
}

func applyStatusUpdate(ctx context.Context, tx *sql.Tx, u domain.StatusUpdate) error {
	at := formatTime(u.At)
	if u.DependencyID != 0 {
		res, err := tx.ExecContext(ctx, `UPDATE dependencies SET status = ?, updated_at = ? WHERE id = ? AND system_id = ?`,
			u.DependencyStatus, at, u.DependencyID, u.SystemID)
		if err != nil {
			return fmt.Errorf("update dependency %d status: %w", u.DependencyID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.NotFoundf("dependency %d not found", u.DependencyID)
		}
	}
	var res sql.Result
	var err error
	if u.ManualStatus != nil {
		res, err = tx.ExecContext(ctx, `UPDATE systems SET manual_status = ?, status = ?, updated_at = ? WHERE id = ?`,
			*u.ManualStatus, u.SystemStatus, at, u.SystemID)
	} else {
		res, err = tx.ExecContext(ctx, `UPDATE systems SET status = ? WHERE id = ?`, u.SystemStatus, u.SystemID)
	}
	if err != nil {
		return fmt.Errorf("update system %d status: %w", u.SystemID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("system %d not found", u.SystemID)
	}
	if len(u.Changes) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO status_changes
		(system_id, dependency_id, old_status, new_status, message, source, actor, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("insert status change: %w", err)
	}
	defer stmt.Close()
	for i := range u.Changes {
		c := &u.Changes[i]
		created := c.CreatedAt
		if created.IsZero() {
			created = u.At
		}
		r, err := stmt.ExecContext(ctx, c.SystemID, nullInt64(c.DependencyID), c.OldStatus, c.NewStatus,
			c.Message, c.Source, c.Actor, formatTime(created))
		if err != nil {
			return fmt.Errorf("insert status change: %w", err)
		}
		c.ID, _ = r.LastInsertId()
		c.CreatedAt = created.UTC().Truncate(1e6)
	}
	return insertStatusEvents(ctx, tx, u.Changes, u.At)
}

const changeColumns = `id, system_id, coalesce(dependency_id, 0), old_status, new_status, message, source, actor, created_at`

func scanChange(r rowScanner) (domain.StatusChange, error) {
	var c domain.StatusChange
	err := r.Scan(&c.ID, &c.SystemID, &c.DependencyID, &c.OldStatus, &c.NewStatus, &c.Message, &c.Source,
		&c.Actor, scanTime{&c.CreatedAt})
	return c, err
}

// ListChanges returns change-log entries matching f, newest first. f.Limit
// must already be bounded by the caller.
func (db *DB) ListChanges(ctx context.Context, f domain.LogFilter) ([]domain.StatusChange, error) {
	var where []string
	var args []any
	if f.SystemID != 0 {
		where = append(where, "system_id = ?")
		args = append(args, f.SystemID)
	}
	if f.DependencyID != 0 {
		where = append(where, "dependency_id = ?")
		args = append(args, f.DependencyID)
	}
	if f.SystemOnly {
		where = append(where, "dependency_id IS NULL")
	}
	if f.Source != "" {
		where = append(where, "source = ?")
		args = append(args, f.Source)
	}
	if f.Status != "" {
		where = append(where, "new_status = ?")
		args = append(args, f.Status)
	}
	if f.Before > 0 {
		where = append(where, "id < ?")
		args = append(args, f.Before)
	}
	q := `SELECT ` + changeColumns + ` FROM status_changes`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list status changes: %w", err)
	}
	defer rows.Close()
	out := []domain.StatusChange{}
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return nil, fmt.Errorf("list status changes: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list status changes: %w", err)
	}
	return out, nil
}

// LastChanges returns the newest change-log entry of every system that has
// one, keyed by system id, in one query.
func (db *DB) LastChanges(ctx context.Context) (map[int64]domain.StatusChange, error) {
	// One index probe per system on (system_id, id): the cost follows the
	// number of systems, not the length of the log.
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.system_id, coalesce(c.dependency_id, 0), c.old_status, c.new_status, c.message, c.source,
			c.actor, c.created_at FROM systems s
		JOIN status_changes c ON c.id = (SELECT max(id) FROM status_changes WHERE system_id = s.id)`)
	if err != nil {
		return nil, fmt.Errorf("last status changes: %w", err)
	}
	defer rows.Close()
	out := map[int64]domain.StatusChange{}
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return nil, fmt.Errorf("last status changes: %w", err)
		}
		out[c.SystemID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("last status changes: %w", err)
	}
	return out, nil
}
