package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/status-incident/status-incident/internal/domain"
)

const systemColumns = `id, name, description, url, owner, manual_status, status, sla_target, public, created_at, updated_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanSystem(r rowScanner) (domain.System, error) {
	var s domain.System
	err := r.Scan(&s.ID, &s.Name, &s.Description, &s.URL, &s.Owner, &s.ManualStatus, &s.Status,
		&s.SLATarget, &s.Public, scanTime{&s.CreatedAt}, scanTime{&s.UpdatedAt})
	return s, err
}

// ListSystems returns every system ordered by name.
func (db *DB) ListSystems(ctx context.Context) ([]domain.System, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+systemColumns+` FROM systems ORDER BY name COLLATE NOCASE, id`)
	if err != nil {
		return nil, fmt.Errorf("list systems: %w", err)
	}
	defer rows.Close()
	out := []domain.System{}
	for rows.Next() {
		s, err := scanSystem(rows)
		if err != nil {
			return nil, fmt.Errorf("list systems: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list systems: %w", err)
	}
	return out, nil
}

// GetSystem returns one system or ErrNotFound.
func (db *DB) GetSystem(ctx context.Context, id int64) (domain.System, error) {
	s, err := scanSystem(db.read.QueryRowContext(ctx, `SELECT `+systemColumns+` FROM systems WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, domain.NotFoundf("system %d not found", id)
	}
	if err != nil {
		return s, fmt.Errorf("get system %d: %w", id, err)
	}
	return s, nil
}

// CreateSystem inserts s, sets its ID and timestamps, and records a. It
// returns ErrConflict when the name is taken.
func (db *DB) CreateSystem(ctx context.Context, s *domain.System, a domain.AuditEntry) error {
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO systems
		(name, description, url, owner, manual_status, status, sla_target, public, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.Name, s.Description, s.URL, s.Owner, s.ManualStatus, s.Status, s.SLATarget, s.Public,
		formatTime(now), formatTime(now))
	if isUniqueViolation(err) {
		return domain.Conflictf("a system named %q already exists", s.Name)
	}
	if err != nil {
		return fmt.Errorf("create system: %w", err)
	}
	id, _ := res.LastInsertId()
	a.TargetID = id
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	if err := db.commit(tx); err != nil {
		return fmt.Errorf("create system: commit: %w", err)
	}
	s.ID = id
	s.CreatedAt, s.UpdatedAt = now.Truncate(1e6), now.Truncate(1e6)
	return nil
}

// UpdateSystem saves the descriptive fields of s (not its statuses), sets
// UpdatedAt and records a. It returns ErrNotFound or ErrConflict.
func (db *DB) UpdateSystem(ctx context.Context, s *domain.System, a domain.AuditEntry) error {
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE systems SET name = ?, description = ?, url = ?, owner = ?,
		sla_target = ?, public = ?, updated_at = ? WHERE id = ?`,
		s.Name, s.Description, s.URL, s.Owner, s.SLATarget, s.Public, formatTime(now), s.ID)
	if isUniqueViolation(err) {
		return domain.Conflictf("a system named %q already exists", s.Name)
	}
	if err != nil {
		return fmt.Errorf("update system %d: %w", s.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("system %d not found", s.ID)
	}
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	if err := db.commit(tx); err != nil {
		return fmt.Errorf("update system %d: commit: %w", s.ID, err)
	}
	s.UpdatedAt = now.Truncate(1e6)
	return nil
}

// DeleteSystem removes a system with its dependencies and their change log,
// and records a. It returns ErrNotFound.
func (db *DB) DeleteSystem(ctx context.Context, id int64, a domain.AuditEntry) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM systems WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete system %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("system %d not found", id)
	}
	if err := insertAudit(ctx, tx, a, db.now()); err != nil {
		return err
	}
	if err := db.commit(tx); err != nil {
		return fmt.Errorf("delete system %d: commit: %w", id, err)
	}
	return nil
}

// CountSystems returns the number of systems.
func (db *DB) CountSystems(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM systems`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count systems: %w", err)
	}
	return n, nil
}
