package sqlite

import (
	"context"
	"fmt"

	"github.com/status-incident/status-incident/internal/domain"
)

// Settings returns every stored setting by key (none stored: an empty map).
func (db *DB) Settings(ctx context.Context) (map[string]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT key, value FROM settings ORDER BY key LIMIT 1000`)
	if err != nil {
		return nil, fmt.Errorf("list settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("scan setting: %w", err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list settings: %w", err)
	}
	return out, nil
}

// SaveSettings stores the given settings, replacing their old values, in one
// transaction with its audit entry.
func (db *DB) SaveSettings(ctx context.Context, values map[string]string, a domain.AuditEntry) error {
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for k, v := range values {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			k, v, formatTime(now)); err != nil {
			return fmt.Errorf("save setting %s: %w", k, err)
		}
	}
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	return db.commit(tx)
}
