package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// insertAudit records a configuration change inside the caller's transaction,
// so that a change and its record commit or fail together.
func insertAudit(ctx context.Context, tx *sql.Tx, a domain.AuditEntry, now time.Time) error {
	if a.Action == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (actor, action, target_type, target_id, summary, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, a.Actor, a.Action, a.TargetType, a.TargetID, a.Summary, formatTime(now)); err != nil {
		return fmt.Errorf("record audit entry %s: %w", a.Action, err)
	}
	return nil
}

// RecordAudit stores an audit entry on its own.
func (db *DB) RecordAudit(ctx context.Context, a domain.AuditEntry) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := insertAudit(ctx, tx, a, db.now()); err != nil {
		return err
	}
	return tx.Commit()
}

// ListAudit returns audit entries newest first; before is an id cursor (0 =
// newest) and limit must already be bounded by the caller.
func (db *DB) ListAudit(ctx context.Context, before int64, limit int) ([]domain.AuditEntry, error) {
	q := `SELECT id, actor, action, target_type, target_id, summary, created_at FROM audit_log`
	args := []any{}
	if before > 0 {
		q += ` WHERE id < ?`
		args = append(args, before)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	defer rows.Close()
	out := []domain.AuditEntry{}
	for rows.Next() {
		var a domain.AuditEntry
		if err := rows.Scan(&a.ID, &a.Actor, &a.Action, &a.TargetType, &a.TargetID, &a.Summary, scanTime{&a.CreatedAt}); err != nil {
			return nil, fmt.Errorf("list audit log: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	return out, nil
}
