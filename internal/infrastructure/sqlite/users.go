package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/status-incident/status-incident/internal/domain"
)

const userColumns = `id, username, password_hash, role, created_at, updated_at`

func scanUser(r rowScanner) (domain.User, error) {
	var u domain.User
	err := r.Scan(&u.ID, &u.Username, &u.PasswordHash, &u.Role, scanTime{&u.CreatedAt}, scanTime{&u.UpdatedAt})
	return u, err
}

// CountUsers returns the number of users.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// ListUsers returns every user ordered by name.
func (db *DB) ListUsers(ctx context.Context) ([]domain.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username COLLATE NOCASE`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out := []domain.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// GetUser returns a user by id or ErrNotFound.
func (db *DB) GetUser(ctx context.Context, id int64) (domain.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, domain.NotFoundf("user %d not found", id)
	}
	if err != nil {
		return u, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

// GetUserByName returns a user by name (case-insensitive) or ErrNotFound.
func (db *DB) GetUserByName(ctx context.Context, name string) (domain.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ? COLLATE NOCASE`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return u, domain.NotFoundf("user %q not found", name)
	}
	if err != nil {
		return u, fmt.Errorf("get user %q: %w", name, err)
	}
	return u, nil
}

// CreateUser inserts u and records a. When onlyIfNone is set, it inserts
// only while no user exists (first-run setup) and returns ErrConflict
// otherwise. ErrConflict also when the name is taken.
func (db *DB) CreateUser(ctx context.Context, u *domain.User, onlyIfNone bool, a domain.AuditEntry) error {
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if onlyIfNone {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		if n > 0 {
			return domain.Conflictf("setup is done: an administrator already exists")
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO users (username, password_hash, role, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)`, u.Username, u.PasswordHash, u.Role, formatTime(now), formatTime(now))
	if isUniqueViolation(err) {
		return domain.Conflictf("a user named %q already exists", u.Username)
	}
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	id, _ := res.LastInsertId()
	a.TargetID = id
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create user: commit: %w", err)
	}
	u.ID = id
	u.CreatedAt, u.UpdatedAt = now.Truncate(1e6), now.Truncate(1e6)
	return nil
}

// UpdateUser saves u's role and password hash and records a. When the
// password changed, the user's sessions are ended (pass endSessions). When
// the change would leave no admin, it returns ErrConflict. ErrNotFound.
func (db *DB) UpdateUser(ctx context.Context, u *domain.User, endSessions bool, a domain.AuditEntry) error {
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE users SET role = ?, password_hash = ?, updated_at = ? WHERE id = ?`,
		u.Role, u.PasswordHash, formatTime(now), u.ID)
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("user %d not found", u.ID)
	}
	if err := requireAdmin(ctx, tx); err != nil {
		return err
	}
	if endSessions {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
			return fmt.Errorf("end sessions of user %d: %w", u.ID, err)
		}
	}
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("update user %d: commit: %w", u.ID, err)
	}
	u.UpdatedAt = now.Truncate(1e6)
	return nil
}

// DeleteUser removes a user and their sessions and records a. It refuses
// (ErrConflict) to remove the last admin. ErrNotFound.
func (db *DB) DeleteUser(ctx context.Context, id int64, a domain.AuditEntry) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("user %d not found", id)
	}
	if err := requireAdmin(ctx, tx); err != nil {
		return err
	}
	if err := insertAudit(ctx, tx, a, db.now()); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete user %d: commit: %w", id, err)
	}
	return nil
}

// requireAdmin fails the transaction when it would leave no admin.
func requireAdmin(ctx context.Context, tx *sql.Tx) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin'`).Scan(&n); err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if n == 0 {
		return domain.Conflictf("this would leave no administrator")
	}
	return nil
}
