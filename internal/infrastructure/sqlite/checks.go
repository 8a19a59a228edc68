package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/status-incident/status-incident/internal/domain"
)

// RecordChecks writes a batch of check results in one transaction: the raw
// results, their minute/hour/day rollups, and the new check states of their
// dependencies. Results of dependencies deleted meanwhile are dropped.
func (db *DB) RecordChecks(ctx context.Context, results []domain.CheckResult, states map[int64]domain.CheckState) error {
	if len(results) == 0 && len(states) == 0 {
		return nil
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	// Results of dependencies that no longer exist would violate the foreign key.
	alive := map[int64]bool{}
	for id := range states {
		alive[id] = false
	}
	for _, r := range results {
		alive[r.DependencyID] = false
	}
	if err := markAlive(ctx, tx, alive); err != nil {
		return err
	}

	ins, err := tx.PrepareContext(ctx, `INSERT INTO check_results (dependency_id, checked_at, ok, status_code, latency_ms, error)
		VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("record checks: %w", err)
	}
	defer ins.Close()
	type key struct {
		dep    int64
		res    domain.Resolution
		bucket time.Time
	}
	rollups := map[key]*domain.Rollup{}
	for _, r := range results {
		if !alive[r.DependencyID] {
			continue
		}
		if _, err := ins.ExecContext(ctx, r.DependencyID, formatTime(r.CheckedAt), r.OK, r.StatusCode,
			durationToMS(r.Latency), r.Error); err != nil {
			return fmt.Errorf("record check of dependency %d: %w", r.DependencyID, err)
		}
		for _, res := range []domain.Resolution{domain.ResolutionMinute, domain.ResolutionHour, domain.ResolutionDay} {
			k := key{r.DependencyID, res, res.Truncate(r.CheckedAt)}
			ru := rollups[k]
			if ru == nil {
				ru = &domain.Rollup{DependencyID: k.dep, Resolution: res, Bucket: k.bucket}
				rollups[k] = ru
			}
			ru.Checks++
			if !r.OK {
				ru.Failures++
			}
			if r.HasLatency() {
				if ru.LatencyN == 0 || r.Latency < ru.LatencyMin {
					ru.LatencyMin = r.Latency
				}
				ru.LatencyMax = max(ru.LatencyMax, r.Latency)
				ru.LatencyN++
				ru.LatencySum += r.Latency
			}
		}
	}
	up, err := tx.PrepareContext(ctx, `INSERT INTO check_rollups
			(dependency_id, resolution, bucket, checks, failures, latency_n, latency_sum, latency_min, latency_max)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (dependency_id, resolution, bucket) DO UPDATE SET
			checks = checks + excluded.checks,
			failures = failures + excluded.failures,
			latency_n = latency_n + excluded.latency_n,
			latency_sum = latency_sum + excluded.latency_sum,
			latency_min = CASE WHEN latency_min IS NULL THEN excluded.latency_min
				WHEN excluded.latency_min IS NULL THEN latency_min ELSE min(latency_min, excluded.latency_min) END,
			latency_max = CASE WHEN latency_max IS NULL THEN excluded.latency_max
				WHEN excluded.latency_max IS NULL THEN latency_max ELSE max(latency_max, excluded.latency_max) END`)
	if err != nil {
		return fmt.Errorf("record rollups: %w", err)
	}
	defer up.Close()
	for _, ru := range rollups {
		var lo, hi any
		if ru.LatencyN > 0 {
			lo, hi = durationToMS(ru.LatencyMin), durationToMS(ru.LatencyMax)
		}
		if _, err := up.ExecContext(ctx, ru.DependencyID, ru.Resolution, formatTime(ru.Bucket), ru.Checks, ru.Failures,
			ru.LatencyN, durationToMS(ru.LatencySum), lo, hi); err != nil {
			return fmt.Errorf("record rollup of dependency %d: %w", ru.DependencyID, err)
		}
	}
	st, err := tx.PrepareContext(ctx, `UPDATE heartbeats SET last_check_at = ?, last_latency_ms = ?, last_status_code = ?,
		last_error = ?, consecutive_failures = ?, consecutive_successes = ?, last_push_at = ? WHERE dependency_id = ?`)
	if err != nil {
		return fmt.Errorf("record check states: %w", err)
	}
	defer st.Close()
	for id, s := range states {
		if !alive[id] {
			continue
		}
		if _, err := st.ExecContext(ctx, optTime(s.LastCheckAt), durationToMS(s.LastLatency), s.LastStatusCode, s.LastError,
			s.ConsecutiveFailures, s.ConsecutiveSuccesses, optTime(s.LastPushAt), id); err != nil {
			return fmt.Errorf("record check state of dependency %d: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record checks: commit: %w", err)
	}
	return nil
}

// ListCheckResults returns the newest raw results of a dependency (limit
// bounded by the caller).
func (db *DB) ListCheckResults(ctx context.Context, dependencyID int64, limit int) ([]domain.CheckResult, error) {
	return db.queryResults(ctx, `SELECT dependency_id, checked_at, ok, status_code, latency_ms, error FROM check_results
		WHERE dependency_id = ? ORDER BY checked_at DESC, id DESC LIMIT ?`, dependencyID, limit)
}

// CheckResultsBetween returns a dependency's raw results in [from, to), oldest first.
func (db *DB) CheckResultsBetween(ctx context.Context, dependencyID int64, from, to time.Time) ([]domain.CheckResult, error) {
	return db.queryResults(ctx, `SELECT dependency_id, checked_at, ok, status_code, latency_ms, error FROM check_results
		WHERE dependency_id = ? AND checked_at >= ? AND checked_at < ? ORDER BY checked_at`,
		dependencyID, formatTime(from), formatTime(to))
}

func (db *DB) queryResults(ctx context.Context, q string, args ...any) ([]domain.CheckResult, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list check results: %w", err)
	}
	defer rows.Close()
	out := []domain.CheckResult{}
	for rows.Next() {
		var r domain.CheckResult
		var ms float64
		if err := rows.Scan(&r.DependencyID, scanTime{&r.CheckedAt}, &r.OK, &r.StatusCode, &ms, &r.Error); err != nil {
			return nil, fmt.Errorf("list check results: %w", err)
		}
		r.Latency = msToDuration(ms)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list check results: %w", err)
	}
	return out, nil
}

// Rollups returns a dependency's rollups of one resolution with buckets in
// [from, to), oldest first.
func (db *DB) Rollups(ctx context.Context, dependencyID int64, res domain.Resolution, from, to time.Time) ([]domain.Rollup, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT bucket, checks, failures, latency_n, latency_sum,
			coalesce(latency_min, 0), coalesce(latency_max, 0)
		FROM check_rollups WHERE dependency_id = ? AND resolution = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`,
		dependencyID, res, formatTime(from), formatTime(to))
	if err != nil {
		return nil, fmt.Errorf("list rollups: %w", err)
	}
	defer rows.Close()
	out := []domain.Rollup{}
	for rows.Next() {
		r := domain.Rollup{DependencyID: dependencyID, Resolution: res}
		var sum, lo, hi float64
		if err := rows.Scan(scanTime{&r.Bucket}, &r.Checks, &r.Failures, &r.LatencyN, &sum, &lo, &hi); err != nil {
			return nil, fmt.Errorf("list rollups: %w", err)
		}
		r.LatencySum, r.LatencyMin, r.LatencyMax = msToDuration(sum), msToDuration(lo), msToDuration(hi)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list rollups: %w", err)
	}
	return out, nil
}

// DeleteCheckResultsBefore removes raw results older than t in chunks (so
// that writers are not blocked for long) and returns how many it removed.
func (db *DB) DeleteCheckResultsBefore(ctx context.Context, t time.Time) (int64, error) {
	return db.deleteInChunks(ctx, `DELETE FROM check_results WHERE id IN
		(SELECT id FROM check_results WHERE checked_at < ? LIMIT 5000)`, formatTime(t))
}

// DeleteRollupsBefore removes rollups of one resolution whose bucket starts before t.
func (db *DB) DeleteRollupsBefore(ctx context.Context, res domain.Resolution, t time.Time) (int64, error) {
	return db.deleteInChunks(ctx, `DELETE FROM check_rollups WHERE (dependency_id, resolution, bucket) IN
		(SELECT dependency_id, resolution, bucket FROM check_rollups WHERE resolution = ? AND bucket < ? LIMIT 5000)`,
		res, formatTime(t))
}

func (db *DB) deleteInChunks(ctx context.Context, q string, args ...any) (int64, error) {
	var total int64
	for {
		res, err := db.write.ExecContext(ctx, q, args...)
		if err != nil {
			return total, fmt.Errorf("retention delete: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < 5000 {
			return total, nil
		}
	}
}

// markAlive sets alive[id] for the ids that still have a heartbeat, with one
// query per 500 ids.
func markAlive(ctx context.Context, tx *sql.Tx, alive map[int64]bool) error {
	ids := make([]any, 0, len(alive))
	for id := range alive {
		ids = append(ids, id)
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		rows, err := tx.QueryContext(ctx, `SELECT dependency_id FROM heartbeats WHERE dependency_id IN (?`+
			strings.Repeat(",?", len(chunk)-1)+`)`, chunk...)
		if err != nil {
			return fmt.Errorf("record checks: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("record checks: %w", err)
			}
			alive[id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("record checks: %w", err)
		}
	}
	return nil
}
