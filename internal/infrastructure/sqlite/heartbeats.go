package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

const monitorColumns = `h.dependency_id, d.system_id, d.status, h.type, h.enabled, h.url, h.interval_s, h.method, h.headers, h.body,
	h.expect_status, h.expect_body, h.timeout_ms, h.degraded_after, h.down_after, h.grace_s, coalesce(h.push_token, ''),
	coalesce(h.last_check_at, ''), coalesce(h.last_latency_ms, 0), h.last_status_code, h.last_error,
	h.consecutive_failures, h.consecutive_successes, coalesce(h.last_push_at, '')`

const monitorFrom = ` FROM heartbeats h JOIN dependencies d ON d.id = h.dependency_id`

func scanMonitor(r rowScanner) (domain.Monitor, error) {
	var m domain.Monitor
	var intervalS, timeoutMS, graceS int64
	var headers string
	var latencyMS float64
	err := r.Scan(&m.DependencyID, &m.SystemID, &m.Status, &m.Type, &m.Enabled, &m.URL, &intervalS, &m.Method, &headers,
		&m.Body, &m.ExpectStatus, &m.ExpectBody, &timeoutMS, &m.DegradedAfter, &m.DownAfter, &graceS, &m.PushToken,
		scanOptTime{&m.State.LastCheckAt}, &latencyMS, &m.State.LastStatusCode, &m.State.LastError,
		&m.State.ConsecutiveFailures, &m.State.ConsecutiveSuccesses, scanOptTime{&m.State.LastPushAt})
	if err != nil {
		return m, err
	}
	m.Interval = time.Duration(intervalS) * time.Second
	m.Timeout = time.Duration(timeoutMS) * time.Millisecond
	m.Grace = time.Duration(graceS) * time.Second
	m.State.LastLatency = msToDuration(latencyMS)
	if headers != "" && headers != "{}" {
		if err := json.Unmarshal([]byte(headers), &m.Headers); err != nil {
			return m, fmt.Errorf("decode headers of dependency %d: %w", m.DependencyID, err)
		}
	}
	return m, nil
}

