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

const apiKeyColumns = `id, name, prefix, hash, scopes, coalesce(expires_at, ''), enabled, coalesce(last_used_at, ''), created_by, created_at`

func scanAPIKey(r rowScanner) (domain.APIKey, error) {
	var k domain.APIKey
	var scopes string
	err := r.Scan(&k.ID, &k.Name, &k.Prefix, &k.Hash, &scopes, scanOptTime{&k.ExpiresAt}, &k.Enabled,
		scanOptTime{&k.LastUsedAt}, &k.CreatedBy, scanTime{&k.CreatedAt})
	for _, s := range strings.Split(scopes, ",") {
		if s != "" {
			k.Scopes = append(k.Scopes, domain.Scope(s))
		}
	}
	return k, err
}

// scanOptTime scans an optional timestamp stored as ” or NULL.
type scanOptTime struct{ t *time.Time }

func (s scanOptTime) Scan(v any) error {
	if v == nil || v == "" {
		*s.t = time.Time{}
		return nil
	}
	if b, ok := v.([]byte); ok && len(b) == 0 {
		*s.t = time.Time{}
		return nil
	}
	return scanTime(s).Scan(v)
}

func optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func joinScopes(ss []domain.Scope) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, ",")
}

// CreateAPIKey stores k (with its hash, never the key) and records a.
// ErrConflict when the name is taken.
func (db *DB) CreateAPIKey(ctx context.Context, k *domain.APIKey, a domain.AuditEntry) error {
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO api_keys (name, prefix, hash, scopes, expires_at, enabled, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, k.Name, k.Prefix, k.Hash, joinScopes(k.Scopes), optTime(k.ExpiresAt), k.Enabled,
		k.CreatedBy, formatTime(now))
	if isUniqueViolation(err) {
		return domain.Conflictf("an API key named %q already exists", k.Name)
	}
	if err != nil {
		return fmt.Errorf("create API key: %w", err)
	}
	id, _ := res.LastInsertId()
	a.TargetID = id
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create API key: commit: %w", err)
	}
	k.ID, k.CreatedAt = id, now.Truncate(1e6)
	return nil
}

// ListAPIKeys returns every key ordered by name.
func (db *DB) ListAPIKeys(ctx context.Context) ([]domain.APIKey, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys ORDER BY name COLLATE NOCASE`)
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	defer rows.Close()
	out := []domain.APIKey{}
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, fmt.Errorf("list API keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	return out, nil
}

// GetAPIKey returns a key by id or ErrNotFound.
func (db *DB) GetAPIKey(ctx context.Context, id int64) (domain.APIKey, error) {
	k, err := scanAPIKey(db.read.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return k, domain.NotFoundf("API key %d not found", id)
	}
	if err != nil {
		return k, fmt.Errorf("get API key %d: %w", id, err)
	}
	return k, nil
}

// GetAPIKeyByHash returns the key with this hash or ErrNotFound.
func (db *DB) GetAPIKeyByHash(ctx context.Context, hash string) (domain.APIKey, error) {
	k, err := scanAPIKey(db.read.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return k, domain.NotFoundf("API key not found")
	}
	if err != nil {
		return k, fmt.Errorf("get API key: %w", err)
	}
	return k, nil
}

// SetAPIKeyEnabled enables or disables a key and records a. ErrNotFound.
func (db *DB) SetAPIKeyEnabled(ctx context.Context, id int64, enabled bool, a domain.AuditEntry) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE api_keys SET enabled = ? WHERE id = ?`, enabled, id)
	if err != nil {
		return fmt.Errorf("update API key %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("API key %d not found", id)
	}
	if err := insertAudit(ctx, tx, a, db.now()); err != nil {
		return err
	}
	return tx.Commit()
}

// DeleteAPIKey removes a key and records a. ErrNotFound.
func (db *DB) DeleteAPIKey(ctx context.Context, id int64, a domain.AuditEntry) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM api_keys WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete API key %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("API key %d not found", id)
	}
	if err := insertAudit(ctx, tx, a, db.now()); err != nil {
		return err
	}
	return tx.Commit()
}

// SetAPIKeysLastUsed writes the last-use times collected in memory, in one
// transaction. Keys deleted meanwhile are skipped.
func (db *DB) SetAPIKeysLastUsed(ctx context.Context, used map[int64]time.Time) error {
	if len(used) == 0 {
		return nil
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`)
	if err != nil {
		return fmt.Errorf("record API key use: %w", err)
	}
	defer stmt.Close()
	for id, at := range used {
		if _, err := stmt.ExecContext(ctx, formatTime(at), id, formatTime(at)); err != nil {
			return fmt.Errorf("record API key %d use: %w", id, err)
		}
	}
	return tx.Commit()
}
