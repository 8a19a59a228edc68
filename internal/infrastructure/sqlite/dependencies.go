package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/status-incident/status-incident/internal/domain"
)

const dependencyColumns = `id, system_id, name, description, status, created_at, updated_at`

func scanDependency(r rowScanner) (domain.Dependency, error) {
	var d domain.Dependency
	err := r.Scan(&d.ID, &d.SystemID, &d.Name, &d.Description, &d.Status, scanTime{&d.CreatedAt}, scanTime{&d.UpdatedAt})
	return d, err
}

func (db *DB) queryDependencies(ctx context.Context, query string, args ...any) ([]domain.Dependency, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Dependency{}
	for rows.Next() {
		d, err := scanDependency(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ListDependencies returns the dependencies of one system ordered by name.
// It does not check that the system exists.
func (db *DB) ListDependencies(ctx context.Context, systemID int64) ([]domain.Dependency, error) {
	ds, err := db.queryDependencies(ctx, `SELECT `+dependencyColumns+` FROM dependencies
		WHERE system_id = ? ORDER BY name COLLATE NOCASE, id`, systemID)
	if err != nil {
		return nil, fmt.Errorf("list dependencies of system %d: %w", systemID, err)
	}
	return ds, nil
}

// ListAllDependencies returns every dependency, ordered by system then name.
func (db *DB) ListAllDependencies(ctx context.Context) ([]domain.Dependency, error) {
	ds, err := db.queryDependencies(ctx, `SELECT `+dependencyColumns+` FROM dependencies
		ORDER BY system_id, name COLLATE NOCASE, id`)
	if err != nil {
		return nil, fmt.Errorf("list dependencies: %w", err)
	}
	return ds, nil
}

// ListDependencySummaries returns every dependency with only its id, system,
// name and status, ordered by system then name: the overview pages show
// thousands of them and need no more.
func (db *DB) ListDependencySummaries(ctx context.Context) ([]domain.Dependency, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, system_id, name, status FROM dependencies
		ORDER BY system_id, name COLLATE NOCASE, id`)
	if err != nil {
		return nil, fmt.Errorf("list dependencies: %w", err)
	}
	defer rows.Close()
	out := []domain.Dependency{}
	for rows.Next() {
		var d domain.Dependency
		if err := rows.Scan(&d.ID, &d.SystemID, &d.Name, &d.Status); err != nil {
			return nil, fmt.Errorf("list dependencies: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list dependencies: %w", err)
	}
	return out, nil
}

// GetDependency returns one dependency or ErrNotFound.
func (db *DB) GetDependency(ctx context.Context, id int64) (domain.Dependency, error) {
	d, err := scanDependency(db.read.QueryRowContext(ctx, `SELECT `+dependencyColumns+` FROM dependencies WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, domain.NotFoundf("dependency %d not found", id)
	}
	if err != nil {
		return d, fmt.Errorf("get dependency %d: %w", id, err)
	}
	return d, nil
}

// CreateDependency inserts d, sets its ID and timestamps, and records a. It
// returns ErrNotFound when the system does not exist and ErrConflict when the
// system already has a dependency of that name.
func (db *DB) CreateDependency(ctx context.Context, d *domain.Dependency, a domain.AuditEntry) error {
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO dependencies
		(system_id, name, description, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		d.SystemID, d.Name, d.Description, d.Status, formatTime(now), formatTime(now))
	switch {
	case isUniqueViolation(err):
		return domain.Conflictf("system %d already has a dependency named %q", d.SystemID, d.Name)
	case isForeignKeyViolation(err):
		return domain.NotFoundf("system %d not found", d.SystemID)
	case err != nil:
		return fmt.Errorf("create dependency: %w", err)
	}
	id, _ := res.LastInsertId()
	a.TargetID = id
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	if err := db.commit(tx); err != nil {
		return fmt.Errorf("create dependency: commit: %w", err)
	}
	d.ID = id
	d.CreatedAt, d.UpdatedAt = now.Truncate(1e6), now.Truncate(1e6)
	return nil
}

// UpdateDependency saves the descriptive fields of d (not its status) and
// records a. It returns ErrNotFound or ErrConflict.
func (db *DB) UpdateDependency(ctx context.Context, d *domain.Dependency, a domain.AuditEntry) error {
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE dependencies SET name = ?, description = ?, updated_at = ? WHERE id = ?`,
		d.Name, d.Description, formatTime(now), d.ID)
	if isUniqueViolation(err) {
		return domain.Conflictf("system %d already has a dependency named %q", d.SystemID, d.Name)
	}
	if err != nil {
		return fmt.Errorf("update dependency %d: %w", d.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("dependency %d not found", d.ID)
	}
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	if err := db.commit(tx); err != nil {
		return fmt.Errorf("update dependency %d: commit: %w", d.ID, err)
	}
	d.UpdatedAt = now.Truncate(1e6)
	return nil
}

// DeleteDependency removes a dependency (and its own change-log entries) and,
// in the same transaction, applies u (the system's recomputed status and the
// entries that record it) and records a. It returns ErrNotFound.
func (db *DB) DeleteDependency(ctx context.Context, id int64, u domain.StatusUpdate, a domain.AuditEntry) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM dependencies WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete dependency %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("dependency %d not found", id)
	}
	if err := applyStatusUpdate(ctx, tx, u); err != nil {
		return fmt.Errorf("delete dependency %d: %w", id, err)
	}
	if err := insertAudit(ctx, tx, a, u.At); err != nil {
		return err
	}
	if err := db.commit(tx); err != nil {
		return fmt.Errorf("delete dependency %d: commit: %w", id, err)
	}
	return nil
}