func msToDuration(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

func durationToMS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// SaveHeartbeat stores (creates or replaces) the heartbeat of a dependency
// and enables it, keeping the check state, and records a. ErrNotFound when
// the dependency does not exist; ErrConflict when the push token is taken.
func (db *DB) SaveHeartbeat(ctx context.Context, dependencyID int64, h domain.Heartbeat, a domain.AuditEntry) error {
	headers := "{}"
	if len(h.Headers) > 0 {
		b, err := json.Marshal(h.Headers)
		if err != nil {
			return fmt.Errorf("encode headers: %w", err)
		}
		headers = string(b)
	}
	var token any
	if h.PushToken != "" {
		token = h.PushToken
	}
	now := db.now().UTC()
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO heartbeats (dependency_id, type, enabled, url, interval_s, method, headers, body,
			expect_status, expect_body, timeout_ms, degraded_after, down_after, grace_s, push_token, updated_at)
		VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (dependency_id) DO UPDATE SET type = excluded.type, enabled = 1, url = excluded.url,
			interval_s = excluded.interval_s, method = excluded.method, headers = excluded.headers, body = excluded.body,
			expect_status = excluded.expect_status, expect_body = excluded.expect_body, timeout_ms = excluded.timeout_ms,
			degraded_after = excluded.degraded_after, down_after = excluded.down_after, grace_s = excluded.grace_s,
			push_token = excluded.push_token, updated_at = excluded.updated_at`,
		dependencyID, h.Type, h.URL, int64(h.Interval/time.Second), h.Method, headers, h.Body, h.ExpectStatus, h.ExpectBody,
		h.Timeout.Milliseconds(), h.DegradedAfter, h.DownAfter, int64(h.Grace/time.Second), token, formatTime(now))
	switch {
	case isForeignKeyViolation(err):
		return domain.NotFoundf("dependency %d not found", dependencyID)
	case isUniqueViolation(err):
		return domain.Conflictf("that push token is in use")
	case err != nil:
		return fmt.Errorf("save heartbeat of dependency %d: %w", dependencyID, err)
	}
	if err := insertAudit(ctx, tx, a, now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save heartbeat of dependency %d: commit: %w", dependencyID, err)
	}
	return nil
}

// DisableHeartbeat turns a dependency's heartbeat off (its configuration is
// kept for re-enabling) and records a. ErrNotFound when it has none enabled.
func (db *DB) DisableHeartbeat(ctx context.Context, dependencyID int64, a domain.AuditEntry) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE heartbeats SET enabled = 0, updated_at = ? WHERE dependency_id = ? AND enabled = 1`,
		formatTime(db.now()), dependencyID)
	if err != nil {
		return fmt.Errorf("disable heartbeat of dependency %d: %w", dependencyID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFoundf("dependency %d has no enabled heartbeat", dependencyID)
	}
	if err := insertAudit(ctx, tx, a, db.now()); err != nil {
		return err
	}
	return tx.Commit()
}

// GetMonitor returns the heartbeat (enabled or not) of a dependency, or
// ErrNotFound.
func (db *DB) GetMonitor(ctx context.Context, dependencyID int64) (domain.Monitor, error) {
	m, err := scanMonitor(db.read.QueryRowContext(ctx, `SELECT `+monitorColumns+monitorFrom+` WHERE h.dependency_id = ?`, dependencyID))
	if errors.Is(err, sql.ErrNoRows) {
		return m, domain.NotFoundf("dependency %d has no heartbeat", dependencyID)
	}
	if err != nil {
		return m, fmt.Errorf("get heartbeat of dependency %d: %w", dependencyID, err)
	}
	return m, nil
}

// GetMonitorByPushToken returns the push heartbeat with this token, or
// ErrNotFound.
func (db *DB) GetMonitorByPushToken(ctx context.Context, token string) (domain.Monitor, error) {
	m, err := scanMonitor(db.read.QueryRowContext(ctx, `SELECT `+monitorColumns+monitorFrom+`
		WHERE h.push_token = ? AND h.type = 'push' AND h.enabled = 1`, token))
	if errors.Is(err, sql.ErrNoRows) {
		return m, domain.NotFoundf("not found")
	}
	if err != nil {
		return m, fmt.Errorf("get push heartbeat: %w", err)
	}
	return m, nil
}

// ListMonitors returns heartbeats: of one system (systemID > 0) or all, and
// only the enabled ones when enabledOnly.
func (db *DB) ListMonitors(ctx context.Context, systemID int64, enabledOnly bool) ([]domain.Monitor, error) {
	q := `SELECT ` + monitorColumns + monitorFrom
	var where []string
	var args []any
	if systemID > 0 {
		where = append(where, "d.system_id = ?")
		args = append(args, systemID)
	}
	if enabledOnly {
		where = append(where, "h.enabled = 1")
	}
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := db.read.QueryContext(ctx, q+" ORDER BY h.dependency_id", args...)
	if err != nil {
		return nil, fmt.Errorf("list heartbeats: %w", err)
	}
	defer rows.Close()
	out := []domain.Monitor{}
	for rows.Next() {
		m, err := scanMonitor(rows)
		if err != nil {
			return nil, fmt.Errorf("list heartbeats: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list heartbeats: %w", err)
	}
	return out, nil
}

// GetMonitors returns the heartbeats of the given dependencies, keyed by id,
// in one query.
func (db *DB) GetMonitors(ctx context.Context, ids []int64) (map[int64]domain.Monitor, error) {
	out := make(map[int64]domain.Monitor, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	// Chunk to stay under SQLite's bound-parameter limit.
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := db.read.QueryContext(ctx, `SELECT `+monitorColumns+monitorFrom+
			` WHERE h.dependency_id IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("get heartbeats: %w", err)
		}
		for rows.Next() {
			m, err := scanMonitor(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("get heartbeats: %w", err)
			}
			out[m.DependencyID] = m
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("get heartbeats: %w", err)
		}
	}
	return out, nil
}
