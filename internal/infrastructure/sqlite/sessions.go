package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// CreateSession stores a session.
func (db *DB) CreateSession(ctx context.Context, s domain.Session) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`, s.IDHash, s.UserID, formatTime(s.CreatedAt), formatTime(s.LastSeenAt), formatTime(s.ExpiresAt))
	if isForeignKeyViolation(err) {
		return domain.NotFoundf("user %d not found", s.UserID)
	}
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// GetSession returns a session and its user by the session's hash, or
// ErrNotFound. It does not check expiry.
func (db *DB) GetSession(ctx context.Context, idHash string) (domain.Session, domain.User, error) {
	var s domain.Session
	var u domain.User
	err := db.read.QueryRowContext(ctx, `SELECT s.id_hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at,
			u.id, u.username, u.password_hash, u.role, u.created_at, u.updated_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`, idHash).Scan(
		&s.IDHash, &s.UserID, scanTime{&s.CreatedAt}, scanTime{&s.LastSeenAt}, scanTime{&s.ExpiresAt},
		&u.ID, &u.Username, &u.PasswordHash, &u.Role, scanTime{&u.CreatedAt}, scanTime{&u.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return s, u, domain.NotFoundf("session not found")
	}
	if err != nil {
		return s, u, fmt.Errorf("get session: %w", err)
	}
	return s, u, nil
}

// TouchSession sets a session's last-seen time.
func (db *DB) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	if _, err := db.write.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, formatTime(at), idHash); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession removes a session (logout). Removing a missing one is not an error.
func (db *DB) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteSessionsBefore removes sessions whose absolute expiry or idle
// deadline has passed and returns how many it removed.
func (db *DB) DeleteSessionsBefore(ctx context.Context, expiredAt, idleSince time.Time) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`,
		formatTime(expiredAt), formatTime(idleSince))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
